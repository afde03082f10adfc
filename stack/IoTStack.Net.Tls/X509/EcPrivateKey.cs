namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Reads a board's P-256 private key, as OpenSSL, .NET and the usual tools write it, to the 32-byte big-endian scalar:
    /// SEC 1 ECPrivateKey (RFC 5915, PEM "EC PRIVATE KEY") or PKCS #8 PrivateKeyInfo (RFC 5208 / RFC 5958, PEM "PRIVATE
    /// KEY") with id-ecPublicKey and prime256v1 (RFC 5480 section 2.1.1), in PEM (RFC 7468) or DER. Anything else is
    /// reported, never thrown: RSA and other algorithms, other curves, encrypted keys, malformed input.
    /// The range 1 &lt;= d &lt; n is the signer's check (<c>EcdsaP256Signer.SetPrivateKey</c>).
    /// </summary>
    public static class EcPrivateKey
    {
        /// <summary>Length in bytes of the scalar written.</summary>
        public const int ScalarSize = 32;

        private const int ContextConstructed0 = Der.ContextConstructed;
        private const int ContextConstructed1 = Der.ContextConstructed + 1;

        /// <summary>
        /// Reads the key in <paramref name="length"/> bytes of PEM text (any text holding "-----BEGIN ") or DER, writing
        /// the scalar at <paramref name="scalarOffset"/>. PEM is decoded into <paramref name="scratch"/>, which needs
        /// <paramref name="length"/> bytes and is zeroed again afterwards; DER is read in place.
        /// </summary>
        public static PrivateKeyError Read(byte[] key, int offset, int length, byte[] scratch, byte[] scalar, int scalarOffset)
        {
            if (key == null || offset < 0 || length < 0 || offset > key.Length - length
                || scalar == null || scalarOffset < 0 || scalarOffset > scalar.Length - ScalarSize)
            {
                return PrivateKeyError.Malformed;
            }

            int end = offset + length;
            if (Pem.IndexOf(key, offset, end, "-----BEGIN ") < 0)
            {
                return ReadDer(key, offset, length, scalar, scalarOffset);
            }

            // The PEM labels of RFC 7468 section 10 (PKCS #8), 11 (encrypted PKCS #8) and OpenSSL's SEC 1 "EC PRIVATE
            // KEY"; OpenSSL writes an "EC PARAMETERS" block before the key, which is skipped like any other text.
            bool sec1 = true;
            int start;
            int stop;
            int next;
            int found = Pem.Find(key, offset, end, "EC PRIVATE KEY", out start, out stop, out next);
            if (found == 0)
            {
                sec1 = false;
                found = Pem.Find(key, offset, end, "PRIVATE KEY", out start, out stop, out next);
            }

            if (found == 0)
            {
                if (Pem.Find(key, offset, end, "ENCRYPTED PRIVATE KEY", out start, out stop, out next) != 0)
                {
                    return PrivateKeyError.Encrypted;
                }

                // "RSA PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", ...
                return Pem.IndexOf(key, offset, end, " PRIVATE KEY-----") >= 0 ? PrivateKeyError.UnsupportedAlgorithm : PrivateKeyError.NotFound;
            }

            if (found < 0)
            {
                return PrivateKeyError.Malformed;
            }

            // OpenSSL's traditional encryption puts RFC 1421 headers in the block, "Proc-Type: 4,ENCRYPTED" first;
            // '-' and ':' are not base64, so a plain block never holds it.
            if (Pem.IndexOf(key, start, stop, "Proc-Type:") >= 0)
            {
                return PrivateKeyError.Encrypted;
            }

            if (scratch == null || scratch.Length < length)
            {
                return PrivateKeyError.BufferTooSmall;
            }

            int decoded = Pem.DecodeBase64(key, start, stop, scratch, 0);
            PrivateKeyError error = PrivateKeyError.Malformed;
            if (decoded > 0)
            {
                error = sec1 ? ReadEcPrivateKey(scratch, 0, decoded, true, scalar, scalarOffset) : ReadDer(scratch, 0, decoded, scalar, scalarOffset);
            }

            System.Array.Clear(scratch, 0, length);
            return error;
        }

        /// <summary>
        /// Reads a DER key: ECPrivateKey or PrivateKeyInfo, told apart by the element after the version; an
        /// EncryptedPrivateKeyInfo (RFC 5208 section 6, beginning with an AlgorithmIdentifier) is <see cref="PrivateKeyError.Encrypted"/>,
        /// an RSAPrivateKey (RFC 8017 appendix A.1.2, integers after the version) <see cref="PrivateKeyError.UnsupportedAlgorithm"/>.
        /// </summary>
        public static PrivateKeyError ReadDer(byte[] der, int offset, int length, byte[] scalar, int scalarOffset)
        {
            if (der == null || offset < 0 || length < 0 || offset > der.Length - length
                || scalar == null || scalarOffset < 0 || scalarOffset > scalar.Length - ScalarSize)
            {
                return PrivateKeyError.Malformed;
            }

            int end = offset + length;
            int content;
            if (Der.Expect(der, offset, end, Der.Sequence, out content) != end - content)
            {
                return PrivateKeyError.Malformed;
            }

            int tag;
            int first;
            int firstLength = Der.Read(der, content, end, out tag, out first);
            if (firstLength >= 0 && tag == Der.Sequence)
            {
                return PrivateKeyError.Encrypted;
            }

            int second;
            int secondTag;
            if (firstLength < 0 || tag != Der.Integer || Der.Read(der, first + firstLength, end, out secondTag, out second) < 0)
            {
                return PrivateKeyError.Malformed;
            }

            if (secondTag == Der.OctetString)
            {
                return ReadEcPrivateKey(der, offset, end, true, scalar, scalarOffset);
            }

            if (secondTag == Der.Sequence)
            {
                return ReadPrivateKeyInfo(der, content, end, scalar, scalarOffset);
            }

            return secondTag == Der.Integer ? PrivateKeyError.UnsupportedAlgorithm : PrivateKeyError.Malformed;
        }

        /// <summary>
        /// ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) }, privateKey OCTET STRING,
        /// parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL } (RFC 5915 section 3). The
        /// parameters must be there on their own (section 3: "MUST always include") and may be left out inside PKCS #8,
        /// whose AlgorithmIdentifier names the curve. The publicKey is not needed: the credential derives d·G.
        /// </summary>
        private static PrivateKeyError ReadEcPrivateKey(byte[] der, int offset, int end, bool parametersRequired, byte[] scalar, int scalarOffset)
        {
            int position;
            if (Der.Expect(der, offset, end, Der.Sequence, out position) != end - position || ReadVersion(der, position, end, out position) != 1)
            {
                return PrivateKeyError.Malformed;
            }

            int key;
            int keyLength = Der.Expect(der, position, end, Der.OctetString, out key);
            if (keyLength < 0)
            {
                return PrivateKeyError.Malformed;
            }

            position = key + keyLength;
            bool hasParameters = false;
            int content;
            int contentLength;
            if (position < end && der[position] == ContextConstructed0)
            {
                contentLength = Der.Expect(der, position, end, ContextConstructed0, out content);
                PrivateKeyError curve = contentLength < 0 ? PrivateKeyError.Malformed : NamedCurve(der, content, content + contentLength);
                if (curve != PrivateKeyError.None)
                {
                    return curve;
                }

                hasParameters = true;
                position = content + contentLength;
            }

            if (position < end)
            {
                contentLength = Der.Expect(der, position, end, ContextConstructed1, out content);
                position = contentLength < 0 ? -1 : content + contentLength;
            }

            // The curve is told first (above), so a P-384 key's 48 octets are UnsupportedCurve, not Malformed.
            if (position != end || (parametersRequired && !hasParameters) || keyLength < 1 || keyLength > ScalarSize)
            {
                return PrivateKeyError.Malformed;
            }

            // RFC 5915 says ceiling(log2(n)/8) octets; a shorter one (leading zeros dropped) is the same integer.
            System.Array.Clear(scalar, scalarOffset, ScalarSize - keyLength);
            System.Array.Copy(der, key, scalar, scalarOffset + ScalarSize - keyLength, keyLength);
            return PrivateKeyError.None;
        }

        /// <summary>
        /// PrivateKeyInfo ::= SEQUENCE { version (0, or 1 for RFC 5958's OneAsymmetricKey), privateKeyAlgorithm
        /// AlgorithmIdentifier, privateKey OCTET STRING (an ECPrivateKey for id-ecPublicKey, RFC 5915 section 2),
        /// attributes [0] OPTIONAL, publicKey [1] OPTIONAL } (RFC 5208 section 5), from its content on.
        /// </summary>
        private static PrivateKeyError ReadPrivateKeyInfo(byte[] der, int position, int end, byte[] scalar, int scalarOffset)
        {
            int version = ReadVersion(der, position, end, out position);
            int algorithm;
            int algorithmLength = Der.Expect(der, position, end, Der.Sequence, out algorithm);
            if ((version != 0 && version != 1) || algorithmLength < 0)
            {
                return PrivateKeyError.Malformed;
            }

            int algorithmEnd = algorithm + algorithmLength;
            int identifier;
            int identifierLength = Der.Expect(der, algorithm, algorithmEnd, Der.ObjectIdentifier, out identifier);
            if (identifierLength < 0)
            {
                return PrivateKeyError.Malformed;
            }

            if (ObjectIdentifiers.InArc(der, identifier, identifierLength, ObjectIdentifiers.EcPublicKeyType) != ObjectIdentifiers.EcPublicKey)
            {
                return PrivateKeyError.UnsupportedAlgorithm;
            }

            PrivateKeyError error = NamedCurve(der, identifier + identifierLength, algorithmEnd);
            if (error != PrivateKeyError.None)
            {
                return error;
            }

            int key;
            int keyLength = Der.Expect(der, algorithmEnd, end, Der.OctetString, out key);
            if (keyLength < 0)
            {
                return PrivateKeyError.Malformed;
            }

            // attributes [0] and publicKey [1]: well formed and inside the structure, not otherwise read.
            position = key + keyLength;
            while (position < end)
            {
                int tag;
                int content;
                int length = Der.Read(der, position, end, out tag, out content);
                if (length < 0)
                {
                    return PrivateKeyError.Malformed;
                }

                position = content + length;
            }

            return ReadEcPrivateKey(der, key, key + keyLength, false, scalar, scalarOffset);
        }

        /// <summary>
        /// ECParameters, exactly filling [offset, end): namedCurve secp256r1 only. RFC 5480 section 2.1.1 allows no other
        /// choice; explicit parameters and other named curves are <see cref="PrivateKeyError.UnsupportedCurve"/>.
        /// </summary>
        private static PrivateKeyError NamedCurve(byte[] der, int offset, int end)
        {
            int tag;
            int content;
            int length = Der.Read(der, offset, end, out tag, out content);
            if (length < 0 || content + length != end)
            {
                return PrivateKeyError.Malformed;
            }

            return tag == Der.ObjectIdentifier && ObjectIdentifiers.InArc(der, content, length, ObjectIdentifiers.PrimeCurve) == ObjectIdentifiers.Secp256r1
                ? PrivateKeyError.None : PrivateKeyError.UnsupportedCurve;
        }

        /// <summary>A one-octet INTEGER's value (a version number), or -1; <paramref name="next"/> after it.</summary>
        private static int ReadVersion(byte[] der, int offset, int end, out int next)
        {
            int content;
            int length = Der.Expect(der, offset, end, Der.Integer, out content);
            next = content + length;
            return length == 1 ? der[content] : -1;
        }
    }
}
