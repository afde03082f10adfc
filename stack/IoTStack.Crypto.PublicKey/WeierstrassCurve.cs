namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// A short Weierstrass curve y^2 = x^3 - 3x + b over a prime field, of prime order n (cofactor 1): the shape of
    /// P-256 and P-384 (FIPS 186-4 appendix D.1.2, SEC 2 section 2.4/2.5), parameterised by the curve's constants so
    /// both curves share one copy of the code. Points are projective (X:Y:Z) with coordinates in Montgomery form and
    /// are added with the complete formulas of Renes, Costello and Batina ("Complete addition formulas for prime
    /// order elliptic curves", 2016, algorithm 4 for a = -3, and algorithm 6 for doublings), which hold for doubling,
    /// for the point at infinity (0:1:0) and for P + (-P) alike: no special case, hence no branch on secret values in
    /// ECDH. Every buffer is taken in the constructor.
    /// </summary>
    internal sealed class WeierstrassCurve
    {
        private const int TableSize = 16;

        private readonly int _words;
        private readonly int _bytes;
        private readonly MontgomeryModulus _field;
        private readonly MontgomeryModulus _order;
        private readonly uint[] _b;
        private readonly uint[] _gx;
        private readonly uint[] _gy;
        private readonly uint[] _primeMinusTwo;
        private readonly uint[] _orderMinusTwo;
        private readonly uint[] _zero;
        private readonly uint[][] _tableX = new uint[TableSize][];
        private readonly uint[][] _tableY = new uint[TableSize][];
        private readonly uint[][] _tableZ = new uint[TableSize][];
        private readonly uint[] _x;
        private readonly uint[] _y;
        private readonly uint[] _z;
        private readonly uint[] _qx;
        private readonly uint[] _qy;
        private readonly uint[] _qz;
        private readonly uint[] _t0;
        private readonly uint[] _t1;
        private readonly uint[] _t2;
        private readonly uint[] _t3;
        private readonly uint[] _t4;
        private readonly uint[] _t5;
        private readonly uint[] _t6;
        private readonly uint[] _t7;
        private readonly uint[] _scalar;
        private readonly uint[] _u1;
        private readonly uint[] _u2;
        private readonly uint[] _r;
        private readonly uint[] _s;

        /// <summary>Takes the curve's constants as the big-endian hexadecimal of the standards.</summary>
        public WeierstrassCurve(int words, string prime, string order, string b, string generatorX, string generatorY)
        {
            _words = words;
            _bytes = words * 4;
            _field = new MontgomeryModulus(words);
            _order = new MontgomeryModulus(words);
            _b = new uint[words];
            _gx = new uint[words];
            _gy = new uint[words];
            _primeMinusTwo = new uint[words];
            _orderMinusTwo = new uint[words];
            _zero = new uint[words];
            for (int i = 0; i < TableSize; i++)
            {
                _tableX[i] = new uint[words];
                _tableY[i] = new uint[words];
                _tableZ[i] = new uint[words];
            }

            _x = new uint[words];
            _y = new uint[words];
            _z = new uint[words];
            _qx = new uint[words];
            _qy = new uint[words];
            _qz = new uint[words];
            _t0 = new uint[words];
            _t1 = new uint[words];
            _t2 = new uint[words];
            _t3 = new uint[words];
            _t4 = new uint[words];
            _t5 = new uint[words];
            _t6 = new uint[words];
            _t7 = new uint[words];
            _scalar = new uint[words];
            _u1 = new uint[words];
            _u2 = new uint[words];
            _r = new uint[words];
            _s = new uint[words];

            IntegerEncoding.FromHex(prime, _primeMinusTwo, words);
            _field.SetModulus(_primeMinusTwo, words);
            IntegerEncoding.FromHex(order, _orderMinusTwo, words);
            _order.SetModulus(_orderMinusTwo, words);

            // p and n are odd, so subtracting 2 never borrows out of the low word.
            _primeMinusTwo[0] -= 2;
            _orderMinusTwo[0] -= 2;

            IntegerEncoding.FromHex(b, _b, words);
            _field.ToMontgomery(_b, _b);
            IntegerEncoding.FromHex(generatorX, _gx, words);
            _field.ToMontgomery(_gx, _gx);
            IntegerEncoding.FromHex(generatorY, _gy, words);
            _field.ToMontgomery(_gy, _gy);
        }

        /// <summary>Q = d·G written as 04 || X || Y (SEC 1 section 2.3.3); false when d is not in [1, n - 1].</summary>
        public bool ComputePublicKey(byte[] privateKey, int offset, byte[] publicKey, int publicOffset)
        {
            System.Array.Copy(_gx, _qx, _words);
            System.Array.Copy(_gy, _qy, _words);
            System.Array.Copy(_field.One, _qz, _words);
            if (!MultiplyByPrivateKey(privateKey, offset))
            {
                return false;
            }

            publicKey[publicOffset] = 4;
            IntegerEncoding.ToBigEndian(_x, publicKey, publicOffset + 1, _bytes);
            IntegerEncoding.ToBigEndian(_y, publicKey, publicOffset + 1 + _bytes, _bytes);
            return true;
        }

        /// <summary>
        /// The ECDH primitive of SEC 1 section 3.3.1: the x-coordinate of d·Q. False when d is not in [1, n - 1] or the
        /// peer's point fails the validation of SEC 1 section 3.2.2.1 (RFC 8446 section 4.2.8.2 requires it).
        /// </summary>
        public bool ComputeSharedSecret(byte[] privateKey, int offset, byte[] peerPoint, int peerOffset, int peerLength, byte[] shared, int sharedOffset)
        {
            if (!DecodePoint(peerPoint, peerOffset, peerLength))
            {
                return false;
            }

            if (!MultiplyByPrivateKey(privateKey, offset))
            {
                return false;
            }

            IntegerEncoding.ToBigEndian(_x, shared, sharedOffset, _bytes);
            return true;
        }

        /// <summary>ECDSA signature verification, SEC 1 section 4.1.4 and FIPS 186-4 section 6.4.2. Uses public data only.</summary>
        public bool Verify(byte[] publicKey, int keyOffset, int keyLength, byte[] digest, int digestOffset, int digestLength,
            byte[] r, int rOffset, int rLength, byte[] s, int sOffset, int sLength)
        {
            if (!DecodeSignatureInteger(r, rOffset, rLength, _r) || !DecodeSignatureInteger(s, sOffset, sLength, _s))
            {
                return false;
            }

            if (!DecodePoint(publicKey, keyOffset, keyLength))
            {
                return false;
            }

            // e: the leftmost bits of the digest, as many as n has (a multiple of 8 for these curves), reduced mod n.
            uint[] e = _scalar;
            int taken = digestLength < _bytes ? digestLength : _bytes;
            IntegerEncoding.FromBigEndian(digest, digestOffset, taken, e, _words);
            MontgomeryModulus order = _order;
            order.Add(e, _zero, e);

            // w = s^-1 mod n by Fermat, kept in Montgomery form so that one Montgomery product with the plain e or r
            // gives the plain u1 = e·w and u2 = r·w.
            order.ToMontgomery(_s, _t0);
            order.Power(_t0, _orderMinusTwo, _words, _t1);
            order.Multiply(e, _t1, _u1);
            order.Multiply(_r, _t1, _u2);

            MultiplyTwice();
            if (!ToAffine())
            {
                return false;
            }

            // x1 < p < 2n, so one conditional subtraction reduces it modulo n.
            order.Add(_x, _zero, _x);
            return IntegerEncoding.AreEqual(_x, _r, _words) == 1;
        }

        /// <summary>1 when the integer is in [1, n - 1] (a private key or an ECDSA nonce), else 0, without branching.</summary>
        public uint IsScalar(uint[] integer)
        {
            return IntegerEncoding.LessThan(integer, _order.Modulus, _words) & (IntegerEncoding.IsZero(integer, _words) ^ 1);
        }

        /// <summary>Reduces an integer below 2n (a digest of the order's length) modulo n in place.</summary>
        public void ReduceModOrder(uint[] integer)
        {
            _order.Add(integer, _zero, integer);
        }

        /// <summary>
        /// ECDSA signature generation with a given nonce (FIPS 186-4 section 6.4.1, SEC 1 section 4.1.3 steps 1-6):
        /// R = k·G, r = x_R mod n, s = k^-1 (e + r·d) mod n, written as r || s, each big-endian over the order's length.
        /// d and k are secret: k·G is the fixed-window multiplication, the inversion k^(n-2) follows the public
        /// exponent only, and the order arithmetic is <see cref="MontgomeryModulus"/>'s fixed-shape code. False, with
        /// nothing written, when k is not in [1, n - 1] or r or s is zero: the caller then draws the next nonce.
        /// </summary>
        /// <param name="privateKey">d in [1, n - 1], little-endian words.</param>
        /// <param name="nonce">k, little-endian words.</param>
        /// <param name="digest">e, already reduced below n.</param>
        public bool Sign(uint[] privateKey, uint[] nonce, uint[] digest, byte[] signature, int offset)
        {
            System.Array.Copy(nonce, _scalar, _words);
            System.Array.Copy(_gx, _qx, _words);
            System.Array.Copy(_gy, _qy, _words);
            System.Array.Copy(_field.One, _qz, _words);
            if (!MultiplyByScalar())
            {
                return false;
            }

            // x_R < p < 2n, so one conditional subtraction reduces it modulo n (SEC 1 section 4.1.3 step 3).
            MontgomeryModulus order = _order;
            order.Add(_x, _zero, _r);

            // d·R in Montgomery form times the plain r gives the plain r·d; k^-1·R times the plain e + r·d gives s.
            order.ToMontgomery(privateKey, _t0);
            order.Multiply(_r, _t0, _s);
            order.Add(digest, _s, _s);
            order.ToMontgomery(nonce, _t0);
            order.Power(_t0, _orderMinusTwo, _words, _t1);
            order.Multiply(_s, _t1, _s);
            System.Array.Clear(_scalar, 0, _words);
            if ((IntegerEncoding.IsZero(_r, _words) | IntegerEncoding.IsZero(_s, _words)) == 1)
            {
                return false;
            }

            IntegerEncoding.ToBigEndian(_r, signature, offset, _bytes);
            IntegerEncoding.ToBigEndian(_s, signature, offset + _bytes, _bytes);
            return true;
        }

        /// <summary>An integer of a DER signature, leading zero octets allowed; true when it is in [1, n - 1].</summary>
        private bool DecodeSignatureInteger(byte[] octets, int offset, int length, uint[] integer)
        {
            while (length > 0 && octets[offset] == 0)
            {
                offset++;
                length--;
            }

            if (length == 0 || length > _bytes)
            {
                return false;
            }

            IntegerEncoding.FromBigEndian(octets, offset, length, integer, _words);
            return IntegerEncoding.LessThan(integer, _order.Modulus, _words) == 1;
        }

        /// <summary>
        /// An uncompressed point 04 || X || Y (SEC 1 section 2.3.4) into (qx:qy:qz), checked as SEC 1 section 3.2.2.1
        /// says: coordinates below p, on the curve; infinity has no uncompressed encoding, and the cofactor 1 makes
        /// every point on the curve a point of order n.
        /// </summary>
        private bool DecodePoint(byte[] encoded, int offset, int length)
        {
            if (length != 1 + 2 * _bytes || encoded[offset] != 4)
            {
                return false;
            }

            IntegerEncoding.FromBigEndian(encoded, offset + 1, _bytes, _qx, _words);
            IntegerEncoding.FromBigEndian(encoded, offset + 1 + _bytes, _bytes, _qy, _words);
            uint[] prime = _field.Modulus;
            if ((IntegerEncoding.LessThan(_qx, prime, _words) & IntegerEncoding.LessThan(_qy, prime, _words)) == 0)
            {
                return false;
            }

            MontgomeryModulus field = _field;
            field.ToMontgomery(_qx, _qx);
            field.ToMontgomery(_qy, _qy);
            System.Array.Copy(field.One, _qz, _words);

            // y^2 = x^3 - 3x + b
            field.Multiply(_qy, _qy, _t0);
            field.Multiply(_qx, _qx, _t1);
            field.Multiply(_t1, _qx, _t1);
            field.Subtract(_t1, _qx, _t1);
            field.Subtract(_t1, _qx, _t1);
            field.Subtract(_t1, _qx, _t1);
            field.Add(_t1, _b, _t1);
            return IntegerEncoding.AreEqual(_t0, _t1, _words) == 1;
        }

        /// <summary>
        /// (x, y) = d·(qx:qy:qz) in affine plain form, for a secret d: fixed 4-bit windows over every bit of the
        /// scalar, each window 4 doublings and one addition of a table entry read in full (constant-time lookup).
        /// False when d is not in [1, n - 1] or the result is infinity.
        /// </summary>
        private bool MultiplyByPrivateKey(byte[] privateKey, int offset)
        {
            IntegerEncoding.FromBigEndian(privateKey, offset, _bytes, _scalar, _words);
            return MultiplyByScalar();
        }

        /// <summary>As <see cref="MultiplyByPrivateKey"/> for the scalar already in <c>_scalar</c>.</summary>
        private bool MultiplyByScalar()
        {
            uint[] d = _scalar;
            if (IsScalar(d) == 0)
            {
                return false;
            }

            FillTable();
            SetInfinity();
            for (int window = _words * 8 - 1; window >= 0; window--)
            {
                for (int i = 0; i < 4; i++)
                {
                    Double();
                }

                uint digit = (d[window >> 3] >> ((window & 7) << 2)) & 15;
                for (int i = 0; i < TableSize; i++)
                {
                    uint match = (uint)((i ^ digit) - 1) >> 31;
                    IntegerEncoding.Select(match, _tableX[i], _qx, _words);
                    IntegerEncoding.Select(match, _tableY[i], _qy, _words);
                    IntegerEncoding.Select(match, _tableZ[i], _qz, _words);
                }

                Add(_x, _y, _z, _qx, _qy, _qz, _x, _y, _z);
            }

            return ToAffine();
        }

        /// <summary>Table entry i = i·Q for the point in (qx:qy:qz); entry 0 is infinity.</summary>
        private void FillTable()
        {
            System.Array.Clear(_tableX[0], 0, _words);
            System.Array.Copy(_field.One, _tableY[0], _words);
            System.Array.Clear(_tableZ[0], 0, _words);
            System.Array.Copy(_qx, _tableX[1], _words);
            System.Array.Copy(_qy, _tableY[1], _words);
            System.Array.Copy(_qz, _tableZ[1], _words);
            for (int i = 2; i < TableSize; i++)
            {
                Add(_tableX[i - 1], _tableY[i - 1], _tableZ[i - 1], _qx, _qy, _qz, _tableX[i], _tableY[i], _tableZ[i]);
            }
        }

        /// <summary>
        /// (x:y:z) = u1·G + u2·Q with Shamir's trick (Handbook of Applied Cryptography 14.88): one pass of doublings over
        /// both scalars, 2 bits of each per step, adding the table entry i·G + j·Q. Public scalars, so it may branch.
        /// </summary>
        private void MultiplyTwice()
        {
            // Entries 1..3 are G, 2G, 3G; 4, 8, 12 are Q, 2Q, 3Q; the rest their sums.
            System.Array.Copy(_gx, _tableX[1], _words);
            System.Array.Copy(_gy, _tableY[1], _words);
            System.Array.Copy(_field.One, _tableZ[1], _words);
            System.Array.Copy(_qx, _tableX[4], _words);
            System.Array.Copy(_qy, _tableY[4], _words);
            System.Array.Copy(_qz, _tableZ[4], _words);
            for (int step = 1; step <= 4; step *= 4)
            {
                AddEntries(step, step, 2 * step);
                AddEntries(2 * step, step, 3 * step);
            }

            for (int j = 4; j < TableSize; j += 4)
            {
                for (int i = 1; i < 4; i++)
                {
                    AddEntries(i, j, i + j);
                }
            }

            SetInfinity();
            for (int bit = _words * 32 - 2; bit >= 0; bit -= 2)
            {
                Double();
                Double();
                int index = (int)((_u1[bit >> 5] >> (bit & 31)) & 3) | (int)(((_u2[bit >> 5] >> (bit & 31)) & 3) << 2);
                if (index != 0)
                {
                    Add(_x, _y, _z, _tableX[index], _tableY[index], _tableZ[index], _x, _y, _z);
                }
            }
        }

        private void AddEntries(int first, int second, int sum)
        {
            Add(_tableX[first], _tableY[first], _tableZ[first], _tableX[second], _tableY[second], _tableZ[second], _tableX[sum], _tableY[sum], _tableZ[sum]);
        }

        private void SetInfinity()
        {
            System.Array.Clear(_x, 0, _words);
            System.Array.Copy(_field.One, _y, _words);
            System.Array.Clear(_z, 0, _words);
        }

        /// <summary>(x:y:z) to plain affine x = X/Z, y = Y/Z; false for infinity (Z = 0).</summary>
        private bool ToAffine()
        {
            MontgomeryModulus field = _field;
            if (IntegerEncoding.IsZero(_z, _words) == 1)
            {
                return false;
            }

            field.Power(_z, _primeMinusTwo, _words, _t0);
            field.Multiply(_x, _t0, _x);
            field.Multiply(_y, _t0, _y);
            field.FromMontgomery(_x, _x);
            field.FromMontgomery(_y, _y);
            return true;
        }

        /// <summary>
        /// (x:y:z) doubled in place, Renes-Costello-Batina algorithm 6 (a = -3): 13 multiplications and fewer additions
        /// than algorithm 4 with both operands the same, and as complete (infinity stays infinity).
        /// </summary>
        private void Double()
        {
            MontgomeryModulus f = _field;
            uint[] x = _x;
            uint[] y = _y;
            uint[] z = _z;
            uint[] xx = _t0;
            uint[] yy = _t1;
            uint[] zz = _t2;
            uint[] xy2 = _t3;
            uint[] xz2 = _t4;
            uint[] yz2 = _t5;
            uint[] u = _t6;
            uint[] v = _t7;

            f.Multiply(x, x, xx);
            f.Multiply(y, y, yy);
            f.Multiply(z, z, zz);
            f.Multiply(x, y, xy2);
            f.Add(xy2, xy2, xy2);
            f.Multiply(x, z, xz2);
            f.Add(xz2, xz2, xz2);
            f.Multiply(y, z, yz2);
            f.Add(yz2, yz2, yz2);

            // Z3 = 4·yz2·yy; then u = 3(b·zz - xz2), v = yy - u and yy becomes yy + u.
            f.Multiply(yz2, yy, z);
            f.Add(z, z, z);
            f.Add(z, z, z);
            f.Multiply(_b, zz, u);
            f.Subtract(u, xz2, u);
            f.Add(u, u, v);
            f.Add(v, u, u);
            f.Subtract(yy, u, v);
            f.Add(yy, u, yy);
            f.Multiply(yy, v, y);
            f.Multiply(v, xy2, x);

            // zz becomes 3·zz, xz2 becomes 3(b·xz2 - 3zz - xx), xx becomes 3·xx - 3·zz.
            f.Add(zz, zz, u);
            f.Add(u, zz, zz);
            f.Multiply(_b, xz2, xz2);
            f.Subtract(xz2, zz, xz2);
            f.Subtract(xz2, xx, xz2);
            f.Add(xz2, xz2, u);
            f.Add(u, xz2, xz2);
            f.Add(xx, xx, u);
            f.Add(u, xx, xx);
            f.Subtract(xx, zz, xx);

            // Y3 = yy·v + xx·xz2, X3 = v·xy2 - xz2·yz2.
            f.Multiply(xx, xz2, u);
            f.Add(y, u, y);
            f.Multiply(xz2, yz2, u);
            f.Subtract(x, u, x);
        }

        /// <summary>
        /// (x3:y3:z3) = (x1:y1:z1) + (x2:y2:z2), Renes-Costello-Batina algorithm 4 (a = -3): 14 multiplications. The
        /// inputs are all read before the outputs are written, so the result may be either input.
        /// </summary>
        private void Add(uint[] x1, uint[] y1, uint[] z1, uint[] x2, uint[] y2, uint[] z2, uint[] x3, uint[] y3, uint[] z3)
        {
            MontgomeryModulus f = _field;
            uint[] xx = _t0;
            uint[] yy = _t1;
            uint[] zz = _t2;
            uint[] xy = _t3;
            uint[] yz = _t4;
            uint[] xz = _t5;
            uint[] u = _t6;
            uint[] v = _t7;

            f.Multiply(x1, x2, xx);
            f.Multiply(y1, y2, yy);
            f.Multiply(z1, z2, zz);

            // xy = X1·Y2 + X2·Y1 = (X1 + Y1)(X2 + Y2) - xx - yy, and likewise yz and xz.
            f.Add(x1, y1, xy);
            f.Add(x2, y2, u);
            f.Multiply(xy, u, xy);
            f.Add(xx, yy, u);
            f.Subtract(xy, u, xy);
            f.Add(y1, z1, yz);
            f.Add(y2, z2, u);
            f.Multiply(yz, u, yz);
            f.Add(yy, zz, u);
            f.Subtract(yz, u, yz);
            f.Add(x1, z1, xz);
            f.Add(x2, z2, u);
            f.Multiply(xz, u, xz);
            f.Add(xx, zz, u);
            f.Subtract(xz, u, xz);

            // u = 3(xz - b·zz); then yy becomes yy + u and v = yy - u.
            f.Multiply(_b, zz, u);
            f.Subtract(xz, u, u);
            f.Add(u, u, v);
            f.Add(v, u, u);
            f.Subtract(yy, u, v);
            f.Add(yy, u, yy);

            // zz becomes 3·zz; xz becomes 3(b·xz - 3zz - xx); xx becomes 3·xx - 3·zz.
            f.Add(zz, zz, u);
            f.Add(u, zz, zz);
            f.Multiply(_b, xz, xz);
            f.Subtract(xz, zz, xz);
            f.Subtract(xz, xx, xz);
            f.Add(xz, xz, u);
            f.Add(u, xz, xz);
            f.Add(xx, xx, u);
            f.Add(u, xx, xx);
            f.Subtract(xx, zz, xx);

            // X3 = yy·xy - yz·xz, Y3 = yy·v + xx·xz, Z3 = v·yz + xy·xx.
            f.Multiply(yy, xy, u);
            f.Multiply(yz, xz, zz);
            f.Subtract(u, zz, x3);
            f.Multiply(yy, v, u);
            f.Multiply(xx, xz, zz);
            f.Add(u, zz, y3);
            f.Multiply(v, yz, u);
            f.Multiply(xy, xx, zz);
            f.Add(u, zz, z3);
        }
    }
}
