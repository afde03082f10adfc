using IoTStack.Net.Link;
using IoTStack.Net.Sockets;

namespace IoTStack.Net.Tls.Http
{
    /// <summary>
    /// One HTTPS GET at a time over a <see cref="TlsConnection"/> (issue 18 item 2), poll-driven like the connection
    /// itself: <see cref="Start"/> queues "GET path HTTP/1.1" with Host and "Connection: close" (RFC 9112 sections 3 and
    /// 9.6), <see cref="Poll"/> connects, sends, parses the status line and header fields and hands the body to an
    /// <see cref="IHttpsBodyReceiver"/>, its end known from Content-Length, the chunked coding (decoded here) or the
    /// server's close_notify (RFC 9112 section 6.3). One buffer, taken at construction, holds the request, the head and
    /// each read of the body: nothing allocates afterwards, and a bad response ends in <see cref="Error"/>, never a throw.
    /// </summary>
    public sealed class HttpsGet : IPollable
    {
        private const int BodyLength = 1;
        private const int BodyChunked = 2;
        private const int BodyToClose = 3;

        private const int ChunkSize = 0;
        private const int ChunkExtension = 1;
        private const int ChunkSizeEnd = 2;
        private const int ChunkData = 3;
        private const int ChunkDataEnd = 4;
        private const int ChunkDataEndLf = 5;
        private const int Trailer = 6;

        private const long MaximumLength = 0xFFFFFFFFFFFFL; // 2^48 - 1: far beyond any board, safe from overflow

        private readonly TlsConnection _connection;
        private readonly IClock _clock;
        private readonly IHttpsBodyReceiver _receiver;
        private readonly byte[] _buffer;
        private HttpsGetState _state;
        private HttpsError _error;
        private SocketResult _socketResult;
        private uint _address;
        private int _port;
        private bool _connectStarted;
        private int _requestLength;
        private int _sent;
        private int _count;
        private int _scan;
        private int _lineStart;
        private long _deadline;
        private int _status;
        private long _contentLength;
        private bool _transferEncoded;
        private bool _chunked;
        private int _bodyMode;
        private long _remaining;
        private int _chunkState;
        private int _chunkDigits;
        private int _trailerLine;
        private long _bytesReceived;

        /// <param name="connection">The TLS connection the request goes over; the helper polls it.</param>
        /// <param name="clock">For <see cref="ResponseTimeoutMs"/>.</param>
        /// <param name="receiver">Gets the body as it arrives; null counts it and drops it.</param>
        /// <param name="bufferSize">Request, head and body reads (256 .. 16384): the response head must fit.</param>
        public HttpsGet(TlsConnection connection, IClock clock, IHttpsBodyReceiver receiver, int bufferSize)
        {
            if (connection == null || clock == null)
            {
                throw new System.ArgumentNullException(connection == null ? "connection" : "clock");
            }

            if (bufferSize < 256 || bufferSize > 16384)
            {
                throw new System.ArgumentOutOfRangeException("bufferSize");
            }

            _connection = connection;
            _clock = clock;
            _receiver = receiver;
            _buffer = new byte[bufferSize];
        }

        /// <summary>After the handshake, the longest wait for the next bytes of the response.</summary>
        public int ResponseTimeoutMs = 20000;

        public HttpsGetState State
        {
            get { return _state; }
        }

        /// <summary>True while a request is under way (Start was called and the response has not ended).</summary>
        public bool IsBusy
        {
            get { return _state != HttpsGetState.Idle && _state != HttpsGetState.Done && _state != HttpsGetState.Failed; }
        }

        public HttpsError Error
        {
            get { return _error; }
        }

        /// <summary>The TLS client's error when <see cref="Error"/> is Tls.</summary>
        public TlsError TlsError
        {
            get { return _connection.Client.LastError; }
        }

        /// <summary>The socket's error when <see cref="Error"/> is Socket (or the TLS connection's end result).</summary>
        public SocketResult SocketResult
        {
            get { return _socketResult; }
        }

