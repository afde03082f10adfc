using System.Diagnostics;
using System.Security.Cryptography;
using IoTStack.Crypto.PublicKey;
using Xunit.Abstractions;

namespace IoTStack.Crypto.Tests.PublicKey;

/// <summary>P-256 and P-384 against published vectors and against System.Security.Cryptography.</summary>
public class EllipticCurveTests(ITestOutputHelper output)
{
    /// <summary>Either curve behind one shape, so every test runs on both.</summary>
    public sealed class Curve
    {
        public required string Name { get; init; }
        public required int Size { get; init; }
        public required ECCurve Standard { get; init; }
        public required byte[] Order { get; init; }
        public required Func<byte[], byte[], bool> PublicKey { get; init; }
        public required Func<byte[], byte[], byte[], bool> Shared { get; init; }
        public required Func<byte[], byte[], byte[], byte[], bool> VerifyRaw { get; init; }

        public bool Verify(byte[] key, byte[] digest, byte[] r, byte[] s) => VerifyRaw(key, digest, r, s);

        public override string ToString() => Name;
    }

    private static Curve P256Curve()
    {
        var curve = new P256();
        return new Curve
        {
            Name = "P-256",
            Size = 32,
            Standard = ECCurve.NamedCurves.nistP256,
            Order = Convert.FromHexString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
            PublicKey = (d, q) => curve.ComputePublicKey(d, 0, q, 0),
            Shared = (d, peer, shared) => curve.ComputeSharedSecret(d, 0, peer, 0, peer.Length, shared, 0),
            VerifyRaw = (key, digest, r, s) => curve.Verify(key, 0, key.Length, digest, 0, digest.Length, r, 0, r.Length, s, 0, s.Length),
        };
    }

