namespace IoTStack.Net.Tls
{
    /// <summary>ContentType values of TLSPlaintext and TLSInnerPlaintext (RFC 8446 section 5.1).</summary>
    internal static class TlsContentType
    {
        internal const int ChangeCipherSpec = 20;
        internal const int Alert = 21;
        internal const int Handshake = 22;
        internal const int ApplicationData = 23;

        /// <summary>The record header: type, legacy_record_version, length.</summary>
        internal const int HeaderLength = 5;
    }
}