        /// <summary>The status code of the final response (RFC 9110 section 15), 0 until its status line arrived.</summary>
        public int Status
        {
            get { return _status; }
        }

        /// <summary>The response's Content-Length, -1 when it has none (chunked or read to the close).</summary>
        public long ContentLength
        {
            get { return _contentLength; }
        }

        /// <summary>Body bytes handed to the receiver so far (decoded: chunk framing is not counted).</summary>
        public long BytesReceived
        {
            get { return _bytesReceived; }
        }

        public TlsConnection Connection
        {
            get { return _connection; }
        }

        /// <summary>
        /// Starts a GET of <paramref name="path"/> on <paramref name="address"/>:<paramref name="port"/>; the Host field
        /// names <paramref name="hostName"/> (server_name and the certificate check come from the TLS client's own
        /// HostName option). False when a request is under way, or (with <see cref="HttpsError.InvalidRequest"/>) when
        /// the host or path is not printable ASCII without spaces, the path does not start with '/', or the request does
        /// not fit the buffer.
        /// </summary>
        public bool Start(uint address, int port, string hostName, string path)
        {
            if (IsBusy)
            {
                return false;
            }

            Reset();
            _requestLength = BuildRequest(hostName, port, path);
            if (_requestLength == 0)
            {
                return Fail(HttpsError.InvalidRequest);
            }

            _address = address;
            _port = port;
            _connectStarted = false;
            _state = HttpsGetState.Connecting;
            Poll();
            return true;
        }

        public bool Poll()
        {
            bool worked = _connection.Poll();
            if (_state == HttpsGetState.Connecting)
            {
                worked |= PollConnect();
            }

            if (_state == HttpsGetState.Sending)
            {
                worked |= PollSend();
            }

            if (_state == HttpsGetState.ReadingHead || _state == HttpsGetState.ReadingBody)
            {
                worked |= PollReceive();
                if (IsBusy && _clock.NowMilliseconds - _deadline >= 0)
                {
                    Fail(HttpsError.Timeout);
                    worked = true;
                }
            }

            return worked;
        }

        public int PollDelay()
        {
            int delay = _connection.PollDelay();
            if (_state == HttpsGetState.Sending)
            {
                return 0;
            }

            if (_state == HttpsGetState.ReadingHead || _state == HttpsGetState.ReadingBody)
            {
                long left = _deadline - _clock.NowMilliseconds;
                if (left < delay)
                {
                    delay = left <= 0 ? 0 : (int)left;
                }
            }

            return delay;
        }

        private void Reset()
        {
            _error = HttpsError.None;
            _socketResult = SocketResult.Success;
            _status = 0;
            _contentLength = -1;
            _transferEncoded = false;
            _chunked = false;
            _bodyMode = 0;
            _bytesReceived = 0;
            _sent = 0;
            _count = 0;
            _scan = 0;
            _lineStart = 0;
        }

        private bool PollConnect()
        {
            if (!_connectStarted)
            {
                if (_connection.Socket != 0)
                {
                    return false; // the last request's close_notify is still leaving (bounded by the connection's timeout)
                }

                _connection.Close(); // a connection that ended is made ready for another Connect
                _connectStarted = true;
            }

            SocketResult result = _connection.Connect(_address, _port);
            if (result == SocketResult.WouldBlock)
            {
                return false;
            }

            if (result != SocketResult.Success)
            {
                return FailConnection(result);
            }

            _state = HttpsGetState.Sending;
            return true;
        }

        private bool PollSend()
        {
            int sent;
            SocketResult result = _connection.Send(_buffer, _sent, _requestLength - _sent, out sent);
            if (result != SocketResult.Success && result != SocketResult.WouldBlock)
            {
                return FailConnection(result);
            }

            _sent += sent;
            if (_sent == _requestLength)
            {
                _state = HttpsGetState.ReadingHead;
                _deadline = _clock.NowMilliseconds + ResponseTimeoutMs;
            }

            return sent > 0;
        }

