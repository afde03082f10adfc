using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// The AES forward cipher (FIPS 197), all GCM needs (NIST SP 800-38D section 6.5 uses only encryption). Rounds are
    /// table look-ups: four 256-word tables fold SubBytes, ShiftRows and MixColumns into 16 look-ups and 16 XORs per
    /// round (FIPS 197 section 5.1 rewritten column-wise, as its authors proposed), instead of per-byte S-box and
    /// GF(2^8) loops, because every IL instruction counts on the device. The tables are computed once per process
    /// (4 KB plus the 256-byte S-box, shared by every instance); per instance only the 60-word key schedule.
    /// Not constant-time: the look-up index is secret data, so on a CPU with a data cache the timing leaks (a cache
    /// timing attack needs a co-located attacker measuring many encryptions, acceptable for a client on a board).
    /// </summary>
    public sealed class AesBlockCipher
    {
        private static readonly byte[] SBox = new byte[256];
        private static readonly uint[] Te0 = new uint[256];
        private static readonly uint[] Te1 = new uint[256];
        private static readonly uint[] Te2 = new uint[256];
        private static readonly uint[] Te3 = new uint[256];

        private readonly uint[] roundKeys = new uint[60];
        private int rounds;

        static AesBlockCipher()
        {
            // FIPS 197 section 5.1.1: the S-box is the multiplicative inverse in GF(2^8) (modulo x^8 + x^4 + x^3 + x + 1)
            // followed by an affine map. 3 generates the multiplicative group, so powers of 3 and their logarithms
            // give every inverse: inverse(3^i) = 3^(255 - i).
            byte[] power = new byte[256];
            byte[] logarithm = new byte[256];
            int value = 1;
            for (int i = 0; i < 255; i++)
            {
                power[i] = (byte)value;
                logarithm[value] = (byte)i;
                value ^= Times2(value);
            }

            for (int x = 0; x < 256; x++)
            {
                int inverse = x == 0 ? 0 : power[(255 - logarithm[x]) % 255];
                int s = inverse ^ Rotate(inverse, 1) ^ Rotate(inverse, 2) ^ Rotate(inverse, 3) ^ Rotate(inverse, 4) ^ 0x63;
                SBox[x] = (byte)s;

                // One MixColumns column (FIPS 197 section 5.1.3) of a byte in row 0: {02}s, s, s, {03}s top to bottom;
                // the other rows' tables are the same column rotated.
                uint s2 = (uint)Times2(s);
                uint word = s2 << 24 | (uint)s << 16 | (uint)s << 8 | (s2 ^ (uint)s);
                Te0[x] = word;
                Te1[x] = word >> 8 | word << 24;
                Te2[x] = word >> 16 | word << 16;
                Te3[x] = word >> 24 | word << 8;
            }
        }

        /// <summary>The key length of the last <see cref="SetKey"/> in bytes.</summary>
        public int KeySize => (rounds - 6) * 4;

        /// <summary>Expands a 16-, 24- or 32-byte key (FIPS 197 section 5.2).</summary>
        public void SetKey(byte[] key, int offset, int length)
        {
            if (length != 16 && length != 24 && length != 32)
            {
                throw new ArgumentOutOfRangeException(nameof(length));
            }

            int nk = length / 4;
            rounds = nk + 6;
            uint[] w = roundKeys;
            for (int i = 0; i < nk; i++)
            {
                w[i] = ReadBigEndian(key, offset + 4 * i);
            }

            uint rcon = 1;
            int total = 4 * (rounds + 1);
            for (int i = nk; i < total; i++)
            {
                uint temp = w[i - 1];
                if (i % nk == 0)
                {
                    // SubWord(RotWord(temp)) xor Rcon[i / Nk].
                    temp = SubWord(temp << 8 | temp >> 24) ^ rcon << 24;
                    rcon = (uint)Times2((int)rcon);
                }
                else if (nk > 6 && i % nk == 4)
                {
                    temp = SubWord(temp);
                }

                w[i] = w[i - nk] ^ temp;
            }
        }

        /// <summary>Encrypts one block given as four big-endian words (column 0 first), in place.</summary>
        public void Encrypt(uint[] block)
        {
            uint[] rk = roundKeys;
            uint[] t0 = Te0, t1 = Te1, t2 = Te2, t3 = Te3;
            uint s0 = block[0] ^ rk[0];
            uint s1 = block[1] ^ rk[1];
            uint s2 = block[2] ^ rk[2];
            uint s3 = block[3] ^ rk[3];
            int k = 4;
            for (int round = 1; round < rounds; round++)
            {
                uint u0 = t0[s0 >> 24] ^ t1[(s1 >> 16) & 0xFF] ^ t2[(s2 >> 8) & 0xFF] ^ t3[s3 & 0xFF] ^ rk[k];
                uint u1 = t0[s1 >> 24] ^ t1[(s2 >> 16) & 0xFF] ^ t2[(s3 >> 8) & 0xFF] ^ t3[s0 & 0xFF] ^ rk[k + 1];
                uint u2 = t0[s2 >> 24] ^ t1[(s3 >> 16) & 0xFF] ^ t2[(s0 >> 8) & 0xFF] ^ t3[s1 & 0xFF] ^ rk[k + 2];
                uint u3 = t0[s3 >> 24] ^ t1[(s0 >> 16) & 0xFF] ^ t2[(s1 >> 8) & 0xFF] ^ t3[s2 & 0xFF] ^ rk[k + 3];
                s0 = u0;
                s1 = u1;
                s2 = u2;
                s3 = u3;
                k += 4;
            }

            // The last round has no MixColumns (FIPS 197 section 5.1): SubBytes and ShiftRows alone.
            byte[] sbox = SBox;
            block[0] = ((uint)sbox[s0 >> 24] << 24 | (uint)sbox[(s1 >> 16) & 0xFF] << 16 | (uint)sbox[(s2 >> 8) & 0xFF] << 8 | sbox[s3 & 0xFF]) ^ rk[k];
            block[1] = ((uint)sbox[s1 >> 24] << 24 | (uint)sbox[(s2 >> 16) & 0xFF] << 16 | (uint)sbox[(s3 >> 8) & 0xFF] << 8 | sbox[s0 & 0xFF]) ^ rk[k + 1];
            block[2] = ((uint)sbox[s2 >> 24] << 24 | (uint)sbox[(s3 >> 16) & 0xFF] << 16 | (uint)sbox[(s0 >> 8) & 0xFF] << 8 | sbox[s1 & 0xFF]) ^ rk[k + 2];
            block[3] = ((uint)sbox[s3 >> 24] << 24 | (uint)sbox[(s0 >> 16) & 0xFF] << 16 | (uint)sbox[(s1 >> 8) & 0xFF] << 8 | sbox[s2 & 0xFF]) ^ rk[k + 3];
        }

        private static uint ReadBigEndian(byte[] data, int offset)
        {
            return (uint)data[offset] << 24 | (uint)data[offset + 1] << 16 | (uint)data[offset + 2] << 8 | data[offset + 3];
        }

        private static uint SubWord(uint word)
        {
            return (uint)SBox[word >> 24] << 24 | (uint)SBox[(word >> 16) & 0xFF] << 16 | (uint)SBox[(word >> 8) & 0xFF] << 8 | SBox[word & 0xFF];
        }

        // xtime (FIPS 197 section 4.2.1): multiplication by x modulo x^8 + x^4 + x^3 + x + 1.
        private static int Times2(int value)
        {
            return ((value << 1) ^ ((value >> 7) * 0x1B)) & 0xFF;
        }

        private static int Rotate(int value, int count)
        {
            return ((value << count) | (value >> (8 - count))) & 0xFF;
        }
    }
}
