namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Reads DER (X.690 section 10) tag-length-value elements in place. Every read is bounded by an end the caller
    /// holds (the enclosing element's end), so a length that runs past its parent is refused, not followed.
    /// </summary>
    public static class Der
    {
        public const int Boolean = 0x01;
        public const int Integer = 0x02;
        public const int BitString = 0x03;
        public const int OctetString = 0x04;
        public const int Null = 0x05;
        public const int ObjectIdentifier = 0x06;
        public const int UtcTime = 0x17;
        public const int GeneralizedTime = 0x18;
        public const int Sequence = 0x30;

        /// <summary>Context-specific constructed tag [n] (X.690 section 8.1.2): 0xA0 + n.</summary>
        public const int ContextConstructed = 0xA0;

        /// <summary>Context-specific primitive tag [n]: 0x80 + n.</summary>
        public const int ContextPrimitive = 0x80;

        /// <summary>
        /// Reads the element header at <paramref name="offset"/> and returns its content length, or -1 when the element
        /// is not DER or its content does not end by <paramref name="end"/>.
        /// </summary>
        /// <remarks>
        /// Refused: high tag numbers (X.690 section 8.1.2.4, none in RFC 5280's profile), the indefinite form (BER only,
        /// X.690 section 10.1), long forms with a leading zero byte or for a length below 128 (not the minimal encoding
        /// X.690 section 10.1 requires), and more than three length bytes (16 MB, beyond any certificate).
        /// </remarks>
        public static int Read(byte[] buffer, int offset, int end, out int tag, out int contentOffset)
        {
            tag = -1;
            contentOffset = end;
            if (offset < 0 || end > buffer.Length || end - offset < 2)
            {
                return -1;
            }

            int identifier = buffer[offset];
            int length = buffer[offset + 1];
            int position = offset + 2;
            if ((identifier & 0x1F) == 0x1F)
            {
                return -1;
            }

            if (length >= 0x80)
            {
                int count = length - 0x80;
                if (count == 0 || count > 3 || end - position < count || buffer[position] == 0)
                {
                    return -1;
                }

                length = 0;
                for (int i = 0; i < count; i++)
                {
                    length = (length << 8) | buffer[position++];
                }

                if (length < 0x80)
                {
                    return -1;
                }
            }

            if (length > end - position)
            {
                return -1;
            }

            tag = identifier;
            contentOffset = position;
            return length;
        }

        /// <summary>As <see cref="Read"/>, and -1 unless the element's tag is <paramref name="expectedTag"/>.</summary>
        public static int Expect(byte[] buffer, int offset, int end, int expectedTag, out int contentOffset)
        {
            int tag;
            int length = Read(buffer, offset, end, out tag, out contentOffset);
            return tag == expectedTag ? length : -1;
        }

        /// <summary>
        /// Reads an INTEGER that must be positive and returns the length of its magnitude without leading zero bytes,
        /// at <paramref name="valueOffset"/>; -1 when it is not an INTEGER, is negative or zero.
        /// </summary>
        public static int PositiveInteger(byte[] buffer, int offset, int end, out int valueOffset)
        {
            int length = Expect(buffer, offset, end, Integer, out valueOffset);
            if (length < 1 || buffer[valueOffset] >= 0x80)
            {
                return -1;
            }

            while (length > 0 && buffer[valueOffset] == 0)
            {
                valueOffset++;
                length--;
            }

            return length > 0 ? length : -1;
        }

        /// <summary>True when the two byte ranges are the same length and hold the same bytes.</summary>
        public static bool Equal(byte[] first, int firstOffset, int firstLength, byte[] second, int secondOffset, int secondLength)
        {
            if (firstLength != secondLength)
            {
                return false;
            }

            for (int i = 0; i < firstLength; i++)
            {
                if (first[firstOffset + i] != second[secondOffset + i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