    private static Curve P384Curve()
    {
        var curve = new P384();
        return new Curve
        {
            Name = "P-384",
            Size = 48,
            Standard = ECCurve.NamedCurves.nistP384,
            Order = Convert.FromHexString("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
            PublicKey = (d, q) => curve.ComputePublicKey(d, 0, q, 0),
            Shared = (d, peer, shared) => curve.ComputeSharedSecret(d, 0, peer, 0, peer.Length, shared, 0),
            VerifyRaw = (key, digest, r, s) => curve.Verify(key, 0, key.Length, digest, 0, digest.Length, r, 0, r.Length, s, 0, s.Length),
        };
    }

    public static TheoryData<string> Curves => new() { "P-256", "P-384" };

    private static Curve Create(string name) => name == "P-256" ? P256Curve() : P384Curve();

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    /// <summary>A private key from a seeded generator, below n (its top bit cleared) and not zero.</summary>
    private static byte[] RandomPrivateKey(Random random, int size)
    {
        var d = new byte[size];
        random.NextBytes(d);
        d[0] &= 0x7F;
        d[size - 1] |= 1;
        return d;
    }

    private static ECDsa DotNetKey(Curve curve, byte[] d) => ECDsa.Create(new ECParameters { Curve = curve.Standard, D = d });

    private static byte[] Uncompressed(ECParameters parameters)
    {
        return [4, .. parameters.Q.X!, .. parameters.Q.Y!];
    }

    public static TheoryData<string, string, string, string, string, string> Rfc6979Vectors => new()
    {
        // RFC 6979 appendix A.2.5 (P-256, SHA-256, "sample").
        {
            "P-256", "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
            "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
            "af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf",
            "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
            "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
        },
        // RFC 6979 appendix A.2.6 (P-384, SHA-384, "sample").
        {
            "P-384", "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5",
            "04ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc138015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720",
            "9a9083505bc92276aec4be312696ef7bf3bf603f4bbd381196a029f340585312313bca4a9b5b890efee42c77b1ee25fe",
            "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46",
            "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc6979Vectors))]
    public void Rfc6979_key_pair_and_signature_over_sample_check_out(string name, string privateKey, string publicKey, string digest, string r, string s)
    {
        var curve = Create(name);
        var q = new byte[1 + 2 * curve.Size];
        Assert.True(curve.PublicKey(Hex(privateKey), q));
        Assert.Equal(publicKey, Convert.ToHexStringLower(q));
        Assert.True(curve.Verify(q, Hex(digest), Hex(r), Hex(s)));

        var otherDigest = Hex(digest);
        otherDigest[^1] ^= 1;
        Assert.False(curve.Verify(q, otherDigest, Hex(r), Hex(s)));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Public_keys_match_dotnet_for_random_private_keys(string name)
    {
        var curve = Create(name);
        var random = new Random(186);
        for (int i = 0; i < 8; i++)
        {
            var d = RandomPrivateKey(random, curve.Size);
            using var key = DotNetKey(curve, d);
            var q = new byte[1 + 2 * curve.Size];
            Assert.True(curve.PublicKey(d, q));
            Assert.Equal(Uncompressed(key.ExportParameters(false)), q);
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Verifies_dotnet_signatures_over_sha256_sha384_and_sha512_digests_and_rejects_tampered_ones(string name)
    {
        var curve = Create(name);
        var random = new Random(1864);
        int[] digestSizes = [32, 48, 64];
        for (int i = 0; i < 12; i++)
        {
            using var key = ECDsa.Create(new ECParameters { Curve = curve.Standard, D = RandomPrivateKey(random, curve.Size) });
            var q = Uncompressed(key.ExportParameters(false));
            var digest = new byte[digestSizes[i % 3]];
            random.NextBytes(digest);
            var signature = key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            var r = signature[..curve.Size];
            var s = signature[curve.Size..];
            Assert.True(curve.Verify(q, digest, r, s), $"signature {i}");

            var tampered = (byte[])s.Clone();
            tampered[random.Next(tampered.Length)] ^= (byte)(1 << random.Next(8));
            Assert.False(curve.Verify(q, digest, r, tampered));
            tampered = (byte[])r.Clone();
            tampered[random.Next(tampered.Length)] ^= (byte)(1 << random.Next(8));
            Assert.False(curve.Verify(q, digest, tampered, s));
            var otherDigest = (byte[])digest.Clone();
            otherDigest[random.Next(Math.Min(curve.Size, digest.Length))] ^= 0x80;
            Assert.False(curve.Verify(q, otherDigest, r, s));
            using var otherKey = ECDsa.Create(curve.Standard);
            Assert.False(curve.Verify(Uncompressed(otherKey.ExportParameters(false)), digest, r, s));
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Accepts_r_and_s_as_der_gives_them_with_a_leading_zero_or_fewer_octets(string name)
    {
        var curve = Create(name);
        var random = new Random(6979);
        int shortSeen = 0;
        using var key = ECDsa.Create(new ECParameters { Curve = curve.Standard, D = RandomPrivateKey(random, curve.Size) });
        var q = Uncompressed(key.ExportParameters(false));
        for (int i = 0; i < 5000 && shortSeen == 0; i++)
        {
            var digest = new byte[curve.Size];
            random.NextBytes(digest);
            var signature = key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            var r = signature[..curve.Size];
            var s = signature[curve.Size..];
            Assert.True(curve.Verify(q, digest, [0, .. r], [0, .. s]));
            if (r[0] == 0)
            {
                shortSeen++;
                Assert.True(curve.Verify(q, digest, r[1..], s));
            }
        }

        Assert.Equal(1, shortSeen);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Rejects_r_or_s_outside_one_to_n_minus_one_and_bad_public_keys(string name)
    {
        var curve = Create(name);
        var random = new Random(44);
        using var key = ECDsa.Create(new ECParameters { Curve = curve.Standard, D = RandomPrivateKey(random, curve.Size) });
        var q = Uncompressed(key.ExportParameters(false));
        var digest = new byte[curve.Size];
        random.NextBytes(digest);
        var signature = key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var r = signature[..curve.Size];
        var s = signature[curve.Size..];
        Assert.True(curve.Verify(q, digest, r, s));

        var zero = new byte[curve.Size];
        Assert.False(curve.Verify(q, digest, zero, s));
        Assert.False(curve.Verify(q, digest, r, zero));
        Assert.False(curve.Verify(q, digest, [], s));
        Assert.False(curve.Verify(q, digest, curve.Order, s));
        Assert.False(curve.Verify(q, digest, r, curve.Order));
        Assert.False(curve.Verify(q, digest, [1, .. r], s));

        // s + n encodes the same residue but is out of range.
        var sPlusN = new System.Numerics.BigInteger(s, isUnsigned: true, isBigEndian: true) + new System.Numerics.BigInteger(curve.Order, isUnsigned: true, isBigEndian: true);
        Assert.False(curve.Verify(q, digest, r, sPlusN.ToByteArray(isUnsigned: true, isBigEndian: true)));

        var offCurve = (byte[])q.Clone();
        offCurve[^1] ^= 1;
        Assert.False(curve.Verify(offCurve, digest, r, s));
        var compressed = (byte[])q.Clone();
        compressed[0] = 2;
        Assert.False(curve.Verify(compressed, digest, r, s));
        Assert.False(curve.Verify(q[..^1], digest, r, s));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Shared_secret_matches_dotnet_ecdh_both_ways(string name)
    {
        var curve = Create(name);
        var random = new Random(33);
        for (int i = 0; i < 6; i++)
        {
            var ours = RandomPrivateKey(random, curve.Size);
            using var ourKey = ECDiffieHellman.Create(new ECParameters { Curve = curve.Standard, D = ours });
            using var peer = ECDiffieHellman.Create(new ECParameters { Curve = curve.Standard, D = RandomPrivateKey(random, curve.Size) });
            var peerPoint = Uncompressed(peer.ExportParameters(false));
            var shared = new byte[curve.Size];
            Assert.True(curve.Shared(ours, peerPoint, shared));
            Assert.Equal(peer.DeriveRawSecretAgreement(ourKey.PublicKey), shared);
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Refuses_private_keys_outside_one_to_n_minus_one_and_peer_points_off_the_curve(string name)
    {
        var curve = Create(name);
        var random = new Random(5);
        var d = RandomPrivateKey(random, curve.Size);
        var q = new byte[1 + 2 * curve.Size];
        var shared = new byte[curve.Size];
        Assert.False(curve.PublicKey(new byte[curve.Size], q));
        Assert.False(curve.PublicKey(curve.Order, q));
        Assert.True(curve.PublicKey(d, q));

        var offCurve = (byte[])q.Clone();
        offCurve[curve.Size] ^= 1;
        Assert.False(curve.Shared(d, offCurve, shared));
        var xAbovePrime = (byte[])q.Clone();
        Array.Fill(xAbovePrime, (byte)0xFF, 1, curve.Size);
        Assert.False(curve.Shared(d, xAbovePrime, shared));
        Assert.False(curve.Shared(d, q[..^1], shared));
        Assert.False(curve.Shared(d, new byte[q.Length], shared));
        Assert.True(curve.Shared(d, q, shared));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Allocates_nothing_after_construction_and_reports_its_desktop_time(string name)
    {
        var curve = Create(name);
        var random = new Random(9);
        var d = RandomPrivateKey(random, curve.Size);
        using var key = ECDsa.Create(new ECParameters { Curve = curve.Standard, D = d });
        var q = Uncompressed(key.ExportParameters(false));
        var digest = new byte[curve.Size];
        random.NextBytes(digest);
        var signature = key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var r = signature[..curve.Size];
        var s = signature[curve.Size..];
        var publicKey = new byte[q.Length];
        var shared = new byte[curve.Size];

        // The delegates are made once; the measured calls reach the curve through them without allocating.
        Assert.True(curve.PublicKey(d, publicKey));
        Assert.True(curve.Shared(d, q, shared));
        Assert.True(curve.Verify(q, digest, r, s));
        long before = GC.GetAllocatedBytesForCurrentThread();
        curve.PublicKey(d, publicKey);
        curve.Shared(d, q, shared);
        curve.Verify(q, digest, r, s);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        const int rounds = 5;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < rounds; i++)
        {
            curve.Shared(d, q, shared);
        }

        double ecdh = watch.Elapsed.TotalMilliseconds / rounds;
        watch.Restart();
        for (int i = 0; i < rounds; i++)
        {
            curve.Verify(q, digest, r, s);
        }

        output.WriteLine($"{name}: ECDH {ecdh:F2} ms, ECDSA verify {watch.Elapsed.TotalMilliseconds / rounds:F2} ms on the desktop");
    }
}
