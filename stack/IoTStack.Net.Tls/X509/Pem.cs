namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Finds labelled blocks in PEM text (RFC 7468 sections 2 and 5), "CERTIFICATE" for trust anchors and chains, the
    /// private key labels for a board's own key, and decodes their base64 (RFC 4648 section 4) into a caller's buffer,
    /// so an application can hand its certificates and keys over as PEM without anything allocated.
    /// </summary>
    public static class Pem
    {
        private const string BeginPrefix = "-----BEGIN ";
        private const string EndPrefix = "-----END ";
        private const string Dashes = "-----";

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
            return Decode(text, offset, end, "CERTIFICATE", output, outputOffset, out next);
        }

        /// <summary>
        /// As <see cref="DecodeCertificate"/> for the first block labelled <paramref name="label"/> ("-----BEGIN " label
        /// "-----"; "PRIVATE KEY" does not match "EC PRIVATE KEY").
        /// </summary>
        public static int Decode(byte[] text, int offset, int end, string label, byte[] output, int outputOffset, out int next)
        {
            next = end;
            if (output == null || outputOffset < 0 || outputOffset > output.Length)
            {
                return -1;
            }

            int start;
            int stop;
            int found = Find(text, offset, end, label, out start, out stop, out next);
            return found <= 0 ? found : DecodeBase64(text, start, stop, output, outputOffset);
        }

        /// <summary>
        /// Finds the first block labelled <paramref name="label"/>: 1 with its base64 text between
        /// <paramref name="contentStart"/> and <paramref name="contentEnd"/> and <paramref name="next"/> after its END line;
        /// 0 when no block begins there; -1 for a BEGIN line without its END line, or a range outside the text.
        /// </summary>
        internal static int Find(byte[] text, int offset, int end, string label, out int contentStart, out int contentEnd, out int next)
        {
            contentStart = end;
            contentEnd = end;
            next = end;
            if (text == null || offset < 0 || end > text.Length || offset > end)
            {
                return -1;
            }

            int begin = IndexOfBoundary(text, offset, end, BeginPrefix, label);
            if (begin < 0)
            {
                return 0;
            }

            int start = begin + BeginPrefix.Length + label.Length + Dashes.Length;
            int stop = IndexOfBoundary(text, start, end, EndPrefix, label);
            if (stop < 0)
            {
                return -1;
            }

            contentStart = start;
            contentEnd = stop;
            next = stop + EndPrefix.Length + label.Length + Dashes.Length;
            return 1;
        }

        /// <summary>Where <paramref name="value"/> (ASCII) first occurs in the text between the offsets, or -1.</summary>
        internal static int IndexOf(byte[] text, int offset, int end, string value)
        {
            for (int start = offset; start <= end - value.Length; start++)
            {
                if (Matches(text, start, value))
                {
                    return start;
                }
            }

            return -1;
        }

        /// <summary>Decodes the base64 between the offsets (whitespace ignored) into the output; its length, or -1.</summary>
        // "-----BEGIN " or "-----END ", the label, "-----" (RFC 7468 section 3), without building the string.
        private static int IndexOfBoundary(byte[] text, int offset, int end, string prefix, string label)
        {
            int last = end - prefix.Length - label.Length - Dashes.Length;
            for (int start = offset; start <= last; start++)
            {
                if (text[start] == '-' && Matches(text, start, prefix) && Matches(text, start + prefix.Length, label)
                    && Matches(text, start + prefix.Length + label.Length, Dashes))
                {
                    return start;
                }
            }

            return -1;
        }

        private static bool Matches(byte[] text, int at, string value)
        {
            for (int i = 0; i < value.Length; i++)
            {
                if (text[at + i] != value[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Decodes the base64 between the offsets (whitespace ignored) into the output; its length, or -1.</summary>
        internal static int DecodeBase64(byte[] text, int offset, int end, byte[] output, int outputOffset)
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
