using System;
using System.Security.Cryptography;
using IoTStack.Crypto;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>HKDF (RFC 5869) and the TLS 1.2 PRF (RFC 5246 section 5) against published vectors and .NET.</summary>
public class KeyDerivationTests
{
    public static TheoryData<string, string, string, int, string, string> Rfc5869Sha256Cases => new()
    {
        // Appendix A.1: basic test case.
        {
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        },

        // Appendix A.2: longer inputs and outputs.
        {
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
            "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
            "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
            82,
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"
        },

        // Appendix A.3: zero-length salt and info.
        {
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc5869Sha256Cases))]
    public void Hkdf_sha256_matches_rfc_5869_appendix_a(string ikm, string salt, string info, int length, string prk, string okm)
    {
        var hkdf = new Hkdf(new Sha256());
        byte[] ikmBytes = Hex.Bytes(ikm);
        byte[] saltBytes = Hex.Bytes(salt);
        byte[] infoBytes = Hex.Bytes(info);
        byte[] prkBytes = new byte[32];
        hkdf.Extract(saltBytes, 0, saltBytes.Length, ikmBytes, 0, ikmBytes.Length, prkBytes, 0);
        Assert.Equal(prk, Hex.Of(prkBytes));
        byte[] output = new byte[length];
        hkdf.Expand(prkBytes, 0, 32, infoBytes, 0, infoBytes.Length, output, 0, length);
        Assert.Equal(okm, Hex.Of(output));
    }

    [Fact]
    public void Hkdf_random_inputs_match_dotnet()
    {
        var random = new Random(5869);
        var sha256 = new Hkdf(new Sha256());
        var sha384 = new Hkdf(new Sha384());
        for (int i = 0; i < 200; i++)
        {
            byte[] ikm = RandomBytes(random, random.Next(0, 100));
            byte[] salt = RandomBytes(random, random.Next(0, 150));
            byte[] info = RandomBytes(random, random.Next(0, 80));
            AssertHkdf(sha256, HashAlgorithmName.SHA256, ikm, salt, info, random.Next(1, 300));
            AssertHkdf(sha384, HashAlgorithmName.SHA384, ikm, salt, info, random.Next(1, 300));
        }
    }

    [Fact]
    public void Hkdf_refuses_more_than_255_blocks()
    {
        var hkdf = new Hkdf(new Sha256());
        byte[] prk = new byte[32];
        byte[] output = new byte[255 * 32 + 1];
        hkdf.Expand(prk, 0, 32, prk, 0, 0, output, 0, 255 * 32);
        Assert.Throws<ArgumentOutOfRangeException>(() => hkdf.Expand(prk, 0, 32, prk, 0, 0, output, 0, 255 * 32 + 1));
    }

    [Fact]
    public void Tls12_prf_sha256_matches_the_published_vector()
    {
        // The P_SHA256 vector posted to the IETF TLS working group list during TLS 1.2's drafting.
        byte[] secret = Hex.Bytes("9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35");
        byte[] seed = Hex.Bytes("a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c");
        byte[] label = Hex.Ascii("test label");
        byte[] output = new byte[100];
        new Tls12Prf(new Sha256()).Derive(secret, 0, secret.Length, label, 0, label.Length, seed, 0, seed.Length, output, 0, 100);
        Assert.Equal(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
            + "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66",
            Hex.Of(output));
    }

    [Fact]
    public void Tls12_prf_sha384_matches_the_published_vector_prefix()
    {
        // The P_SHA384 vector from the same list (first 48 of its 148 bytes; a shorter output is a prefix).
        byte[] secret = Hex.Bytes("b80b733d6ceefcdc71566ea48e5567df");
        byte[] seed = Hex.Bytes("cd665cf6a8447dd6ff8b27555edb7465");
        byte[] label = Hex.Ascii("test label");
        byte[] output = new byte[48];
        new Tls12Prf(new Sha384()).Derive(secret, 0, secret.Length, label, 0, label.Length, seed, 0, seed.Length, output, 0, 48);
        Assert.Equal("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0", Hex.Of(output));
    }

    [Fact]
    public void Tls12_prf_random_inputs_match_p_hash_over_dotnet_hmac()
    {
        var random = new Random(5246);
        var prf = new Tls12Prf(new Sha256());
        for (int i = 0; i < 100; i++)
        {
            byte[] secret = RandomBytes(random, random.Next(0, 100));
            byte[] label = Hex.Ascii(i % 2 == 0 ? "master secret" : "key expansion");
            byte[] seed = RandomBytes(random, 64);
            int length = random.Next(0, 200);
            byte[] output = new byte[length + 3];
            prf.Derive(secret, 0, secret.Length, label, 0, label.Length, seed, 0, seed.Length, output, 3, length);
            Assert.Equal(PHashSha256(secret, (byte[])[.. label, .. seed], length), output[3..]);
        }
    }

    private static void AssertHkdf(Hkdf hkdf, HashAlgorithmName name, byte[] ikm, byte[] salt, byte[] info, int length)
    {
        byte[] prk = new byte[hkdf.HashSize];
        hkdf.Extract(salt, 0, salt.Length, ikm, 0, ikm.Length, prk, 0);
        Assert.Equal(HKDF.Extract(name, ikm, salt), prk);
        byte[] output = new byte[length + 1];
        hkdf.Expand(prk, 0, prk.Length, info, 0, info.Length, output, 1, length);
        Assert.Equal(HKDF.Expand(name, prk, length, info), output[1..]);
    }

    // RFC 5246 section 5, written the obvious way over .NET's HMAC.
    private static byte[] PHashSha256(byte[] secret, byte[] seed, int length)
    {
        byte[] result = [];
        byte[] a = seed;
        while (result.Length < length)
        {
            a = HMACSHA256.HashData(secret, a);
            byte[] block = HMACSHA256.HashData(secret, (byte[])[.. a, .. seed]);
            result = [.. result, .. block];
        }

        return result[..length];
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
