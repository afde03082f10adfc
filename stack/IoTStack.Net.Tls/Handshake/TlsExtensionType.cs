namespace IoTStack.Net.Tls
{
    /// <summary>ExtensionType values (RFC 8446 section 4.2, RFC 6066, RFC 7301, RFC 8449, RFC 8422, RFC 7627, RFC 5746) the client sends or understands.</summary>
    internal static class TlsExtensionType
    {
        internal const int ServerName = 0;
        internal const int MaxFragmentLength = 1;
        internal const int SupportedGroups = 10;
        internal const int EcPointFormats = 11;
        internal const int SignatureAlgorithms = 13;
        internal const int ApplicationLayerProtocolNegotiation = 16;
        internal const int ExtendedMasterSecret = 23;
        internal const int RecordSizeLimit = 28;
        internal const int PreSharedKey = 41;
        internal const int EarlyData = 42;
        internal const int SupportedVersions = 43;
        internal const int Cookie = 44;
        internal const int KeyShare = 51;
        internal const int RenegotiationInfo = 0xFF01;
    }
}
