using IoTStack.Net.Tls.X509;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// The names of <see cref="TlsError"/> and <see cref="CertificateError"/> values, for status pages and logs: nanoCLR's
    /// Enum.ToString gives the number only. Constant strings, so naming allocates nothing.
    /// </summary>
    public static class TlsNames
    {
        private static readonly string[] Errors =
        {
            "None", "DecodeError", "UnexpectedMessage", "BadRecordMac", "RecordOverflow", "HandshakeTooLarge", "IllegalParameter",
            "ProtocolVersion", "UnsupportedExtension", "MissingExtension", "CertificateRejected", "DecryptError", "KeyExchangeFailed",
            "NoApplicationProtocol", "OutputFull", "PeerAlert", "PeerClosed", "ConnectionLost", "Timeout",
        };

        private static readonly string[] CertificateErrors =
        {
            "None", "Malformed", "UnsupportedAlgorithm", "UnsupportedCriticalExtension", "Expired", "NotYetValid", "UnknownIssuer",
            "BadSignature", "NameMismatch", "NotACa", "PathTooLong", "ChainTooLong", "ClockNotSet", "BadKeyUsage", "TooManyTrustAnchors",
        };

        public static string NameOf(TlsError error)
        {
            int index = (int)error;
            return index >= 0 && index < Errors.Length ? Errors[index] : "Unknown";
        }

        public static string NameOf(CertificateError error)
        {
            int index = (int)error;
            return index >= 0 && index < CertificateErrors.Length ? CertificateErrors[index] : "Unknown";
        }

        /// <summary>
        /// "1.3" for a TLS 1.3 cipher suite (0x13xx, RFC 8446 appendix B.4), "1.2" for any other negotiated one (RFC 5246's
        /// ECDHE suites), "" before a suite was chosen.
        /// </summary>
        public static string VersionOf(int cipherSuite)
        {
            if (cipherSuite == 0)
            {
                return "";
            }

            return (cipherSuite >> 8) == 0x13 ? "1.3" : "1.2";
        }
    }
}