        private bool PollReceive()
        {
            bool worked = false;
            while (IsBusy)
            {
                int offset = _state == HttpsGetState.ReadingHead ? _count : 0;
                int received;
                SocketResult result = _connection.Receive(_buffer, offset, _buffer.Length - offset, out received);
                if (result == SocketResult.WouldBlock)
                {
                    break;
                }

                worked = true;
                if (result != SocketResult.Success)
                {
                    FailConnection(result);
                    break;
                }

                if (received == 0)
                {
                    Ended();
                    break;
                }

                _deadline = _clock.NowMilliseconds + ResponseTimeoutMs;
                if (_state == HttpsGetState.ReadingHead)
                {
                    _count += received;
                    ReadHead();
                }
                else
                {
                    Consume(0, received);
                }
            }

            return worked;
        }

        /// <summary>close_notify: the end of a body read to the close, otherwise a response cut short.</summary>
        private void Ended()
        {
            if (_state == HttpsGetState.ReadingBody && _bodyMode == BodyToClose)
            {
                Finish();
            }
            else
            {
                Fail(HttpsError.Truncated);
            }
        }

        /// <summary>Looks for the empty line that ends the head (RFC 9112 section 2.1), then parses it.</summary>
        private void ReadHead()
        {
            while (_state == HttpsGetState.ReadingHead)
            {
                int end = FindHeadEnd();
                if (end < 0)
                {
                    if (_count == _buffer.Length)
                    {
                        Fail(HttpsError.HeadTooLarge);
                    }

                    return;
                }

                HttpsError error = ParseHead(end);
                if (error != HttpsError.None)
                {
                    Fail(error);
                    return;
                }

                int rest = _count - end;
                if (_status < 200)
                {
                    // RFC 9110 section 15.2: an interim response (100 Continue, 103 Early Hints) precedes the final one.
                    System.Array.Copy(_buffer, end, _buffer, 0, rest);
                    _count = rest;
                    _scan = 0;
                    _lineStart = 0;
                    continue;
                }

                StartBody();
                if (_state == HttpsGetState.ReadingBody && rest > 0)
                {
                    Consume(end, rest);
                }
            }
        }

        /// <summary>The offset just after the head's empty line, or -1 while it has not arrived.</summary>
        private int FindHeadEnd()
        {
            for (int i = _scan; i < _count; i++)
            {
                if (_buffer[i] != (byte)'\n')
                {
                    continue;
                }

                int length = i - _lineStart;
                if (length > 0 && _buffer[i - 1] == (byte)'\r')
                {
                    length--;
                }

                if (length == 0 && _lineStart > 0)
                {
                    _scan = i + 1;
                    return i + 1;
                }

                _lineStart = i + 1;
            }

            _scan = _count;
            return -1;
        }

        private HttpsError ParseHead(int end)
        {
            _contentLength = -1;
            _transferEncoded = false;
            _chunked = false;
            int line = 0;
            bool first = true;
            while (line < end)
            {
                int next = line;
                while (_buffer[next] != (byte)'\n')
                {
                    next++;
                }

                int length = next - line;
                if (length > 0 && _buffer[next - 1] == (byte)'\r')
                {
                    length--;
                }

                if (length == 0 && !first)
                {
                    break;
                }

                HttpsError error = first ? ParseStatusLine(line, length) : ParseField(line, length);
                if (error != HttpsError.None)
                {
                    return error;
                }

                first = false;
                line = next + 1;
            }

            return HttpsError.None;
        }

