namespace IoTStack.Net.Tls
{
    /// <summary>
    /// How a <see cref="TlsClient"/> decides the server is who it asked for (RFC 8446 section 4.4.2, 4.4.3): the X.509
    /// validation on the board, test doubles on the desktop. The client calls <see cref="CheckCertificateChain"/> once per
    /// handshake and then <see cref="VerifySignature"/> with the public key of the leaf it was given, so an implementation
    /// keeps (copies) that key during the first call: the buffer it is shown is reused for the next message.
    /// </summary>
    public interface ITlsServerAuthenticator
    {
        /// <summary>
        /// Checks the Certificate message's certificate_list: <paramref name="count"/> DER certificates, the server's own
        /// first (section 4.4.2), entry i at <paramref name="offsets"/>[i] in <paramref name="buffer"/>, <paramref name="lengths"/>[i]
        /// bytes long, against <paramref name="hostName"/> (null when none was configured). Returns 0 to accept, or the
        /// alert to send (<see cref="TlsAlert"/>: BadCertificate, UnsupportedCertificate, CertificateExpired, UnknownCa, ...).
        /// </summary>
        int CheckCertificateChain(byte[] buffer, int[] offsets, int[] lengths, int count, string hostName);

        /// <summary>
        /// Verifies CertificateVerify: <paramref name="signatureScheme"/> (section 4.2.3) over <paramref name="content"/>
        /// (64 spaces, "TLS 1.3, server CertificateVerify", 0, the transcript hash: section 4.4.3) with the leaf's key; in
        /// TLS 1.2, ServerKeyExchange's signature over client_random + server_random + ServerECDHParams (RFC 8422 section
        /// 5.4), where rsa_pkcs1_sha256/384/512 may come too. The implementation hashes the content with the scheme's hash.
        /// </summary>
        bool VerifySignature(int signatureScheme, byte[] content, int contentOffset, int contentLength,
            byte[] signature, int signatureOffset, int signatureLength);
    }
}
