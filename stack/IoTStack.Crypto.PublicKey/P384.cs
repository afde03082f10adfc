namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// The NIST curve P-384, secp384r1 (FIPS 186-4 appendix D.1.2.4, SEC 2 section 2.5.1), for TLS: ECDHE on the
    /// secp384r1 (RFC 8446 section 4.2.7) group and ECDSA signature verification for certificates and CertificateVerify.
    /// Private-key operations take the same time whatever the key (<see cref="WeierstrassCurve"/>); verification
    /// handles public data only. Every buffer is taken here; the operations allocate nothing.
    /// </summary>
    public sealed class P384
    {
        /// <summary>Length in bytes of a private key, of a coordinate and of the ECDH shared secret.</summary>
        public const int ScalarSize = 48;

        /// <summary>Length in bytes of an uncompressed public key 04 || X || Y (SEC 1 section 2.3.3).</summary>
        public const int PublicKeySize = 1 + 2 * ScalarSize;

        private readonly WeierstrassCurve _curve = new WeierstrassCurve(12,
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
            "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
            "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f");

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
