namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// A view over one DER certificate (RFC 5280 section 4.1): the offsets, lengths and values of the fields a TLS
    /// client needs, found by <see cref="Parse"/> without copying or allocating. The view keeps a reference to the
    /// caller's buffer, which must not change while the view is used; one view is reused for certificate after
    /// certificate (DESIGN.md rule 2).
    /// </summary>
    public sealed class Certificate
    {
        // keyUsage bits (RFC 5280 section 4.2.1.3), the BIT STRING's first two bytes read big-endian.
        private const int DigitalSignature = 0x8000;
        private const int KeyCertSign = 0x0400;

        // Extensions seen, to refuse a second instance (RFC 5280 section 4.2).
        private int _extensionsSeen;
        private int _keyUsage;
        private bool _serverAuth;

        /// <summary>The buffer the certificate was parsed from.</summary>
        public byte[] Buffer { get; private set; }

        /// <summary>The whole certificate: the first byte of its SEQUENCE.</summary>
        public int Offset { get; private set; }

        public int Length { get; private set; }

        /// <summary>The tbsCertificate element with its header: the bytes the issuer signed (RFC 5280 section 4.1.1.1).</summary>
        public int TbsOffset { get; private set; }

        public int TbsLength { get; private set; }

        /// <summary>1, 2 or 3 (RFC 5280 section 4.1.2.1; the encoded value plus one).</summary>
        public int Version { get; private set; }

        /// <summary>The serialNumber INTEGER's content (RFC 5280 section 4.1.2.2).</summary>
        public int SerialOffset { get; private set; }

        public int SerialLength { get; private set; }

        /// <summary>The signature algorithm, the same in tbsCertificate and outside it (RFC 5280 section 4.1.1.2).</summary>
        public SignatureAlgorithm SignatureAlgorithm { get; private set; }

        /// <summary>The signatureValue BIT STRING's bits (for ECDSA the DER Ecdsa-Sig-Value).</summary>
        public int SignatureOffset { get; private set; }

        public int SignatureLength { get; private set; }

        /// <summary>The issuer Name element with its header, compared byte for byte with a subject (RFC 5280 section 7.1).</summary>
        public int IssuerOffset { get; private set; }

        public int IssuerLength { get; private set; }

        /// <summary>The subject Name element with its header (RFC 5280 section 4.1.2.6).</summary>
        public int SubjectOffset { get; private set; }

        public int SubjectLength { get; private set; }

        /// <summary>notBefore in seconds since 1970-01-01 UTC.</summary>
        public long NotBefore { get; private set; }

        /// <summary>notAfter in seconds since 1970-01-01 UTC; the certificate is valid through this second.</summary>
        public long NotAfter { get; private set; }

        public PublicKeyAlgorithm KeyAlgorithm { get; private set; }

        /// <summary>The subjectPublicKey bits: RSAPublicKey DER, or the uncompressed EC point (<see cref="PublicKeyAlgorithm"/>).</summary>
        public int KeyOffset { get; private set; }

        public int KeyLength { get; private set; }

        /// <summary>basicConstraints cA (RFC 5280 section 4.2.1.9); false without the extension.</summary>
        public bool IsCertificateAuthority { get; private set; }

        /// <summary>basicConstraints pathLenConstraint, or -1 when there is none.</summary>
        public int PathLengthConstraint { get; private set; }

        /// <summary>The subjectAltName GeneralNames' content (RFC 5280 section 4.2.1.6), length 0 without the extension.</summary>
        public int SubjectAltNamesOffset { get; private set; }

        public int SubjectAltNamesLength { get; private set; }

        /// <summary>Without keyUsage any use is allowed; with it, digitalSignature must be set (RFC 5280 section 4.2.1.3).</summary>
        public bool AllowsDigitalSignature
        {
            get { return (_keyUsage & DigitalSignature) != 0; }
        }

        /// <summary>keyCertSign, needed to verify other certificates' signatures (RFC 5280 section 4.2.1.3).</summary>
        public bool AllowsCertificateSigning
        {
            get { return (_keyUsage & KeyCertSign) != 0; }
        }

        /// <summary>Without extendedKeyUsage any purpose; with it, id-kp-serverAuth or anyExtendedKeyUsage (RFC 5280 section 4.2.1.12).</summary>
        public bool AllowsServerAuthentication
        {
            get { return _serverAuth; }
        }

        /// <summary>
        /// Checks the certificate in <paramref name="buffer"/> and points this view at its fields. Anything but
        /// <see cref="CertificateError.None"/> leaves the view unusable until the next successful parse.
        /// </summary>
        public CertificateError Parse(byte[] buffer, int offset, int length)
        {
            Buffer = buffer;
            Offset = offset;
            Length = length;
            Version = 1;
            SignatureAlgorithm = SignatureAlgorithm.None;
            KeyAlgorithm = PublicKeyAlgorithm.None;
            IsCertificateAuthority = false;
            PathLengthConstraint = -1;
            SubjectAltNamesOffset = 0;
            SubjectAltNamesLength = 0;
            _extensionsSeen = 0;
            _keyUsage = -1;
            _serverAuth = true;
            if (buffer == null || offset < 0 || length < 0 || offset > buffer.Length - length)
            {
                return CertificateError.Malformed;
            }

            // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 section 4.1)
            int end = offset + length;
            int certificate;
            int tbs;
            int algorithm;
            int signature;
            if (Der.Expect(buffer, offset, end, Der.Sequence, out certificate) != end - certificate)
            {
                return CertificateError.Malformed;
            }

            int tbsLength = Der.Expect(buffer, certificate, end, Der.Sequence, out tbs);
            int algorithmLength = Der.Expect(buffer, tbs + tbsLength, end, Der.Sequence, out algorithm);
            if (tbsLength < 0 || algorithmLength < 0
                || Der.Expect(buffer, algorithm + algorithmLength, end, Der.BitString, out signature) != end - signature
                || signature == end || buffer[signature] != 0)
            {
                return CertificateError.Malformed;
            }

            TbsOffset = certificate;
            TbsLength = tbs + tbsLength - certificate;
            SignatureOffset = signature + 1;
            SignatureLength = end - signature - 1;
            return ParseTbsCertificate(buffer, tbs, tbs + tbsLength, tbs + tbsLength, algorithm + algorithmLength - tbs - tbsLength);
        }

        private CertificateError ParseTbsCertificate(byte[] buffer, int position, int end, int outerAlgorithm, int outerAlgorithmLength)
        {
            int tag;
            int content;
            int length = Der.Read(buffer, position, end, out tag, out content);
            if (tag == Der.ContextConstructed)
            {
                // version [0] EXPLICIT INTEGER { v1(0), v2(1), v3(2) }
                int version;
                if (Der.Expect(buffer, content, content + length, Der.Integer, out version) != 1 || version + 1 != content + length || buffer[version] > 2)
                {
                    return CertificateError.Malformed;
                }

                Version = buffer[version] + 1;
                position = content + length;
                length = Der.Read(buffer, position, end, out tag, out content);
            }

            if (tag != Der.Integer || length < 1)
            {
                return CertificateError.Malformed;
            }

            SerialOffset = content;
            SerialLength = length;
            position = content + length;

            // signature AlgorithmIdentifier: must be identical to the outer signatureAlgorithm (RFC 5280 section 4.1.2.3).
            length = Der.Expect(buffer, position, end, Der.Sequence, out content);
            if (length < 0 || !Der.Equal(buffer, position, content + length - position, buffer, outerAlgorithm, outerAlgorithmLength))
            {
                return CertificateError.Malformed;
            }

            SignatureAlgorithm = SignatureAlgorithms.Read(buffer, content, content + length);
            if (SignatureAlgorithm == SignatureAlgorithm.None)
            {
                return CertificateError.UnsupportedAlgorithm;
            }

            position = content + length;
            IssuerOffset = position;
            length = Der.Expect(buffer, position, end, Der.Sequence, out content);
            IssuerLength = content + length - position;
            position = content + length;

            // Validity ::= SEQUENCE { notBefore Time, notAfter Time }
            int validity;
            int validityLength = Der.Expect(buffer, position, end, Der.Sequence, out validity);
            if (length < 0 || validityLength < 0)
            {
                return CertificateError.Malformed;
            }

            NotBefore = CertificateTime.Read(buffer, validity, validity + validityLength, out position);
            NotAfter = CertificateTime.Read(buffer, position, validity + validityLength, out position);
            if (NotBefore == CertificateTime.Invalid || NotAfter == CertificateTime.Invalid || position != validity + validityLength)
            {
                return CertificateError.Malformed;
            }

            SubjectOffset = position;
            length = Der.Expect(buffer, position, end, Der.Sequence, out content);
            SubjectLength = content + length - position;
            if (length < 0)
            {
                return CertificateError.Malformed;
            }

            position = content + length;
            length = Der.Expect(buffer, position, end, Der.Sequence, out content);
            if (length < 0)
            {
                return CertificateError.Malformed;
            }

            CertificateError error = ParseSubjectPublicKeyInfo(buffer, content, content + length);
            position = content + length;

            // issuerUniqueID [1], subjectUniqueID [2] (skipped), extensions [3] (RFC 5280 section 4.1).
            while (error == CertificateError.None && position < end)
            {
                length = Der.Read(buffer, position, end, out tag, out content);
                position = content + length;
                if (length < 0 || Version == 1 || (tag != Der.ContextPrimitive + 1 && tag != Der.ContextPrimitive + 2 && tag != Der.ContextConstructed + 3))
                {
                    return CertificateError.Malformed;
                }

                if (tag == Der.ContextConstructed + 3)
                {
                    error = ParseExtensions(buffer, content, position);
                }
            }

            return error;
        }

        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING } (RFC 5280 section 4.1.2.7)
        private CertificateError ParseSubjectPublicKeyInfo(byte[] buffer, int position, int end)
        {
            int algorithm;
            int algorithmLength = Der.Expect(buffer, position, end, Der.Sequence, out algorithm);
            int key;
            int keyLength = Der.Expect(buffer, algorithm + algorithmLength, end, Der.BitString, out key);
            if (algorithmLength < 0 || keyLength < 1 || key + keyLength != end || buffer[key] != 0)
            {
                return CertificateError.Malformed;
            }

            KeyOffset = key + 1;
            KeyLength = keyLength - 1;
            int parameters;
            int algorithmEnd = algorithm + algorithmLength;
            if (ObjectIdentifiers.Read(buffer, algorithm, algorithmEnd, ObjectIdentifiers.Pkcs1, out parameters) == ObjectIdentifiers.RsaEncryption)
            {
                // RFC 3279 section 2.3.1: the parameters are NULL.
                KeyAlgorithm = SignatureAlgorithms.NullOrAbsent(buffer, parameters, algorithmEnd) ? PublicKeyAlgorithm.Rsa : PublicKeyAlgorithm.None;
            }
            else if (ObjectIdentifiers.Read(buffer, algorithm, algorithmEnd, ObjectIdentifiers.EcPublicKeyType, out parameters) == ObjectIdentifiers.EcPublicKey)
            {
                // ECParameters: namedCurve only (RFC 5480 section 2.1.1); the key an uncompressed point (section 2.2).
                int next;
                int pointLength = 0;
                if (ObjectIdentifiers.Read(buffer, parameters, algorithmEnd, ObjectIdentifiers.PrimeCurve, out next) == ObjectIdentifiers.Secp256r1)
                {
                    pointLength = 65;
                }
                else if (ObjectIdentifiers.Read(buffer, parameters, algorithmEnd, ObjectIdentifiers.CerticomCurve, out next) == ObjectIdentifiers.Secp384r1)
                {
                    pointLength = 97;
                }

                KeyAlgorithm = pointLength == 65 ? PublicKeyAlgorithm.EcdsaP256 : PublicKeyAlgorithm.EcdsaP384;
                if (pointLength == 0 || next != algorithmEnd || KeyLength != pointLength || buffer[KeyOffset] != 0x04)
                {
                    KeyAlgorithm = PublicKeyAlgorithm.None;
                }
            }

            return KeyAlgorithm == PublicKeyAlgorithm.None ? CertificateError.UnsupportedAlgorithm : CertificateError.None;
        }

        // Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (RFC 5280 section 4.1.2.9)
        private CertificateError ParseExtensions(byte[] buffer, int position, int end)
        {
            int content;
            if (Der.Expect(buffer, position, end, Der.Sequence, out content) != end - content || content == end)
            {
                return CertificateError.Malformed;
            }

            position = content;
            while (position < end)
            {
                // Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
                int extension;
                int length = Der.Expect(buffer, position, end, Der.Sequence, out extension);
                if (length < 0)
                {
                    return CertificateError.Malformed;
                }

                position = extension + length;
                int identifier;
                length = Der.Expect(buffer, extension, position, Der.ObjectIdentifier, out identifier);
                if (length < 0)
                {
                    return CertificateError.Malformed;
                }

                int next = identifier + length;
                identifier = ObjectIdentifiers.InArc(buffer, identifier, length, ObjectIdentifiers.CertificateExtension);
                int tag;
                int value;
                length = Der.Read(buffer, next, position, out tag, out value);
                bool critical = false;
                if (tag == Der.Boolean && length == 1)
                {
                    critical = buffer[value] != 0;
                    length = Der.Read(buffer, value + 1, position, out tag, out value);
                }

                if (tag != Der.OctetString || value + length != position)
                {
                    return CertificateError.Malformed;
                }

                CertificateError error = ParseExtension(buffer, identifier, value, position, critical);
                if (error != CertificateError.None)
                {
                    return error;
                }
            }

            return CertificateError.None;
        }

        private CertificateError ParseExtension(byte[] buffer, int identifier, int position, int end, bool critical)
        {
            int content;
            int length = Der.Expect(buffer, position, end, identifier == ObjectIdentifiers.KeyUsage ? Der.BitString : Der.Sequence, out content);
            if (identifier == ObjectIdentifiers.BasicConstraints || identifier == ObjectIdentifiers.KeyUsage
                || identifier == ObjectIdentifiers.ExtKeyUsage || identifier == ObjectIdentifiers.SubjectAltName)
            {
                // The four known identifiers are 15, 17, 19 and 37: distinct bits of a 32-bit mask.
                int seen = 1 << (identifier & 31);
                if (length != end - content || (_extensionsSeen & seen) != 0)
                {
                    return CertificateError.Malformed;
                }

                _extensionsSeen |= seen;
            }
            else
            {
                return critical ? CertificateError.UnsupportedCriticalExtension : CertificateError.None;
            }

            if (identifier == ObjectIdentifiers.KeyUsage)
            {
                // KeyUsage ::= BIT STRING: digitalSignature (0) .. keyCertSign (5) .. decipherOnly (8).
                if (length < 2 || length > 3 || buffer[content] > 7)
                {
                    return CertificateError.Malformed;
                }

                _keyUsage = buffer[content + 1] << 8 | (length == 3 ? buffer[content + 2] : 0);
                return CertificateError.None;
            }

            bool extendedKeyUsage = identifier == ObjectIdentifiers.ExtKeyUsage;
            if (extendedKeyUsage)
            {
                _serverAuth = false;
            }

            if (identifier == ObjectIdentifiers.SubjectAltName)
            {
                SubjectAltNamesOffset = content;
                SubjectAltNamesLength = length;
            }

            if (identifier == ObjectIdentifiers.BasicConstraints)
            {
                return ParseBasicConstraints(buffer, content, end);
            }

            // GeneralNames and KeyPurposeIds: every element well formed, so later walks need no checks.
            position = content;
            while (position < end)
            {
                int tag;
                length = Der.Read(buffer, position, end, out tag, out content);
                if (length < 0)
                {
                    return CertificateError.Malformed;
                }

                if (extendedKeyUsage && tag == Der.ObjectIdentifier && (ObjectIdentifiers.InArc(buffer, content, length, ObjectIdentifiers.KeyPurpose) == ObjectIdentifiers.ServerAuth
                    || ObjectIdentifiers.InArc(buffer, content, length, ObjectIdentifiers.ExtendedKeyUsage) == ObjectIdentifiers.AnyExtendedKeyUsage))
                {
                    _serverAuth = true;
                }

                position = content + length;
            }

            return CertificateError.None;
        }

        // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } (RFC 5280 section 4.2.1.9)
        private CertificateError ParseBasicConstraints(byte[] buffer, int position, int end)
        {
            int tag;
            int content;
            int length = Der.Read(buffer, position, end, out tag, out content);
            if (tag == Der.Boolean && length == 1)
            {
                IsCertificateAuthority = buffer[content] != 0;
                position = content + 1;
                length = Der.Read(buffer, position, end, out tag, out content);
            }

            if (position < end)
            {
                // A constraint past what a chain of this validator can hold reads as "no limit" (int range kept).
                if (tag != Der.Integer || length < 1 || length > 3 || buffer[content] >= 0x80 || content + length != end)
                {
                    return CertificateError.Malformed;
                }

                int constraint = 0;
                for (int i = 0; i < length; i++)
                {
                    constraint = (constraint << 8) | buffer[content + i];
                }

                PathLengthConstraint = constraint;
            }

            return CertificateError.None;
        }
    }
}
