using System.Diagnostics;
using IoTStack.Crypto.PublicKey;
using Xunit.Abstractions;

namespace IoTStack.Crypto.Tests.PublicKey;

public class X25519Tests(ITestOutputHelper output)
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    [Theory]
    [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    public void Matches_the_rfc7748_section_5_2_vectors_including_a_u_with_its_top_bit_set(string scalar, string u, string expected)
    {
        var shared = new byte[32];
        Assert.True(new X25519().ComputeSharedSecret(Hex(scalar), 0, Hex(u), 0, shared, 0));
        Assert.Equal(expected, Convert.ToHexStringLower(shared));
    }

    private static string Iterate(int iterations)
    {
        var x25519 = new X25519();
        var k = new byte[32];
        var u = new byte[32];
        var result = new byte[32];
        k[0] = 9;
        u[0] = 9;
        for (int i = 0; i < iterations; i++)
        {
            x25519.ComputeSharedSecret(k, 0, u, 0, result, 0);
            Buffer.BlockCopy(k, 0, u, 0, 32);
            Buffer.BlockCopy(result, 0, k, 0, 32);
        }

        return Convert.ToHexStringLower(k);
    }

    [Fact]
    public void Matches_the_rfc7748_iterated_vector_after_1_and_1000_iterations()
    {
        Assert.Equal("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", Iterate(1));
        Assert.Equal("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", Iterate(1000));
    }

    [Fact]
    public void Matches_the_rfc7748_iterated_vector_after_a_million_iterations_when_IOTSTACK_SLOW_TESTS_is_set()
    {
        if (Environment.GetEnvironmentVariable("IOTSTACK_SLOW_TESTS") is null)
        {
            return;
        }

        Assert.Equal("7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424", Iterate(1_000_000));
    }

    [Fact]
    public void Alice_and_bob_of_rfc7748_section_6_1_derive_the_published_keys_and_secret()
    {
        var x25519 = new X25519();
        var alicePrivate = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var bobPrivate = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        var alicePublic = new byte[40];
        var bobPublic = new byte[32];
        x25519.ComputePublicKey(alicePrivate, 0, alicePublic, 8);
        x25519.ComputePublicKey(bobPrivate, 0, bobPublic, 0);
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(alicePublic, 8, 32));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(bobPublic));

        var aliceShared = new byte[32];
        var bobShared = new byte[32];
        Assert.True(x25519.ComputeSharedSecret(alicePrivate, 0, bobPublic, 0, aliceShared, 0));
        Assert.True(x25519.ComputeSharedSecret(bobPrivate, 0, alicePublic, 8, bobShared, 0));
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(aliceShared));
        Assert.Equal(aliceShared, bobShared);
    }

    [Fact]
    public void Treats_a_non_canonical_u_coordinate_as_its_residue_modulo_p()
    {
        // p + 9, below 2^255: RFC 7748 section 5 says to accept it as u = 9.
        var x25519 = new X25519();
        var privateKey = Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        var nonCanonical = Hex("f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        var shared = new byte[32];
        var publicKey = new byte[32];
        Assert.True(x25519.ComputeSharedSecret(privateKey, 0, nonCanonical, 0, shared, 0));
        x25519.ComputePublicKey(privateKey, 0, publicKey, 0);
        Assert.Equal(publicKey, shared);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    public void Refuses_a_peer_point_of_small_order_because_the_secret_is_all_zeros(string smallOrder)
    {
        var shared = new byte[32];
        Assert.False(new X25519().ComputeSharedSecret(Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), 0, Hex(smallOrder), 0, shared, 0));
        Assert.All(shared, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Agrees_with_itself_for_random_key_pairs()
    {
        var random = new Random(7748);
        var x25519 = new X25519();
        for (int i = 0; i < 10; i++)
        {
            var a = new byte[32];
            var b = new byte[32];
            random.NextBytes(a);
            random.NextBytes(b);
            var aPublic = new byte[32];
            var bPublic = new byte[32];
            x25519.ComputePublicKey(a, 0, aPublic, 0);
            x25519.ComputePublicKey(b, 0, bPublic, 0);
            var ab = new byte[32];
            var ba = new byte[32];
            Assert.True(x25519.ComputeSharedSecret(a, 0, bPublic, 0, ab, 0));
            Assert.True(x25519.ComputeSharedSecret(b, 0, aPublic, 0, ba, 0));
            Assert.Equal(ab, ba);
        }
    }

    [Fact]
    public void Allocates_nothing_after_construction_and_reports_its_desktop_time()
    {
        var x25519 = new X25519();
        var privateKey = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var peer = Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        var output32 = new byte[32];
        x25519.ComputePublicKey(privateKey, 0, output32, 0);
        x25519.ComputeSharedSecret(privateKey, 0, peer, 0, output32, 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        x25519.ComputePublicKey(privateKey, 0, output32, 0);
        x25519.ComputeSharedSecret(privateKey, 0, peer, 0, output32, 0);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var watch = Stopwatch.StartNew();
        const int rounds = 20;
        for (int i = 0; i < rounds; i++)
        {
            x25519.ComputeSharedSecret(privateKey, 0, peer, 0, output32, 0);
        }

        output.WriteLine($"X25519 shared secret: {watch.Elapsed.TotalMilliseconds / rounds:F2} ms on the desktop");
    }
}
