using System.Diagnostics;
using System.Security.Cryptography;
using IoTStack.Crypto.PublicKey;
using Xunit.Abstractions;

namespace IoTStack.Crypto.Tests.PublicKey;

public class RsaTests(ITestOutputHelper output)
{
    private static RSA Key(int bits)
    {
        var key = RSA.Create();
        key.ImportFromPem(bits switch
        {
            2048 => RsaTestKeys.Rsa2048,
            2049 => RsaTestKeys.Rsa2049,
            3072 => RsaTestKeys.Rsa3072,
            _ => RsaTestKeys.Rsa4096,
        });
        return key;
    }

    private static (byte[] Modulus, byte[] Exponent) PublicKey(RSA key)
    {
        var parameters = key.ExportParameters(false);
        return (parameters.Modulus!, parameters.Exponent!);
    }

    private static byte[] Prefix(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA256 ? Rsa.Sha256DigestInfo : hash == HashAlgorithmName.SHA384 ? Rsa.Sha384DigestInfo : Rsa.Sha512DigestInfo;

    private static bool Pkcs1(Rsa rsa, byte[] modulus, byte[] exponent, byte[] signature, byte[] prefix, byte[] digest) =>
        rsa.VerifyPkcs1(modulus, 0, modulus.Length, exponent, 0, exponent.Length, signature, 0, signature.Length, prefix, 0, prefix.Length, digest, 0, digest.Length);

    private static bool Pss(Rsa rsa, byte[] modulus, byte[] exponent, byte[] signature, byte[] digest, IHash hash, int saltLength) =>
        rsa.VerifyPss(modulus, 0, modulus.Length, exponent, 0, exponent.Length, signature, 0, signature.Length, digest, 0, digest.Length, hash, saltLength);

    public static TheoryData<int, string> KeysAndHashes => new()
    {
        { 2048, "SHA256" }, { 2048, "SHA384" }, { 2048, "SHA512" },
        { 2049, "SHA256" },
        { 3072, "SHA256" }, { 3072, "SHA384" },
        { 4096, "SHA256" }, { 4096, "SHA512" },
    };

    [Theory]
    [MemberData(nameof(KeysAndHashes))]
    public void Verifies_dotnet_pkcs1_signatures_and_rejects_tampered_ones(int bits, string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        using var key = Key(bits);
        var (modulus, exponent) = PublicKey(key);
        var rsa = new Rsa(4096);
        var random = new Random(bits);
        for (int i = 0; i < 3; i++)
        {
            var digest = new byte[HashSize(hash)];
            random.NextBytes(digest);
            var signature = key.SignHash(digest, hash, RSASignaturePadding.Pkcs1);
            Assert.True(Pkcs1(rsa, modulus, exponent, signature, Prefix(hash), digest));

            var tampered = (byte[])signature.Clone();
            tampered[random.Next(tampered.Length)] ^= (byte)(1 << random.Next(8));
            Assert.False(Pkcs1(rsa, modulus, exponent, tampered, Prefix(hash), digest));
            var otherDigest = (byte[])digest.Clone();
            otherDigest[random.Next(otherDigest.Length)] ^= 1;
            Assert.False(Pkcs1(rsa, modulus, exponent, signature, Prefix(hash), otherDigest));
            var otherPrefix = (byte[])Prefix(hash).Clone();
            otherPrefix[14] ^= 7;
            Assert.False(Pkcs1(rsa, modulus, exponent, signature, otherPrefix, digest));
        }
    }

    [Theory]
    [MemberData(nameof(KeysAndHashes))]
    public void Verifies_dotnet_pss_signatures_with_the_salt_as_long_as_the_hash_and_rejects_tampered_ones(int bits, string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        using var key = Key(bits);
        var (modulus, exponent) = PublicKey(key);
        var rsa = new Rsa(4096);
        var ours = new IncrementalHashAdapter(hash);
        var random = new Random(bits + 1);
        for (int i = 0; i < 3; i++)
        {
            var digest = new byte[HashSize(hash)];
            random.NextBytes(digest);
            var signature = key.SignHash(digest, hash, RSASignaturePadding.Pss);
            Assert.True(Pss(rsa, modulus, exponent, signature, digest, ours, digest.Length));

            Assert.False(Pss(rsa, modulus, exponent, signature, digest, ours, digest.Length - 1));
            Assert.False(Pss(rsa, modulus, exponent, signature, digest, ours, 0));
            var tampered = (byte[])signature.Clone();
            tampered[random.Next(tampered.Length)] ^= (byte)(1 << random.Next(8));
            Assert.False(Pss(rsa, modulus, exponent, tampered, digest, ours, digest.Length));
            var otherDigest = (byte[])digest.Clone();
            otherDigest[random.Next(otherDigest.Length)] ^= 1;
            Assert.False(Pss(rsa, modulus, exponent, signature, otherDigest, ours, digest.Length));
            Assert.False(Pkcs1(rsa, modulus, exponent, signature, Prefix(hash), digest));
        }
    }

    private static int HashSize(HashAlgorithmName hash) => hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : 64;

    [Fact]
    public void Rejects_signatures_not_below_the_modulus_or_not_as_long_as_it()
    {
        using var key = Key(2048);
        var (modulus, exponent) = PublicKey(key);
        var rsa = new Rsa(2048);
        var digest = SHA256.HashData("message"u8);
        var signature = key.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.True(Pkcs1(rsa, modulus, exponent, signature, Rsa.Sha256DigestInfo, digest));

        // s + n has the same residue: RSAVP1 must refuse it rather than reduce it.
        var n = new System.Numerics.BigInteger(modulus, isUnsigned: true, isBigEndian: true);
        var s = new System.Numerics.BigInteger(signature, isUnsigned: true, isBigEndian: true);
        var sPlusN = (s + n).ToByteArray(isUnsigned: true, isBigEndian: true);
        if (sPlusN.Length == signature.Length)
        {
            Assert.False(Pkcs1(rsa, modulus, exponent, sPlusN, Rsa.Sha256DigestInfo, digest));
        }

        Assert.False(Pkcs1(rsa, modulus, exponent, modulus, Rsa.Sha256DigestInfo, digest));
        Assert.False(Pkcs1(rsa, modulus, exponent, signature[1..], Rsa.Sha256DigestInfo, digest));
        Assert.False(Pkcs1(rsa, modulus, exponent, [0, .. signature], Rsa.Sha256DigestInfo, digest));
    }

    [Fact]
    public void Accepts_the_modulus_and_exponent_as_der_integers_with_leading_zero_octets()
    {
        using var key = Key(3072);
        var (modulus, exponent) = PublicKey(key);
        var rsa = new Rsa(3072);
        var digest = SHA384.HashData("message"u8);
        var signature = key.SignHash(digest, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
        Assert.True(Pkcs1(rsa, [0, .. modulus], [0, 0, .. exponent], signature, Rsa.Sha384DigestInfo, digest));
    }

    [Fact]
    public void Refuses_a_modulus_longer_than_the_capacity_and_an_even_modulus()
    {
        using var key = Key(3072);
        var (modulus, exponent) = PublicKey(key);
        var digest = SHA256.HashData("message"u8);
        var signature = key.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.False(Pkcs1(new Rsa(2048), modulus, exponent, signature, Rsa.Sha256DigestInfo, digest));
        Assert.True(Pkcs1(new Rsa(3072), modulus, exponent, signature, Rsa.Sha256DigestInfo, digest));
        var even = (byte[])modulus.Clone();
        even[^1] &= 0xFE;
        Assert.False(Pkcs1(new Rsa(3072), even, exponent, signature, Rsa.Sha256DigestInfo, digest));
    }

    [Fact]
    public void Allocates_nothing_after_construction_and_reports_its_desktop_time()
    {
        var rsa = new Rsa(4096);
        var sha256 = new IncrementalHashAdapter(HashAlgorithmName.SHA256);
        var digest = SHA256.HashData("message"u8);
        foreach (int bits in new[] { 2048, 3072, 4096 })
        {
            using var key = Key(bits);
            var (modulus, exponent) = PublicKey(key);
            var pkcs1 = key.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var pss = key.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
            Assert.True(Pkcs1(rsa, modulus, exponent, pkcs1, Rsa.Sha256DigestInfo, digest));
            Assert.True(Pss(rsa, modulus, exponent, pss, digest, sha256, 32));

            long before = GC.GetAllocatedBytesForCurrentThread();
            bool both = Pkcs1(rsa, modulus, exponent, pkcs1, Rsa.Sha256DigestInfo, digest) & Pss(rsa, modulus, exponent, pss, digest, sha256, 32);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(both);

            const int rounds = 10;
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < rounds; i++)
            {
                Pkcs1(rsa, modulus, exponent, pkcs1, Rsa.Sha256DigestInfo, digest);
            }

            output.WriteLine($"RSA-{bits} PKCS#1 v1.5 verify (e = 65537): {watch.Elapsed.TotalMilliseconds / rounds:F2} ms on the desktop");
        }
    }
}
