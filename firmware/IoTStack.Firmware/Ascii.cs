namespace IoTStack.Firmware
{
    /// <summary>Comparisons and number parsing on ASCII bytes in place.</summary>
    internal static class Ascii
    {
        internal static bool Equals(byte[] buffer, int offset, int length, string text, bool ignoreCase)
        {
            if (length != text.Length)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                int a = buffer[offset + i];
                int b = text[i];
                if (ignoreCase)
                {
                    a = Lower(a);
                    b = Lower(b);
                }

                if (a != b)
                {
                    return false;
                }
            }

            return true;
        }

        internal static bool StartsWith(byte[] buffer, int offset, int length, string text)
        {
            return length >= text.Length && Equals(buffer, offset, text.Length, text, false);
        }

        internal static bool Contains(byte[] buffer, int offset, int length, string text)
        {
            for (int i = 0; i + text.Length <= length; i++)
            {
                if (Equals(buffer, offset + i, text.Length, text, true))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A decimal number of 1 to 15 digits, nothing else.</summary>
        internal static bool TryParseNumber(byte[] buffer, int offset, int length, out long value)
        {
            value = 0;
            if (length < 1 || length > 15)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                int digit = buffer[offset + i] - '0';
                if (digit < 0 || digit > 9)
                {
                    return false;
                }

                value = value * 10 + digit;
            }

            return true;
        }

        private static int Lower(int c)
        {
            return c >= 'A' && c <= 'Z' ? c + 32 : c;
        }
    }
}
