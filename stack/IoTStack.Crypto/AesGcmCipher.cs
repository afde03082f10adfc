using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// AES-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags, the TLS 1.3 and TLS 1.2 (RFC 5288) AES-GCM
    /// suites. Per instance: the <see cref="AesBlockCipher"/> key schedule (240 bytes), the <see cref="Ghash"/>
    /// tables (256 bytes) and four small buffers; the AES tables are shared (see <see cref="AesBlockCipher"/>:
    /// AES by table look-up is not constant-time).
    /// </summary>
    public sealed class AesGcmCipher : IAead
    {
        private const int Tag = 16;

        private readonly int keySize;
        private readonly AesBlockCipher aes = new AesBlockCipher();
        private readonly Ghash ghash = new Ghash();
        private readonly uint[] counterBlock = new uint[4];
        private readonly uint[] tagMask = new uint[4];
        private readonly ulong[] hashOutput = new ulong[2];
        private readonly byte[] computedTag = new byte[Tag];

        /// <summary>Creates AES-128-GCM (<paramref name="keySize"/> 16) or AES-256-GCM (32).</summary>
        public AesGcmCipher(int keySize)
        {
            if (keySize != 16 && keySize != 32)
            {
                throw new ArgumentOutOfRangeException(nameof(keySize));
            }

            this.keySize = keySize;
        }

        /// <inheritdoc />
        public int KeySize => keySize;

        /// <inheritdoc />
        public int NonceSize => 12;

        /// <inheritdoc />
        public int TagSize => Tag;

        /// <inheritdoc />
        public void SetKey(byte[] key, int offset)
        {
            aes.SetKey(key, offset, keySize);

            // Section 6.4: the hash subkey H = E(K, 0^128).
            uint[] h = counterBlock;
            h[0] = 0;
            h[1] = 0;
            h[2] = 0;
            h[3] = 0;
            aes.Encrypt(h);
            ghash.SetHashKey((ulong)h[0] << 32 | h[1], (ulong)h[2] << 32 | h[3]);
        }

        /// <inheritdoc />
        public void Seal(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
            byte[] plaintext, int offset, int length, byte[] output, int outputOffset)
        {
            PrepareCounter(nonce, nonceOffset);
            Counter(nonce, nonceOffset, plaintext, offset, output, outputOffset, length);
            Authenticate(associatedData, associatedOffset, associatedLength, output, outputOffset, length);
            WriteTag(output, outputOffset + length);
        }

        /// <inheritdoc />
        public bool Open(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
            byte[] ciphertext, int offset, int length, byte[] output, int outputOffset)
        {
            if (length < Tag)
            {
                return false;
            }

            int textLength = length - Tag;

            // Section 7.2: the tag is checked before any plaintext is released.
            PrepareCounter(nonce, nonceOffset);
            Authenticate(associatedData, associatedOffset, associatedLength, ciphertext, offset, textLength);
            WriteTag(computedTag, 0);

            // Constant time: every byte compared, the differences OR-ed, no early exit.
            int difference = 0;
            for (int i = 0; i < Tag; i++)
            {
                difference |= computedTag[i] ^ ciphertext[offset + textLength + i];
            }

            if (difference != 0)
            {
                return false;
            }

            Counter(nonce, nonceOffset, ciphertext, offset, output, outputOffset, textLength);
            return true;
        }

        // Section 7.1 step 2: J0 = IV || 0^31 || 1 for a 96-bit IV. E(K, J0) masks the tag; the text counter starts
        // at inc32(J0).
        private void PrepareCounter(byte[] nonce, int nonceOffset)
        {
            uint[] mask = tagMask;
            mask[0] = ReadBigEndian(nonce, nonceOffset);
            mask[1] = ReadBigEndian(nonce, nonceOffset + 4);
            mask[2] = ReadBigEndian(nonce, nonceOffset + 8);
            mask[3] = 1;
            aes.Encrypt(mask);
        }

        // GCTR (section 6.5) from inc32(J0), a key stream block per 16 bytes, XOR-ed a word at a time.
        private void Counter(byte[] nonce, int nonceOffset, byte[] input, int inputOffset, byte[] output, int outputOffset, int length)
        {
            uint n0 = ReadBigEndian(nonce, nonceOffset);
            uint n1 = ReadBigEndian(nonce, nonceOffset + 4);
            uint n2 = ReadBigEndian(nonce, nonceOffset + 8);
            uint counter = 2;
            uint[] stream = counterBlock;
            while (length > 0)
            {
                stream[0] = n0;
                stream[1] = n1;
                stream[2] = n2;
                stream[3] = counter++;
                aes.Encrypt(stream);
                if (length >= 16)
                {
                    for (int j = 0; j < 4; j++)
                    {
                        uint word = stream[j];
                        output[outputOffset] = (byte)(input[inputOffset] ^ (word >> 24));
                        output[outputOffset + 1] = (byte)(input[inputOffset + 1] ^ (word >> 16));
                        output[outputOffset + 2] = (byte)(input[inputOffset + 2] ^ (word >> 8));
                        output[outputOffset + 3] = (byte)(input[inputOffset + 3] ^ word);
                        inputOffset += 4;
                        outputOffset += 4;
                    }

                    length -= 16;
                }
                else
                {
                    for (int i = 0; i < length; i++)
                    {
                        output[outputOffset + i] = (byte)(input[inputOffset + i] ^ (stream[i >> 2] >> (24 - 8 * (i & 3))));
                    }

                    length = 0;
                }
            }
        }

        // Section 7.1 steps 5 and 6: S = GHASH_H(A || 0^v || C || 0^u || [len(A)]64 || [len(C)]64).
        private void Authenticate(byte[] associatedData, int associatedOffset, int associatedLength, byte[] ciphertext, int offset, int length)
        {
            ghash.Start();
            ghash.UpdatePadded(associatedData, associatedOffset, associatedLength);
            ghash.UpdatePadded(ciphertext, offset, length);
            ghash.Finish(associatedLength, length, hashOutput);
        }

        // Section 7.1 step 6: T = MSB_128(GCTR(J0, S)) = E(K, J0) xor S.
        private void WriteTag(byte[] output, int offset)
        {
            ulong high = hashOutput[0] ^ ((ulong)tagMask[0] << 32 | tagMask[1]);
            ulong low = hashOutput[1] ^ ((ulong)tagMask[2] << 32 | tagMask[3]);
            for (int i = 0; i < 8; i++)
            {
                output[offset + i] = (byte)(high >> (56 - 8 * i));
                output[offset + 8 + i] = (byte)(low >> (56 - 8 * i));
            }
        }

        private static uint ReadBigEndian(byte[] data, int offset)
        {
            return (uint)data[offset] << 24 | (uint)data[offset + 1] << 16 | (uint)data[offset + 2] << 8 | data[offset + 3];
        }
    }
}
