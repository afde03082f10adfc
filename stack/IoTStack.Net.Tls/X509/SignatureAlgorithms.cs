namespace IoTStack.Net.Tls.X509
{
    /// <summary>Reads a certificate's signature AlgorithmIdentifier (RFC 5280 section 4.1.1.2) and says which hash a <see cref="SignatureAlgorithm"/> uses.</summary>
    public static class SignatureAlgorithms
    {
        /// <summary>The digest length of the algorithm's hash: 32 (SHA-256), 48 (SHA-384), 64 (SHA-512), or 0 for an unknown value.</summary>
        public static int HashLength(SignatureAlgorithm algorithm)
        {
            int code = (int)algorithm;
            int hash = (code >> 8) == 0x08 ? code & 0xFF : code >> 8;
            return hash >= 4 && hash <= 6 ? (hash - 2) * 16 : 0;
        }

        /// <summary>True for the ECDSA schemes, whose signatures are DER Ecdsa-Sig-Values and whose keys are EC points.</summary>
        public static bool IsEcdsa(SignatureAlgorithm algorithm)
        {
            return ((int)algorithm & 0xFF) == 0x03;
        }

        /// <summary>
        /// The algorithm named by the AlgorithmIdentifier content from <paramref name="position"/> to <paramref name="end"/>,
        /// or <see cref="SignatureAlgorithm.None"/> for one this validator does not verify.
        /// </summary>
        internal static SignatureAlgorithm Read(byte[] buffer, int position, int end)
        {
            int parameters;
            int last = ObjectIdentifiers.Read(buffer, position, end, ObjectIdentifiers.Pkcs1, out parameters);
            if (last >= ObjectIdentifiers.Sha256WithRsa && last <= ObjectIdentifiers.Sha256WithRsa + 2)
            {
                // RFC 4055 section 5: the parameters are NULL (RFC 8017 appendix C lets them be absent too).
                return NullOrAbsent(buffer, parameters, end) ? (SignatureAlgorithm)(0x0401 + ((last - ObjectIdentifiers.Sha256WithRsa) << 8)) : SignatureAlgorithm.None;
            }

            if (last == ObjectIdentifiers.RsassaPss)
            {
                return ReadPssParameters(buffer, parameters, end);
            }

            // RFC 5758 section 3.2: ecdsa-with-SHA256/384/512 have no parameters.
            last = ObjectIdentifiers.Read(buffer, position, end, ObjectIdentifiers.EcdsaWithSha2, out parameters);
            return last >= 2 && last <= 4 && parameters == end ? (SignatureAlgorithm)(0x0403 + ((last - 2) << 8)) : SignatureAlgorithm.None;
        }

        /// <summary>True when the parameters from <paramref name="position"/> to <paramref name="end"/> are absent or one NULL.</summary>
        internal static bool NullOrAbsent(byte[] buffer, int position, int end)
        {
            return position == end || (end - position == 2 && buffer[position] == Der.Null && buffer[position + 1] == 0);
        }

        /// <summary>
        /// RSASSA-PSS-params (RFC 4055 section 3.1) in the only forms TLS uses (RFC 8446 section 4.2.3, rsa_pss_rsae_*):
        /// hash SHA-256/384/512, MGF1 with the same hash, a salt as long as the digest, the default trailer field.
        /// </summary>
        private static SignatureAlgorithm ReadPssParameters(byte[] buffer, int position, int end)
        {
            int content;
            if (Der.Expect(buffer, position, end, Der.Sequence, out content) != end - content)
            {
                return SignatureAlgorithm.None;
            }

            // hashAlgorithm [0] HashAlgorithm
            int field;
            int length = Der.Expect(buffer, content, end, Der.ContextConstructed, out field);
            int hash = ReadHash(buffer, field, field + length);
            position = field + length;

            // maskGenAlgorithm [1] AlgorithmIdentifier { id-mgf1, HashAlgorithm }
            length = Der.Expect(buffer, position, end, Der.ContextConstructed + 1, out field);
            position = field + length;
            int mask;
            int maskLength = Der.Expect(buffer, field, position, Der.Sequence, out mask);
            int maskHash;
            if (hash < 0 || maskLength != position - mask
                || ObjectIdentifiers.Read(buffer, mask, position, ObjectIdentifiers.Pkcs1, out maskHash) != ObjectIdentifiers.Mgf1
                || ReadHash(buffer, maskHash, position) != hash)
            {
                return SignatureAlgorithm.None;
            }

            // saltLength [2] INTEGER; trailerField [3] left out, its DER form for the default (X.690 section 11.5).
            length = Der.Expect(buffer, position, end, Der.ContextConstructed + 2, out field);
            int salt;
            if (Der.Expect(buffer, field, field + length, Der.Integer, out salt) != 1 || field + length != end || buffer[salt] != 32 + hash * 16)
            {
                return SignatureAlgorithm.None;
            }

            return (SignatureAlgorithm)((int)SignatureAlgorithm.RsaPssSha256 + hash);
        }

        /// <summary>A HashAlgorithm (RFC 4055 section 2.1) filling <paramref name="position"/> to <paramref name="end"/>: 0 SHA-256, 1 SHA-384, 2 SHA-512, -1 other.</summary>
        private static int ReadHash(byte[] buffer, int position, int end)
        {
            int content;
            int length = Der.Expect(buffer, position, end, Der.Sequence, out content);
            int parameters;
            int hash = ObjectIdentifiers.Read(buffer, content, end, ObjectIdentifiers.HashAlgorithm, out parameters) - 1;
            return length == end - content && hash >= 0 && hash <= 2 && NullOrAbsent(buffer, parameters, end) ? hash : -1;
        }
    }
}
