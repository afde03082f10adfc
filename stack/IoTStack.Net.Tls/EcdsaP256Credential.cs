using IoTStack.Crypto.PublicKey;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// A board's client certificate with its P-256 key (ecdsa_secp256r1_sha256, RFC 8446 section 4.2.3), from the files
    /// a CA or openssl hands out: the chain as PEM (one or more CERTIFICATE blocks, the board's own first) or DER (one or
    /// more certificates back to back), the key as PEM or DER SEC 1 / PKCS #8 (<see cref="EcPrivateKey"/>). Everything
    /// is checked here, at the API edge, with an <see cref="System.ArgumentException"/> saying what is wrong: a chain
    /// that does not parse, a leaf whose key is not P-256, a key that is encrypted, not P-256 or does not belong to the
    /// leaf (d·G compared with the leaf's subjectPublicKey). The chain is copied into one array sized to fit;
    /// <see cref="SignDigest"/> allocates nothing and never throws.
    /// </summary>
    public sealed class EcdsaP256Credential : ITlsClientCredential
    {
        /// <summary>ecdsa_secp256r1_sha256 (RFC 8446 section 4.2.3).</summary>
        public const int EcdsaSecp256r1Sha256 = 0x0403;

        /// <summary>SEQUENCE header 2 + two INTEGERs of 2 + 33 bytes.</summary>
        private const int DerSignatureLength = 72;

        private readonly EcdsaP256Signer _signer = new EcdsaP256Signer();
        private readonly byte[] _signature = new byte[EcdsaP256Signer.SignatureSize];
        private readonly byte[] _chain;
        private readonly int[] _offsets;
        private readonly int[] _lengths;

        /// <summary>
        /// Reads <paramref name="certificatesLength"/> bytes of certificate chain and <paramref name="keyLength"/> bytes
        /// of private key; the caller's arrays are not kept. Throws <see cref="System.ArgumentException"/> when either
        /// cannot be used or they do not belong together.
        /// </summary>
        public EcdsaP256Credential(byte[] certificates, int certificatesOffset, int certificatesLength, byte[] privateKey, int keyOffset, int keyLength)
        {
            if (certificates == null || privateKey == null)
            {
                throw new System.ArgumentNullException(certificates == null ? "certificates" : "privateKey");
            }

            if (certificatesOffset < 0 || certificatesLength < 0 || certificatesOffset > certificates.Length - certificatesLength
                || keyOffset < 0 || keyLength < 0 || keyOffset > privateKey.Length - keyLength)
            {
                throw new System.ArgumentOutOfRangeException("certificatesOffset");
            }

            int end = certificatesOffset + certificatesLength;
            bool pem = Pem.IndexOf(certificates, certificatesOffset, end, "-----BEGIN ") >= 0;
            var scratch = new byte[certificatesLength];
            int total;
            int count = ReadChain(certificates, certificatesOffset, end, pem, scratch, null, null, out total);
            if (count <= 0)
            {
                throw new System.ArgumentException("certificate chain: no certificate, or a block that is not base64 DER");
            }

            _chain = new byte[total];
            _offsets = new int[count];
            _lengths = new int[count];
            ReadChain(certificates, certificatesOffset, end, pem, _chain, _offsets, _lengths, out total);

            var leaf = new Certificate();
            CertificateError error = leaf.Parse(_chain, 0, _lengths[0]);
            if (error != CertificateError.None || leaf.KeyAlgorithm != PublicKeyAlgorithm.EcdsaP256)
            {
                throw new System.ArgumentException(error != CertificateError.None
                    ? "certificate chain: the leaf certificate does not parse" : "unsupported: the leaf certificate's key is not P-256");
            }

            ReadKey(privateKey, keyOffset, keyLength);
            var point = new byte[P256.PublicKeySize];
            _signer.ComputePublicKey(point, 0);
            if (!Der.Equal(point, 0, point.Length, _chain, leaf.KeyOffset, leaf.KeyLength))
            {
                _signer.ClearPrivateKey();
                throw new System.ArgumentException("the private key does not belong to the leaf certificate");
            }
        }

        /// <summary>Reads a whole certificate file and a whole key file (see the constructor).</summary>
        public static EcdsaP256Credential FromFiles(byte[] certificateFile, byte[] keyFile)
        {
            if (certificateFile == null || keyFile == null)
            {
                throw new System.ArgumentNullException(certificateFile == null ? "certificateFile" : "keyFile");
            }

            return new EcdsaP256Credential(certificateFile, 0, certificateFile.Length, keyFile, 0, keyFile.Length);
        }

        /// <inheritdoc />
        public int SignatureScheme
        {
            get { return EcdsaSecp256r1Sha256; }
        }

        /// <inheritdoc />
        public int CertificateCount
        {
            get { return _offsets.Length; }
        }

        /// <inheritdoc />
        public int MaximumSignatureLength
        {
            get { return DerSignatureLength; }
        }

        /// <inheritdoc />
        public void GetCertificate(int index, out byte[] buffer, out int offset, out int length)
        {
            if (index < 0 || index >= _offsets.Length)
            {
                throw new System.ArgumentOutOfRangeException("index");
            }

            buffer = _chain;
            offset = _offsets[index];
            length = _lengths[index];
        }

        /// <summary>
        /// Signs a SHA-256 digest (32 bytes) with the RFC 6979 nonce and writes the DER ECDSA-Sig-Value (RFC 8446 section
        /// 4.2.3, at most <see cref="MaximumSignatureLength"/> bytes); -1 for another digest length, a range outside
        /// the arrays or too little room for this signature.
        /// </summary>
        public int SignDigest(byte[] digest, int digestOffset, int digestLength, byte[] signature, int signatureOffset)
        {
            if (digest == null || digestOffset < 0 || digestLength != 32 || digestOffset > digest.Length - digestLength
                || !_signer.Sign(digest, digestOffset, digestLength, _signature, 0))
            {
                return -1;
            }

            return EcdsaSignature.ToDer(_signature, 0, EcdsaP256Signer.ScalarSize, signature, signatureOffset);
        }

        private void ReadKey(byte[] privateKey, int keyOffset, int keyLength)
        {
            var scalar = new byte[EcPrivateKey.ScalarSize];
            PrivateKeyError error = EcPrivateKey.Read(privateKey, keyOffset, keyLength, new byte[keyLength], scalar, 0);
            bool accepted = error == PrivateKeyError.None && _signer.SetPrivateKey(scalar, 0);
            System.Array.Clear(scalar, 0, scalar.Length);
            if (accepted)
            {
                return;
            }

            string reason = "private key: not a P-256 private key in [1, n - 1]";
            if (error == PrivateKeyError.UnsupportedAlgorithm || error == PrivateKeyError.UnsupportedCurve)
            {
                reason = "unsupported: only P-256 client keys";
            }
            else if (error == PrivateKeyError.Encrypted)
            {
                reason = "private key: encrypted keys are not supported, store it decrypted";
            }
            else if (error == PrivateKeyError.NotFound)
            {
                reason = "private key: no PRIVATE KEY block in the PEM text";
            }
            else if (error == PrivateKeyError.Malformed)
            {
                reason = "private key: malformed (neither SEC 1 nor PKCS #8 DER)";
            }

            throw new System.ArgumentException(reason);
        }

        /// <summary>
        /// The certificates of PEM text or concatenated DER, into <paramref name="output"/> one after the other (and their
        /// places, when <paramref name="offsets"/> is given); the count, or -1 for a block or element that is not DER.
        /// </summary>
        private static int ReadChain(byte[] input, int offset, int end, bool pem, byte[] output, int[] offsets, int[] lengths, out int written)
        {
            int count = 0;
            written = 0;
            int position = offset;
            while (position < end)
            {
                int length;
                int next;
                if (pem)
                {
                    length = Pem.Decode(input, position, end, "CERTIFICATE", output, written, out next);
                    if (length == 0)
                    {
                        break;
                    }
                }
                else
                {
                    int content;
                    length = Der.Expect(input, position, end, Der.Sequence, out content);
                    next = content + length;
                    length = length < 0 ? -1 : next - position;
                    if (length > 0)
                    {
                        System.Array.Copy(input, position, output, written, length);
                    }
                }

                int certificate;
                if (length <= 0 || Der.Expect(output, written, written + length, Der.Sequence, out certificate) != written + length - certificate)
                {
                    return -1;
                }

                if (offsets != null)
                {
                    offsets[count] = written;
                    lengths[count] = length;
                }

                count++;
                written += length;
                position = next;
            }

            return count;
        }
    }
}