        /// <summary>RFC 9112 section 4: HTTP-version SP 3DIGIT SP [reason-phrase] (the SP before an empty reason tolerated).</summary>
        private HttpsError ParseStatusLine(int offset, int length)
        {
            if (length < 12 || !Matches(offset, "HTTP/1.") || !IsDigit(_buffer[offset + 7]) || _buffer[offset + 8] != (byte)' ')
            {
                return HttpsError.MalformedStatusLine;
            }

            int status = 0;
            for (int i = offset + 9; i < offset + 12; i++)
            {
                if (!IsDigit(_buffer[i]))
                {
                    return HttpsError.MalformedStatusLine;
                }

                status = (status * 10) + (_buffer[i] - (byte)'0');
            }

            if (status < 100 || (length > 12 && _buffer[offset + 12] != (byte)' ') || status == 101)
            {
                return HttpsError.MalformedStatusLine; // 101 Switching Protocols: no upgrade was asked for
            }

            for (int i = offset + 12; i < offset + length; i++)
            {
                if (!IsFieldByte(_buffer[i]))
                {
                    return HttpsError.MalformedStatusLine;
                }
            }

            _status = status;
            return HttpsError.None;
        }

        /// <summary>RFC 9112 section 5: field-name ":" OWS field-value OWS, no obs-fold, no space before the colon.</summary>
        private HttpsError ParseField(int offset, int length)
        {
            int colon = offset;
            int end = offset + length;
            while (colon < end && IsTokenByte(_buffer[colon]))
            {
                colon++;
            }

            if (colon == offset || colon == end || _buffer[colon] != (byte)':')
            {
                return HttpsError.MalformedHeader;
            }

            int value = colon + 1;
            while (value < end && (_buffer[value] == (byte)' ' || _buffer[value] == (byte)'\t'))
            {
                value++;
            }

            int valueEnd = end;
            while (valueEnd > value && (_buffer[valueEnd - 1] == (byte)' ' || _buffer[valueEnd - 1] == (byte)'\t'))
            {
                valueEnd--;
            }

            for (int i = value; i < valueEnd; i++)
            {
                if (!IsFieldByte(_buffer[i]))
                {
                    return HttpsError.MalformedHeader;
                }
            }

            int nameLength = colon - offset;
            if (NameIs(offset, nameLength, "content-length"))
            {
                return ParseContentLength(value, valueEnd);
            }

            if (NameIs(offset, nameLength, "transfer-encoding"))
            {
                // RFC 9112 section 6.1: the codings form one list across field lines; chunked must be the last one.
                int token = valueEnd;
                while (token > value && _buffer[token - 1] != (byte)',' && _buffer[token - 1] != (byte)' ' && _buffer[token - 1] != (byte)'\t')
                {
                    token--;
                }

                _transferEncoded = true;
                _chunked = NameIs(token, valueEnd - token, "chunked");
            }

            return HttpsError.None;
        }

        /// <summary>RFC 9112 section 6.3 item 5: 1*DIGIT; several fields must agree.</summary>
        private HttpsError ParseContentLength(int value, int end)
        {
            if (value == end)
            {
                return HttpsError.MalformedHeader;
            }

            long length = 0;
            for (int i = value; i < end; i++)
            {
                if (!IsDigit(_buffer[i]))
                {
                    return HttpsError.MalformedHeader;
                }

                length = (length * 10) + (_buffer[i] - (byte)'0');
                if (length > MaximumLength)
                {
                    return HttpsError.MalformedHeader;
                }
            }

            if (_contentLength >= 0 && _contentLength != length)
            {
                return HttpsError.MalformedHeader;
            }

            _contentLength = length;
            return HttpsError.None;
        }

        /// <summary>RFC 9112 section 6.3: how the body's end is found.</summary>
        private void StartBody()
        {
            _state = HttpsGetState.ReadingBody;
            if (_status == 204 || _status == 304)
            {
                Finish();
            }
            else if (_transferEncoded)
            {
                // Item 4: Transfer-Encoding overrides Content-Length; without chunked last, the body runs to the close.
                _contentLength = -1;
                _bodyMode = _chunked ? BodyChunked : BodyToClose;
                _chunkState = ChunkSize;
                _chunkDigits = 0;
                _remaining = 0;
            }
            else if (_contentLength >= 0)
            {
                _bodyMode = BodyLength;
                _remaining = _contentLength;
                if (_remaining == 0)
                {
                    Finish();
                }
            }
            else
            {
                _bodyMode = BodyToClose;
            }
        }

