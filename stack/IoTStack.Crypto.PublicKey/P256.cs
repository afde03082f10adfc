namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// The NIST curve P-256, secp256r1 (FIPS 186-4 appendix D.1.2.3, SEC 2 section 2.4.2), for TLS: ECDHE on the
    /// secp256r1 (RFC 8446 section 4.2.7) group and ECDSA signature verification for certificates and CertificateVerify
    /// (signing is <see cref="EcdsaP256Signer"/>).
    /// Private-key operations take the same time whatever the key (<see cref="WeierstrassCurve"/>); verification
    /// handles public data only. Every buffer is taken here; the operations allocate nothing.
    /// </summary>
    public sealed class P256
    {
        /// <summary>Length in bytes of a private key, of a coordinate and of the ECDH shared secret.</summary>
        public const int ScalarSize = 32;

        /// <summary>Length in bytes of an uncompressed public key 04 || X || Y (SEC 1 section 2.3.3).</summary>
        public const int PublicKeySize = 1 + 2 * ScalarSize;

        private readonly WeierstrassCurve _curve = NewCurve();

        /// <summary>The curve's arithmetic with every buffer it needs; <see cref="EcdsaP256Signer"/> takes its own.</summary>
        internal static WeierstrassCurve NewCurve()
        {
            return new WeierstrassCurve(8,
                "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
                "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
                "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
                "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
                "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
        }

        /// <summary>
        /// Writes the public key d·G of the big-endian private key d (<see cref="ScalarSize"/> bytes) as 04 || X || Y
        /// (<see cref="PublicKeySize"/> bytes). False when d is not in [1, n - 1] (FIPS 186-4 appendix B.4).
        /// </summary>
        public bool ComputePublicKey(byte[] privateKey, int off, byte[] publicKey, int pubOff)
        {
            return _curve.ComputePublicKey(privateKey, off, publicKey, pubOff);
        }

        /// <summary>
        /// ECDH (SEC 1 section 3.3.1): writes the X coordinate of d·Q (<see cref="ScalarSize"/> bytes), the TLS shared
        /// secret (RFC 8446 section 7.4.2). False when d is not in [1, n - 1] or the peer's point, which must be
        /// uncompressed, is not on the curve (SEC 1 section 3.2.2.1).
        /// </summary>
        public bool ComputeSharedSecret(byte[] privateKey, int off, byte[] peerPoint, int peerOff, int peerLength, byte[] shared, int sharedOff)
        {
            return _curve.ComputeSharedSecret(privateKey, off, peerPoint, peerOff, peerLength, shared, sharedOff);
        }

        /// <summary>
        /// ECDSA verification (FIPS 186-4 section 6.4.2, SEC 1 section 4.1.4) of the signature (r, s) over a message
        /// digest with an uncompressed public key. r and s are big-endian integers as DER gives them (a leading zero
        /// octet or fewer than <see cref="ScalarSize"/> octets allowed) and must be in [1, n - 1]; a digest longer
        /// than n is truncated to its leftmost bits (FIPS 186-4 section 6.4).
        /// </summary>
        public bool Verify(byte[] publicKey, int keyOff, int keyLength, byte[] digest, int digestOff, int digestLength,
            byte[] r, int rOff, int rLength, byte[] s, int sOff, int sLength)
        {
            return _curve.Verify(publicKey, keyOff, keyLength, digest, digestOff, digestLength, r, rOff, rLength, s, sOff, sLength);
        }
    }
}
