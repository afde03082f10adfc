namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Why a certificate or a chain was refused. Parsing and validation return one of these and never throw on bad
    /// input (DESIGN.md rule 5); the TLS client maps them to alerts (RFC 8446 section 6.2).
    /// </summary>
    public enum CertificateError
    {
        /// <summary>The certificate parsed, or the chain is valid for the host name at the given time.</summary>
        None = 0,
        /// <summary>Not DER (X.690 section 10), or not the structure of RFC 5280 section 4.1: a bad tag, length or value.</summary>
        Malformed,
        /// <summary>A signature or public key algorithm (or curve, or RSASSA-PSS parameter set) this validator does not verify.</summary>
        UnsupportedAlgorithm,
        /// <summary>An extension marked critical that this validator does not process (RFC 5280 section 4.2).</summary>
        UnsupportedCriticalExtension,
        /// <summary>The time given is after a certificate's notAfter (RFC 5280 section 4.1.2.5).</summary>
        Expired,
        /// <summary>The time given is before a certificate's notBefore (RFC 5280 section 4.1.2.5).</summary>
        NotYetValid,
        /// <summary>No trust anchor and no other certificate of the chain has the subject a certificate names as its issuer.</summary>
        UnknownIssuer,
        /// <summary>A certificate's signature does not verify under its issuer's public key.</summary>
        BadSignature,
        /// <summary>The leaf's subjectAltName holds no identifier matching the host name (RFC 9525 section 6.3).</summary>
        NameMismatch,
        /// <summary>An issuing certificate lacks basicConstraints cA or keyUsage keyCertSign (RFC 5280 sections 4.2.1.9, 4.2.1.3).</summary>
        NotACa,
        /// <summary>An issuer's pathLenConstraint allows fewer intermediate certificates than follow it (RFC 5280 section 4.2.1.9).</summary>
        PathTooLong,
        /// <summary>More certificates than the validator was built for.</summary>
        ChainTooLong,
        /// <summary>The wall clock is not set (a negative time): validity cannot be checked, so nothing is accepted.</summary>
        ClockNotSet,
        /// <summary>The leaf's keyUsage lacks digitalSignature or its extendedKeyUsage lacks serverAuth (RFC 5280 sections 4.2.1.3, 4.2.1.12).</summary>
        BadKeyUsage,
        /// <summary>The validator's trust anchor table is full.</summary>
        TooManyTrustAnchors
    }
}
