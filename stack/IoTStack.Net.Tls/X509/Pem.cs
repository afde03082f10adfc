namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Finds "CERTIFICATE" blocks in PEM text (RFC 7468 sections 2 and 5) and decodes their base64 (RFC 4648 section 4)
    /// into a caller's buffer, so an application can hand its trust anchors over as PEM without anything allocated.
    /// </summary>
    public static class Pem
    {
        private const string Begin = "-----BEGIN CERTIFICATE-----";
        private const string End = "-----END CERTIFICATE-----";

        /// <summary>
        /// Decodes the first certificate block between <paramref name="offset"/> and <paramref name="end"/> of
        /// <paramref name="text"/> (ASCII) into <paramref name="output"/> and returns its DER length, with
        /// <paramref name="next"/> just after the block's END line, to find the next one. Returns 0 when no block
        /// begins there, -1 for a block without END line, bad base64 or too small an output.
        /// </summary>
        /// <remarks>
        /// Text before BEGIN is skipped (RFC 7468 section 5.2); inside a block, spaces, tabs and line breaks of any kind are
        /// ignored, as section 3's lax reading allows; the base64 must be padded to a multiple of four characters.
        /// </remarks>
        public static int DecodeCertificate(byte[] text, int offset, int end, byte[] output, int outputOffset, out int next)
        {
            next = end;
            if (text == null || output == null || offset < 0 || end > text.Length || offset > end || outputOffset < 0 || outputOffset > output.Length)
            {
                return -1;
            }

            int start = IndexOf(text, offset, end, Begin);
            if (start < 0)
            {
                return 0;
            }

            start += Begin.Length;
            int stop = IndexOf(text, start, end, End);
            if (stop < 0)
            {
                return -1;
            }

            next = stop + End.Length;
            return DecodeBase64(text, start, stop, output, outputOffset);
        }

        private static int IndexOf(byte[] text, int offset, int end, string label)
        {
            for (int start = offset; start <= end - label.Length; start++)
            {
                int i = 0;
                while (i < label.Length && text[start + i] == label[i])
                {
                    i++;
                }

                if (i == label.Length)
                {
                    return start;
                }
            }

            return -1;
        }

        private static int DecodeBase64(byte[] text, int offset, int end, byte[] output, int outputOffset)
        {
            int written = outputOffset;
            int bits = 0;
            int accumulator = 0;
            int symbols = 0;
            int padding = 0;
            for (int i = offset; i < end; i++)
            {
                int character = text[i];
                if (character == ' ' || character == '\t' || character == '\r' || character == '\n')
                {
                    continue;
                }

                symbols++;
                int value = Base64Value(character);
                if (character == '=')
                {
                    padding++;
                    continue;
                }

                if (value < 0 || padding > 0)
                {
                    return -1;
                }

                accumulator = (accumulator << 6) | value;
                bits += 6;
                if (bits >= 8)
                {
                    bits -= 8;
                    if (written == output.Length)
                    {
                        return -1;
                    }

                    output[written++] = (byte)(accumulator >> bits);
                }
            }

            return symbols % 4 != 0 || padding > 2 ? -1 : written - outputOffset;
        }

        private static int Base64Value(int character)
        {
            if (character >= 'A' && character <= 'Z')
            {
                return character - 'A';
            }

            if (character >= 'a' && character <= 'z')
            {
                return character - 'a' + 26;
            }

            if (character >= '0' && character <= '9')
            {
                return character - '0' + 52;
            }

            return character == '+' ? 62 : character == '/' ? 63 : -1;
        }
    }
}
