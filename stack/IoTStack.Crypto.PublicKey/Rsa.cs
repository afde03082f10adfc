namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// RSA signature verification (RFC 8017): RSASSA-PKCS1-v1_5 (section 8.2.2) for certificates and TLS 1.2, and
    /// RSASSA-PSS (section 8.1.2) with MGF1, which TLS 1.3 requires for CertificateVerify (RFC 8446 section 4.2.3).
    /// The public key comes with every call (moduli from certificates differ); the Montgomery constants are derived
    /// from it without allocating. Verification handles public data only, so nothing here needs constant time.
    /// </summary>
    public sealed class Rsa
    {
        /// <summary>DER of DigestInfo for SHA-256 up to the digest (RFC 8017 section 9.2, note 1).</summary>
        public static readonly byte[] Sha256DigestInfo =
        {
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
        };

        /// <summary>DER of DigestInfo for SHA-384 up to the digest (RFC 8017 section 9.2, note 1).</summary>
        public static readonly byte[] Sha384DigestInfo =
        {
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
        };

        /// <summary>DER of DigestInfo for SHA-512 up to the digest (RFC 8017 section 9.2, note 1).</summary>
        public static readonly byte[] Sha512DigestInfo =
        {
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40,
        };

        /// <summary>The longest hash output PSS accepts (SHA-512).</summary>
        private const int MaximumHashSize = 64;

        private readonly int _maximumBytes;
        private readonly MontgomeryModulus _arithmetic;
        private readonly uint[] _modulus;
        private readonly uint[] _exponent;
        private readonly uint[] _representative;
        private readonly byte[] _encoded;
        private readonly byte[] _hashOutput = new byte[MaximumHashSize];
        private readonly byte[] _counter = new byte[4];
        private readonly byte[] _padding = new byte[8];

        /// <summary>Takes the buffers for moduli of up to <paramref name="maxModulusBits"/> bits (4096 for the web PKI).</summary>
        public Rsa(int maxModulusBits)
        {
            _maximumBytes = (maxModulusBits + 7) / 8;
            int words = (_maximumBytes + 3) / 4;
            _arithmetic = new MontgomeryModulus(words);
            _modulus = new uint[words];
            _exponent = new uint[words];
            _representative = new uint[words];
            _encoded = new byte[_maximumBytes];
        }

        /// <summary>
        /// RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 section 8.2.2): true when the signature opens to exactly
        /// 00 01 FF..FF 00 || DigestInfo prefix || digest, compared in full (no parsing of the DigestInfo, so no
        /// Bleichenbacher-style leniency). The modulus and exponent are big-endian, leading zero octets allowed; the
        /// signature must be as long as the modulus.
        /// </summary>
        public bool VerifyPkcs1(byte[] modulus, int mOff, int mLen, byte[] exponent, int eOff, int eLen, byte[] signature, int sOff, int sLen,
            byte[] digestInfoPrefix, int pOff, int pLen, byte[] digest, int dOff, int dLen)
        {
            int k = OpenSignature(modulus, mOff, mLen, exponent, eOff, eLen, signature, sOff, sLen);
            int tLen = pLen + dLen;

            // Step 2 of EMSA-PKCS1-v1_5 (section 9.2): at least 8 octets of FF padding.
            if (k < 0 || k < tLen + 11)
            {
                return false;
            }

            byte[] em = _encoded;
            int separator = k - tLen - 1;
            int difference = em[0] | (em[1] ^ 1) | em[separator];
            for (int i = 2; i < separator; i++)
            {
                difference |= em[i] ^ 0xFF;
            }

            for (int i = 0; i < pLen; i++)
            {
                difference |= em[separator + 1 + i] ^ digestInfoPrefix[pOff + i];
            }

            for (int i = 0; i < dLen; i++)
            {
                difference |= em[k - dLen + i] ^ digest[dOff + i];
            }

            return difference == 0;
        }

        /// <summary>
        /// RSASSA-PSS-VERIFY (RFC 8017 section 8.1.2) with EMSA-PSS-VERIFY (section 9.1.2) and MGF1 (appendix B.2.1),
        /// both over <paramref name="hash"/>, for a salt of <paramref name="saltLength"/> octets (the hash length in TLS
        /// 1.3, RFC 8446 section 4.2.3). The digest is Hash(M), <see cref="IHash.HashSize"/> octets.
        /// </summary>
        public bool VerifyPss(byte[] modulus, int mOff, int mLen, byte[] exponent, int eOff, int eLen, byte[] signature, int sOff, int sLen,
            byte[] digest, int dOff, int dLen, IHash hash, int saltLength)
        {
            int hLen = hash.HashSize;
            if (dLen != hLen || hLen > MaximumHashSize || saltLength < 0)
            {
                return false;
            }

            int k = OpenSignature(modulus, mOff, mLen, exponent, eOff, eLen, signature, sOff, sLen);
            if (k < 0)
            {
                return false;
            }

            // emBits = modBits - 1; when that is a multiple of 8 the k-octet I2OSP output has one more, zero, octet.
            byte[] em = _encoded;
            int topBits = 8;
            while ((modulus[mOff + mLen - k] >> (topBits - 1)) == 0)
            {
                topBits--;
            }

            int emBits = (k - 1) * 8 + topBits - 1;
            int emLen = (emBits + 7) / 8;
            int start = k - emLen;
            if (start == 1 && em[0] != 0)
            {
                return false;
            }

            // Steps 3 to 5 of section 9.1.2.
            int zeroBits = 8 * emLen - emBits;
            int dbLen = emLen - hLen - 1;
            if (emLen < hLen + saltLength + 2 || em[start + emLen - 1] != 0xbc || (em[start] & (0xFF << (8 - zeroBits)) & 0xFF) != 0)
            {
                return false;
            }

            // Steps 6 to 8: DB = maskedDB xor MGF1(H, dbLen), in place, then the top bits cleared.
            int hOffset = start + dbLen;
            for (int done = 0, counter = 0; done < dbLen; done += hLen, counter++)
            {
                _counter[3] = (byte)counter;
                _counter[2] = (byte)(counter >> 8);
                hash.Reset();
                hash.Update(em, hOffset, hLen);
                hash.Update(_counter, 0, 4);
                hash.Finish(_hashOutput, 0);
                int count = dbLen - done < hLen ? dbLen - done : hLen;
                for (int i = 0; i < count; i++)
                {
                    em[start + done + i] ^= _hashOutput[i];
                }
            }

            em[start] &= (byte)(0xFF >> zeroBits);

            // Step 10: PS zeros, then 0x01, then the salt.
            int one = start + dbLen - saltLength - 1;
            int difference = em[one] ^ 1;
            for (int i = start; i < one; i++)
            {
                difference |= em[i];
            }

            if (difference != 0)
            {
                return false;
            }

            // Steps 12 to 14: H' = Hash(00 x 8 || mHash || salt) must equal H.
            hash.Reset();
            hash.Update(_padding, 0, 8);
            hash.Update(digest, dOff, dLen);
            hash.Update(em, one + 1, saltLength);
            hash.Finish(_hashOutput, 0);
            for (int i = 0; i < hLen; i++)
            {
                difference |= em[hOffset + i] ^ _hashOutput[i];
            }

            return difference == 0;
        }

        /// <summary>
        /// RSAVP1 (RFC 8017 section 5.2.2): m = s^e mod n written as k octets into the encoded-message buffer, k the
        /// modulus length. -1 for a modulus that is empty, even or too long, a signature not k octets long
        /// (section 8.1.2/8.2.2 step 1) or not below the modulus (section 5.2.2 step 1), or an empty exponent.
        /// </summary>
        private int OpenSignature(byte[] modulus, int mOff, int mLen, byte[] exponent, int eOff, int eLen, byte[] signature, int sOff, int sLen)
        {
            while (mLen > 0 && modulus[mOff] == 0)
            {
                mOff++;
                mLen--;
            }

            while (eLen > 0 && exponent[eOff] == 0)
            {
                eOff++;
                eLen--;
            }

            int k = mLen;
            if (k == 0 || k > _maximumBytes || (modulus[mOff + k - 1] & 1) == 0 || sLen != k || eLen == 0 || eLen > k)
            {
                return -1;
            }

            int words = (k + 3) / 4;
            IntegerEncoding.FromBigEndian(modulus, mOff, k, _modulus, words);
            IntegerEncoding.FromBigEndian(signature, sOff, k, _representative, words);
            if (IntegerEncoding.LessThan(_representative, _modulus, words) == 0)
            {
                return -1;
            }

            int exponentWords = (eLen + 3) / 4;
            IntegerEncoding.FromBigEndian(exponent, eOff, eLen, _exponent, exponentWords);

            MontgomeryModulus arithmetic = _arithmetic;
            arithmetic.SetModulus(_modulus, words);
            arithmetic.ToMontgomery(_representative, _representative);
            arithmetic.Power(_representative, _exponent, exponentWords, _representative);
            arithmetic.FromMontgomery(_representative, _representative);
            IntegerEncoding.ToBigEndian(_representative, _encoded, 0, k);
            return k;
        }
    }
}
