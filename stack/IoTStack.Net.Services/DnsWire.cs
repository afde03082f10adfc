using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// DNS message pieces (RFC 1035 section 4), shared by the unicast resolver and mDNS. Names are kept in
    /// wire form (length-prefixed labels ending in a zero byte) in the caller's buffers; compressed names
    /// are expanded with a guard against pointer loops.
    /// </summary>
    public static class DnsWire
    {
        public const int HeaderLength = 12;

        /// <summary>RFC 1035 section 3.1: a name in wire form is at most 255 bytes.</summary>
        public const int MaximumNameLength = 255;

        public const int TypeA = 1;
        public const int TypeCname = 5;
        public const int TypePtr = 12;
        public const int TypeTxt = 16;

        /// <summary>RFC 2782: priority, weight, port, target.</summary>
        public const int TypeSrv = 33;
        public const int TypeAny = 255;
        public const int ClassInternet = 1;

        /// <summary>RFC 6762 section 10.2 and 5.4: the top bit of a class is cache-flush in answers, unicast-response in questions.</summary>
        public const int ClassTopBit = 0x8000;

        public const int FlagResponse = 0x8000;
        public const int FlagAuthoritative = 0x0400;
        public const int FlagTruncated = 0x0200;
        public const int FlagRecursionDesired = 0x0100;
        public const int OpcodeMask = 0x7800;
        public const int RcodeMask = 0x000F;

        public const int RcodeNameError = 3;

        /// <summary>How many compression pointers one name may follow; each must also point below the last.</summary>
        private const int MaximumPointers = 32;

        public static void WriteHeader(byte[] buffer, int offset, int id, int flags, int questions, int answers, int authorities, int additionals)
        {
            NetworkOrder.WriteUInt16(buffer, offset, (ushort)id);
            NetworkOrder.WriteUInt16(buffer, offset + 2, (ushort)flags);
            NetworkOrder.WriteUInt16(buffer, offset + 4, (ushort)questions);
            NetworkOrder.WriteUInt16(buffer, offset + 6, (ushort)answers);
            NetworkOrder.WriteUInt16(buffer, offset + 8, (ushort)authorities);
            NetworkOrder.WriteUInt16(buffer, offset + 10, (ushort)additionals);
        }

        /// <summary>
        /// Encodes a dotted name in ASCII ("board.example.org", a final dot allowed) in wire form; returns its
        /// length, or -1 when it is not a name: an empty label, a label over 63 bytes, over 255 bytes in all, or
        /// a character outside printable ASCII.
        /// </summary>
        public static int EncodeName(byte[] text, int textOffset, int textLength, byte[] buffer, int offset)
        {
            if (text == null || textLength <= 0 || textLength > MaximumNameLength - 2 || buffer.Length - offset < textLength + 2)
            {
                return -1;
            }

            int end = text[textOffset + textLength - 1] == '.' ? textLength - 1 : textLength;
            int lengthAt = offset;
            int at = offset + 1;
            int label = 0;
            for (int i = 0; i <= end; i++)
            {
                if (i == end || text[textOffset + i] == '.')
                {
                    if (label == 0 || label > 63)
                    {
                        return -1;
                    }

                    buffer[lengthAt] = (byte)label;
                    lengthAt = at;
                    at++;
                    label = 0;
                    continue;
                }

                byte c = text[textOffset + i];
                if (c <= ' ' || c > '~')
                {
                    return -1;
                }

                buffer[at] = c;
                at++;
                label++;
            }

            buffer[lengthAt] = 0;
            return lengthAt + 1 - offset;
        }

        /// <summary>Copies a string's characters into <paramref name="ascii"/>; returns the length, or -1 if one is not ASCII or it does not fit.</summary>
        public static int ToAscii(string text, byte[] ascii)
        {
            if (text == null || text.Length > ascii.Length)
            {
                return -1;
            }

            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] > '~')
                {
                    return -1;
                }

                ascii[i] = (byte)text[i];
            }

            return text.Length;
        }

        /// <summary>
        /// Reads the (possibly compressed) name at <paramref name="offset"/> of a message into
        /// <paramref name="name"/> in wire form. Returns the name's length, or -1 when it runs past the
        /// message, a label is not a plain label, it grows over 255 bytes, or a pointer does not point below
        /// the label run it sits in (which is what makes a loop impossible). <paramref name="next"/> is where
        /// the record continues.
        /// </summary>
        public static int ReadName(byte[] message, int messageLength, int offset, byte[] name, out int next)
        {
            next = -1;
            int at = offset;
            int runStart = offset;
            int written = 0;
            int pointers = 0;
            while (true)
            {
                if (at >= messageLength)
                {
                    return -1;
                }

                int length = message[at];
                if ((length & 0xC0) == 0xC0)
                {
                    if (at + 1 >= messageLength || ++pointers > MaximumPointers)
                    {
                        return -1;
                    }

                    int target = ((length & 0x3F) << 8) | message[at + 1];
                    if (next < 0)
                    {
                        next = at + 2;
                    }

                    if (target >= runStart)
                    {
                        return -1; // forward or into itself: a loop, or a message built to make us walk in circles
                    }

                    at = target;
                    runStart = target;
                    continue;
                }

                if ((length & 0xC0) != 0)
                {
                    return -1; // 0x40 and 0x80 label types are extended or reserved (RFC 6891 section 5)
                }

                if (written + length + 1 > MaximumNameLength || at + 1 + length > messageLength)
                {
                    return -1;
                }

                name[written] = (byte)length;
                for (int i = 0; i < length; i++)
                {
                    name[written + 1 + i] = message[at + 1 + i];
                }

                written += length + 1;
                at += length + 1;
                if (length == 0)
                {
                    if (next < 0)
                    {
                        next = at;
                    }

                    return written;
                }
            }
        }

        /// <summary>Where the name at <paramref name="offset"/> ends (pointers not followed), or -1.</summary>
        public static int SkipName(byte[] message, int messageLength, int offset)
        {
            int at = offset;
            while (at < messageLength)
            {
                int length = message[at];
                if ((length & 0xC0) == 0xC0)
                {
                    return at + 2 <= messageLength ? at + 2 : -1;
                }

                if ((length & 0xC0) != 0)
                {
                    return -1;
                }

                at += length + 1;
                if (length == 0)
                {
                    return at <= messageLength ? at : -1;
                }
            }

            return -1;
        }

        /// <summary>Two names in wire form, equal ignoring ASCII case (RFC 4343).</summary>
        public static bool NameEquals(byte[] a, int aOffset, byte[] b, int bOffset)
        {
            int i = 0;
            while (true)
            {
                int length = a[aOffset + i];
                if (length != b[bOffset + i])
                {
                    return false;
                }

                if (length == 0)
                {
                    return true;
                }

                for (int j = 1; j <= length; j++)
                {
                    if (Lower(a[aOffset + i + j]) != Lower(b[bOffset + i + j]))
                    {
                        return false;
                    }
                }

                i += length + 1;
            }
        }

        /// <summary>Copies a name in wire form; returns its length.</summary>
        public static int CopyName(byte[] source, int sourceOffset, byte[] destination, int destinationOffset)
        {
            int i = 0;
            while (true)
            {
                int length = source[sourceOffset + i];
                for (int j = 0; j <= length; j++)
                {
                    destination[destinationOffset + i + j] = source[sourceOffset + i + j];
                }

                i += length + 1;
                if (length == 0)
                {
                    return i;
                }
            }
        }

        /// <summary>Whether a name in wire form ends in the label "local" (RFC 6762 section 3).</summary>
        public static bool IsLocal(byte[] name, int offset)
        {
            int last = -1;
            int i = offset;
            while (name[i] != 0)
            {
                last = i;
                i += name[i] + 1;
            }

            return last >= 0 && name[last] == 5 && Lower(name[last + 1]) == 'l' && Lower(name[last + 2]) == 'o'
                && Lower(name[last + 3]) == 'c' && Lower(name[last + 4]) == 'a' && Lower(name[last + 5]) == 'l';
        }

        /// <summary>
        /// Follows the answer section from the name in <paramref name="current"/> (wire form) through CNAME
        /// records (at most 8, in any order) to an A record of class IN. On return <paramref name="current"/>
        /// holds the last name of the chain; <paramref name="ttlSeconds"/> is the smallest TTL on the way
        /// (RFC 2181 section 8: a TTL with the top bit set counts as 0).
        /// </summary>
        public static DnsStatus FindAddress(byte[] message, int messageLength, int answersOffset, int answerCount, byte[] current, byte[] owner,
            out IPv4Address address, out long ttlSeconds)
        {
            address = IPv4Address.Any;
            ttlSeconds = 0xFFFFFFFFL;
            int links = 0;
            bool follow = true;
            while (follow)
            {
                follow = false;
                int at = answersOffset;
                for (int i = 0; i < answerCount; i++)
                {
                    int next;
                    if (ReadName(message, messageLength, at, owner, out next) < 0 || next + 10 > messageLength)
                    {
                        return DnsStatus.Malformed;
                    }

                    int type = NetworkOrder.ReadUInt16(message, next);
                    int recordClass = NetworkOrder.ReadUInt16(message, next + 2) & ~ClassTopBit;
                    long ttl = NetworkOrder.ReadUInt32(message, next + 4);
                    int dataLength = NetworkOrder.ReadUInt16(message, next + 8);
                    int data = next + 10;
                    if (data + dataLength > messageLength)
                    {
                        return DnsStatus.Malformed;
                    }

                    ttl = ttl > 0x7FFFFFFF ? 0 : ttl;
                    if (recordClass == ClassInternet && NameEquals(owner, 0, current, 0))
                    {
                        if (type == TypeA && dataLength == IPv4Address.Length)
                        {
                            address = IPv4Address.Read(message, data);
                            ttlSeconds = ttl < ttlSeconds ? ttl : ttlSeconds;
                            return DnsStatus.Resolved;
                        }

                        if (type == TypeCname)
                        {
                            int end;
                            if (++links > 8 || ReadName(message, data + dataLength, data, current, out end) < 0)
                            {
                                return DnsStatus.Malformed;
                            }

                            ttlSeconds = ttl < ttlSeconds ? ttl : ttlSeconds;
                            follow = true;
                            break;
                        }
                    }

                    at = data + dataLength;
                }
            }

            return DnsStatus.NoAddress;
        }

        private static int Lower(byte c)
        {
            return c >= 'A' && c <= 'Z' ? c + 32 : c;
        }
    }
}
