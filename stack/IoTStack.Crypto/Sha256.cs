using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// SHA-256 (FIPS 180-4 section 6.2). Per instance: the eight-word state, the 64-word message schedule and one
    /// 64-byte block buffer, all taken in the constructor; whole blocks are compressed straight from the caller's array.
    /// </summary>
    public sealed class Sha256 : Sha2Hash, IHashSnapshot
    {
        // FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
        private static readonly uint[] K =
        {
            0x428A2F98U, 0x71374491U, 0xB5C0FBCFU, 0xE9B5DBA5U, 0x3956C25BU, 0x59F111F1U, 0x923F82A4U, 0xAB1C5ED5U,
            0xD807AA98U, 0x12835B01U, 0x243185BEU, 0x550C7DC3U, 0x72BE5D74U, 0x80DEB1FEU, 0x9BDC06A7U, 0xC19BF174U,
            0xE49B69C1U, 0xEFBE4786U, 0x0FC19DC6U, 0x240CA1CCU, 0x2DE92C6FU, 0x4A7484AAU, 0x5CB0A9DCU, 0x76F988DAU,
            0x983E5152U, 0xA831C66DU, 0xB00327C8U, 0xBF597FC7U, 0xC6E00BF3U, 0xD5A79147U, 0x06CA6351U, 0x14292967U,
            0x27B70A85U, 0x2E1B2138U, 0x4D2C6DFCU, 0x53380D13U, 0x650A7354U, 0x766A0ABBU, 0x81C2C92EU, 0x92722C85U,
            0xA2BFE8A1U, 0xA81A664BU, 0xC24B8B70U, 0xC76C51A3U, 0xD192E819U, 0xD6990624U, 0xF40E3585U, 0x106AA070U,
            0x19A4C116U, 0x1E376C08U, 0x2748774CU, 0x34B0BCB5U, 0x391C0CB3U, 0x4ED8AA4AU, 0x5B9CCA4FU, 0x682E6FF3U,
            0x748F82EEU, 0x78A5636FU, 0x84C87814U, 0x8CC70208U, 0x90BEFFFAU, 0xA4506CEBU, 0xBEF9A3F7U, 0xC67178F2U,
        };

        private readonly uint[] state = new uint[8];
        private readonly uint[] schedule = new uint[64];

        /// <summary>Creates the hash, ready for a first message.</summary>
        public Sha256()
            : base(64)
        {
            Reset();
        }

        /// <inheritdoc />
        public override int HashSize => 32;

        int IHashSnapshot.SnapshotSize => 9;

        /// <inheritdoc />
        public override void Reset()
        {
            // FIPS 180-4 section 5.3.3.
            uint[] h = state;
            h[0] = 0x6A09E667;
            h[1] = 0xBB67AE85;
            h[2] = 0x3C6EF372;
            h[3] = 0xA54FF53A;
            h[4] = 0x510E527F;
            h[5] = 0x9B05688C;
            h[6] = 0x1F83D9AB;
            h[7] = 0x5BE0CD19;
            ClearMessage();
        }

        internal override void WriteHash(byte[] output, int offset)
        {
            for (int i = 0; i < 8; i++)
            {
                uint word = state[i];
                output[offset] = (byte)(word >> 24);
                output[offset + 1] = (byte)(word >> 16);
                output[offset + 2] = (byte)(word >> 8);
                output[offset + 3] = (byte)word;
                offset += 4;
            }
        }

        void IHashSnapshot.SaveState(ulong[] snapshot)
        {
            for (int i = 0; i < 8; i++)
            {
                snapshot[i] = state[i];
            }

            snapshot[8] = MessageLength;
        }

        void IHashSnapshot.RestoreState(ulong[] snapshot)
        {
            for (int i = 0; i < 8; i++)
            {
                state[i] = (uint)snapshot[i];
            }

            RestoreMessageLength(snapshot[8]);
        }

        // FIPS 180-4 section 6.2.2, with the functions of section 4.1.2 written out as rotations.
        internal override void Compress(byte[] data, int offset)
        {
            uint[] w = schedule;
            for (int t = 0; t < 16; t++)
            {
                w[t] = (uint)data[offset] << 24 | (uint)data[offset + 1] << 16 | (uint)data[offset + 2] << 8 | data[offset + 3];
                offset += 4;
            }

            for (int t = 16; t < 64; t++)
            {
                uint x = w[t - 15];
                uint y = w[t - 2];
                uint sigma0 = (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3);
                uint sigma1 = (y >> 17 | y << 15) ^ (y >> 19 | y << 13) ^ (y >> 10);
                w[t] = sigma1 + w[t - 7] + sigma0 + w[t - 16];
            }

            uint[] h = state;
            uint a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

            // Eight rounds per pass with the working variables' names rotated instead of their values (the
            // section 6.2.2 step 3 assignments h = g, g = f, ... cost IL and do no work): each round adds T1 into
            // what becomes e and T1 + T2 into what becomes a.
            uint[] k = K;
            for (int t = 0; t < 64; t += 8)
            {
                hh += (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7);
                hh += ((e & f) ^ (~e & g)) + k[t] + w[t];
                d += hh;
                hh += ((a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)) + ((a & b) ^ (a & c) ^ (b & c));

                g += (d >> 6 | d << 26) ^ (d >> 11 | d << 21) ^ (d >> 25 | d << 7);
                g += ((d & e) ^ (~d & f)) + k[t + 1] + w[t + 1];
                c += g;
                g += ((hh >> 2 | hh << 30) ^ (hh >> 13 | hh << 19) ^ (hh >> 22 | hh << 10)) + ((hh & a) ^ (hh & b) ^ (a & b));

                f += (c >> 6 | c << 26) ^ (c >> 11 | c << 21) ^ (c >> 25 | c << 7);
                f += ((c & d) ^ (~c & e)) + k[t + 2] + w[t + 2];
                b += f;
                f += ((g >> 2 | g << 30) ^ (g >> 13 | g << 19) ^ (g >> 22 | g << 10)) + ((g & hh) ^ (g & a) ^ (hh & a));

                e += (b >> 6 | b << 26) ^ (b >> 11 | b << 21) ^ (b >> 25 | b << 7);
                e += ((b & c) ^ (~b & d)) + k[t + 3] + w[t + 3];
                a += e;
                e += ((f >> 2 | f << 30) ^ (f >> 13 | f << 19) ^ (f >> 22 | f << 10)) + ((f & g) ^ (f & hh) ^ (g & hh));

                d += (a >> 6 | a << 26) ^ (a >> 11 | a << 21) ^ (a >> 25 | a << 7);
                d += ((a & b) ^ (~a & c)) + k[t + 4] + w[t + 4];
                hh += d;
                d += ((e >> 2 | e << 30) ^ (e >> 13 | e << 19) ^ (e >> 22 | e << 10)) + ((e & f) ^ (e & g) ^ (f & g));

                c += (hh >> 6 | hh << 26) ^ (hh >> 11 | hh << 21) ^ (hh >> 25 | hh << 7);
                c += ((hh & a) ^ (~hh & b)) + k[t + 5] + w[t + 5];
                g += c;
                c += ((d >> 2 | d << 30) ^ (d >> 13 | d << 19) ^ (d >> 22 | d << 10)) + ((d & e) ^ (d & f) ^ (e & f));

                b += (g >> 6 | g << 26) ^ (g >> 11 | g << 21) ^ (g >> 25 | g << 7);
                b += ((g & hh) ^ (~g & a)) + k[t + 6] + w[t + 6];
                f += b;
                b += ((c >> 2 | c << 30) ^ (c >> 13 | c << 19) ^ (c >> 22 | c << 10)) + ((c & d) ^ (c & e) ^ (d & e));

                a += (f >> 6 | f << 26) ^ (f >> 11 | f << 21) ^ (f >> 25 | f << 7);
                a += ((f & g) ^ (~f & hh)) + k[t + 7] + w[t + 7];
                e += a;
                a += ((b >> 2 | b << 30) ^ (b >> 13 | b << 19) ^ (b >> 22 | b << 10)) + ((b & c) ^ (b & d) ^ (c & d));
            }

            h[0] += a;
            h[1] += b;
            h[2] += c;
            h[3] += d;
            h[4] += e;
            h[5] += f;
            h[6] += g;
            h[7] += hh;
        }
    }
}
