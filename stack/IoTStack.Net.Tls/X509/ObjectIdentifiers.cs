namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// The object identifiers this validator knows, as DER content bytes (X.690 section 8.19) grouped by arc: an
    /// identifier is recognised by its arc and its last byte, which keeps the tables short.
    /// </summary>
    internal static class ObjectIdentifiers
    {
        /// <summary>pkcs-1, 1.2.840.113549.1.1: rsaEncryption .1, id-mgf1 .8, id-RSASSA-PSS .10, sha256/384/512WithRSAEncryption .11/.12/.13.</summary>
        public static readonly byte[] Pkcs1 = new byte[] { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01 };

        /// <summary>ecdsa-with-SHA2, 1.2.840.10045.4.3: SHA256 .2, SHA384 .3, SHA512 .4 (RFC 5758 section 3.2).</summary>
        public static readonly byte[] EcdsaWithSha2 = new byte[] { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03 };

        /// <summary>id-public-key-type, 1.2.840.10045.2: id-ecPublicKey .1 (RFC 5480 section 2.1.1).</summary>
        public static readonly byte[] EcPublicKeyType = new byte[] { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02 };

        /// <summary>prime curves, 1.2.840.10045.3.1: secp256r1 .7 (RFC 5480 section 2.1.1.1).</summary>
        public static readonly byte[] PrimeCurve = new byte[] { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01 };

        /// <summary>certicom curves, 1.3.132.0: secp384r1 .34.</summary>
        public static readonly byte[] CerticomCurve = new byte[] { 0x2B, 0x81, 0x04, 0x00 };

        /// <summary>hashAlgs, 2.16.840.1.101.3.4.2: id-sha256 .1, id-sha384 .2, id-sha512 .3 (RFC 4055 section 2.1).</summary>
        public static readonly byte[] HashAlgorithm = new byte[] { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02 };

        /// <summary>id-ce, 2.5.29: the certificate extensions of RFC 5280 section 4.2.1.</summary>
        public static readonly byte[] CertificateExtension = new byte[] { 0x55, 0x1D };

        /// <summary>id-ce-extKeyUsage, 2.5.29.37: anyExtendedKeyUsage .0 (RFC 5280 section 4.2.1.12).</summary>
        public static readonly byte[] ExtendedKeyUsage = new byte[] { 0x55, 0x1D, 0x25 };

        /// <summary>id-kp, 1.3.6.1.5.5.7.3: id-kp-serverAuth .1 (RFC 5280 section 4.2.1.12).</summary>
        public static readonly byte[] KeyPurpose = new byte[] { 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03 };

        public const int RsaEncryption = 0x01;
        public const int Mgf1 = 0x08;
        public const int RsassaPss = 0x0A;
        public const int Sha256WithRsa = 0x0B;
        public const int EcPublicKey = 0x01;
        public const int Secp256r1 = 0x07;
        public const int Secp384r1 = 0x22;
        public const int KeyUsage = 0x0F;
        public const int SubjectAltName = 0x11;
        public const int BasicConstraints = 0x13;
        public const int ExtKeyUsage = 0x25;
        public const int AnyExtendedKeyUsage = 0x00;
        public const int ServerAuth = 0x01;

        /// <summary>
        /// The last byte of the identifier whose content is at <paramref name="offset"/>, when the identifier is
        /// <paramref name="arc"/> plus that one byte (a final arc below 128); otherwise -1.
        /// </summary>
        public static int InArc(byte[] buffer, int offset, int length, byte[] arc)
        {
            if (length != arc.Length + 1 || buffer[offset + arc.Length] >= 0x80)
            {
                return -1;
            }

            return Der.Equal(buffer, offset, arc.Length, arc, 0, arc.Length) ? buffer[offset + arc.Length] : -1;
        }

        /// <summary>Reads an OBJECT IDENTIFIER at <paramref name="offset"/> and returns its last byte if it is in <paramref name="arc"/>, else -1.</summary>
        public static int Read(byte[] buffer, int offset, int end, byte[] arc, out int next)
        {
            int content;
            int length = Der.Expect(buffer, offset, end, Der.ObjectIdentifier, out content);
            next = content + length;
            return length < 0 ? -1 : InArc(buffer, content, length, arc);
        }
    }
}
