namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// Arithmetic modulo an odd modulus m of n 32-bit words, with operands in Montgomery form a·R mod m, R = 2^(32n)
    /// (Montgomery 1985; the finely integrated (FIOS) multiplication of Koç, Acar and Kaliski, "Analyzing and comparing Montgomery
    /// multiplication algorithms", 1996). One implementation serves the P-256 and P-384 fields and group orders,
    /// the field of Curve25519 and RSA moduli up to the capacity given at construction, so the device carries one
    /// copy of the word loops. Every operation takes the same time whatever the operand values (the loops run over
    /// all n words and the final subtractions select with masks), so scalar multiplications with secret scalars can
    /// use it. Operands are arrays of at least n words; results may alias operands.
    /// </summary>
    internal sealed class MontgomeryModulus
    {
        private readonly uint[] _modulus;
        private readonly uint[] _rSquared;
        private readonly uint[] _one;
        private readonly uint[] _accumulator;
        private readonly uint[] _difference;
        private readonly uint[] _powerBase;
        private int _words;
        private uint _inverse;

        /// <summary>Takes every buffer for moduli of up to <paramref name="capacityWords"/> words.</summary>
        public MontgomeryModulus(int capacityWords)
        {
            _modulus = new uint[capacityWords];
            _rSquared = new uint[capacityWords];
            _one = new uint[capacityWords];
            _accumulator = new uint[capacityWords + 1];
            _difference = new uint[capacityWords];
            _powerBase = new uint[capacityWords];
        }

        /// <summary>n, the modulus length in words.</summary>
        public int Words
        {
            get { return _words; }
        }

        /// <summary>The modulus m (n words).</summary>
        public uint[] Modulus
        {
            get { return _modulus; }
        }

        /// <summary>R mod m: the integer 1 in Montgomery form.</summary>
        public uint[] One
        {
            get { return _one; }
        }

        /// <summary>
        /// Sets an odd modulus whose top word is not zero, and derives -m^-1 mod 2^32, R mod m and R^2 mod m from it
        /// without allocating (RSA sets a new modulus for every signature).
        /// </summary>
        public void SetModulus(uint[] modulus, int words)
        {
            _words = words;
            System.Array.Copy(modulus, _modulus, words);

            // Newton's iteration x <- x(2 - m0·x) doubles the correct low bits; m0·m0 = 1 mod 8 gives 3 to start.
            uint m0 = modulus[0];
            uint inverse = m0;
            for (int i = 0; i < 4; i++)
            {
                inverse *= 2 - m0 * inverse;
            }

            _inverse = 0 - inverse;

            // R mod m: start from 2^(k-1) < m (k the bit length of m) and double modulo m up to 2^(32n).
            uint top = modulus[words - 1];
            int topBit = 31;
            while ((top >> topBit) == 0)
            {
                topBit--;
            }

            System.Array.Clear(_one, 0, words);
            _one[words - 1] = 1u << topBit;
            for (int doubling = 32 - topBit; doubling > 0; doubling--)
            {
                Add(_one, _one, _one);
            }

            // R^2 mod m: with 32n = t·2^s, double R t times to 2^t·R, then s Montgomery squarings each double the
            // power: (2^a·R)^2 / R = 2^(2a)·R, ending at 2^(32n)·R = R^2. A doubling costs about n word steps and a
            // squaring about n^2, so s stops at 5 (t >= n): for a 2048-bit modulus 64 doublings and 5 squarings
            // cost a fifth of the 11 squarings t = 1 would take, the difference being a fifth of a verification.
            int t = 32 * words;
            int s = 0;
            while ((t & 1) == 0 && s < 5)
            {
                t >>= 1;
                s++;
            }

            System.Array.Copy(_one, _rSquared, words);
            for (int i = 0; i < t; i++)
            {
                Add(_rSquared, _rSquared, _rSquared);
            }

            for (int i = 0; i < s; i++)
            {
                Multiply(_rSquared, _rSquared, _rSquared);
            }
        }

        /// <summary>result = a·b·R^-1 mod m, for a·b &lt; m·R (true when both are below m, or one is below R and the other below m).</summary>
        /// <remarks>
        /// The finely integrated form (FIOS in Koç et al.): one pass over the words per word of b adds both a·b_i and
        /// q·m, q chosen so the low word cancels, and shifts by a word as it stores, with one carry for each product so
        /// neither sum leaves 64 bits. One pass instead of CIOS's two saves about a fifth of the interpreted instructions.
        /// The accumulator stays below 2m, so its top word is 0 or 1.
        /// </remarks>
        public void Multiply(uint[] a, uint[] b, uint[] result)
        {
            int n = _words;
            uint[] t = _accumulator;
            uint[] m = _modulus;
            System.Array.Clear(t, 0, n + 1);
            for (int i = 0; i < n; i++)
            {
                ulong bi = b[i];
                ulong product = a[0] * bi + t[0];
                ulong q = (uint)product * _inverse;
                ulong carry = product >> 32;
                ulong reduction = (q * m[0] + (uint)product) >> 32;
                for (int j = 1; j < n; j++)
                {
                    product = a[j] * bi + t[j] + carry;
                    carry = product >> 32;
                    reduction += q * m[j] + (uint)product;
                    t[j - 1] = (uint)reduction;
                    reduction >>= 32;
                }

                carry += reduction + t[n];
                t[n - 1] = (uint)carry;
                t[n] = (uint)(carry >> 32);
            }

            ReduceOnce(t, t[n], result);
        }

        /// <summary>result = a + b mod m, for a, b &lt; m.</summary>
        public void Add(uint[] a, uint[] b, uint[] result)
        {
            int n = _words;
            uint[] sum = _accumulator;
            ulong carry = 0;
            for (int i = 0; i < n; i++)
            {
                carry += (ulong)a[i] + b[i];
                sum[i] = (uint)carry;
                carry >>= 32;
            }

            ReduceOnce(sum, (uint)carry, result);
        }

        /// <summary>result = a - b mod m, for a, b &lt; m.</summary>
        public void Subtract(uint[] a, uint[] b, uint[] result)
        {
            int n = _words;
            uint[] m = _modulus;
            ulong borrow = 0;
            for (int i = 0; i < n; i++)
            {
                ulong difference = (ulong)a[i] - b[i] - borrow;
                result[i] = (uint)difference;
                borrow = difference >> 63;
            }

            // A borrow means a < b: add m back, masked so the time does not depend on it.
            uint mask = 0 - (uint)borrow;
            ulong carry = 0;
            for (int i = 0; i < n; i++)
            {
                carry += (ulong)result[i] + (m[i] & mask);
                result[i] = (uint)carry;
                carry >>= 32;
            }
        }

        /// <summary>result = a·R mod m (into Montgomery form), for a &lt; R.</summary>
        public void ToMontgomery(uint[] a, uint[] result)
        {
            Multiply(a, _rSquared, result);
        }

        /// <summary>result = a·R^-1 mod m (out of Montgomery form); also reduces a below m.</summary>
        public void FromMontgomery(uint[] a, uint[] result)
        {
            uint[] unit = _powerBase;
            System.Array.Clear(unit, 0, _words);
            unit[0] = 1;
            Multiply(a, unit, result);
        }

        /// <summary>
        /// result = base^exponent in Montgomery form, left to right (Handbook of Applied Cryptography 14.79). The
        /// exponent is public (p - 2, n - 2, an RSA public exponent): the squarings skip its leading zero bits and the
        /// multiplications follow its one bits.
        /// </summary>
        public void Power(uint[] value, uint[] exponent, int exponentWords, uint[] result)
        {
            uint[] power = _powerBase;
            System.Array.Copy(value, power, _words);
            System.Array.Copy(_one, result, _words);
            bool started = false;
            for (int bit = exponentWords * 32 - 1; bit >= 0; bit--)
            {
                if (started)
                {
                    Multiply(result, result, result);
                }

                if (((exponent[bit >> 5] >> (bit & 31)) & 1) != 0)
                {
                    Multiply(result, power, result);
                    started = true;
                }
            }
        }

        /// <summary>Writes value - m when value (with its extra top word) is at least m, else value, selecting with a mask.</summary>
        private void ReduceOnce(uint[] value, uint top, uint[] result)
        {
            int n = _words;
            uint[] m = _modulus;
            uint[] difference = _difference;
            ulong borrow = 0;
            for (int i = 0; i < n; i++)
            {
                ulong d = (ulong)value[i] - m[i] - borrow;
                difference[i] = (uint)d;
                borrow = d >> 63;
            }

            // Keep value only when it is below m: a borrow out of the n words that the top word does not cover.
            uint keep = (uint)borrow & ((top | (0 - top)) >> 31 ^ 1);
            uint mask = 0 - keep;
            for (int i = 0; i < n; i++)
            {
                result[i] = (value[i] & mask) | (difference[i] & ~mask);
            }
        }
    }
}