        private void Consume(int offset, int count)
        {
            if (_bodyMode == BodyChunked)
            {
                ConsumeChunked(offset, offset + count);
                return;
            }

            if (_bodyMode == BodyLength && count >= _remaining)
            {
                Deliver(offset, (int)_remaining);
                Finish(); // anything after the declared length is not part of this response
                return;
            }

            _remaining -= count;
            Deliver(offset, count);
        }

        /// <summary>RFC 9112 section 7.1: chunk-size [chunk-ext] CRLF chunk-data CRLF ... last-chunk trailer-section CRLF.</summary>
        private void ConsumeChunked(int offset, int end)
        {
            while (offset < end && _state == HttpsGetState.ReadingBody)
            {
                if (_chunkState == ChunkData)
                {
                    int take = end - offset;
                    if (take > _remaining)
                    {
                        take = (int)_remaining;
                    }

                    Deliver(offset, take);
                    offset += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _chunkState = ChunkDataEnd;
                    }
                }
                else if (ChunkFraming(_buffer[offset]))
                {
                    offset++;
                }
                else
                {
                    Fail(HttpsError.MalformedChunk);
                }
            }
        }

        /// <summary>One byte of the framing around the chunks' data; false when it is not valid there.</summary>
        private bool ChunkFraming(byte value)
        {
            switch (_chunkState)
            {
                case ChunkSize:
                    int digit = HexValue(value);
                    if (digit >= 0)
                    {
                        _remaining = (_remaining << 4) | (uint)digit;
                        return ++_chunkDigits <= 12;
                    }

                    if (_chunkDigits == 0)
                    {
                        return false;
                    }

                    if (value == (byte)';' || value == (byte)' ' || value == (byte)'\t')
                    {
                        _chunkState = ChunkExtension; // chunk-ext (section 7.1.1) is ignored
                        return true;
                    }

                    return value == (byte)'\r' ? Set(ChunkSizeEnd) : (value == (byte)'\n' && SizeLineEnded());
                case ChunkExtension:
                    return value == (byte)'\r' ? Set(ChunkSizeEnd) : (value == (byte)'\n' ? SizeLineEnded() : IsFieldByte(value));
                case ChunkSizeEnd:
                    return value == (byte)'\n' && SizeLineEnded();
                case ChunkDataEnd:
                    return value == (byte)'\r' ? Set(ChunkDataEndLf) : (value == (byte)'\n' && NextChunk());
                case ChunkDataEndLf:
                    return value == (byte)'\n' && NextChunk();
                default:
                    // The trailer section (section 7.1.2): field lines, ignored, up to an empty line.
                    if (value == (byte)'\n')
                    {
                        if (_trailerLine == 0)
                        {
                            Finish();
                        }

                        _trailerLine = 0;
                    }
                    else if (value != (byte)'\r')
                    {
                        _trailerLine++;
                    }

                    return true;
            }
        }

        private bool Set(int chunkState)
        {
            _chunkState = chunkState;
            return true;
        }

        private bool SizeLineEnded()
        {
            _trailerLine = 0;
            _chunkState = _remaining == 0 ? Trailer : ChunkData;
            return true;
        }

        private bool NextChunk()
        {
            _chunkState = ChunkSize;
            _chunkDigits = 0;
            _remaining = 0;
            return true;
        }

        private void Deliver(int offset, int count)
        {
            if (count <= 0)
            {
                return;
            }

            _bytesReceived += count;
            if (_receiver != null)
            {
                _receiver.BodyReceived(_buffer, offset, count);
            }
        }

        private void Finish()
        {
            _state = HttpsGetState.Done;
            _connection.Close(); // Connection: close was asked for; close_notify goes out (RFC 8446 section 6.1)
        }

        private bool Fail(HttpsError error)
        {
            _error = error;
            _state = HttpsGetState.Failed;
            _connection.Close();
            return false;
        }

