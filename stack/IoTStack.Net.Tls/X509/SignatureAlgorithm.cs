namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// A signature scheme, numbered as TLS 1.3's SignatureScheme (RFC 8446 section 4.2.3) so the TLS client passes the
    /// code of CertificateVerify as it is. The high byte names the hash for PKCS#1 v1.5 and ECDSA (4 SHA-256, 5 SHA-384,
    /// 6 SHA-512); RSASSA-PSS is 0x08 then 4, 5, 6.
    /// </summary>
    /// <remarks>
    /// In a certificate, ecdsa-with-SHA256/384/512 (RFC 5758 section 3.2) name only the hash; the curve is the issuer
    /// key's (<see cref="PublicKeyAlgorithm"/>), so a P-384 key signing with SHA-256 arrives as <see cref="EcdsaSha256"/>.
    /// TLS 1.3 ties the curve to the scheme: the TLS client checks that the leaf's curve matches before verifying.
    /// </remarks>
    public enum SignatureAlgorithm
    {
        None = 0,
        /// <summary>rsa_pkcs1_sha256; sha256WithRSAEncryption (RFC 4055 section 5).</summary>
        RsaPkcs1Sha256 = 0x0401,
        /// <summary>rsa_pkcs1_sha384; sha384WithRSAEncryption.</summary>
        RsaPkcs1Sha384 = 0x0501,
        /// <summary>rsa_pkcs1_sha512; sha512WithRSAEncryption.</summary>
        RsaPkcs1Sha512 = 0x0601,
        /// <summary>ecdsa_secp256r1_sha256; ecdsa-with-SHA256 with any supported curve.</summary>
        EcdsaSha256 = 0x0403,
        /// <summary>ecdsa_secp384r1_sha384; ecdsa-with-SHA384 with any supported curve.</summary>
        EcdsaSha384 = 0x0503,
        /// <summary>ecdsa_secp521r1_sha512; ecdsa-with-SHA512 with any supported curve.</summary>
        EcdsaSha512 = 0x0603,
        /// <summary>rsa_pss_rsae_sha256; id-RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 4055 section 3.1).</summary>
        RsaPssSha256 = 0x0804,
        /// <summary>rsa_pss_rsae_sha384; SHA-384, MGF1-SHA-384, 48-byte salt.</summary>
        RsaPssSha384 = 0x0805,
        /// <summary>rsa_pss_rsae_sha512; SHA-512, MGF1-SHA-512, 64-byte salt.</summary>
        RsaPssSha512 = 0x0806
    }
}
