namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// What a subjectPublicKeyInfo holds (RFC 5280 section 4.1.2.7), and so how its key bytes read: for
    /// <see cref="Rsa"/> the RSAPublicKey DER (RFC 8017 appendix A.1.1, <see cref="RsaPublicKey"/> finds modulus and
    /// exponent), for the curves the uncompressed point 04 || X || Y (RFC 5480 section 2.2).
    /// </summary>
    public enum PublicKeyAlgorithm
    {
        None = 0,
        /// <summary>rsaEncryption (RFC 3279 section 2.3.1).</summary>
        Rsa = 1,
        /// <summary>id-ecPublicKey with namedCurve secp256r1 (RFC 5480 section 2.1.1.1).</summary>
        EcdsaP256 = 2,
        /// <summary>id-ecPublicKey with namedCurve secp384r1.</summary>
        EcdsaP384 = 3
    }
}
