using System;
using IoTStack.Crypto;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>AES (FIPS 197) and AES-GCM (NIST SP 800-38D) against the published vectors and .NET's AesGcm.</summary>
public class AesGcmTests
{
    private const string TestPlaintext = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private const string TestAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

    public static TheoryData<string, string> Fips197Examples => new()
    {
        // FIPS 197 appendix C.1 to C.3: plaintext 00112233445566778899aabbccddeeff under keys 000102...
        { "000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a" },
        { "000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191" },
        { "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "8ea2b7ca516745bfeafc49904b496089" },
    };

    // McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B: test cases 1-4 (AES-128) and
    // 13-16 (AES-256), the ones with 96-bit IVs. Sealed = ciphertext | tag.
    public static TheoryData<string, string, string, string, string> GcmSpecCases => new()
    {
        { "00000000000000000000000000000000", "000000000000000000000000", "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
        { "00000000000000000000000000000000", "000000000000000000000000", "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf" },
        {
            "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", TestPlaintext, "",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985" + "4d5c2af327cd64a62cf35abd2ba6fab4"
        },
        {
            "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", TestPlaintext[..120], TestAad,
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47"
        },
        { new string('0', 64), "000000000000000000000000", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
        { new string('0', 64), "000000000000000000000000", "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919" },
        {
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", TestPlaintext, "",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad" + "b094dac5d93471bdec1a502270e3cc6c"
        },
        {
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", TestPlaintext[..120], TestAad,
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b"
        },
    };

    [Theory]
    [MemberData(nameof(Fips197Examples))]
    public void Aes_matches_fips_197_appendix_c(string key, string ciphertext)
    {
        var aes = new AesBlockCipher();
        byte[] keyBytes = Hex.Bytes(key);
        aes.SetKey(keyBytes, 0, keyBytes.Length);
        uint[] block = { 0x00112233, 0x44556677, 0x8899aabb, 0xccddeeff };
        aes.Encrypt(block);
        Assert.Equal(ciphertext, $"{block[0]:x8}{block[1]:x8}{block[2]:x8}{block[3]:x8}");
        Assert.Equal(keyBytes.Length, aes.KeySize);
    }

    [Theory]
    [MemberData(nameof(GcmSpecCases))]
    public void Aes_gcm_matches_the_gcm_specification_test_cases(string key, string iv, string plaintext, string aad, string sealedText) =>
        AeadChecks.KnownAnswer(new AesGcmCipher(key.Length / 2), key, iv, aad, Hex.Bytes(plaintext), sealedText);

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Aes_gcm_matches_dotnet_for_every_length_to_600(int keySize) =>
        AeadChecks.MatchesReference(new AesGcmCipher(keySize), Reference, 38 + keySize);

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Aes_gcm_refuses_a_flipped_bit_and_leaves_the_output_alone(int keySize) =>
        AeadChecks.RefusesTampering(new AesGcmCipher(keySize), 5288 + keySize);

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Aes_gcm_seals_and_opens_in_place(int keySize) =>
        AeadChecks.WorksInPlace(new AesGcmCipher(keySize), Reference, 8446 + keySize);

    [Fact]
    public void Aes_gcm_takes_only_tls_key_sizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AesGcmCipher(24));
        Assert.Equal(16, new AesGcmCipher(16).KeySize);
        Assert.Equal(12, new AesGcmCipher(32).NonceSize);
        Assert.Equal(16, new AesGcmCipher(32).TagSize);
    }

    private static byte[] Reference(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
    {
        using var reference = new System.Security.Cryptography.AesGcm(key, 16);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        reference.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        return [.. ciphertext, .. tag];
    }
}
