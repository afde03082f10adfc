using IoTStack.Crypto;
using IoTStack.Crypto.PublicKey;

namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// <see cref="ISignatureVerifier"/> over the device's own primitives: SHA-256/384/512 (IoTStack.Crypto), RSASSA-PKCS1-v1_5
    /// and RSASSA-PSS (RFC 8017 sections 8.2.2 and 8.1.2), ECDSA on P-256 and P-384 (FIPS 186-4 section 6.4). Everything is
    /// taken at construction, sized by the algorithms the application accepts (the curves cost 4.9 and 6.4 KB, RSA up to
    /// 4096 bits 5.4 KB); a verification allocates nothing.
    /// </summary>
    public sealed class SignatureVerifier : ISignatureVerifier
    {
        private readonly Sha256 _sha256 = new Sha256();
        private readonly Sha384 _sha384 = new Sha384();
        private readonly Sha512 _sha512 = new Sha512();
        private readonly byte[] _digest = new byte[64];
        private readonly byte[] _rs = new byte[96];
        private readonly Rsa _rsa;
        private readonly P256 _p256;
        private readonly P384 _p384;

        /// <summary>Every algorithm: RSA up to 4096 bits, P-256 and P-384.</summary>
        public SignatureVerifier()
            : this(4096, true, true)
        {
        }

        /// <param name="maximumRsaBits">The largest RSA modulus accepted (2048 to 4096), or 0 for no RSA.</param>
        /// <param name="p256">Whether ECDSA keys on P-256 are accepted.</param>
        /// <param name="p384">Whether ECDSA keys on P-384 are accepted.</param>
        public SignatureVerifier(int maximumRsaBits, bool p256, bool p384)
        {
            _rsa = maximumRsaBits > 0 ? new Rsa(maximumRsaBits) : null;
            _p256 = p256 ? new P256() : null;
            _p384 = p384 ? new P384() : null;
        }

        public bool Verify(SignatureAlgorithm algorithm, byte[] key, int keyOffset, int keyLength, PublicKeyAlgorithm keyAlgorithm,
            byte[] signedData, int signedOffset, int signedLength, byte[] signature, int signatureOffset, int signatureLength)
        {
            IHash hash = HashFor(SignatureAlgorithms.HashLength(algorithm));
            if (hash == null || signedLength < 0 || signedOffset < 0 || signedOffset + signedLength > signedData.Length)
            {
                return false;
            }

            hash.Reset();
            hash.Update(signedData, signedOffset, signedLength);
            hash.Finish(_digest, 0);
            int digestLength = hash.HashSize;
            if (SignatureAlgorithms.IsEcdsa(algorithm))
            {
                return VerifyEcdsa(key, keyOffset, keyLength, keyAlgorithm, digestLength, signature, signatureOffset, signatureLength);
            }

            int modulus, modulusLength, exponent, exponentLength;
            if (keyAlgorithm != PublicKeyAlgorithm.Rsa || _rsa == null
                || !RsaPublicKey.Locate(key, keyOffset, keyLength, out modulus, out modulusLength, out exponent, out exponentLength))
            {
                return false;
            }

            if (((int)algorithm >> 8) == 0x08)
            {
                // RSASSA-PSS as TLS 1.3 and RFC 4055 use it here: MGF1 with the same hash, a salt as long as the digest.
                return _rsa.VerifyPss(key, modulus, modulusLength, key, exponent, exponentLength, signature, signatureOffset, signatureLength,
                    _digest, 0, digestLength, hash, digestLength);
            }

            byte[] prefix = digestLength == 32 ? Rsa.Sha256DigestInfo : (digestLength == 48 ? Rsa.Sha384DigestInfo : Rsa.Sha512DigestInfo);
            return _rsa.VerifyPkcs1(key, modulus, modulusLength, key, exponent, exponentLength, signature, signatureOffset, signatureLength,
                prefix, 0, prefix.Length, _digest, 0, digestLength);
        }

        private bool VerifyEcdsa(byte[] key, int keyOffset, int keyLength, PublicKeyAlgorithm keyAlgorithm, int digestLength,
            byte[] signature, int signatureOffset, int signatureLength)
        {
            int field = keyAlgorithm == PublicKeyAlgorithm.EcdsaP256 ? 32 : (keyAlgorithm == PublicKeyAlgorithm.EcdsaP384 ? 48 : 0);
            if (field == 0 || !EcdsaSignature.ToFixed(signature, signatureOffset, signatureLength, _rs, 0, field))
            {
                return false;
            }

            if (field == 32)
            {
                return _p256 != null && _p256.Verify(key, keyOffset, keyLength, _digest, 0, digestLength, _rs, 0, 32, _rs, 32, 32);
            }

            return _p384 != null && _p384.Verify(key, keyOffset, keyLength, _digest, 0, digestLength, _rs, 0, 48, _rs, 48, 48);
        }

        private IHash HashFor(int length)
        {
            return length == 32 ? _sha256 : (length == 48 ? (IHash)_sha384 : (length == 64 ? _sha512 : null));
        }
    }
}
