using System;
using System.Text;
using IoTStack.Crypto;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>SHA-256, SHA-384 and SHA-512 (FIPS 180-4) against the published examples and .NET's implementations.</summary>
public class HashTests
{
    private const string Message448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    private const string Message896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

    public static TheoryData<string, string> Sha256Examples => new()
    {
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { Message448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { Message896, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
    };

    public static TheoryData<string, string> Sha384Examples => new()
    {
        { "abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
        { Message448, "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b" },
        { Message896, "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039" },
    };

    public static TheoryData<string, string> Sha512Examples => new()
    {
        { "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
        { Message448, "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445" },
        { Message896, "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
    };

    [Theory]
    [MemberData(nameof(Sha256Examples))]
    public void Sha256_matches_fips_180_4_examples(string message, string digest) => AssertDigest(new Sha256(), message, digest);

    [Theory]
    [MemberData(nameof(Sha384Examples))]
    public void Sha384_matches_fips_180_4_examples(string message, string digest) => AssertDigest(new Sha384(), message, digest);

    [Theory]
    [MemberData(nameof(Sha512Examples))]
    public void Sha512_matches_fips_180_4_examples(string message, string digest) => AssertDigest(new Sha512(), message, digest);

    [Fact]
    public void One_million_a_matches_the_published_digests()
    {
        byte[] chunk = new byte[1000];
        Array.Fill(chunk, (byte)'a');
        AssertMillion(new Sha256(), chunk, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        AssertMillion(new Sha384(), chunk, "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985");
        AssertMillion(new Sha512(), chunk, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
    }

    [Fact]
    public void Random_messages_split_into_random_updates_match_dotnet()
    {
        var random = new Random(18);
        IHash[] hashes = { new Sha256(), new Sha384(), new Sha512() };
        for (int length = 0; length <= 300; length++)
        {
            byte[] message = new byte[length];
            random.NextBytes(message);
            byte[][] expected =
            {
                System.Security.Cryptography.SHA256.HashData(message),
                System.Security.Cryptography.SHA384.HashData(message),
                System.Security.Cryptography.SHA512.HashData(message),
            };
            for (int h = 0; h < hashes.Length; h++)
            {
                IHash hash = hashes[h];
                int position = 0;
                while (position < length)
                {
                    int count = random.Next(0, length - position + 1);
                    hash.Update(message, position, count);
                    position += count;
                }

                byte[] output = new byte[hash.HashSize + 3];
                hash.Finish(output, 3);
                Assert.Equal(expected[h], output[3..]);
            }
        }
    }

    [Fact]
    public void Finish_starts_a_new_message()
    {
        var hash = new Sha256();
        byte[] junk = Encoding.ASCII.GetBytes("something else entirely");
        hash.Update(junk, 0, junk.Length);
        hash.Finish(new byte[32], 0);
        AssertDigest(hash, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        hash.Update(junk, 0, junk.Length);
        hash.Reset();
        AssertDigest(hash, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    private static void AssertDigest(IHash hash, string message, string digest)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(message);
        hash.Update(bytes, 0, bytes.Length);
        byte[] output = new byte[hash.HashSize];
        hash.Finish(output, 0);
        Assert.Equal(digest, Convert.ToHexStringLower(output));
    }

    private static void AssertMillion(IHash hash, byte[] chunk, string digest)
    {
        for (int i = 0; i < 1000; i++)
        {
            hash.Update(chunk, 0, chunk.Length);
        }

        byte[] output = new byte[hash.HashSize];
        hash.Finish(output, 0);
        Assert.Equal(digest, Convert.ToHexStringLower(output));
    }
}
