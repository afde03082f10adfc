namespace IoTStack.Crypto.PublicKey
{
    /// <summary>
    /// Conversions between octet strings and integers held as little-endian arrays of 32-bit words: OS2IP and I2OSP
    /// (RFC 8017 section 4), SEC 1 section 2.3.7/2.3.8 (the same big-endian rule), and RFC 7748 section 5's
    /// little-endian decoding. Also the word comparisons every caller needs, none of which branches on the values.
    /// </summary>
    internal static class IntegerEncoding
    {
        /// <summary>OS2IP: <paramref name="length"/> big-endian octets into <paramref name="words"/> words (length &lt;= 4 words).</summary>
        public static void FromBigEndian(byte[] octets, int offset, int length, uint[] integer, int words)
        {
            System.Array.Clear(integer, 0, words);
            for (int i = 0; i < length; i++)
            {
                integer[i >> 2] |= (uint)octets[offset + length - 1 - i] << ((i & 3) << 3);
            }
        }

        /// <summary>A big-endian hexadecimal constant as written in FIPS 186-4 appendix D and SEC 2, into <paramref name="words"/> words.</summary>
        public static void FromHex(string hex, uint[] integer, int words)
        {
            System.Array.Clear(integer, 0, words);
            int digits = hex.Length;
            for (int i = 0; i < digits; i++)
            {
                uint digit = hex[digits - 1 - i];
                digit = digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;
                integer[i >> 3] |= digit << ((i & 7) << 2);
            }
        }

        /// <summary>I2OSP: the low <paramref name="length"/> octets of the integer, big-endian.</summary>
        public static void ToBigEndian(uint[] integer, byte[] octets, int offset, int length)
        {
            for (int i = 0; i < length; i++)
            {
                octets[offset + length - 1 - i] = (byte)(integer[i >> 2] >> ((i & 3) << 3));
            }
        }

        /// <summary>RFC 7748 section 5 decodeLittleEndian of 32 octets into 8 words.</summary>
        public static void FromLittleEndian(byte[] octets, int offset, uint[] integer, int words)
        {
            for (int i = 0; i < words; i++)
            {
                int at = offset + (i << 2);
                integer[i] = octets[at] | ((uint)octets[at + 1] << 8) | ((uint)octets[at + 2] << 16) | ((uint)octets[at + 3] << 24);
            }
        }

        /// <summary>RFC 7748 section 5 encodeUCoordinate of a reduced integer.</summary>
        public static void ToLittleEndian(uint[] integer, int words, byte[] octets, int offset)
        {
            for (int i = 0; i < words << 2; i++)
            {
                octets[offset + i] = (byte)(integer[i >> 2] >> ((i & 3) << 3));
            }
        }

        /// <summary>1 when a &lt; b, else 0; the time depends only on <paramref name="words"/>.</summary>
        public static uint LessThan(uint[] a, uint[] b, int words)
        {
            ulong borrow = 0;
            for (int i = 0; i < words; i++)
            {
                borrow = ((ulong)a[i] - b[i] - borrow) >> 63;
            }

            return (uint)borrow;
        }

        /// <summary>1 when the integer is zero, else 0; the time depends only on <paramref name="words"/>.</summary>
        public static uint IsZero(uint[] a, int words)
        {
            uint any = 0;
            for (int i = 0; i < words; i++)
            {
                any |= a[i];
            }

            return (uint)(((ulong)any - 1) >> 63);
        }

        /// <summary>1 when the integers are equal, else 0; the time depends only on <paramref name="words"/>.</summary>
        public static uint AreEqual(uint[] a, uint[] b, int words)
        {
            uint difference = 0;
            for (int i = 0; i < words; i++)
            {
                difference |= a[i] ^ b[i];
            }

            return (uint)(((ulong)difference - 1) >> 63);
        }

        /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> when <paramref name="condition"/> is 1, keeps it when 0, without branching.</summary>
        public static void Select(uint condition, uint[] source, uint[] target, int words)
        {
            uint mask = 0 - condition;
            for (int i = 0; i < words; i++)
            {
                target[i] ^= (target[i] ^ source[i]) & mask;
            }
        }

        /// <summary>Exchanges the integers when <paramref name="condition"/> is 1 (RFC 7748 section 5 cswap), without branching.</summary>
        public static void Swap(uint condition, uint[] a, uint[] b, int words)
        {
            uint mask = 0 - condition;
            for (int i = 0; i < words; i++)
            {
                uint exchange = (a[i] ^ b[i]) & mask;
                a[i] ^= exchange;
                b[i] ^= exchange;
            }
        }
    }
}
