namespace IoTStack.Net.Tls
{
    /// <summary>The TLS 1.3 cipher suites this client offers (RFC 8446 appendix B.4), both with SHA-256.</summary>
    public static class TlsCipherSuite
    {
        public const int Aes128GcmSha256 = 0x1301;
        public const int ChaCha20Poly1305Sha256 = 0x1303;
    }
}
