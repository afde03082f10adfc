namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// The X25519 function of RFC 7748 section 5: Diffie-Hellman on Curve25519 with the Montgomery ladder over
    /// u-coordinates, for the TLS 1.3 "x25519" key share (RFC 8446 section 4.2.8.2). The ladder runs 255 steps whatever
    /// the scalar, swaps with masks (cswap) and uses <see cref="Field25519"/>, whose operations do not branch
    /// on values, so the time does not depend on the private key. Every buffer is taken here; the operations allocate
    /// nothing.
    /// </summary>
    public sealed class X25519
    {
        /// <summary>Length in bytes of private keys, public keys and shared secrets.</summary>
        public const int KeySize = 32;

        private const int Words = 8;

        /// <summary>(A - 2) / 4 for Curve25519's A = 486662 (RFC 7748 section 5).</summary>
        private const uint A24 = 121665;

        private readonly Field25519 _field = new Field25519();
        private readonly uint[] _power = new uint[Words];
        private readonly uint[] _a24 = new uint[Words];
        private readonly uint[] _scalar = new uint[Words];
        private readonly uint[] _x1 = new uint[Words];
        private readonly uint[] _x2 = new uint[Words];
        private readonly uint[] _z2 = new uint[Words];
        private readonly uint[] _x3 = new uint[Words];
        private readonly uint[] _z3 = new uint[Words];
        private readonly uint[] _a = new uint[Words];
        private readonly uint[] _aa = new uint[Words];
        private readonly uint[] _b = new uint[Words];
        private readonly uint[] _bb = new uint[Words];
        private readonly uint[] _e = new uint[Words];
        private readonly uint[] _c = new uint[Words];
        private readonly uint[] _d = new uint[Words];
        private readonly byte[] _basePoint = new byte[KeySize];

        public X25519()
        {
            _a24[0] = A24;
            _basePoint[0] = 9;
        }

        /// <summary>
        /// Writes X25519(k, 9), the public key of the 32-byte private key k (RFC 7748 section 6.1). Any 32 bytes are a
        /// private key: the scalar is clamped as section 5 says.
        /// </summary>
        public void ComputePublicKey(byte[] privateKey, int privateOffset, byte[] publicKey, int publicOffset)
        {
            Ladder(privateKey, privateOffset, _basePoint, 0, publicKey, publicOffset);
        }

        /// <summary>
        /// Writes X25519(k, u), the 32-byte shared secret of the private key and the peer's public key. False when the
        /// result is all zeros (the peer sent a point of small order), which RFC 7748 section 6.1 lets and RFC 8446
        /// section 7.4.2 requires a TLS peer to refuse.
        /// </summary>
        public bool ComputeSharedSecret(byte[] privateKey, int privateOffset, byte[] peerPublic, int peerOffset, byte[] shared, int sharedOffset)
        {
            return Ladder(privateKey, privateOffset, peerPublic, peerOffset, shared, sharedOffset) == 0;
        }

        /// <summary>The ladder of RFC 7748 section 5; returns 1 when the output is all zeros.</summary>
        private uint Ladder(byte[] privateKey, int privateOffset, byte[] coordinate, int coordinateOffset, byte[] output, int outputOffset)
        {
            Field25519 field = _field;

            // decodeScalar25519: clear the three low bits and the top bit, set bit 254.
            uint[] k = _scalar;
            IntegerEncoding.FromLittleEndian(privateKey, privateOffset, k, Words);
            k[0] &= 0xFFFFFFF8;
            k[Words - 1] = (k[Words - 1] & 0x7FFFFFFF) | 0x40000000;

            // decodeUCoordinate masks the top bit; a non-canonical u (p <= u < 2^255) is a valid input to the field,
            // which keeps every value below 2^256 and reduces fully only at the end.
            IntegerEncoding.FromLittleEndian(coordinate, coordinateOffset, _x1, Words);
            _x1[Words - 1] &= 0x7FFFFFFF;

            System.Array.Clear(_x2, 0, Words);
            _x2[0] = 1;
            System.Array.Clear(_z2, 0, Words);
            System.Array.Copy(_x1, _x3, Words);
            System.Array.Clear(_z3, 0, Words);
            _z3[0] = 1;

            uint swap = 0;
            for (int t = 254; t >= 0; t--)
            {
                uint bit = (k[t >> 5] >> (t & 31)) & 1;
                swap ^= bit;
                IntegerEncoding.Swap(swap, _x2, _x3, Words);
                IntegerEncoding.Swap(swap, _z2, _z3, Words);
                swap = bit;
                Step();
            }

            IntegerEncoding.Swap(swap, _x2, _x3, Words);
            IntegerEncoding.Swap(swap, _z2, _z3, Words);

            // x2 · z2^(p - 2): Fermat's little theorem gives the inverse, and 0 for z2 = 0 as section 5 wants.
            field.Invert(_z2, _power, _a);
            field.Multiply(_x2, _a, _a);
            field.Freeze(_a, _a);
            IntegerEncoding.ToLittleEndian(_a, Words, output, outputOffset);
            return IntegerEncoding.IsZero(_a, Words);
        }

        /// <summary>One ladder step: (x2:z2) doubled, (x3:z3) the differential sum with difference x1.</summary>
        private void Step()
        {
            Field25519 field = _field;
            field.Add(_x2, _z2, _a);
            field.Multiply(_a, _a, _aa);
            field.Subtract(_x2, _z2, _b);
            field.Multiply(_b, _b, _bb);
            field.Subtract(_aa, _bb, _e);
            field.Add(_x3, _z3, _c);
            field.Subtract(_x3, _z3, _d);

            // DA into d and CB into c.
            field.Multiply(_d, _a, _d);
            field.Multiply(_c, _b, _c);
            field.Add(_d, _c, _x3);
            field.Multiply(_x3, _x3, _x3);
            field.Subtract(_d, _c, _z3);
            field.Multiply(_z3, _z3, _z3);
            field.Multiply(_x1, _z3, _z3);
            field.Multiply(_aa, _bb, _x2);
            field.Multiply(_a24, _e, _z2);
            field.Add(_aa, _z2, _z2);
            field.Multiply(_e, _z2, _z2);
        }
    }
}