        /// <summary>The connection failed: a TLS error when the client has one, the socket's otherwise.</summary>
        private bool FailConnection(SocketResult result)
        {
            _socketResult = result;
            TlsError tls = _connection.Client.LastError;
            Fail(tls != TlsError.None && tls != TlsError.PeerClosed ? HttpsError.Tls : HttpsError.Socket);
            return true;
        }

        /// <summary>The request's length in the buffer, or 0 when it does not fit or a host or path byte is not allowed.</summary>
        private int BuildRequest(string hostName, int port, string path)
        {
            if (hostName == null || hostName.Length == 0 || path == null || path.Length == 0 || path[0] != '/' || port <= 0 || port > 65535)
            {
                return 0;
            }

            int at = Append(0, "GET ", false);
            at = Append(at, path, true);
            at = Append(at, " HTTP/1.1\r\nHost: ", false);
            at = Append(at, hostName, true);
            if (port != 443 && at >= 0)
            {
                // RFC 9110 section 7.2: the port is named unless it is the scheme's default.
                at = Append(at, ":", false);
                int divisor = 10000;
                while (divisor > port)
                {
                    divisor /= 10;
                }

                for (; divisor > 0 && at >= 0; divisor /= 10)
                {
                    at = at < _buffer.Length ? at : -1;
                    if (at >= 0)
                    {
                        _buffer[at++] = (byte)('0' + ((port / divisor) % 10));
                    }
                }
            }

            at = Append(at, "\r\nConnection: close\r\n\r\n", false);
            return at < 0 ? 0 : at;
        }

        /// <summary>
        /// Appends <paramref name="text"/> at <paramref name="at"/>: the new end, or -1 when it does not fit, or when
        /// <paramref name="visibleOnly"/> and a character is not visible ASCII (RFC 9112 section 3.2, 9110 section 4.1).
        /// </summary>
        private int Append(int at, string text, bool visibleOnly)
        {
            if (at < 0 || at + text.Length > _buffer.Length)
            {
                return -1;
            }

            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (visibleOnly && (c < '!' || c > '~'))
                {
                    return -1;
                }

                _buffer[at + i] = (byte)c;
            }

            return at + text.Length;
        }

        private bool Matches(int offset, string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (_buffer[offset + i] != (byte)text[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Field names are case-insensitive (RFC 9110 section 5.1); <paramref name="lower"/> is lower case.</summary>
        private bool NameIs(int offset, int length, string lower)
        {
            if (length != lower.Length)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                int c = _buffer[offset + i];
                if (c >= 'A' && c <= 'Z')
                {
                    c += 'a' - 'A';
                }

                if (c != lower[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsDigit(byte value)
        {
            return value >= (byte)'0' && value <= (byte)'9';
        }

        private static int HexValue(byte value)
        {
            if (value >= (byte)'0' && value <= (byte)'9')
            {
                return value - '0';
            }

            int lower = value | 0x20;
            return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
        }

        /// <summary>RFC 9110 section 5.6.2 tchar.</summary>
        private static bool IsTokenByte(byte value)
        {
            if (IsDigit(value) || ((value | 0x20) >= 'a' && (value | 0x20) <= 'z'))
            {
                return true;
            }

            switch (value)
            {
                case (byte)'!':
                case (byte)'#':
                case (byte)'$':
                case (byte)'%':
                case (byte)'&':
                case (byte)'\'':
                case (byte)'*':
                case (byte)'+':
                case (byte)'-':
                case (byte)'.':
                case (byte)'^':
                case (byte)'_':
                case (byte)'`':
                case (byte)'|':
                case (byte)'~':
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>RFC 9110 section 5.5: field values hold visible characters, SP, HTAB and obs-text, never CR, LF or NUL.</summary>
        private static bool IsFieldByte(byte value)
        {
            return value == (byte)'\t' || (value >= 0x20 && value != 0x7F);
        }
    }
}
