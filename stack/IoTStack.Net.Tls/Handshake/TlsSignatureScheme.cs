namespace IoTStack.Net.Tls
{
    /// <summary>SignatureScheme values (RFC 8446 section 4.2.3) offered in signature_algorithms.</summary>
    public static class TlsSignatureScheme
    {
        public const int RsaPkcs1Sha256 = 0x0401;
        public const int RsaPkcs1Sha384 = 0x0501;
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
            RsaPkcs1Sha256, RsaPkcs1Sha384
        };

        internal static bool AllowedInCertificateVerify(int scheme)
        {
            return scheme == EcdsaSecp256r1Sha256 || scheme == EcdsaSecp384r1Sha384 || scheme == RsaPssRsaeSha256
                || scheme == RsaPssRsaeSha384 || scheme == RsaPssRsaeSha512;
        }
    }
}
