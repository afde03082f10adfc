namespace IoTStack.Net.Tls
{
    /// <summary>
    /// The board's own certificate and key, sent when a server asks for one (CertificateRequest, RFC 8446 section 4.3.2;
    /// RFC 5246 section 7.4.4). The private key stays inside the implementation; the client only asks it to sign a digest
    /// it computed with the scheme's hash (SHA-256 for every scheme a credential may use here), so TLS 1.3's
    /// CertificateVerify content (section 4.4.3) and TLS 1.2's handshake_messages (RFC 5246 section 7.4.8) are both a
    /// hash the client already has.
    /// </summary>
    public interface ITlsClientCredential
    {
        /// <summary>The SignatureScheme code point it signs with (RFC 8446 section 4.2.3): 0x0403 ecdsa_secp256r1_sha256.</summary>
        int SignatureScheme { get; }

        /// <summary>Certificates in the chain sent, the board's own first (section 4.4.2).</summary>
        int CertificateCount { get; }

        /// <summary>Where certificate <paramref name="index"/>'s DER bytes are.</summary>
        void GetCertificate(int index, out byte[] buffer, out int offset, out int length);

        /// <summary>The most bytes <see cref="SignDigest"/> writes (72 for a DER ECDSA P-256 signature).</summary>
        int MaximumSignatureLength { get; }

        /// <summary>
        /// Signs the <paramref name="digestLength"/>-byte digest (already hashed with <see cref="SignatureScheme"/>'s hash)
        /// into <paramref name="signature"/> at <paramref name="signatureOffset"/>, in the encoding TLS carries (DER
        /// ECDSA-Sig-Value for ECDSA); returns the length written, or -1 when it cannot.
        /// </summary>
        int SignDigest(byte[] digest, int digestOffset, int digestLength, byte[] signature, int signatureOffset);
    }
}
