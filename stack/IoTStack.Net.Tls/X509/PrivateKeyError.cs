namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Why <see cref="EcPrivateKey"/> refused a key file. Reading returns one of these and never throws on bad input
    /// (DESIGN.md rule 5); the credential built on it turns them into its construction error.
    /// </summary>
    public enum PrivateKeyError
    {
        /// <summary>A P-256 private key was read.</summary>
        None = 0,
        /// <summary>Not DER (X.690 section 10), bad base64, or not the structure of RFC 5915 section 3 / RFC 5208 section 5.</summary>
        Malformed,
        /// <summary>PEM text without any private key block (RFC 7468 sections 10, 11; SEC 1 "EC PRIVATE KEY").</summary>
        NotFound,
        /// <summary>An encrypted key (RFC 5208 section 6 "ENCRYPTED PRIVATE KEY", or an OpenSSL Proc-Type ENCRYPTED header): unsupported, store it decrypted.</summary>
        Encrypted,
        /// <summary>Unsupported: only P-256 client keys (an RSA, DSA, Ed25519 or other algorithm's key).</summary>
        UnsupportedAlgorithm,
        /// <summary>Unsupported: only P-256 client keys (an EC key on another curve, or with explicit curve parameters).</summary>
        UnsupportedCurve,
        /// <summary>The scratch buffer cannot hold the decoded PEM block (it needs the text's length).</summary>
        BufferTooSmall
    }
}
