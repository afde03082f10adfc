using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// The 64-bit SHA-2 compression (FIPS 180-4 section 6.4) that SHA-512 and SHA-384 share; they differ only in the
    /// initial hash value and how much of the final state is output (section 6.5). Per instance: the eight-word
    /// state, a copy of the initial value, the 80-word message schedule and one 128-byte block buffer.
    /// </summary>
    public abstract class Sha512Family : Sha2Hash, IHashSnapshot
    {
        // FIPS 180-4 section 4.2.3: the first 64 bits of the fractional parts of the cube roots of the first 80 primes.
        private static readonly ulong[] K =
        {
            0x428A2F98D728AE22UL, 0x7137449123EF65CDUL, 0xB5C0FBCFEC4D3B2FUL, 0xE9B5DBA58189DBBCUL,
            0x3956C25BF348B538UL, 0x59F111F1B605D019UL, 0x923F82A4AF194F9BUL, 0xAB1C5ED5DA6D8118UL,
            0xD807AA98A3030242UL, 0x12835B0145706FBEUL, 0x243185BE4EE4B28CUL, 0x550C7DC3D5FFB4E2UL,
            0x72BE5D74F27B896FUL, 0x80DEB1FE3B1696B1UL, 0x9BDC06A725C71235UL, 0xC19BF174CF692694UL,
            0xE49B69C19EF14AD2UL, 0xEFBE4786384F25E3UL, 0x0FC19DC68B8CD5B5UL, 0x240CA1CC77AC9C65UL,
            0x2DE92C6F592B0275UL, 0x4A7484AA6EA6E483UL, 0x5CB0A9DCBD41FBD4UL, 0x76F988DA831153B5UL,
            0x983E5152EE66DFABUL, 0xA831C66D2DB43210UL, 0xB00327C898FB213FUL, 0xBF597FC7BEEF0EE4UL,
            0xC6E00BF33DA88FC2UL, 0xD5A79147930AA725UL, 0x06CA6351E003826FUL, 0x142929670A0E6E70UL,
            0x27B70A8546D22FFCUL, 0x2E1B21385C26C926UL, 0x4D2C6DFC5AC42AEDUL, 0x53380D139D95B3DFUL,
            0x650A73548BAF63DEUL, 0x766A0ABB3C77B2A8UL, 0x81C2C92E47EDAEE6UL, 0x92722C851482353BUL,
            0xA2BFE8A14CF10364UL, 0xA81A664BBC423001UL, 0xC24B8B70D0F89791UL, 0xC76C51A30654BE30UL,
            0xD192E819D6EF5218UL, 0xD69906245565A910UL, 0xF40E35855771202AUL, 0x106AA07032BBD1B8UL,
            0x19A4C116B8D2D0C8UL, 0x1E376C085141AB53UL, 0x2748774CDF8EEB99UL, 0x34B0BCB5E19B48A8UL,
            0x391C0CB3C5C95A63UL, 0x4ED8AA4AE3418ACBUL, 0x5B9CCA4F7763E373UL, 0x682E6FF3D6B2B8A3UL,
            0x748F82EE5DEFB2FCUL, 0x78A5636F43172F60UL, 0x84C87814A1F0AB72UL, 0x8CC702081A6439ECUL,
            0x90BEFFFA23631E28UL, 0xA4506CEBDE82BDE9UL, 0xBEF9A3F7B2C67915UL, 0xC67178F2E372532BUL,
            0xCA273ECEEA26619CUL, 0xD186B8C721C0C207UL, 0xEADA7DD6CDE0EB1EUL, 0xF57D4F7FEE6ED178UL,
            0x06F067AA72176FBAUL, 0x0A637DC5A2C898A6UL, 0x113F9804BEF90DAEUL, 0x1B710B35131C471BUL,
            0x28DB77F523047D84UL, 0x32CAAB7B40C72493UL, 0x3C9EBE0A15C9BEBCUL, 0x431D67C49C100D4CUL,
            0x4CC5D4BECB3E42B6UL, 0x597F299CFC657E2AUL, 0x5FCB6FAB3AD6FAECUL, 0x6C44198C4A475817UL,
        };

        private readonly ulong[] initialHash;
        private readonly int hashSize;
        private readonly ulong[] state = new ulong[8];
        private readonly ulong[] schedule = new ulong[80];

        internal Sha512Family(ulong[] initialHash, int hashSize)
            : base(128)
        {
            this.initialHash = initialHash;
            this.hashSize = hashSize;
            Reset();
        }

        /// <inheritdoc />
        public override int HashSize => hashSize;

        int IHashSnapshot.SnapshotSize => 9;

        /// <inheritdoc />
        public override void Reset()
        {
            Array.Copy(initialHash, state, 8);
            ClearMessage();
        }

        internal override void WriteHash(byte[] output, int offset)
        {
            for (int i = 0; i < hashSize; i++)
            {
                output[offset + i] = (byte)(state[i >> 3] >> (56 - 8 * (i & 7)));
            }
        }

        void IHashSnapshot.SaveState(ulong[] snapshot)
        {
            Array.Copy(state, snapshot, 8);
            snapshot[8] = MessageLength;
        }

        void IHashSnapshot.RestoreState(ulong[] snapshot)
        {
            Array.Copy(snapshot, state, 8);
            RestoreMessageLength(snapshot[8]);
        }

        // FIPS 180-4 section 6.4.2, with the functions of section 4.1.3 written out as rotations.
        internal override void Compress(byte[] data, int offset)
        {
            ulong[] w = schedule;
            for (int t = 0; t < 16; t++)
            {
                uint high = (uint)data[offset] << 24 | (uint)data[offset + 1] << 16 | (uint)data[offset + 2] << 8 | data[offset + 3];
                uint low = (uint)data[offset + 4] << 24 | (uint)data[offset + 5] << 16 | (uint)data[offset + 6] << 8 | data[offset + 7];
                w[t] = (ulong)high << 32 | low;
                offset += 8;
            }

            for (int t = 16; t < 80; t++)
            {
                ulong x = w[t - 15];
                ulong y = w[t - 2];
                ulong sigma0 = (x >> 1 | x << 63) ^ (x >> 8 | x << 56) ^ (x >> 7);
                ulong sigma1 = (y >> 19 | y << 45) ^ (y >> 61 | y << 3) ^ (y >> 6);
                w[t] = sigma1 + w[t - 7] + sigma0 + w[t - 16];
            }

            ulong[] h = state;
            ulong a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

            // Eight rounds per pass with the working variables' names rotated instead of their values (the
            // section 6.4.2 step 3 assignments h = g, g = f, ... cost IL and do no work): each round adds T1 into
            // what becomes e and T1 + T2 into what becomes a.
            ulong[] k = K;
            for (int t = 0; t < 80; t += 8)
            {
                hh += (e >> 14 | e << 50) ^ (e >> 18 | e << 46) ^ (e >> 41 | e << 23);
                hh += ((e & f) ^ (~e & g)) + k[t] + w[t];
                d += hh;
                hh += ((a >> 28 | a << 36) ^ (a >> 34 | a << 30) ^ (a >> 39 | a << 25)) + ((a & b) ^ (a & c) ^ (b & c));

                g += (d >> 14 | d << 50) ^ (d >> 18 | d << 46) ^ (d >> 41 | d << 23);
                g += ((d & e) ^ (~d & f)) + k[t + 1] + w[t + 1];
                c += g;
                g += ((hh >> 28 | hh << 36) ^ (hh >> 34 | hh << 30) ^ (hh >> 39 | hh << 25)) + ((hh & a) ^ (hh & b) ^ (a & b));

                f += (c >> 14 | c << 50) ^ (c >> 18 | c << 46) ^ (c >> 41 | c << 23);
                f += ((c & d) ^ (~c & e)) + k[t + 2] + w[t + 2];
                b += f;
                f += ((g >> 28 | g << 36) ^ (g >> 34 | g << 30) ^ (g >> 39 | g << 25)) + ((g & hh) ^ (g & a) ^ (hh & a));

                e += (b >> 14 | b << 50) ^ (b >> 18 | b << 46) ^ (b >> 41 | b << 23);
                e += ((b & c) ^ (~b & d)) + k[t + 3] + w[t + 3];
                a += e;
                e += ((f >> 28 | f << 36) ^ (f >> 34 | f << 30) ^ (f >> 39 | f << 25)) + ((f & g) ^ (f & hh) ^ (g & hh));

                d += (a >> 14 | a << 50) ^ (a >> 18 | a << 46) ^ (a >> 41 | a << 23);
                d += ((a & b) ^ (~a & c)) + k[t + 4] + w[t + 4];
                hh += d;
                d += ((e >> 28 | e << 36) ^ (e >> 34 | e << 30) ^ (e >> 39 | e << 25)) + ((e & f) ^ (e & g) ^ (f & g));

                c += (hh >> 14 | hh << 50) ^ (hh >> 18 | hh << 46) ^ (hh >> 41 | hh << 23);
                c += ((hh & a) ^ (~hh & b)) + k[t + 5] + w[t + 5];
                g += c;
                c += ((d >> 28 | d << 36) ^ (d >> 34 | d << 30) ^ (d >> 39 | d << 25)) + ((d & e) ^ (d & f) ^ (e & f));

                b += (g >> 14 | g << 50) ^ (g >> 18 | g << 46) ^ (g >> 41 | g << 23);
                b += ((g & hh) ^ (~g & a)) + k[t + 6] + w[t + 6];
                f += b;
                b += ((c >> 28 | c << 36) ^ (c >> 34 | c << 30) ^ (c >> 39 | c << 25)) + ((c & d) ^ (c & e) ^ (d & e));

                a += (f >> 14 | f << 50) ^ (f >> 18 | f << 46) ^ (f >> 41 | f << 23);
                a += ((f & g) ^ (~f & hh)) + k[t + 7] + w[t + 7];
                e += a;
                a += ((b >> 28 | b << 36) ^ (b >> 34 | b << 30) ^ (b >> 39 | b << 25)) + ((b & c) ^ (b & d) ^ (c & d));
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
