namespace IoTStack.Crypto
{
    /// <summary>
    /// The ChaCha20 stream cipher (RFC 8439 sections 2.3 and 2.4): a 256-bit key, a 96-bit nonce and a 32-bit block
    /// counter. Per instance: the 16-word input state and one 64-byte key stream block.
    /// </summary>
    public sealed class ChaCha20
    {
        private const int BlockSize = 64;

        private readonly uint[] state = new uint[16];
        private readonly byte[] keyStream = new byte[BlockSize];
        private int keyStreamUsed = BlockSize;

        /// <summary>Sets the 32-byte key at <paramref name="offset"/>.</summary>
        public void SetKey(byte[] key, int offset)
        {
            // RFC 8439 section 2.3: the constants "expand 32-byte k", then the key as eight little-endian words.
            state[0] = 0x61707865;
            state[1] = 0x3320646E;
            state[2] = 0x79622D32;
            state[3] = 0x6B206574;
            for (int i = 0; i < 8; i++)
            {
                state[4 + i] = ReadLittleEndian(key, offset + 4 * i);
            }

            keyStreamUsed = BlockSize;
        }

        /// <summary>Starts the key stream of the 12-byte nonce at <paramref name="offset"/> from block <paramref name="counter"/>.</summary>
        public void SetNonce(byte[] nonce, int offset, uint counter)
        {
            state[12] = counter;
            state[13] = ReadLittleEndian(nonce, offset);
            state[14] = ReadLittleEndian(nonce, offset + 4);
            state[15] = ReadLittleEndian(nonce, offset + 8);
            keyStreamUsed = BlockSize;
        }

        /// <summary>
        /// XORs the next <paramref name="count"/> key stream bytes with <paramref name="input"/> into
        /// <paramref name="output"/> (RFC 8439 section 2.4); the output may be the input at the same offset.
        /// </summary>
        public void Process(byte[] input, int inputOffset, byte[] output, int outputOffset, int count)
        {
            byte[] stream = keyStream;
            int used = keyStreamUsed;
            while (count > 0)
            {
                if (used == BlockSize)
                {
                    NextBlock();
                    used = 0;
                }

                int take = BlockSize - used;
                if (take > count)
                {
                    take = count;
                }

                int end = used + take;
                while (used < end)
                {
                    output[outputOffset++] = (byte)(input[inputOffset++] ^ stream[used++]);
                }

                count -= take;
            }

            keyStreamUsed = used;
        }

        private static uint ReadLittleEndian(byte[] data, int offset)
        {
            return data[offset] | (uint)data[offset + 1] << 8 | (uint)data[offset + 2] << 16 | (uint)data[offset + 3] << 24;
        }

        // RFC 8439 section 2.3: 20 rounds, as ten column-then-diagonal double rounds of the section 2.1 quarter round,
        // in locals and written out inline because a call per quarter round costs more IL than the round itself.
        private void NextBlock()
        {
            uint[] s = state;
            uint x0 = s[0], x1 = s[1], x2 = s[2], x3 = s[3], x4 = s[4], x5 = s[5], x6 = s[6], x7 = s[7];
            uint x8 = s[8], x9 = s[9], x10 = s[10], x11 = s[11], x12 = s[12], x13 = s[13], x14 = s[14], x15 = s[15];
            for (int round = 0; round < 10; round++)
            {
                x0 += x4; x12 ^= x0; x12 = x12 << 16 | x12 >> 16;
                x8 += x12; x4 ^= x8; x4 = x4 << 12 | x4 >> 20;
                x0 += x4; x12 ^= x0; x12 = x12 << 8 | x12 >> 24;
                x8 += x12; x4 ^= x8; x4 = x4 << 7 | x4 >> 25;

                x1 += x5; x13 ^= x1; x13 = x13 << 16 | x13 >> 16;
                x9 += x13; x5 ^= x9; x5 = x5 << 12 | x5 >> 20;
                x1 += x5; x13 ^= x1; x13 = x13 << 8 | x13 >> 24;
                x9 += x13; x5 ^= x9; x5 = x5 << 7 | x5 >> 25;

                x2 += x6; x14 ^= x2; x14 = x14 << 16 | x14 >> 16;
                x10 += x14; x6 ^= x10; x6 = x6 << 12 | x6 >> 20;
                x2 += x6; x14 ^= x2; x14 = x14 << 8 | x14 >> 24;
                x10 += x14; x6 ^= x10; x6 = x6 << 7 | x6 >> 25;

                x3 += x7; x15 ^= x3; x15 = x15 << 16 | x15 >> 16;
                x11 += x15; x7 ^= x11; x7 = x7 << 12 | x7 >> 20;
                x3 += x7; x15 ^= x3; x15 = x15 << 8 | x15 >> 24;
                x11 += x15; x7 ^= x11; x7 = x7 << 7 | x7 >> 25;

                x0 += x5; x15 ^= x0; x15 = x15 << 16 | x15 >> 16;
                x10 += x15; x5 ^= x10; x5 = x5 << 12 | x5 >> 20;
                x0 += x5; x15 ^= x0; x15 = x15 << 8 | x15 >> 24;
                x10 += x15; x5 ^= x10; x5 = x5 << 7 | x5 >> 25;

                x1 += x6; x12 ^= x1; x12 = x12 << 16 | x12 >> 16;
                x11 += x12; x6 ^= x11; x6 = x6 << 12 | x6 >> 20;
                x1 += x6; x12 ^= x1; x12 = x12 << 8 | x12 >> 24;
                x11 += x12; x6 ^= x11; x6 = x6 << 7 | x6 >> 25;

                x2 += x7; x13 ^= x2; x13 = x13 << 16 | x13 >> 16;
                x8 += x13; x7 ^= x8; x7 = x7 << 12 | x7 >> 20;
                x2 += x7; x13 ^= x2; x13 = x13 << 8 | x13 >> 24;
                x8 += x13; x7 ^= x8; x7 = x7 << 7 | x7 >> 25;

                x3 += x4; x14 ^= x3; x14 = x14 << 16 | x14 >> 16;
                x9 += x14; x4 ^= x9; x4 = x4 << 12 | x4 >> 20;
                x3 += x4; x14 ^= x3; x14 = x14 << 8 | x14 >> 24;
                x9 += x14; x4 ^= x9; x4 = x4 << 7 | x4 >> 25;
            }

            WriteWord(0, x0 + s[0]);
            WriteWord(4, x1 + s[1]);
            WriteWord(8, x2 + s[2]);
            WriteWord(12, x3 + s[3]);
            WriteWord(16, x4 + s[4]);
            WriteWord(20, x5 + s[5]);
            WriteWord(24, x6 + s[6]);
            WriteWord(28, x7 + s[7]);
            WriteWord(32, x8 + s[8]);
            WriteWord(36, x9 + s[9]);
            WriteWord(40, x10 + s[10]);
            WriteWord(44, x11 + s[11]);
            WriteWord(48, x12 + s[12]);
            WriteWord(52, x13 + s[13]);
            WriteWord(56, x14 + s[14]);
            WriteWord(60, x15 + s[15]);

            // RFC 8439 section 2.4: the block counter moves on by one per 64-byte block.
            s[12]++;
        }

        private void WriteWord(int offset, uint word)
        {
            byte[] stream = keyStream;
            stream[offset] = (byte)word;
            stream[offset + 1] = (byte)(word >> 8);
            stream[offset + 2] = (byte)(word >> 16);
            stream[offset + 3] = (byte)(word >> 24);
        }
    }
}
