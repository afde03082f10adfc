namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// Arithmetic modulo p = 2^255 - 19 (RFC 7748 section 4.1) on 8 little-endian 32-bit words, for X25519. Values are
    /// kept below 2^256, not fully reduced, and folded with 2^256 = 38 (mod p); only <see cref="Freeze"/> gives the
    /// canonical residue. <see cref="Multiply"/> is unrolled over locals: with the operands in locals a word product
    /// costs about 14 interpreted instructions instead of the 49 of <see cref="MontgomeryModulus"/>'s loop, and the
    /// reduction is 16 multiply-adds instead of a second product, so the ladder runs three times faster on nanoCLR
    /// for about 2 KB of byte code. No operation branches on the values (the folds add masked or multiplied
    /// carries), so the ladder keeps constant time. Results may alias operands.
    /// </summary>
    internal sealed class Field25519
    {
        public const int Words = 8;

        /// <summary>result = a·b mod p, below 2^256: the 512-bit product row by row, then its high half times 38 folded in.</summary>
        public void Multiply(uint[] a, uint[] b, uint[] result)
        {
            ulong a0 = a[0];
            ulong a1 = a[1];
            ulong a2 = a[2];
            ulong a3 = a[3];
            ulong a4 = a[4];
            ulong a5 = a[5];
            ulong a6 = a[6];
            ulong a7 = a[7];
            ulong b0 = b[0];
            ulong b1 = b[1];
            ulong b2 = b[2];
            ulong b3 = b[3];
            ulong b4 = b[4];
            ulong b5 = b[5];
            ulong b6 = b[6];
            ulong b7 = b[7];
            ulong t;
            uint r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15;

            t = a0 * b0;
            r0 = (uint)t;
            t = a1 * b0 + (t >> 32);
            r1 = (uint)t;
            t = a2 * b0 + (t >> 32);
            r2 = (uint)t;
            t = a3 * b0 + (t >> 32);
            r3 = (uint)t;
            t = a4 * b0 + (t >> 32);
            r4 = (uint)t;
            t = a5 * b0 + (t >> 32);
            r5 = (uint)t;
            t = a6 * b0 + (t >> 32);
            r6 = (uint)t;
            t = a7 * b0 + (t >> 32);
            r7 = (uint)t;
            r8 = (uint)(t >> 32);

            t = a0 * b1 + r1;
            r1 = (uint)t;
            t = a1 * b1 + r2 + (t >> 32);
            r2 = (uint)t;
            t = a2 * b1 + r3 + (t >> 32);
            r3 = (uint)t;
            t = a3 * b1 + r4 + (t >> 32);
            r4 = (uint)t;
            t = a4 * b1 + r5 + (t >> 32);
            r5 = (uint)t;
            t = a5 * b1 + r6 + (t >> 32);
            r6 = (uint)t;
            t = a6 * b1 + r7 + (t >> 32);
            r7 = (uint)t;
            t = a7 * b1 + r8 + (t >> 32);
            r8 = (uint)t;
            r9 = (uint)(t >> 32);

            t = a0 * b2 + r2;
            r2 = (uint)t;
            t = a1 * b2 + r3 + (t >> 32);
            r3 = (uint)t;
            t = a2 * b2 + r4 + (t >> 32);
            r4 = (uint)t;
            t = a3 * b2 + r5 + (t >> 32);
            r5 = (uint)t;
            t = a4 * b2 + r6 + (t >> 32);
            r6 = (uint)t;
            t = a5 * b2 + r7 + (t >> 32);
            r7 = (uint)t;
            t = a6 * b2 + r8 + (t >> 32);
            r8 = (uint)t;
            t = a7 * b2 + r9 + (t >> 32);
            r9 = (uint)t;
            r10 = (uint)(t >> 32);

            t = a0 * b3 + r3;
            r3 = (uint)t;
            t = a1 * b3 + r4 + (t >> 32);
            r4 = (uint)t;
            t = a2 * b3 + r5 + (t >> 32);
            r5 = (uint)t;
            t = a3 * b3 + r6 + (t >> 32);
            r6 = (uint)t;
            t = a4 * b3 + r7 + (t >> 32);
            r7 = (uint)t;
            t = a5 * b3 + r8 + (t >> 32);
            r8 = (uint)t;
            t = a6 * b3 + r9 + (t >> 32);
            r9 = (uint)t;
            t = a7 * b3 + r10 + (t >> 32);
            r10 = (uint)t;
            r11 = (uint)(t >> 32);

            t = a0 * b4 + r4;
            r4 = (uint)t;
            t = a1 * b4 + r5 + (t >> 32);
            r5 = (uint)t;
            t = a2 * b4 + r6 + (t >> 32);
            r6 = (uint)t;
            t = a3 * b4 + r7 + (t >> 32);
            r7 = (uint)t;
            t = a4 * b4 + r8 + (t >> 32);
            r8 = (uint)t;
            t = a5 * b4 + r9 + (t >> 32);
            r9 = (uint)t;
            t = a6 * b4 + r10 + (t >> 32);
            r10 = (uint)t;
            t = a7 * b4 + r11 + (t >> 32);
            r11 = (uint)t;
            r12 = (uint)(t >> 32);

            t = a0 * b5 + r5;
            r5 = (uint)t;
            t = a1 * b5 + r6 + (t >> 32);
            r6 = (uint)t;
            t = a2 * b5 + r7 + (t >> 32);
            r7 = (uint)t;
            t = a3 * b5 + r8 + (t >> 32);
            r8 = (uint)t;
            t = a4 * b5 + r9 + (t >> 32);
            r9 = (uint)t;
            t = a5 * b5 + r10 + (t >> 32);
            r10 = (uint)t;
            t = a6 * b5 + r11 + (t >> 32);
            r11 = (uint)t;
            t = a7 * b5 + r12 + (t >> 32);
            r12 = (uint)t;
            r13 = (uint)(t >> 32);

            t = a0 * b6 + r6;
            r6 = (uint)t;
            t = a1 * b6 + r7 + (t >> 32);
            r7 = (uint)t;
            t = a2 * b6 + r8 + (t >> 32);
            r8 = (uint)t;
            t = a3 * b6 + r9 + (t >> 32);
            r9 = (uint)t;
            t = a4 * b6 + r10 + (t >> 32);
            r10 = (uint)t;
            t = a5 * b6 + r11 + (t >> 32);
            r11 = (uint)t;
            t = a6 * b6 + r12 + (t >> 32);
            r12 = (uint)t;
            t = a7 * b6 + r13 + (t >> 32);
            r13 = (uint)t;
            r14 = (uint)(t >> 32);

            t = a0 * b7 + r7;
            r7 = (uint)t;
            t = a1 * b7 + r8 + (t >> 32);
            r8 = (uint)t;
            t = a2 * b7 + r9 + (t >> 32);
            r9 = (uint)t;
            t = a3 * b7 + r10 + (t >> 32);
            r10 = (uint)t;
            t = a4 * b7 + r11 + (t >> 32);
            r11 = (uint)t;
            t = a5 * b7 + r12 + (t >> 32);
            r12 = (uint)t;
            t = a6 * b7 + r13 + (t >> 32);
            r13 = (uint)t;
            t = a7 * b7 + r14 + (t >> 32);
            r14 = (uint)t;
            r15 = (uint)(t >> 32);

            // 2^256 = 38 (mod p): fold the high half, then the carry out of it (at most 38·39), which can carry
            // out of the top word again only when the low words wrap to a value below 38·39, where adding 38 fits.
            t = r0 + 38UL * r8;
            r0 = (uint)t;
            t = r1 + 38UL * r9 + (t >> 32);
            r1 = (uint)t;
            t = r2 + 38UL * r10 + (t >> 32);
            r2 = (uint)t;
            t = r3 + 38UL * r11 + (t >> 32);
            r3 = (uint)t;
            t = r4 + 38UL * r12 + (t >> 32);
            r4 = (uint)t;
            t = r5 + 38UL * r13 + (t >> 32);
            r5 = (uint)t;
            t = r6 + 38UL * r14 + (t >> 32);
            r6 = (uint)t;
            t = r7 + 38UL * r15 + (t >> 32);
            r7 = (uint)t;
            t = r0 + 38UL * (t >> 32);
            r0 = (uint)t;
            t = r1 + (t >> 32);
            r1 = (uint)t;
            t = r2 + (t >> 32);
            r2 = (uint)t;
            t = r3 + (t >> 32);
            r3 = (uint)t;
            t = r4 + (t >> 32);
            r4 = (uint)t;
            t = r5 + (t >> 32);
            r5 = (uint)t;
            t = r6 + (t >> 32);
            r6 = (uint)t;
            t = r7 + (t >> 32);
            r7 = (uint)t;
            r0 += (uint)(38UL * (t >> 32));

            result[0] = r0;
            result[1] = r1;
            result[2] = r2;
            result[3] = r3;
            result[4] = r4;
            result[5] = r5;
            result[6] = r6;
            result[7] = r7;
        }

        /// <summary>result = a + b mod p, below 2^256: a carry out of the top word is worth 38.</summary>
        public void Add(uint[] a, uint[] b, uint[] result)
        {
            ulong t = 0;
            for (int i = 0; i < Words; i++)
            {
                t += (ulong)a[i] + b[i];
                result[i] = (uint)t;
                t >>= 32;
            }

            // A second carry needs the sum to wrap to below 38, where adding 38 more fits in the low word.
            t *= 38;
            for (int i = 0; i < Words; i++)
            {
                t += result[i];
                result[i] = (uint)t;
                t >>= 32;
            }

            result[0] += (uint)(38 * t);
        }

        /// <summary>result = a - b mod p, below 2^256: a borrow out of the top word is worth -38.</summary>
        public void Subtract(uint[] a, uint[] b, uint[] result)
        {
            ulong borrow = 0;
            for (int i = 0; i < Words; i++)
            {
                ulong difference = (ulong)a[i] - b[i] - borrow;
                result[i] = (uint)difference;
                borrow = difference >> 63;
            }

            // A second borrow needs the difference to be below 38, after which the low word is at least 2^32 - 38.
            borrow *= 38;
            for (int i = 0; i < Words; i++)
            {
                ulong difference = (ulong)result[i] - borrow;
                result[i] = (uint)difference;
                borrow = difference >> 63;
            }

            result[0] -= (uint)(38 * borrow);
        }

        /// <summary>The canonical residue in [0, p) of a value below 2^256 = 2p + 38: p subtracted twice, each time only when it fits.</summary>
        public void Freeze(uint[] a, uint[] result)
        {
            System.Array.Copy(a, result, Words);
            for (int round = 0; round < 2; round++)
            {
                // value - p = value + 19 - 2^255: add 19 and see whether bit 255 is set.
                ulong t = 19;
                uint top = 0;
                for (int i = 0; i < Words; i++)
                {
                    t += result[i];
                    top = (uint)t;
                    t >>= 32;
                }

                // Subtracting 2^255 from the 257-bit sum flips bit 255: a carry out leaves it clear, and then it must be set.
                uint reduce = (top >> 31) | (uint)t;
                uint mask = 0 - reduce;
                t = 19 & mask;
                for (int i = 0; i < Words; i++)
                {
                    t += result[i];
                    result[i] = (uint)t;
                    t >>= 32;
                }

                result[Words - 1] ^= mask & 0x80000000;
            }
        }

        /// <summary>
        /// result = a^(p - 2) = a^-1 mod p (0 for 0), by Fermat: p - 2 = 2^255 - 21 has every bit of 0..254 set except
        /// bits 2 and 4, a public exponent, so squarings and multiplications follow it.
        /// </summary>
        public void Invert(uint[] a, uint[] power, uint[] result)
        {
            System.Array.Copy(a, power, Words);
            System.Array.Copy(a, result, Words);
            for (int bit = 253; bit >= 0; bit--)
            {
                Multiply(result, result, result);
                if (bit != 2 && bit != 4)
                {
                    Multiply(result, power, result);
                }
            }
        }
    }
}
