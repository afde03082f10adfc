using System;
using IoTStack.Crypto;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>HMAC (RFC 2104) against RFC 4231 and .NET's HMACSHA256/384, including a key reused through Restart.</summary>
public class HmacTests
{
    private const string Case7Data = "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.";

    private static readonly byte[][] Keys =
    {
        Hex.Repeat(0x0b, 20),
        Hex.Ascii("Jefe"),
        Hex.Repeat(0xaa, 20),
        Hex.Bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
        Hex.Repeat(0x0c, 20),
        Hex.Repeat(0xaa, 131),
        Hex.Repeat(0xaa, 131),
    };

    private static readonly byte[][] Data =
    {
        Hex.Ascii("Hi There"),
        Hex.Ascii("what do ya want for nothing?"),
        Hex.Repeat(0xdd, 50),
        Hex.Repeat(0xcd, 50),
        Hex.Ascii("Test With Truncation"),
        Hex.Ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
        Hex.Ascii(Case7Data),
    };

    // RFC 4231 sections 4.2 to 4.8 (test case 5 in full, before its truncation).
    private static readonly string[] Sha256Macs =
    {
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        "a3b6167473100ee06e0c796c2955552bfa6f7c0a6a8aef8b93f860aab0cd20c5",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    };

    private static readonly string[] Sha384Macs =
    {
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
        "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
        "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
        "3abf34c3503b2a23a46efc619baef897f4c8e42c934ce55ccbae9740fcbc1af4ca62269e2a37cd88ba926341efe4aeea",
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
        "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
    };

    [Fact]
    public void Hmac_sha256_matches_rfc_4231_vectors() => AssertRfc4231(new Hmac(new Sha256()), Sha256Macs);

    [Fact]
    public void Hmac_sha384_matches_rfc_4231_vectors() => AssertRfc4231(new Hmac(new Sha384()), Sha384Macs);

    [Fact]
    public void Hmac_over_a_hash_without_snapshots_matches_rfc_4231_vectors() => AssertRfc4231(new Hmac(new PlainSha256()), Sha256Macs);

    [Fact]
    public void Random_keys_and_messages_match_dotnet()
    {
        var random = new Random(4231);
        var sha256 = new Hmac(new Sha256());
        var sha384 = new Hmac(new Sha384());
        for (int i = 0; i < 400; i++)
        {
            byte[] key = new byte[random.Next(0, 200)];
            byte[] message = new byte[random.Next(0, 400)];
            random.NextBytes(key);
            random.NextBytes(message);
            Assert.Equal(System.Security.Cryptography.HMACSHA256.HashData(key, message), Mac(sha256, key, message, random));
            Assert.Equal(System.Security.Cryptography.HMACSHA384.HashData(key, message), Mac(sha384, key, message, random));
        }
    }

    [Fact]
    public void Restart_begins_a_new_mac_under_the_same_key()
    {
        var random = new Random(2104);
        var hmac = new Hmac(new Sha256());
        byte[] key = new byte[100];
        random.NextBytes(key);
        hmac.Start(key, 0, key.Length);
        for (int i = 0; i < 20; i++)
        {
            byte[] message = new byte[random.Next(0, 300)];
            random.NextBytes(message);
            if (i % 3 == 0)
            {
                hmac.Update(message, 0, message.Length / 2);
                hmac.Restart();
            }

            hmac.Update(message, 0, message.Length);
            byte[] mac = new byte[32];
            hmac.Finish(mac, 0);
            Assert.Equal(System.Security.Cryptography.HMACSHA256.HashData(key, message), mac);
            hmac.Restart();
        }
    }

    private static void AssertRfc4231(Hmac hmac, string[] macs)
    {
        for (int i = 0; i < macs.Length; i++)
        {
            hmac.Start(Keys[i], 0, Keys[i].Length);
            hmac.Update(Data[i], 0, Data[i].Length);
            byte[] mac = new byte[hmac.HashSize + 5];
            hmac.Finish(mac, 5);
            Assert.Equal(macs[i], Hex.Of(mac[5..]));
        }
    }

    private static byte[] Mac(Hmac hmac, byte[] key, byte[] message, Random random)
    {
        byte[] padded = new byte[key.Length + 7];
        key.CopyTo(padded, 7);
        hmac.Start(padded, 7, key.Length);
        int split = random.Next(0, message.Length + 1);
        hmac.Update(message, 0, split);
        hmac.Update(message, split, message.Length - split);
        byte[] mac = new byte[hmac.HashSize];
        hmac.Finish(mac, 0);
        return mac;
    }

    /// <summary>An IHash from outside the assembly, which Hmac cannot snapshot: the padded-key path.</summary>
    private sealed class PlainSha256 : IHash
    {
        private readonly Sha256 inner = new();

        public int HashSize => inner.HashSize;

        public int BlockSize => inner.BlockSize;

        public void Reset() => inner.Reset();

        public void Update(byte[] data, int offset, int count) => inner.Update(data, offset, count);

        public void Finish(byte[] output, int offset) => inner.Finish(output, offset);
    }
}
