namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Turns the DER Ecdsa-Sig-Value that certificates (RFC 5480 section 2.2 via RFC 3279 section 2.2.3) and TLS
    /// CertificateVerify (RFC 8446 section 4.2.3) carry into the fixed-size r and s an ECDSA verifier works on.
    /// </summary>
    public static class EcdsaSignature
    {
        /// <summary>
        /// Reads Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } and writes r then s to <paramref name="output"/>,
        /// each big-endian and left-padded to <paramref name="fieldSize"/> bytes (32 for P-256, 48 for P-384). False when
        /// the signature is not DER, r or s is zero, negative or longer than the field, or the output has no room.
        /// </summary>
        public static bool ToFixed(byte[] signature, int offset, int length, byte[] output, int outputOffset, int fieldSize)
        {
            if (signature == null || output == null || offset < 0 || length < 0 || offset > signature.Length - length
                || outputOffset < 0 || fieldSize < 1 || outputOffset > output.Length - 2 * fieldSize)
            {
                return false;
            }

            int end = offset + length;
            int content;
            if (Der.Expect(signature, offset, end, Der.Sequence, out content) != end - content)
            {
                return false;
            }

            int r;
            int rLength = Der.PositiveInteger(signature, content, end, out r);
            if (rLength < 0 || rLength > fieldSize)
            {
                return false;
            }

            // The magnitude ends where the INTEGER ends, so s starts right after it.
            int s;
            int sLength = Der.PositiveInteger(signature, r + rLength, end, out s);
            if (sLength < 0 || sLength > fieldSize || s + sLength != end)
            {
                return false;
            }

            System.Array.Clear(output, outputOffset, 2 * fieldSize);
            System.Array.Copy(signature, r, output, outputOffset + fieldSize - rLength, rLength);
            System.Array.Copy(signature, s, output, outputOffset + 2 * fieldSize - sLength, sLength);
            return true;
        }
    }
}
