namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Validates the certificate chain a TLS server presents (RFC 8446 section 4.4.2) against trust anchors the
    /// application installs once: a path from the leaf to an anchor (RFC 5280 section 6.1, the subset a TLS client
    /// needs), validity at the time given, CA and path length constraints, and the host name (RFC 9525 section 6).
    /// Every view is made by the constructor; <see cref="Validate"/> allocates nothing (DESIGN.md rule 2).
    /// </summary>
    public sealed class CertificateValidator
    {
        private readonly ISignatureVerifier _verifier;
        private readonly Certificate[] _chain;
        private readonly bool[] _inPath;
        private readonly Certificate[] _anchors;
        private int _anchorCount;

        /// <param name="verifier">Verifies the signatures, over the device's RSA and ECDSA primitives.</param>
        /// <param name="maxChain">The most certificates a server may present (leaf included).</param>
        /// <param name="maxTrustAnchors">The most trust anchors <see cref="AddTrustAnchor"/> accepts.</param>
        public CertificateValidator(ISignatureVerifier verifier, int maxChain, int maxTrustAnchors)
        {
            if (verifier == null)
            {
                throw new System.ArgumentNullException("verifier");
            }

            if (maxChain < 1 || maxTrustAnchors < 1)
            {
                throw new System.ArgumentOutOfRangeException(maxChain < 1 ? "maxChain" : "maxTrustAnchors");
            }

            _verifier = verifier;
            _chain = NewViews(maxChain);
            _inPath = new bool[maxChain];
            _anchors = NewViews(maxTrustAnchors);
        }

        public int TrustAnchorCount
        {
            get { return _anchorCount; }
        }

        /// <summary>The leaf of the last <see cref="Validate"/> call; once that returned None, its key verifies the server's CertificateVerify.</summary>
        public Certificate Leaf
        {
            get { return _chain[0]; }
        }

        /// <summary>
        /// Adds a trust anchor: a DER certificate whose subject and key end a path (RFC 5280 section 6.1.1 d). The
        /// validator keeps a reference to <paramref name="der"/>, which must not change afterwards.
        /// </summary>
        public CertificateError AddTrustAnchor(byte[] der, int offset, int length)
        {
            if (_anchorCount == _anchors.Length)
            {
                return CertificateError.TooManyTrustAnchors;
            }

            CertificateError error = _anchors[_anchorCount].Parse(der, offset, length);
            if (error == CertificateError.None)
            {
                _anchorCount++;
            }

            return error;
        }

        /// <summary>
        /// Validates the <paramref name="count"/> certificates at <paramref name="offsets"/> in <paramref name="buffer"/>,
        /// leaf first, for <paramref name="hostName"/> at <paramref name="nowSeconds"/> (seconds since 1970-01-01 UTC;
        /// negative when the clock has not been set, which fails with <see cref="CertificateError.ClockNotSet"/>).
        /// </summary>
        /// <remarks>
        /// The path is built from the leaf up: each certificate's issuer is a trust anchor or, failing that, another
        /// presented certificate whose subject equals the issuer name byte for byte (RFC 5280 section 7.1 allows this
        /// for DER names), so extra or misordered certificates are tolerated as RFC 8446 section 4.4.2 asks. Trust
        /// anchors are not checked for validity (RFC 5280 section 6.1.1 d gives an anchor as name and key).
        /// </remarks>
        public CertificateError Validate(byte[] buffer, int[] offsets, int[] lengths, int count, string hostName, long nowSeconds)
        {
            if (nowSeconds < 0)
            {
                return CertificateError.ClockNotSet;
            }

            if (offsets == null || lengths == null || count < 1 || count > offsets.Length || count > lengths.Length)
            {
                return CertificateError.Malformed;
            }

            if (count > _chain.Length)
            {
                return CertificateError.ChainTooLong;
            }

            for (int i = 0; i < count; i++)
            {
                CertificateError error = _chain[i].Parse(buffer, offsets[i], lengths[i]);
                if (error != CertificateError.None)
                {
                    return error;
                }

                _inPath[i] = i == 0;
            }

            Certificate leaf = _chain[0];
            if (!leaf.AllowsDigitalSignature || !leaf.AllowsServerAuthentication)
            {
                return CertificateError.BadKeyUsage;
            }

            return ServerIdentity.Matches(leaf, hostName) ? BuildPath(count, nowSeconds) : CertificateError.NameMismatch;
        }

        private CertificateError BuildPath(int count, long nowSeconds)
        {
            Certificate current = _chain[0];
            for (int intermediates = 0; ; intermediates++)
            {
                if (nowSeconds < current.NotBefore)
                {
                    return CertificateError.NotYetValid;
                }

                if (nowSeconds > current.NotAfter)
                {
                    return CertificateError.Expired;
                }

                CertificateError error = CertificateError.UnknownIssuer;
                for (int i = 0; i < _anchorCount; i++)
                {
                    Certificate anchor = _anchors[i];
                    if (Der.Equal(current.Buffer, current.Offset, current.Length, anchor.Buffer, anchor.Offset, anchor.Length))
                    {
                        return CertificateError.None;
                    }

                    if (IssuedBy(current, anchor))
                    {
                        // Version 1 anchors predate basicConstraints; a v3 anchor must be a CA (RFC 5280 section 6.1.4 k).
                        error = anchor.Version == 1 ? Verify(current, anchor) : CheckIssuer(current, anchor, intermediates);
                        if (error == CertificateError.None)
                        {
                            return error;
                        }
                    }
                }

                Certificate next = null;
                for (int i = 1; i < count && next == null; i++)
                {
                    if (!_inPath[i] && IssuedBy(current, _chain[i]))
                    {
                        error = CheckIssuer(current, _chain[i], intermediates);
                        if (error == CertificateError.None)
                        {
                            _inPath[i] = true;
                            next = _chain[i];
                        }
                    }
                }

                if (next == null)
                {
                    return error;
                }

                current = next;
            }
        }

        private static bool IssuedBy(Certificate subject, Certificate issuer)
        {
            return Der.Equal(subject.Buffer, subject.IssuerOffset, subject.IssuerLength, issuer.Buffer, issuer.SubjectOffset, issuer.SubjectLength);
        }

        /// <summary>
        /// An issuer of another certificate must be a CA allowed to sign certificates (RFC 5280 sections 4.2.1.9 and
        /// 4.2.1.3), with a pathLenConstraint of at least the number of intermediate certificates below it (section
        /// 6.1.4 m; self-issued ones are counted too, stricter than section 6.1.4 l).
        /// </summary>
        private CertificateError CheckIssuer(Certificate subject, Certificate issuer, int intermediates)
        {
            if (!issuer.IsCertificateAuthority || !issuer.AllowsCertificateSigning)
            {
                return CertificateError.NotACa;
            }

            if (issuer.PathLengthConstraint >= 0 && intermediates > issuer.PathLengthConstraint)
            {
                return CertificateError.PathTooLong;
            }

            return Verify(subject, issuer);
        }

        private CertificateError Verify(Certificate subject, Certificate issuer)
        {
            bool ecdsa = SignatureAlgorithms.IsEcdsa(subject.SignatureAlgorithm);
            bool ecKey = issuer.KeyAlgorithm != PublicKeyAlgorithm.Rsa;
            bool valid = ecdsa == ecKey && _verifier.Verify(subject.SignatureAlgorithm, issuer.Buffer, issuer.KeyOffset, issuer.KeyLength, issuer.KeyAlgorithm,
                subject.Buffer, subject.TbsOffset, subject.TbsLength, subject.Buffer, subject.SignatureOffset, subject.SignatureLength);
            return valid ? CertificateError.None : CertificateError.BadSignature;
        }

        private static Certificate[] NewViews(int count)
        {
            Certificate[] views = new Certificate[count];
            for (int i = 0; i < count; i++)
            {
                views[i] = new Certificate();
            }

            return views;
        }
    }
}
