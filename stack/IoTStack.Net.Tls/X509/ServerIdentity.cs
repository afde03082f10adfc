namespace IoTStack.Net.Tls.X509
{
    /// <summary>
    /// Matches the host name a client connected to against a certificate's subjectAltName (RFC 9525, which obsoletes
    /// RFC 6125, section 6). Only DNS-IDs and iPAddress entries are identifiers: the subject's common name is never
    /// consulted (RFC 9525 section 6.3, RFC 9110 section 4.3.4), so a certificate without subjectAltName matches nothing.
    /// </summary>
    public static class ServerIdentity
    {
        private const int DnsName = Der.ContextPrimitive + 2;
        private const int IPAddress = Der.ContextPrimitive + 7;

        /// <summary>
        /// True when a dNSName entry matches <paramref name="hostName"/>, or, when the host name is an IPv4 literal
        /// (dotted decimal), when an iPAddress entry holds that address (RFC 5280 section 4.2.1.6).
        /// </summary>
        public static bool Matches(Certificate certificate, string hostName)
        {
            if (hostName == null || hostName.Length == 0)
            {
                return false;
            }

            long address = ParseIPv4(hostName);
            byte[] buffer = certificate.Buffer;
            int position = certificate.SubjectAltNamesOffset;
            int end = position + certificate.SubjectAltNamesLength;
            while (position < end)
            {
                int tag;
                int content;
                int length = Der.Read(buffer, position, end, out tag, out content);
                if (length < 0)
                {
                    return false;
                }

                position = content + length;
                if (address >= 0 ? tag == IPAddress && length == 4 && ReadUInt32(buffer, content) == address
                    : tag == DnsName && DnsNameMatches(buffer, content, length, hostName))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// A DNS-ID against the host name, ASCII case-insensitively (RFC 9525 section 6.3). A wildcard is recognised
        /// only as the whole left-most label, followed by at least two labels (so "*.com" matches nothing), and stands
        /// for exactly one non-empty label (section 6.3: "*.example.com" matches "a.example.com", not "example.com" or
        /// "a.b.example.com"). One trailing dot on the host name is ignored (an absolute name).
        /// </summary>
        private static bool DnsNameMatches(byte[] buffer, int offset, int length, string hostName)
        {
            int hostLength = hostName[hostName.Length - 1] == '.' ? hostName.Length - 1 : hostName.Length;
            int host = 0;
            if (length > 2 && buffer[offset] == '*' && buffer[offset + 1] == '.')
            {
                // Skip the '*' and the host's first label; compare from the dots on.
                offset++;
                length--;
                if (!HasInnerDot(buffer, offset + 1, length - 1))
                {
                    return false;
                }

                while (host < hostLength && hostName[host] != '.')
                {
                    host++;
                }

                if (host == 0)
                {
                    return false;
                }
            }

            if (hostLength - host != length || length == 0)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                if (LowerCase(buffer[offset + i]) != LowerCase(hostName[host + i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>True when the bytes hold a dot that is neither their first nor their last byte: at least two labels.</summary>
        private static bool HasInnerDot(byte[] buffer, int offset, int length)
        {
            for (int i = 1; i < length - 1; i++)
            {
                if (buffer[offset + i] == '.')
                {
                    return true;
                }
            }

            return false;
        }

        private static int LowerCase(int character)
        {
            return character >= 'A' && character <= 'Z' ? character + ('a' - 'A') : character;
        }

        private static long ReadUInt32(byte[] buffer, int offset)
        {
            return ((long)buffer[offset] << 24) | ((long)buffer[offset + 1] << 16) | ((long)buffer[offset + 2] << 8) | buffer[offset + 3];
        }

        /// <summary>The IPv4 address of a dotted-decimal host name (four numbers 0 to 255, no leading zeros), or -1.</summary>
        private static long ParseIPv4(string hostName)
        {
            long address = 0;
            int octets = 0;
            int position = 0;
            while (position < hostName.Length && octets < 4)
            {
                int start = position;
                int value = 0;
                while (position < hostName.Length && position - start < 3 && hostName[position] >= '0' && hostName[position] <= '9')
                {
                    value = value * 10 + hostName[position++] - '0';
                }

                int digits = position - start;
                if (digits == 0 || value > 255 || (digits > 1 && hostName[start] == '0'))
                {
                    return -1;
                }

                address = (address << 8) | (uint)value;
                octets++;
                if (position < hostName.Length && (octets == 4 || hostName[position++] != '.'))
                {
                    return -1;
                }
            }

            return octets == 4 && position == hostName.Length ? address : -1;
        }
    }
}
