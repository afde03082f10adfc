namespace IoTStack.Firmware
{
    /// <summary>
    /// The parts of an HTTP/1.x request head (RFC 9112) the firmware acts on, read in place. One instance, reused for
    /// every request: as a struct it was a heap object per parse on nanoCLR (DESIGN.md rule 2).
    /// </summary>
    internal sealed class HttpRequest
    {
        internal int HeadLength;
        internal int MethodStart;
        internal int MethodLength;
        internal int TargetStart;
        internal int TargetLength;
        internal bool Http11;
        internal long ContentLength;
        internal bool Chunked;
        internal bool Close;
        internal bool KeepAlive;

        /// <summary>
        /// Finds a whole head in buffer[0..length). Returns 1 when one is there and parsed, 0 when more bytes are
        /// needed, -1 when the head is malformed.
        /// </summary>
        internal int Parse(byte[] buffer, int length)
        {
            HttpRequest request = this;
            request.HeadLength = 0;
            request.MethodStart = 0;
            request.MethodLength = 0;
            request.TargetStart = 0;
            request.TargetLength = 0;
            request.Http11 = false;
            request.ContentLength = 0;
            request.Chunked = false;
            request.Close = false;
            request.KeepAlive = false;
            int end = -1;
            for (int i = 3; i < length; i++)
            {
                if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r')
                {
                    end = i + 1;
                    break;
                }
            }

            if (end < 0)
            {
                return 0;
            }

            request.HeadLength = end;
            int lineEnd = IndexOf(buffer, 0, end, (byte)'\r');
            int firstSpace = IndexOf(buffer, 0, lineEnd, (byte)' ');
            int secondSpace = firstSpace < 0 ? -1 : IndexOf(buffer, firstSpace + 1, lineEnd, (byte)' ');
            if (firstSpace <= 0 || secondSpace <= firstSpace + 1)
            {
                return -1;
            }

            request.MethodStart = 0;
            request.MethodLength = firstSpace;
            request.TargetStart = firstSpace + 1;
            request.TargetLength = secondSpace - firstSpace - 1;
            int version = secondSpace + 1;
            if (!Ascii.Equals(buffer, version, lineEnd - version, "HTTP/1.1", false) && !Ascii.Equals(buffer, version, lineEnd - version, "HTTP/1.0", false))
            {
                return -1;
            }

            request.Http11 = buffer[lineEnd - 1] == '1';
            request.ContentLength = 0;
            int line = lineEnd + 2;
            while (line < end - 2)
            {
                int next = IndexOf(buffer, line, end, (byte)'\r');
                int colon = IndexOf(buffer, line, next, (byte)':');
                if (colon <= line)
                {
                    return -1;
                }

                int value = colon + 1;
                while (value < next && buffer[value] == ' ')
                {
                    value++;
                }

                int valueLength = next - value;
                if (Ascii.Equals(buffer, line, colon - line, "content-length", true))
                {
                    long parsed;
                    if (!Ascii.TryParseNumber(buffer, value, valueLength, out parsed))
                    {
                        return -1;
                    }

                    request.ContentLength = parsed;
                }
                else if (Ascii.Equals(buffer, line, colon - line, "transfer-encoding", true))
                {
                    request.Chunked = true;
                }
                else if (Ascii.Equals(buffer, line, colon - line, "connection", true))
                {
                    request.Close = Ascii.Contains(buffer, value, valueLength, "close");
                    request.KeepAlive = Ascii.Contains(buffer, value, valueLength, "keep-alive");
                }

                line = next + 2;
            }

            return 1;
        }

        private static int IndexOf(byte[] buffer, int from, int to, byte value)
        {
            for (int i = from; i < to; i++)
            {
                if (buffer[i] == value)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
