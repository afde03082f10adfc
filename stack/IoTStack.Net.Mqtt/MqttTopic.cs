namespace IoTStack.Net.Mqtt
{
    /// <summary>Topic names and filters as bytes (MQTT 3.1.1 section 4.7, 5.0 section 4.7): checks and matching, nothing allocated.</summary>
    public static class MqttTopic
    {
        /// <summary>
        /// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) without U+0000
        /// (3.1.1 section 1.5.3, 5.0 section 1.5.4).
        /// </summary>
        public static bool IsValidUtf8(byte[] buffer, int offset, int length)
        {
            int end = offset + length;
            int i = offset;
            while (i < end)
            {
                int b = buffer[i];
                if (b < 0x80)
                {
                    if (b == 0)
                    {
                        return false;
                    }

                    i++;
                    continue;
                }

                int more;
                int minimum;
                int value;
                if ((b & 0xE0) == 0xC0)
                {
                    more = 1;
                    minimum = 0x80;
                    value = b & 0x1F;
                }
                else if ((b & 0xF0) == 0xE0)
                {
                    more = 2;
                    minimum = 0x800;
                    value = b & 0x0F;
                }
                else if ((b & 0xF8) == 0xF0)
                {
                    more = 3;
                    minimum = 0x10000;
                    value = b & 0x07;
                }
                else
                {
                    return false;
                }

                if (end - i <= more)
                {
                    return false;
                }

                for (int k = 1; k <= more; k++)
                {
                    int c = buffer[i + k];
                    if ((c & 0xC0) != 0x80)
                    {
                        return false;
                    }

                    value = (value << 6) | (c & 0x3F);
                }

                if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
                {
                    return false;
                }

                i += more + 1;
            }

            return true;
        }

        /// <summary>Whether two byte runs of <paramref name="length"/> bytes are the same (topic names compare byte for byte, section 4.7.3).</summary>
        public static bool Equal(byte[] a, int aOffset, byte[] b, int bOffset, int length)
        {
            for (int i = 0; i < length; i++)
            {
                if (a[aOffset + i] != b[bOffset + i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>A topic name to publish to: no wildcards; empty only in 5.0, where a topic alias stands for it (section 4.7.3).</summary>
        public static bool IsValidName(byte[] buffer, int offset, int length, bool emptyAllowed)
        {
            if (length == 0)
            {
                return emptyAllowed;
            }

            for (int i = offset; i < offset + length; i++)
            {
                byte b = buffer[i];
                if (b == (byte)'+' || b == (byte)'#')
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// A topic filter: not empty, '#' only last and alone in its level, '+' alone in its level (3.1.1 sections 4.7.1.2
        /// and 4.7.1.3).
        /// </summary>
        public static bool IsValidFilter(byte[] buffer, int offset, int length)
        {
            if (length == 0)
            {
                return false;
            }

            int end = offset + length;
            for (int i = offset; i < end; i++)
            {
                byte b = buffer[i];
                if (b == (byte)'#' || b == (byte)'+')
                {
                    if (i > offset && buffer[i - 1] != (byte)'/')
                    {
                        return false;
                    }

                    if (b == (byte)'#' && i != end - 1)
                    {
                        return false;
                    }

                    if (b == (byte)'+' && i != end - 1 && buffer[i + 1] != (byte)'/')
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>
        /// Whether a topic name matches a (valid) filter (3.1.1 section 4.7): '+' is one level, '#' this level and all below,
        /// the parent included ("a/#" matches "a"); a name starting with '$' is not matched by a filter starting with a
        /// wildcard (section 4.7.2).
        /// </summary>
        public static bool Matches(byte[] filter, int filterOffset, int filterLength, byte[] topic, int topicOffset, int topicLength)
        {
            if (topicLength > 0 && topic[topicOffset] == (byte)'$' && filterLength > 0
                && (filter[filterOffset] == (byte)'+' || filter[filterOffset] == (byte)'#'))
            {
                return false;
            }

            int f = 0;
            int t = 0;
            while (f < filterLength)
            {
                byte c = filter[filterOffset + f];
                if (c == (byte)'#')
                {
                    return true;
                }

                if (c == (byte)'+')
                {
                    while (t < topicLength && topic[topicOffset + t] != (byte)'/')
                    {
                        t++;
                    }

                    f++;
                    continue;
                }

                if (t >= topicLength)
                {
                    return filterLength - f == 2 && c == (byte)'/' && filter[filterOffset + f + 1] == (byte)'#';
                }

                if (topic[topicOffset + t] != c)
                {
                    return false;
                }

                f++;
                t++;
            }

            return t == topicLength;
        }

        /// <summary>Writes <paramref name="text"/> as UTF-8 into a new array: for options and set-up, not the packet paths.</summary>
        public static byte[] Encode(string text)
        {
            if (text == null)
            {
                return null;
            }

            int length = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                length += c < 0x80 ? 1 : (c < 0x800 ? 2 : 3);
            }

            byte[] bytes = new byte[length];
            int at = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    int code = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    bytes[at] = (byte)(0xF0 | (code >> 18));
                    bytes[at + 1] = (byte)(0x80 | ((code >> 12) & 0x3F));
                    bytes[at + 2] = (byte)(0x80 | ((code >> 6) & 0x3F));
                    bytes[at + 3] = (byte)(0x80 | (code & 0x3F));
                    at += 4; // the pair counted 3 + 3 above; 2 bytes spare at the end, trimmed below
                    i++;
                }
                else if (c < 0x80)
                {
                    bytes[at] = (byte)c;
                    at++;
                }
                else if (c < 0x800)
                {
                    bytes[at] = (byte)(0xC0 | (c >> 6));
                    bytes[at + 1] = (byte)(0x80 | (c & 0x3F));
                    at += 2;
                }
                else
                {
                    bytes[at] = (byte)(0xE0 | (c >> 12));
                    bytes[at + 1] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    bytes[at + 2] = (byte)(0x80 | (c & 0x3F));
                    at += 3;
                }
            }

            if (at == length)
            {
                return bytes;
            }

            byte[] trimmed = new byte[at];
            System.Array.Copy(bytes, trimmed, at);
            return trimmed;
        }
    }
}
