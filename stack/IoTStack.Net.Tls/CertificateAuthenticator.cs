using IoTStack.Net.Tls.X509;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// The board's server authentication (RFC 8446 sections 4.4.2 and 4.4.3; RFC 5246 sections 7.4.2 and 7.4.3): the chain through <see cref="CertificateValidator"/>
    /// against the application's trust anchors, the host name and the wall clock SNTP set (an unset clock refuses every
    /// certificate rather than skip the validity check), then CertificateVerify with the leaf's key through the same
    /// <see cref="ISignatureVerifier"/>. The leaf's key is copied, since the handshake buffer is reused.
    /// </summary>
    public sealed class CertificateAuthenticator : ITlsServerAuthenticator
    {
        private readonly CertificateValidator _validator;
        private readonly ISignatureVerifier _verifier;
        private readonly INetInterface _clock;
        private readonly byte[] _key = new byte[600];
        private int _keyLength;
        private PublicKeyAlgorithm _keyAlgorithm;

        /// <param name="validator">The validator, its trust anchors added.</param>
        /// <param name="verifier">The verifier the validator uses, for CertificateVerify too.</param>
        /// <param name="clock">Where the wall clock comes from (SNTP sets it); certificates are refused while it is unset.</param>
        public CertificateAuthenticator(CertificateValidator validator, ISignatureVerifier verifier, INetInterface clock)
        {
            _validator = validator;
            _verifier = verifier;
            _clock = clock;
        }

        /// <summary>The last chain's result, for the application to report.</summary>
        public CertificateError LastError { get; private set; }

        public int CheckCertificateChain(byte[] buffer, int[] offsets, int[] lengths, int count, string hostName)
        {
            long now = _clock.WallClockSet ? _clock.WallClockMilliseconds / 1000 : -1;
            _keyLength = 0;
            LastError = _validator.Validate(buffer, offsets, lengths, count, hostName, now);
            if (LastError != CertificateError.None)
            {
                return AlertFor(LastError);
            }

            Certificate leaf = _validator.Leaf;
            if (leaf.KeyLength > _key.Length)
            {
                LastError = CertificateError.UnsupportedAlgorithm;
                return TlsAlert.UnsupportedCertificate;
            }

            System.Array.Copy(leaf.Buffer, leaf.KeyOffset, _key, 0, leaf.KeyLength);
            _keyLength = leaf.KeyLength;
            _keyAlgorithm = leaf.KeyAlgorithm;
            return 0;
        }

        public bool VerifySignature(int signatureScheme, byte[] content, int contentOffset, int contentLength,
            byte[] signature, int signatureOffset, int signatureLength)
        {
            // Section 4.2.3: an ECDSA scheme names its curve; RSA signs with PSS (rsae), or in TLS 1.2's ServerKeyExchange
            // with PKCS#1 v1.5 too (RFC 5246 section 7.4.1.4.1), which the client itself refuses in a 1.3 CertificateVerify.
            int hash = signatureScheme >> 8;
            int algorithm = signatureScheme & 0xFF;
            bool matches = (signatureScheme == 0x0403 && _keyAlgorithm == PublicKeyAlgorithm.EcdsaP256)
                || (signatureScheme == 0x0503 && _keyAlgorithm == PublicKeyAlgorithm.EcdsaP384)
                || (hash == 0x08 && algorithm >= 4 && algorithm <= 6 && _keyAlgorithm == PublicKeyAlgorithm.Rsa)
                || (algorithm == 1 && hash >= 4 && hash <= 6 && _keyAlgorithm == PublicKeyAlgorithm.Rsa);
            return _keyLength > 0 && matches && _verifier.Verify((SignatureAlgorithm)signatureScheme, _key, 0, _keyLength, _keyAlgorithm,
                content, contentOffset, contentLength, signature, signatureOffset, signatureLength);
        }

        /// <summary>RFC 8446 section 6.2's alert for each refusal.</summary>
        private static int AlertFor(CertificateError error)
        {
            switch (error)
            {
                case CertificateError.Expired:
                case CertificateError.NotYetValid:
                    return TlsAlert.CertificateExpired;
                case CertificateError.UnknownIssuer:
                    return TlsAlert.UnknownCa;
                case CertificateError.UnsupportedAlgorithm:
                    return TlsAlert.UnsupportedCertificate;
                case CertificateError.ClockNotSet:
                    return TlsAlert.CertificateUnknown;
                default:
                    return TlsAlert.BadCertificate;
            }
        }
    }
}
