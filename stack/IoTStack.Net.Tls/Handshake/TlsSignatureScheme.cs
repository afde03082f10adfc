namespace IoTStack.Net.Tls
{
    /// <summary>SignatureScheme values (RFC 8446 section 4.2.3) offered in signature_algorithms.</summary>
    public static class TlsSignatureScheme
    {
        public const int RsaPkcs1Sha256 = 0x0401;
        public const int RsaPkcs1Sha384 = 0x0501;
        public const int RsaPkcs1Sha512 = 0x0601;
        public const int EcdsaSecp256r1Sha256 = 0x0403;
        public const int EcdsaSecp384r1Sha384 = 0x0503;
        public const int RsaPssRsaeSha256 = 0x0804;
        public const int RsaPssRsaeSha384 = 0x0805;
        public const int RsaPssRsaeSha512 = 0x0806;

        /// <summary>
        /// The schemes offered, most preferred first. RSASSA-PKCS1-v1_5 is for certificates only: section 4.2.3 forbids
        /// it in CertificateVerify, which <see cref="AllowedInCertificateVerify"/> enforces.
        /// </summary>
        internal static readonly int[] Offered =
        {
            EcdsaSecp256r1Sha256, EcdsaSecp384r1Sha384, RsaPssRsaeSha256, RsaPssRsaeSha384, RsaPssRsaeSha512,
            RsaPkcs1Sha256, RsaPkcs1Sha384, RsaPkcs1Sha512
        };

        /// <summary>
        /// TLS 1.2's ServerKeyExchange (RFC 5246 section 7.4.3, RFC 8422 section 5.4): a scheme we offered whose key
        /// matches the suite's authentication, ECDSA or RSA (PKCS#1 v1.5 allowed here, RFC 8446 section 4.2.3).
        /// </summary>
        internal static bool AllowedInServerKeyExchange(int scheme, bool ecdsa)
        {
            if (ecdsa)
            {
                return scheme == EcdsaSecp256r1Sha256 || scheme == EcdsaSecp384r1Sha384;
            }

            return scheme == RsaPkcs1Sha256 || scheme == RsaPkcs1Sha384 || scheme == RsaPkcs1Sha512 || scheme == RsaPssRsaeSha256
                || scheme == RsaPssRsaeSha384 || scheme == RsaPssRsaeSha512;
        }

        internal static bool AllowedInCertificateVerify(int scheme)
        {
            return scheme == EcdsaSecp256r1Sha256 || scheme == EcdsaSecp384r1Sha384 || scheme == RsaPssRsaeSha256
                || scheme == RsaPssRsaeSha384 || scheme == RsaPssRsaeSha512;
        }
    }
}
