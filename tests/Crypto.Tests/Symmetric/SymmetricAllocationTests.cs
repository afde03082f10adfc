using System;
using IoTStack.Crypto;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>DESIGN.md rule 2 for the symmetric primitives: after construction, hashing, MACs, key derivation, sealing and opening allocate nothing.</summary>
public class SymmetricAllocationTests
{
    private static readonly byte[] Key = Filled(64, 0x4B);
    private static readonly byte[] Nonce = Filled(12, 0x4E);
    private static readonly byte[] Aad = Filled(13, 0x41);
    private static readonly byte[] Message = Filled(1500, 0x4D);

    [Fact]
    public void Hashes_allocate_nothing()
    {
        IHash[] hashes = { new Sha256(), new Sha384(), new Sha512() };
        byte[] digest = new byte[64];
        AssertNoAllocation(() =>
        {
            foreach (IHash hash in hashes)
            {
                hash.Update(Message, 0, 7);
                hash.Update(Message, 7, Message.Length - 7);
                hash.Finish(digest, 0);
            }
        });
    }

    [Fact]
    public void Hmac_allocates_nothing()
    {
        var sha256 = new Hmac(new Sha256());
        var sha384 = new Hmac(new Sha384());
        byte[] mac = new byte[48];
        AssertNoAllocation(() =>
        {
            sha256.Start(Key, 0, Key.Length);
            sha256.Update(Message, 0, 100);
            sha256.Finish(mac, 0);
            sha256.Restart();
            sha256.Update(Message, 0, Message.Length);
            sha256.Finish(mac, 0);
            sha384.Start(Key, 0, 20);
            sha384.Update(Message, 0, Message.Length);
            sha384.Finish(mac, 0);
        });
    }

    [Fact]
    public void Key_derivation_allocates_nothing()
    {
        var hkdf = new Hkdf(new Sha256());
        var prf = new Tls12Prf(new Sha384());
        byte[] prk = new byte[32];
        byte[] output = new byte[200];
        AssertNoAllocation(() =>
        {
            hkdf.Extract(Key, 0, 0, Key, 0, 32, prk, 0);
            hkdf.Expand(prk, 0, 32, Aad, 0, Aad.Length, output, 0, output.Length);
            prf.Derive(Key, 0, 48, Aad, 0, 13, Message, 0, 64, output, 0, 136);
        });
    }

    [Fact]
    public void Ciphers_seal_and_open_without_allocating()
    {
        IAead[] ciphers = { new ChaCha20Poly1305Cipher(), new AesGcmCipher(16), new AesGcmCipher(32) };
        byte[] record = new byte[Message.Length + 16];
        bool allOpened = true;
        AssertNoAllocation(() =>
        {
            foreach (IAead aead in ciphers)
            {
                aead.SetKey(Key, 0);
                aead.Seal(Nonce, 0, Aad, 0, Aad.Length, Message, 0, Message.Length, record, 0);
                allOpened &= aead.Open(Nonce, 0, Aad, 0, Aad.Length, record, 0, record.Length, record, 0);
                record[3] ^= 1;
                allOpened &= !aead.Open(Nonce, 0, Aad, 0, Aad.Length, record, 0, record.Length, record, 0);
            }
        });
        Assert.True(allOpened);
    }

    private static void AssertNoAllocation(Action operation)
    {
        for (int i = 0; i < 50; i++)
        {
            operation(); // warm up: static tables, JIT tiers
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3 && least > 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
            {
                operation();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    private static byte[] Filled(int count, byte value)
    {
        byte[] bytes = new byte[count];
        Array.Fill(bytes, value);
        return bytes;
    }
}
