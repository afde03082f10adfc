namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// ECDSA signatures on P-256 (FIPS 186-4 section 6.4.1, SEC 1 section 4.1.3) with the deterministic nonce of
    /// RFC 6979 section 3.2 over HMAC-SHA256, for a board's TLS client certificate (CertificateVerify, RFC 8446 section
    /// 4.4.3). The nonce comes from the key and the digest alone, so a weak or stuck random generator on the board can
    /// never reveal the key through a repeated or biased k. The key stays inside; the scalar multiplication k·G is the
    /// fixed-window, constant-time one ECDH uses. Every buffer is taken here; signing allocates nothing.
    /// </summary>
    public sealed class EcdsaP256Signer
    {
        /// <summary>Length in bytes of a private key.</summary>
        public const int ScalarSize = 32;

        /// <summary>Length in bytes of a signature r || s, each big-endian over <see cref="ScalarSize"/> bytes.</summary>
        public const int SignatureSize = 2 * ScalarSize;

        private const int Words = 8;

        // A candidate is out of range or gives r = 0 or s = 0 with a chance of about 2^-32 each: a few tries always do.
        private const int MaximumNonces = 8;

        private readonly WeierstrassCurve _curve = P256.NewCurve();
        private readonly Hmac _hmac = new Hmac(new Sha256());
        private readonly byte[] _key = new byte[ScalarSize];
        private readonly uint[] _d = new uint[Words];
        private readonly uint[] _e = new uint[Words];
        private readonly uint[] _k = new uint[Words];
        private readonly byte[] _digestOctets = new byte[ScalarSize];
        private readonly byte[] _v = new byte[ScalarSize];
        private readonly byte[] _drbgKey = new byte[ScalarSize];
        private readonly byte[] _separator = new byte[1];
        private bool _hasKey;

        /// <summary>True once <see cref="SetPrivateKey"/> accepted a key.</summary>
        public bool HasPrivateKey
        {
            get { return _hasKey; }
        }

        /// <summary>
        /// Takes the big-endian private key d (<see cref="ScalarSize"/> bytes). False, and no key held, when d is not in
        /// [1, n - 1] (FIPS 186-4 appendix B.4; SEC 1 section 3.2.1).
        /// </summary>
        public bool SetPrivateKey(byte[] privateKey, int offset)
        {
            IntegerEncoding.FromBigEndian(privateKey, offset, ScalarSize, _d, Words);
            _hasKey = _curve.IsScalar(_d) == 1;
            if (!_hasKey)
            {
                ClearPrivateKey();
                return false;
            }

            System.Array.Copy(privateKey, offset, _key, 0, ScalarSize);
            return true;
        }

        /// <summary>Forgets the key: the buffers that held it are zeroed.</summary>
        public void ClearPrivateKey()
        {
            _hasKey = false;
            System.Array.Clear(_key, 0, ScalarSize);
            System.Array.Clear(_d, 0, Words);
        }

        /// <summary>Writes the key's public point d·G as 04 || X || Y (65 bytes, SEC 1 section 2.3.3); false without a key.</summary>
        public bool ComputePublicKey(byte[] publicKey, int offset)
        {
            return _hasKey && _curve.ComputePublicKey(_key, 0, publicKey, offset);
        }

        /// <summary>
        /// Signs the digest (a digest longer than 32 bytes is truncated to its leftmost 32, FIPS 186-4 section 6.4) and
        /// writes r || s (<see cref="SignatureSize"/> bytes). Signing the same digest again gives the same signature.
        /// False without a key or with a negative length.
        /// </summary>
        public bool Sign(byte[] digest, int digestOffset, int digestLength, byte[] signature, int signatureOffset)
        {
            if (!_hasKey || digestLength < 0)
            {
                return false;
            }

            // e = bits2int(h1) mod n, and bits2octets(h1) its 32 octets (RFC 6979 sections 2.3.2-2.3.4; qlen = 256 is a
            // whole number of octets, so bits2int keeps the leftmost 32 octets).
            int taken = digestLength < ScalarSize ? digestLength : ScalarSize;
            IntegerEncoding.FromBigEndian(digest, digestOffset, taken, _e, Words);
            _curve.ReduceModOrder(_e);
            IntegerEncoding.ToBigEndian(_e, _digestOctets, 0, ScalarSize);

            // RFC 6979 section 3.2 steps b-g: V = 0x01 0x01 ..., K = 0x00 0x00 ..., then two rounds of
            // K = HMAC_K(V || 0x0i || int2octets(x) || bits2octets(h1)), V = HMAC_K(V).
            for (int i = 0; i < ScalarSize; i++)
            {
                _v[i] = 1;
            }

            System.Array.Clear(_drbgKey, 0, ScalarSize);
            UpdateKey(0, true);
            UpdateV();
            UpdateKey(1, true);
            UpdateV();

            bool signed = false;
            for (int attempt = 0; attempt < MaximumNonces && !signed; attempt++)
            {
                // Step h.3 before every candidate but the first: K = HMAC_K(V || 0x00), V = HMAC_K(V).
                if (attempt > 0)
                {
                    UpdateKey(0, false);
                    UpdateV();
                }

                // Steps h.1-h.2: hlen = qlen, so one V = HMAC_K(V) makes T, and k = bits2int(T). A k outside
                // [1, n - 1], or one giving r = 0 or s = 0, is refused by the curve and the next one drawn.
                UpdateV();
                IntegerEncoding.FromBigEndian(_v, 0, ScalarSize, _k, Words);
                signed = _curve.Sign(_d, _k, _e, signature, signatureOffset);
            }

            System.Array.Clear(_k, 0, Words);
            System.Array.Clear(_v, 0, ScalarSize);
            System.Array.Clear(_drbgKey, 0, ScalarSize);
            return signed;
        }

        /// <summary>K = HMAC_K(V || separator [|| int2octets(x) || bits2octets(h1)]) (RFC 6979 section 3.2 d, f, h.3).</summary>
        private void UpdateKey(int separator, bool withSeed)
        {
            Hmac hmac = _hmac;
            hmac.Start(_drbgKey, 0, ScalarSize);
            hmac.Update(_v, 0, ScalarSize);
            _separator[0] = (byte)separator;
            hmac.Update(_separator, 0, 1);
            if (withSeed)
            {
                hmac.Update(_key, 0, ScalarSize);
                hmac.Update(_digestOctets, 0, ScalarSize);
            }

            hmac.Finish(_drbgKey, 0);
        }

        /// <summary>V = HMAC_K(V) (RFC 6979 section 3.2 e, g, h.2).</summary>
        private void UpdateV()
        {
            Hmac hmac = _hmac;
            hmac.Start(_drbgKey, 0, ScalarSize);
            hmac.Update(_v, 0, ScalarSize);
            hmac.Finish(_v, 0);
        }
    }
}
