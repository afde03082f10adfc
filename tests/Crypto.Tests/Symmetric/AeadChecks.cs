using System;
using IoTStack.Crypto;

namespace IoTStack.Crypto.Tests.Symmetric;

/// <summary>What every IAead must do, checked the same way for each cipher: known answers, a reference, tampering, in place.</summary>
internal static class AeadChecks
{
    /// <summary>The reference: seals (key, nonce, aad, plaintext) into ciphertext | tag.</summary>
    public delegate byte[] ReferenceSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext);

    public static void KnownAnswer(IAead aead, string key, string nonce, string aad, byte[] plaintext, string sealedHex)
    {
        byte[] keyBytes = Hex.Bytes(key);
        byte[] nonceBytes = Hex.Bytes(nonce);
        byte[] aadBytes = Hex.Bytes(aad);
        aead.SetKey(keyBytes, 0);
        byte[] output = new byte[plaintext.Length + aead.TagSize];
        aead.Seal(nonceBytes, 0, aadBytes, 0, aadBytes.Length, plaintext, 0, plaintext.Length, output, 0);
        Assert.Equal(sealedHex, Hex.Of(output));
        byte[] opened = new byte[plaintext.Length];
        Assert.True(aead.Open(nonceBytes, 0, aadBytes, 0, aadBytes.Length, output, 0, output.Length, opened, 0));
        Assert.Equal(plaintext, opened);
    }

    public static void MatchesReference(IAead aead, ReferenceSeal reference, int seed)
    {
        var random = new Random(seed);
        byte[] key = new byte[aead.KeySize];
        for (int length = 0; length <= 600; length++)
        {
            random.NextBytes(key);
            byte[] nonce = Bytes(random, 12);
            byte[] aad = Bytes(random, random.Next(0, 70));
            byte[] plaintext = Bytes(random, length);
            byte[] expected = reference(key, nonce, aad, plaintext);

            // Offsets other than zero everywhere, so no index forgets its base.
            byte[] keyAt = Shift(key, 3);
            byte[] nonceAt = Shift(nonce, 5);
            byte[] aadAt = Shift(aad, 7);
            byte[] plaintextAt = Shift(plaintext, 9);
            aead.SetKey(keyAt, 3);
            byte[] output = new byte[length + aead.TagSize + 11];
            aead.Seal(nonceAt, 5, aadAt, 7, aad.Length, plaintextAt, 9, length, output, 11);
            Assert.Equal(expected, output[11..]);

            byte[] opened = new byte[length + 2];
            Assert.True(aead.Open(nonceAt, 5, aadAt, 7, aad.Length, output, 11, length + aead.TagSize, opened, 2));
            Assert.Equal(plaintext, opened[2..]);
        }
    }

    public static void RefusesTampering(IAead aead, int seed)
    {
        var random = new Random(seed);
        byte[] key = Bytes(random, aead.KeySize);
        aead.SetKey(key, 0);
        foreach (int length in new[] { 0, 1, 15, 16, 17, 64, 100, 333 })
        {
            byte[] nonce = Bytes(random, 12);
            byte[] aad = Bytes(random, 13);
            byte[] plaintext = Bytes(random, length);
            byte[] sealedText = new byte[length + aead.TagSize];
            aead.Seal(nonce, 0, aad, 0, aad.Length, plaintext, 0, length, sealedText, 0);

            // Every bit of ciphertext and tag, and of the AAD and nonce.
            for (int bit = 0; bit < sealedText.Length * 8; bit += length > 64 ? 7 : 1)
            {
                AssertRefused(aead, nonce, aad, sealedText, bit, target: 0);
            }

            for (int bit = 0; bit < aad.Length * 8; bit += 3)
            {
                AssertRefused(aead, nonce, aad, sealedText, bit, target: 1);
            }

            for (int bit = 0; bit < nonce.Length * 8; bit += 5)
            {
                AssertRefused(aead, nonce, aad, sealedText, bit, target: 2);
            }

            // Too short to hold a tag.
            byte[] untouched = Bytes(random, 20);
            byte[] copy = (byte[])untouched.Clone();
            Assert.False(aead.Open(nonce, 0, aad, 0, aad.Length, sealedText, 0, aead.TagSize - 1, untouched, 0));
            Assert.Equal(copy, untouched);
        }
    }

    public static void WorksInPlace(IAead aead, ReferenceSeal reference, int seed)
    {
        var random = new Random(seed);
        byte[] key = Bytes(random, aead.KeySize);
        aead.SetKey(key, 0);
        foreach (int length in new[] { 0, 5, 16, 63, 64, 65, 257 })
        {
            byte[] nonce = Bytes(random, 12);
            byte[] aad = Bytes(random, 20);
            byte[] plaintext = Bytes(random, length);
            byte[] buffer = new byte[4 + length + aead.TagSize];
            plaintext.CopyTo(buffer, 4);
            aead.Seal(nonce, 0, aad, 0, aad.Length, buffer, 4, length, buffer, 4);
            Assert.Equal(reference(key, nonce, aad, plaintext), buffer[4..]);
            Assert.True(aead.Open(nonce, 0, aad, 0, aad.Length, buffer, 4, length + aead.TagSize, buffer, 4));
            Assert.Equal(plaintext, buffer[4..(4 + length)]);

            // A refused record is left as it was, not decrypted in place.
            aead.Seal(nonce, 0, aad, 0, aad.Length, buffer, 4, length, buffer, 4);
            buffer[4 + length] ^= 1;
            byte[] before = (byte[])buffer.Clone();
            Assert.False(aead.Open(nonce, 0, aad, 0, aad.Length, buffer, 4, length + aead.TagSize, buffer, 4));
            Assert.Equal(before, buffer);
        }
    }

    private static void AssertRefused(IAead aead, byte[] nonce, byte[] aad, byte[] sealedText, int bit, int target)
    {
        byte[] flipped = target switch { 0 => sealedText, 1 => aad, _ => nonce };
        flipped[bit / 8] ^= (byte)(1 << (bit % 8));
        byte[] output = new byte[sealedText.Length];
        Array.Fill(output, (byte)0xA5);
        bool opened = aead.Open(nonce, 0, aad, 0, aad.Length, sealedText, 0, sealedText.Length, output, 0);
        flipped[bit / 8] ^= (byte)(1 << (bit % 8));
        Assert.False(opened, $"bit {bit} of {(target == 0 ? "ciphertext|tag" : target == 1 ? "AAD" : "nonce")} flipped, yet opened");
        Assert.All(output, b => Assert.Equal(0xA5, b));
    }

    private static byte[] Shift(byte[] bytes, int offset)
    {
        byte[] shifted = new byte[bytes.Length + offset + 1];
        bytes.CopyTo(shifted, offset);
        return shifted;
    }

    private static byte[] Bytes(Random random, int count)
    {
        byte[] bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
