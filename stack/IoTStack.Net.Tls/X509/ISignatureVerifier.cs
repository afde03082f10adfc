namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Verifies one signature over raw signed data: the implementation hashes <paramref name="signedData"/> itself with
    /// the hash the algorithm names. The certificate validator calls it with a tbsCertificate (RFC 5280 section 4.1.1.3),
    /// the TLS client with the CertificateVerify content (RFC 8446 section 4.4.3). Implementations allocate nothing.
    /// </summary>
    public interface ISignatureVerifier
    {
        /// <summary>
        /// True when <paramref name="signature"/> is a valid <paramref name="algorithm"/> signature of the signed data
        /// under the key. The key bytes are as <see cref="PublicKeyAlgorithm"/> describes (<see cref="Certificate.KeyOffset"/>);
        /// an ECDSA signature is the DER Ecdsa-Sig-Value that <see cref="EcdsaSignature.ToFixed"/> turns into r and s.
        /// A key of the wrong kind for the algorithm, or any malformed input, is false, never an exception.
        /// </summary>
        bool Verify(SignatureAlgorithm algorithm, byte[] key, int keyOffset, int keyLength, PublicKeyAlgorithm keyAlgorithm,
            byte[] signedData, int signedOffset, int signedLength, byte[] signature, int signatureOffset, int signatureLength);
    }
}
