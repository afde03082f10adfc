using System;
using IoTStack.Crypto;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>ChaCha20, Poly1305 and their AEAD (RFC 8439) against the RFC's vectors and .NET's ChaCha20Poly1305.</summary>
public class ChaCha20Poly1305Tests
{
    private const string Sunscreen = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    private const string Key00To1F = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    public static TheoryData<string, string, uint, string> BlockVectors => new()
    {
        // Section 2.3.2.
        { Key00To1F, "000000090000004a00000000", 1, "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e" },

        // Appendix A.1, test vector 1.
        { new string('0', 64), "000000000000000000000000", 0, "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586" },

        // Section 2.6.2: the Poly1305 key generation is the first half of block 0.
        { "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "000000000001020304050607", 0, "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646" },
    };

    public static TheoryData<string, string, string> Poly1305Vectors => new()
    {
        // Section 2.5.2.
        { "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b", Hex.Of(Hex.Ascii("Cryptographic Forum Research Group")), "a8061dc1305136c6c22b8baf0c0127a9" },

        // Appendix A.3, test vectors 5 to 11: the carries and the reduction modulo 2^130 - 5 random input rarely reaches.
        { "02000000000000000000000000000000" + "00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000" },
        { "02000000000000000000000000000000" + "ffffffffffffffffffffffffffffffff", "02000000000000000000000000000000", "03000000000000000000000000000000" },
        { "01000000000000000000000000000000" + "00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff" + "f0ffffffffffffffffffffffffffffff" + "11000000000000000000000000000000", "05000000000000000000000000000000" },
        { "01000000000000000000000000000000" + "00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff" + "fbfefefefefefefefefefefefefefefe" + "01010101010101010101010101010101", "00000000000000000000000000000000" },
        { "02000000000000000000000000000000" + "00000000000000000000000000000000", "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff" },
        { "01000000000000000400000000000000" + "00000000000000000000000000000000", "e33594d7505e43b90000000000000000" + "3394d7505e4379cd0100000000000000" + "00000000000000000000000000000000" + "01000000000000000000000000000000", "14000000000000005500000000000000" },
        { "01000000000000000400000000000000" + "00000000000000000000000000000000", "e33594d7505e43b90000000000000000" + "3394d7505e4379cd0100000000000000" + "00000000000000000000000000000000", "13000000000000000000000000000000" },
    };

    [Theory]
    [MemberData(nameof(BlockVectors))]
    public void ChaCha20_key_stream_matches_rfc_8439_blocks(string key, string nonce, uint counter, string keyStream)
    {
        var chacha = new ChaCha20();
        chacha.SetKey(Hex.Bytes(key), 0);
        chacha.SetNonce(Hex.Bytes(nonce), 0, counter);
        byte[] output = new byte[keyStream.Length / 2];
        chacha.Process(output, 0, output, 0, output.Length);
        Assert.Equal(keyStream, Hex.Of(output));
    }

    [Fact]
    public void ChaCha20_encrypts_the_section_2_4_2_example_in_any_split()
    {
        byte[] plaintext = Hex.Ascii(Sunscreen);
        const string expected = "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d";
        var chacha = new ChaCha20();
        chacha.SetKey(Hex.Bytes(Key00To1F), 0);
        for (int split = 0; split <= plaintext.Length; split += 7)
        {
            chacha.SetNonce(Hex.Bytes("000000000000004a00000000"), 0, 1);
            byte[] output = new byte[plaintext.Length];
            chacha.Process(plaintext, 0, output, 0, split);
            chacha.Process(plaintext, split, output, split, plaintext.Length - split);
            Assert.Equal(expected, Hex.Of(output));
        }
    }

    [Theory]
    [MemberData(nameof(Poly1305Vectors))]
    public void Poly1305_matches_rfc_8439_vectors(string key, string message, string tag)
    {
        byte[] messageBytes = Hex.Bytes(message);
        var poly = new Poly1305();
        for (int split = 0; split <= messageBytes.Length; split += 5)
        {
            poly.Start(Hex.Bytes(key), 0);
            poly.Update(messageBytes, 0, split);
            poly.Update(messageBytes, split, messageBytes.Length - split);
            byte[] output = new byte[16];
            poly.Finish(output, 0);
            Assert.Equal(tag, Hex.Of(output));
        }
    }

    [Fact]
    public void Aead_matches_rfc_8439_section_2_8_2() => AeadChecks.KnownAnswer(
        new ChaCha20Poly1305Cipher(),
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
        "070000004041424344454647",
        "50515253c0c1c2c3c4c5c6c7",
        Hex.Ascii(Sunscreen),
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
        + "1ae10b594f09e26a7e902ecbd0600691");

    [Fact]
    public void Aead_opens_rfc_8439_appendix_a_5() => AeadChecks.KnownAnswer(
        new ChaCha20Poly1305Cipher(),
        "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
        "000000000102030405060708",
        "f33388860000000000004e91",
        Hex.Bytes("496e7465726e65742d4472616674732061726520647261667420646f63756d656e74732076616c696420666f722061206d6178696d756d206f6620736978206d6f6e74687320616e64206d617920626520757064617465642c207265706c616365642c206f72206f62736f6c65746564206279206f7468657220646f63756d656e747320617420616e792074696d652e20497420697320696e617070726f70726961746520746f2075736520496e7465726e65742d447261667473206173207265666572656e6365206d6174657269616c206f7220746f2063697465207468656d206f74686572207468616e206173202fe2809c776f726b20696e2070726f67726573732e2fe2809d"),
        "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709beead9d67890cbb22392336fea1851f38");

    [Fact]
    public void Aead_matches_dotnet_for_every_length_to_600()
    {
        Assert.True(System.Security.Cryptography.ChaCha20Poly1305.IsSupported, "the reference needs OpenSSL's ChaCha20-Poly1305");
        AeadChecks.MatchesReference(new ChaCha20Poly1305Cipher(), Reference, 8439);
    }

    [Fact]
    public void Aead_refuses_a_flipped_bit_and_leaves_the_output_alone() => AeadChecks.RefusesTampering(new ChaCha20Poly1305Cipher(), 7905);

    [Fact]
    public void Aead_seals_and_opens_in_place()
    {
        Assert.True(System.Security.Cryptography.ChaCha20Poly1305.IsSupported, "the reference needs OpenSSL's ChaCha20-Poly1305");
        AeadChecks.WorksInPlace(new ChaCha20Poly1305Cipher(), Reference, 28);
    }

    private static byte[] Reference(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
    {
        using var reference = new System.Security.Cryptography.ChaCha20Poly1305(key);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        reference.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        return [.. ciphertext, .. tag];
    }
}
