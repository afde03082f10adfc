namespace IoTStack.Net.Tls.X509
{
    /// <summary>Finds modulus and public exponent in the RSAPublicKey DER a certificate holds for an RSA key.</summary>
    public static class RsaPublicKey
    {
        /// <summary>
        /// Reads RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 appendix A.1.1) and
        /// gives both magnitudes, big-endian without leading zero bytes; false when the key is not that structure.
        /// </summary>
        public static bool Locate(byte[] key, int offset, int length, out int modulusOffset, out int modulusLength, out int exponentOffset, out int exponentLength)
        {
            modulusOffset = 0;
            modulusLength = -1;
            exponentOffset = 0;
            exponentLength = -1;
            if (key == null || offset < 0 || length < 0 || offset > key.Length - length)
            {
                return false;
            }

            int end = offset + length;
            int content;
            if (Der.Expect(key, offset, end, Der.Sequence, out content) != end - content)
            {
                return false;
            }

            modulusLength = Der.PositiveInteger(key, content, end, out modulusOffset);
            if (modulusLength < 0)
            {
                return false;
            }

            exponentLength = Der.PositiveInteger(key, modulusOffset + modulusLength, end, out exponentOffset);
            return exponentLength > 0 && exponentOffset + exponentLength == end;
        }
    }
}
