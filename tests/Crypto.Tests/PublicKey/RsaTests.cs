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

    private const string WycheproofModulus =
        "00a2b451a07d0aa5f96e455671513550514a8a5b462ebef717094fa1fee82224e637f9746d3f7cafd31878d80325b6ef5a1700f65903b469429e89d6eac8845097b5ab393189db92512ed8a7711a1253facd20f79c15e8247f3d3e42e46e48c98e254a2fe9765313a03eff8f17e1a029397a1fa26a8dce26f490ed81299615d9814c22da610428e09c7d9658594266f5c021d0fceca08d945a12be82de4d1ece6b4c03145b5d3495d4ed5411eb878daf05fd7afc3e09ada0f1126422f590975a1969816f48698bcbba1b4d9cae79d460d8f9f85e7975005d9bc22c4e5ac0f7c1a45d12569a62807d3b9a02e5a530e773066f453d1f5b4c2e9cf7820283f742b9d5";

    /// <summary>Wycheproof testvectors_v1/rsa_signature_2048_sha256_test.json, the first key (e = 65537).</summary>
    [Theory]
    [InlineData(1, "", "840f5dac53106dd1f9c57219224cf51289290c42f20466875ba8e830ac5690e541536fcc8ab03b731f82bf66d83f194e7e180b3963ec7a2f3f7904a7ce49aed47da4d4b79421eaf937d301b3e696169297b797c32c076a12be4de0b58e003c5123051a84a10c62f8dac2f42a8640008eb3c7cccd6760ff5b51b689763922582845f048fb8150e5a7a6ca2eccc7bdc85349ad5b26c52137a79fa3fe5c29ab5cd7615013219c1941b6708e9c3c23feff5febaf0c8ebca5750b54e3e6e99a3e876b396f27860b7f3ec4e9191703c6332d944f6f69751167680c79c4f6b57f1cc8755d24b6ec158ccdbacdb23107a33cb6b332516c13274d1f9dccc21dced869e486", true)]
    [InlineData(5, "4d657373616765", "513a5abde16b5e0ecb8659d3ca0845800adf75cfc4437d42fa34e7aafbbe35fc5984d3560cba938f9a622e932bb6162b7fbb6cd8c1cf8815f28c495995ac18cdbe8fabfdce29c17aa021df192ac02d080d7c5eda6bd4c99154178a9d5e1cf3ff4177106315f4e6d74c991b601069acd60b55b3bb4dbf6316c35096a487d6756181d3394944f1c742a2f4d608ce4f6abbfb72347ad7d342ae15dd6d1049fbd0ff55f4d7c43ab805f81ff1fbe9256b5c78c2de6beb787f4b6d66d290a3d4c4857368aea5f7ebaa1296020c8f9e3670441a08038bb810e853a654e44316a4e52428745123ce2714020d00e55a9eb82f7fb41c73d852a82b003670246c6ca2045fc8", true)]
    [InlineData(8, "313233343030", "095dad1fd82bcd36652a381b7f4dd656bd89b40aa58b56da4f6aa8247874b935e65d2b86752d537df7103884d39dd9ad3d65f87404526b09094c5615c6249979b0dc58d2199ae8696a5b76b4bb03eaf08c2ab6aec686c6b1b289c9b44f648bd30cb1ac6a64a73d68e59cd05e7aa1b780f4bfd7b83dfe3b884ec11821a93dc5bbb47a00eea4557b6b96b5656276001f1f295ddbbbc511a99b9a665b9c2674c8af0d812286d0be3ce74817ba2cad283757de35dfb149f2835f60cb03ff155524a57f78b148feceb84cd20b0ae22e3e48f433fbd9bfd60be8afec93165ee0310be961d3695f309d031320c830aa6ba08b5a51d943797097c57630be391bd23736cc", false)]
    [InlineData(9, "313233343030", "8a0e82d4f334aca72a718b6f8f643f69c6048d619d5eba71263a5d2d3ac7a7af133b780c7595ca2c982c006e861948f543cd0210c758691f9626842c25de2843ea314ca8eff285d47e0cffa54180af416004017034962a80a5959c3d3f1bfc154a4824462a93c014f6dfe920824f414a6e30e0e5944d480b99949ec7bf64c4a7461575933b17d7d6b0178b5192392ace3ed8469e8ac1dacae51ad5d3ad73dcb213e056d04596e64d8c0703def3110c7cecc93ba8ac8059f0f3d66b89d8712c62b41d407e4b4a104f4569558b0290c213cad6d0653898b9df8f4a453ab07d13bfb7598d505abbd0c4987e4f1ac66e1a523e113e370ab7cf990f0cc63f50f4f0a4", false)]
    public void Agrees_with_wycheproof_pkcs1_vectors_refusing_a_missing_null_and_ber_lengths(int testCase, string message, string signature, bool valid)
    {
        var digest = SHA256.HashData(Convert.FromHexString(message));
        Assert.True(valid == Pkcs1(new Rsa(2048), Convert.FromHexString(WycheproofModulus), [1, 0, 1], Convert.FromHexString(signature), Rsa.Sha256DigestInfo, digest), $"tcId {testCase}");
    }

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
