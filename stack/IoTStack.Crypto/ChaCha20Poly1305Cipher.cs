using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8), the TLS 1.3 and TLS 1.2 (RFC 7905) ChaCha20-Poly1305 suites.
    /// Per instance: a <see cref="ChaCha20"/> and a <see cref="Poly1305"/> and three small buffers (one-time key,
    /// length block, computed tag).
    /// </summary>
    public sealed class ChaCha20Poly1305Cipher : IAead
    {
        private const int Tag = 16;

        private readonly ChaCha20 chacha = new ChaCha20();
        private readonly Poly1305 poly = new Poly1305();
        private readonly byte[] oneTimeKey = new byte[32];
        private readonly byte[] lengths = new byte[16];
        private readonly byte[] computedTag = new byte[Tag];

        /// <inheritdoc />
        public int KeySize => 32;

        /// <inheritdoc />
        public int NonceSize => 12;

        /// <inheritdoc />
        public int TagSize => Tag;

        /// <inheritdoc />
        public void SetKey(byte[] key, int offset)
        {
            chacha.SetKey(key, offset);
        }

        /// <inheritdoc />
        public void Seal(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
            byte[] plaintext, int offset, int length, byte[] output, int outputOffset)
        {
            chacha.SetNonce(nonce, nonceOffset, 1);
            chacha.Process(plaintext, offset, output, outputOffset, length);
            Authenticate(nonce, nonceOffset, associatedData, associatedOffset, associatedLength, output, outputOffset, length,
                output, outputOffset + length);
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
            Authenticate(nonce, nonceOffset, associatedData, associatedOffset, associatedLength, ciphertext, offset, textLength,
                computedTag, 0);

            // Constant time (RFC 8439 section 4): every byte is compared, the differences OR-ed, no early exit.
            int difference = 0;
            for (int i = 0; i < Tag; i++)
            {
                difference |= computedTag[i] ^ ciphertext[offset + textLength + i];
            }

            if (difference != 0)
            {
                return false;
            }

            chacha.SetNonce(nonce, nonceOffset, 1);
            chacha.Process(ciphertext, offset, output, outputOffset, textLength);
            return true;
        }

        // RFC 8439 section 2.8: the Poly1305 key is the first 32 bytes of block 0 (section 2.6), the MAC runs over
        // AAD | pad16 | ciphertext | pad16 | le64(AAD length) | le64(ciphertext length).
        private void Authenticate(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
            byte[] ciphertext, int offset, int length, byte[] tag, int tagOffset)
        {
            Array.Clear(oneTimeKey, 0, 32);
            chacha.SetNonce(nonce, nonceOffset, 0);
            chacha.Process(oneTimeKey, 0, oneTimeKey, 0, 32);
            poly.Start(oneTimeKey, 0);
            poly.Update(associatedData, associatedOffset, associatedLength);
            poly.PadToBlock();
            poly.Update(ciphertext, offset, length);
            poly.PadToBlock();
            Array.Clear(lengths, 0, 16);
            WriteLength(0, associatedLength);
            WriteLength(8, length);
            poly.Update(lengths, 0, 16);
            poly.Finish(tag, tagOffset);
        }

        private void WriteLength(int at, int length)
        {
            lengths[at] = (byte)length;
            lengths[at + 1] = (byte)(length >> 8);
            lengths[at + 2] = (byte)(length >> 16);
            lengths[at + 3] = (byte)(length >> 24);
        }
    }
}
