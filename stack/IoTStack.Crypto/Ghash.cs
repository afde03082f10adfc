namespace IoTStack.Crypto
{
    /// <summary>
    /// GHASH (NIST SP 800-38D section 6.4) with Shoup's 4-bit tables: the 16 multiples of the hash subkey H by
    /// every 4-bit polynomial are computed once per key, so a block costs 32 table look-ups, shifts and XORs instead
    /// of the 128 conditional shift-and-add steps of the section 6.3 algorithm. Per instance: the tables (two
    /// 16-entry ulong arrays, 256 bytes) and one 16-byte block buffer; the accumulator Y is two ulong fields.
    /// </summary>
    internal sealed class Ghash
    {
        // What shifting a 4-bit remainder out past x^127 adds back at the top (x^128 = x^7 + x^2 + x + 1, the
        // section 6.3 R = 11100001 || 0^120), for each remainder, placed in the high word.
        private static readonly ulong[] Reduction = BuildReduction();

        private readonly ulong[] tableHigh = new ulong[16];
        private readonly ulong[] tableLow = new ulong[16];
        private readonly byte[] block = new byte[16];
        private ulong yHigh;
        private ulong yLow;

        /// <summary>Takes the hash subkey H (E(K, 0^128)) as two big-endian halves and builds the tables.</summary>
        public void SetHashKey(ulong high, ulong low)
        {
            // Bit order (section 6.3): the leftmost bit is x^0, so multiplying by x shifts right. Index 8 (binary
            // 1000, its first bit the x^0 coefficient) holds H, 4 holds H*x, 2 holds H*x^2, 1 holds H*x^3.
            tableHigh[0] = 0;
            tableLow[0] = 0;
            for (int i = 8; i > 0; i >>= 1)
            {
                tableHigh[i] = high;
                tableLow[i] = low;
                ulong carry = low & 1;
                low = low >> 1 | high << 63;
                high = high >> 1 ^ ((0 - carry) & 0xE100000000000000UL);
            }

            for (int i = 2; i < 16; i <<= 1)
            {
                for (int j = 1; j < i; j++)
                {
                    tableHigh[i + j] = tableHigh[i] ^ tableHigh[j];
                    tableLow[i + j] = tableLow[i] ^ tableLow[j];
                }
            }

            Start();
        }

        /// <summary>Starts a new hash (Y = 0).</summary>
        public void Start()
        {
            yHigh = 0;
            yLow = 0;
        }

        /// <summary>Hashes <paramref name="count"/> bytes, the last partial block padded with zeros (section 7.1 step 5).</summary>
        public void UpdatePadded(byte[] data, int offset, int count)
        {
            while (count >= 16)
            {
                AddBlock(data, offset);
                offset += 16;
                count -= 16;
            }

            if (count > 0)
            {
                for (int i = 0; i < 16; i++)
                {
                    block[i] = i < count ? data[offset + i] : (byte)0;
                }

                AddBlock(block, 0);
            }
        }

        /// <summary>
        /// Hashes the final [len(A)]64 || [len(C)]64 block (lengths in bits) and writes S as its two big-endian
        /// halves into <paramref name="output"/>; the caller XORs it with E(K, J0) for the tag.
        /// </summary>
        public void Finish(int associatedLength, int textLength, ulong[] output)
        {
            yHigh ^= (ulong)associatedLength << 3;
            yLow ^= (ulong)textLength << 3;
            MultiplyByH();
            output[0] = yHigh;
            output[1] = yLow;
        }

        private static ulong[] BuildReduction()
        {
            ulong[] reduction = new ulong[16];
            for (int remainder = 0; remainder < 16; remainder++)
            {
                ulong value = 0;
                for (int bit = 0; bit < 4; bit++)
                {
                    if ((remainder >> bit & 1) != 0)
                    {
                        // Remainder bit b was the coefficient of x^(127 - b); times x^4 it becomes
                        // x^(131 - b) = x^(3 - b) * x^128, that is R shifted right by 3 - b.
                        value ^= 0xE100UL >> (3 - bit);
                    }
                }

                reduction[remainder] = value << 48;
            }

            return reduction;
        }

        private void AddBlock(byte[] data, int offset)
        {
            yHigh ^= ReadBigEndian(data, offset);
            yLow ^= ReadBigEndian(data, offset + 8);
            MultiplyByH();
        }

        private static ulong ReadBigEndian(byte[] data, int offset)
        {
            uint high = (uint)data[offset] << 24 | (uint)data[offset + 1] << 16 | (uint)data[offset + 2] << 8 | data[offset + 3];
            uint low = (uint)data[offset + 4] << 24 | (uint)data[offset + 5] << 16 | (uint)data[offset + 6] << 8 | data[offset + 7];
            return (ulong)high << 32 | low;
        }

        // Y = Y * H by Horner's rule over Y's 32 nibbles from the highest powers (the last byte's low nibble) down:
        // Z = Z * x^4 + nibble * H, the nibble's multiple of H from the table.
        private void MultiplyByH()
        {
            ulong[] th = tableHigh, tl = tableLow, reduction = Reduction;
            ulong zHigh = 0, zLow = 0;
            ulong word = yLow;
            for (int i = 0; i < 16; i++)
            {
                if (i == 8)
                {
                    word = yHigh;
                }

                int nibble = (int)word & 0xF;
                int remainder = (int)zLow & 0xF;
                zLow = zHigh << 60 | zLow >> 4;
                zHigh = zHigh >> 4 ^ reduction[remainder] ^ th[nibble];
                zLow ^= tl[nibble];

                nibble = (int)(word >> 4) & 0xF;
                remainder = (int)zLow & 0xF;
                zLow = zHigh << 60 | zLow >> 4;
                zHigh = zHigh >> 4 ^ reduction[remainder] ^ th[nibble];
                zLow ^= tl[nibble];
                word >>= 8;
            }

            yHigh = zHigh;
            yLow = zLow;
        }
    }
}
