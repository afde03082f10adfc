using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using IoTStack.Crypto.PublicKey;
using Xunit.Abstractions;

namespace IoTStack.Crypto.Tests.PublicKey;

/// <summary>ECDSA P-256 signing with RFC 6979 nonces: the RFC's vectors, .NET's verifier, the device's own verifier.</summary>
public class EcdsaSignerTests(ITestOutputHelper output)
{
    private static readonly BigInteger Order = Unsigned(Convert.FromHexString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"));

    private const string Rfc6979Key = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static byte[] Uncompressed(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        return [4, .. parameters.Q.X!, .. parameters.Q.Y!];
    }

    private static byte[] RandomPrivateKey(Random random)
    {
        var d = new byte[32];
        random.NextBytes(d);
        d[0] &= 0x7F;
        d[31] |= 1;
        return d;
    }

    private static EcdsaP256Signer Signer(byte[] privateKey)
    {
        var signer = new EcdsaP256Signer();
        Assert.True(signer.SetPrivateKey(privateKey, 0));
        return signer;
    }

    /// <summary>RFC 6979 appendix A.2.5, P-256 with SHA-256: the nonce k, r and s for the messages "sample" and "test".</summary>
    [Theory]
    [InlineData("sample", "a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60",
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716", "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")]
    [InlineData("test", "d16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0",
        "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367", "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083")]
    public void Rfc6979_appendix_a25_nonce_r_and_s_come_out_exactly(string message, string k, string r, string s)
    {
        var d = Convert.FromHexString(Rfc6979Key);
        var signer = Signer(d);
        var digest = SHA256.HashData(Encoding.ASCII.GetBytes(message));
        var signature = new byte[EcdsaP256Signer.SignatureSize + 3];

        Assert.True(signer.Sign(digest, 0, digest.Length, signature, 3));

        Assert.Equal(r, Convert.ToHexStringLower(signature, 3, 32));
        Assert.Equal(s, Convert.ToHexStringLower(signature, 35, 32));

        // s = k^-1 (e + r·d) mod n, so k = s^-1 (e + r·d) mod n: the nonce used is the RFC's, not just some k with that r.
        var sValue = Unsigned(signature[35..]);
        var used = BigInteger.ModPow(sValue, Order - 2, Order) * (Unsigned(digest) + Unsigned(signature[3..35]) * Unsigned(d)) % Order;
        Assert.Equal(Unsigned(Convert.FromHexString(k)), used);
    }

    [Fact]
    public void Rfc6979_key_gives_the_rfcs_public_key()
    {
        var signer = Signer(Convert.FromHexString(Rfc6979Key));
        var q = new byte[65];
        Assert.True(signer.ComputePublicKey(q, 0));
        Assert.Equal("0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
            Convert.ToHexStringLower(q));
    }

    [Fact]
    public void Signatures_over_random_digests_verify_with_dotnet_and_with_the_device_verifier()
    {
        var random = new Random(6979);
        var verifier = new P256();
        int[] digestSizes = [32, 32, 32, 20, 48, 64];
        for (int i = 0; i < 60; i++)
        {
            var d = RandomPrivateKey(random);
            var signer = Signer(d);
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
            var q = Uncompressed(key);
            var digest = new byte[digestSizes[i % digestSizes.Length]];
            random.NextBytes(digest);
            var signature = new byte[64];

            Assert.True(signer.Sign(digest, 0, digest.Length, signature, 0));

            Assert.True(key.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), $"signature {i}");
            Assert.True(verifier.Verify(q, 0, q.Length, digest, 0, digest.Length, signature, 0, 32, signature, 32, 32), $"signature {i}");
            var again = new byte[64];
            Assert.True(signer.Sign(digest, 0, digest.Length, again, 0));
            Assert.Equal(signature, again);
        }
    }

    [Fact]
    public void A_tampered_signature_or_digest_fails_the_existing_verifier()
    {
        var random = new Random(44);
        var verifier = new P256();
        for (int i = 0; i < 8; i++)
        {
            var signer = Signer(RandomPrivateKey(random));
            var q = new byte[65];
            Assert.True(signer.ComputePublicKey(q, 0));
            var digest = new byte[32];
            random.NextBytes(digest);
            var signature = new byte[64];
            Assert.True(signer.Sign(digest, 0, 32, signature, 0));
            Assert.True(verifier.Verify(q, 0, 65, digest, 0, 32, signature, 0, 32, signature, 32, 32));

            var tampered = (byte[])signature.Clone();
            tampered[random.Next(64)] ^= (byte)(1 << random.Next(8));
            Assert.False(verifier.Verify(q, 0, 65, digest, 0, 32, tampered, 0, 32, tampered, 32, 32));
            var otherDigest = (byte[])digest.Clone();
            otherDigest[random.Next(32)] ^= 1;
            Assert.False(verifier.Verify(q, 0, 65, otherDigest, 0, 32, signature, 0, 32, signature, 32, 32));
        }
    }

    [Fact]
    public void Refuses_private_keys_outside_one_to_n_minus_one_and_signs_nothing_without_a_key()
    {
        var signer = new EcdsaP256Signer();
        var digest = new byte[32];
        var signature = new byte[64];
        var q = new byte[65];
        Assert.False(signer.HasPrivateKey);
        Assert.False(signer.Sign(digest, 0, 32, signature, 0));
        Assert.False(signer.ComputePublicKey(q, 0));

        Assert.False(signer.SetPrivateKey(new byte[32], 0));
        var n = Order.ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.False(signer.SetPrivateKey(n, 0));
        Assert.False(signer.SetPrivateKey(Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0));
        Assert.False(signer.HasPrivateKey);

        var nMinusOne = (Order - 1).ToByteArray(isUnsigned: true, isBigEndian: true);
        Assert.True(signer.SetPrivateKey(nMinusOne, 0));
        Assert.True(signer.Sign(digest, 0, 32, signature, 0));
        Assert.False(signer.Sign(digest, 0, -1, signature, 0));
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = nMinusOne });
        Assert.True(key.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        Assert.False(signer.SetPrivateKey(n, 0));
        Assert.False(signer.Sign(digest, 0, 32, signature, 0));
        Assert.True(signer.SetPrivateKey(nMinusOne, 0));
        signer.ClearPrivateKey();
        Assert.False(signer.Sign(digest, 0, 32, signature, 0));
    }

    [Fact]
    public void Allocates_nothing_after_construction_and_reports_its_desktop_time()
    {
        var random = new Random(9);
        var signer = Signer(RandomPrivateKey(random));
        var digest = new byte[32];
        random.NextBytes(digest);
        var signature = new byte[64];
        var q = new byte[65];
        Assert.True(signer.Sign(digest, 0, 32, signature, 0));
        Assert.True(signer.ComputePublicKey(q, 0));

        long before = GC.GetAllocatedBytesForCurrentThread();
        signer.Sign(digest, 0, 32, signature, 0);
        signer.ComputePublicKey(q, 0);
        signer.SetPrivateKey(signature, 0);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        const int rounds = 10;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < rounds; i++)
        {
            digest[0] = (byte)i;
            signer.Sign(digest, 0, 32, signature, 0);
        }

        output.WriteLine($"P-256 ECDSA signature (RFC 6979 nonce): {watch.Elapsed.TotalMilliseconds / rounds:F2} ms on this desktop");
    }
}
