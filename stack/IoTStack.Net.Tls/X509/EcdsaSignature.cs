namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Turns the DER Ecdsa-Sig-Value that certificates (RFC 5480 section 2.2 via RFC 3279 section 2.2.3) and TLS
    /// CertificateVerify (RFC 8446 section 4.2.3) carry into the fixed-size r and s an ECDSA verifier works on, and
    /// back, for the board's own CertificateVerify.
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

        /// <summary>
        /// Writes r || s (each big-endian over <paramref name="fieldSize"/> bytes at <paramref name="offset"/>) as the DER
        /// Ecdsa-Sig-Value and returns its length: each INTEGER minimal (X.690 section 8.3.2), leading zero octets
        /// dropped and one 0x00 put back when the top bit is set, so the value stays positive. -1 when r or s is zero,
        /// the output has no room, or the value would need a long-form length (fields of more than 61 bytes).
        /// </summary>
        public static int ToDer(byte[] fixedSignature, int offset, int fieldSize, byte[] output, int outputOffset)
        {
            if (fixedSignature == null || output == null || offset < 0 || fieldSize < 1 || offset > fixedSignature.Length - 2 * fieldSize
                || outputOffset < 0 || outputOffset > output.Length)
            {
                return -1;
            }

            int r = Significant(fixedSignature, offset, fieldSize);
            int s = Significant(fixedSignature, offset + fieldSize, fieldSize);
            int rLength = offset + fieldSize - r;
            int sLength = offset + 2 * fieldSize - s;
            if (rLength == 0 || sLength == 0)
            {
                return -1;
            }

            int content = 4 + rLength + (fixedSignature[r] >> 7) + sLength + (fixedSignature[s] >> 7);
            if (content > 127 || output.Length - outputOffset < 2 + content)
            {
                return -1;
            }

            output[outputOffset] = Der.Sequence;
            output[outputOffset + 1] = (byte)content;
            int at = WriteInteger(fixedSignature, r, rLength, output, outputOffset + 2);
            WriteInteger(fixedSignature, s, sLength, output, at);
            return 2 + content;
        }

        /// <summary>Where the first non-zero octet of the field is (its end when all are zero).</summary>
        private static int Significant(byte[] field, int offset, int length)
        {
            int end = offset + length;
            while (offset < end && field[offset] == 0)
            {
                offset++;
            }

            return offset;
        }

        private static int WriteInteger(byte[] magnitude, int offset, int length, byte[] output, int at)
        {
            int pad = magnitude[offset] >> 7;
            output[at] = Der.Integer;
            output[at + 1] = (byte)(length + pad);
            output[at + 2] = 0;
            System.Array.Copy(magnitude, offset, output, at + 2 + pad, length);
            return at + 2 + pad + length;
        }
    }
}
