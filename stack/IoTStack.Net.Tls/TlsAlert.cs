namespace IoTStack.Net.Tls
{
    /// <summary>AlertDescription values (RFC 8446 section 6, RFC 5246 section 7.2, RFC 7301 section 3.2) this client sends or names.</summary>
    public static class TlsAlert
    {
        public const int CloseNotify = 0;
        public const int UnexpectedMessage = 10;
        public const int BadRecordMac = 20;
        public const int RecordOverflow = 22;
        public const int HandshakeFailure = 40;
        public const int BadCertificate = 42;
        public const int UnsupportedCertificate = 43;
        public const int CertificateRevoked = 44;
        public const int CertificateExpired = 45;
        public const int CertificateUnknown = 46;
        public const int IllegalParameter = 47;
        public const int UnknownCa = 48;
        public const int DecodeError = 50;
        public const int DecryptError = 51;
        public const int ProtocolVersion = 70;
        public const int InternalError = 80;
        public const int UserCanceled = 90;
        public const int NoRenegotiation = 100;
        public const int MissingExtension = 109;
        public const int UnsupportedExtension = 110;
        public const int NoApplicationProtocol = 120;

        /// <summary>AlertLevel fatal (section 6): TLS 1.3 treats every alert but close_notify and user_canceled as fatal.</summary>
        public const int Fatal = 2;

        /// <summary>AlertLevel warning, which close_notify, user_canceled and TLS 1.2's no_renegotiation carry.</summary>
        public const int Warning = 1;
    }
}
