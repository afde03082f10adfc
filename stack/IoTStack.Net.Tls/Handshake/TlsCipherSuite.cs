namespace IoTStack.Net.Tls
{
    /// <summary>
    /// The cipher suites this client offers: TLS 1.3's (RFC 8446 appendix B.4) and TLS 1.2's ECDHE AEAD suites
    /// (RFC 5289 section 3.2, RFC 7905 section 2), all with SHA-256.
    /// </summary>
    public static class TlsCipherSuite
    {
        public const int Aes128GcmSha256 = 0x1301;
        public const int ChaCha20Poly1305Sha256 = 0x1303;
        public const int EcdheEcdsaAes128GcmSha256 = 0xC02B;
        public const int EcdheRsaAes128GcmSha256 = 0xC02F;
        public const int EcdheRsaChaCha20Poly1305Sha256 = 0xCCA8;
        public const int EcdheEcdsaChaCha20Poly1305Sha256 = 0xCCA9;
    }
}
