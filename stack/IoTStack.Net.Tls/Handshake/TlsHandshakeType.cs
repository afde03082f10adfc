namespace IoTStack.Net.Tls
{
    /// <summary>HandshakeType values (RFC 8446 section 4, RFC 5246 section 7.4) the client sends or accepts.</summary>
    internal static class TlsHandshakeType
    {
        internal const int HelloRequest = 0;
        internal const int ClientHello = 1;
        internal const int ServerHello = 2;
        internal const int NewSessionTicket = 4;
        internal const int EncryptedExtensions = 8;
        internal const int Certificate = 11;
        internal const int ServerKeyExchange = 12;
        internal const int CertificateRequest = 13;
        internal const int ServerHelloDone = 14;
        internal const int CertificateVerify = 15;
        internal const int ClientKeyExchange = 16;
        internal const int Finished = 20;
        internal const int KeyUpdate = 24;
        internal const int MessageHash = 254;

        /// <summary>msg_type and the 24-bit length.</summary>
        internal const int HeaderLength = 4;
    }
}
