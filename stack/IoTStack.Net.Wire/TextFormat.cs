namespace IoTStack.Net.Wire
{
    /// <summary>Character helpers for the text forms of addresses (no culture, no allocation).</summary>
    public static class TextFormat
    {
        public static char HexDigit(int nibble)
        {
            nibble &= 0xF;
            return (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
        }

        /// <summary>The value of a hex digit, or -1.</summary>
        public static int HexValue(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }

            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }

            return -1;
        }
    }
}
