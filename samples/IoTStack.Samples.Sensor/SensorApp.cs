using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Samples.Sensor
{
    /// <summary>
    /// A small application on <see cref="ISocketEngine"/>: a fake temperature sensor that serves its latest reading over HTTP
    /// (GET / returns it as JSON) and pushes a reading as a UDP datagram every <see cref="PushIntervalMs"/> to one address
    /// and port. It runs unchanged on IoTStack (ENC28J60, W5500 in MACRAW) and on the W5500's own sockets. Every buffer is
    /// taken in the constructor; <see cref="Poll"/> allocates nothing.
    /// </summary>
    public sealed class SensorApp
    {
        /// <summary>TCP listeners the sample opens (HTTP); set BoardSettings.TcpListeners to it.</summary>
        public const int TcpListeners = 1;

        /// <summary>UDP sockets the sample opens (the push); set BoardSettings.UdpSockets to it.</summary>
        public const int UdpSockets = 1;

        /// <summary>The UDP port pushes leave from.</summary>
        public const int PushSourcePort = 4210;

        private const int RequestBufferSize = 512;
        private const int HeadSize = 128;

        private readonly ISocketEngine _sockets;
        private readonly IClock _clock;
        private readonly int[] _connections;
        private readonly int[] _received;
        private readonly byte[][] _requests;
        private readonly byte[] _reading = new byte[128];
        private readonly byte[] _response = new byte[HeadSize + 128];
        private readonly uint _pushAddress;
        private readonly int _pushPort;
        private readonly long _started;
        private int _readingLength;
        private int _listener = -1;
        private int _udp = -1;
        private long _nextPush;

        /// <param name="sockets">The engine the board network built.</param>
        /// <param name="clock">The board's clock: it drives the fake reading and the pushes.</param>
        /// <param name="connections">HTTP connections served at once (BoardSettings.Sessions).</param>
        /// <param name="pushAddress">Where readings are pushed; 0.0.0.0 for no pushes.</param>
        /// <param name="pushPort">The UDP port readings are pushed to.</param>
        /// <param name="pushIntervalMs">Milliseconds between pushes (at least 100).</param>
        public SensorApp(ISocketEngine sockets, IClock clock, int connections, IPv4Address pushAddress, int pushPort, int pushIntervalMs)
        {
            if (sockets == null || clock == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : "clock");
            }

            if (connections < 1 || pushIntervalMs < 100 || pushPort < 1 || pushPort > 65535)
            {
                throw new System.ArgumentException("SensorApp wants at least 1 connection, a push port from 1 to 65535 and at least 100 ms between pushes");
            }

            _sockets = sockets;
            _clock = clock;
            _connections = new int[connections];
            _received = new int[connections];
            _requests = new byte[connections][];
            for (int i = 0; i < connections; i++)
            {
                _connections[i] = -1;
                _requests[i] = new byte[RequestBufferSize];
            }

            _pushAddress = pushAddress.Value;
            _pushPort = pushPort;
            PushIntervalMs = pushIntervalMs;
            _started = clock.NowMilliseconds;
        }

        public int PushIntervalMs { get; private set; }

        /// <summary>Readings pushed so far (the sequence number of the last one).</summary>
        public int Pushes { get; private set; }

        /// <summary>HTTP requests answered.</summary>
        public int Requests { get; private set; }

        /// <summary>The temperature now, in hundredths of a degree Celsius: 21.50 °C plus a triangle wave of ±3 °C over a minute.</summary>
        public int CentiCelsius
        {
            get
            {
                long phase = (_clock.NowMilliseconds - _started) % 60000;
                long wave = phase < 30000 ? phase : 60000 - phase; // 0 .. 30,000 .. 0
                return 1850 + (int)(wave / 50);                       // 18.50 .. 24.50 °C
            }
        }

        /// <summary>Opens the HTTP listener on port 80 and the push socket; false when the engine has no room for them.</summary>
        public bool Start()
        {
            return _sockets.Open(SocketKind.Stream, IpProtocol.Tcp, out _listener) == SocketResult.Success
                && _sockets.Bind(_listener, IPv4Address.Any, 80) == SocketResult.Success
                && _sockets.Listen(_listener, 1) == SocketResult.Success
                && _sockets.Open(SocketKind.Datagram, IpProtocol.Udp, out _udp) == SocketResult.Success
                && _sockets.Bind(_udp, IPv4Address.Any, PushSourcePort) == SocketResult.Success;
        }

        /// <summary>Milliseconds until <see cref="Poll"/> has work though nothing arrives: the next push.</summary>
        public int PollDelay()
        {
            if (_pushAddress == 0)
            {
                return int.MaxValue;
            }

            long due = _nextPush - _clock.NowMilliseconds;
            return due <= 0 ? 0 : due > int.MaxValue ? int.MaxValue : (int)due;
        }

        /// <summary>Accepts and answers HTTP requests and pushes a reading when one is due; true when it did anything.</summary>
        public bool Poll()
        {
            bool worked = false;
            for (int i = 0; i < _connections.Length; i++)
            {
                if (_connections[i] < 0)
                {
                    int connection;
                    if (_sockets.Accept(_listener, out connection) != SocketResult.Success)
                    {
                        break;
                    }

                    _connections[i] = connection;
                    _received[i] = 0;
                    worked = true;
                }
            }

            for (int i = 0; i < _connections.Length; i++)
            {
                if (_connections[i] >= 0)
                {
                    worked |= Serve(i);
                }
            }

            if (_pushAddress != 0 && _clock.NowMilliseconds >= _nextPush)
            {
                _nextPush = _clock.NowMilliseconds + PushIntervalMs;
                Pushes++;
                WriteReading();
                int sent;
                _sockets.SendTo(_udp, _reading, 0, _readingLength, _pushAddress, _pushPort, out sent);
                worked = true;
            }

            return worked;
        }

        /// <summary>Reads the request head; once it is whole, answers it and closes the connection.</summary>
        private bool Serve(int i)
        {
            int socket = _connections[i];
            byte[] request = _requests[i];
            int received;
            SocketResult result = _sockets.Receive(socket, request, _received[i], request.Length - _received[i], out received);
            if (result == SocketResult.WouldBlock)
            {
                return false;
            }

            if (result != SocketResult.Success || received == 0)
            {
                Close(i); // the peer left (or reset) before a whole head
                return true;
            }

            _received[i] += received;
            if (!HeadEnds(request, _received[i]))
            {
                if (_received[i] == request.Length)
                {
                    Answer(socket, 431, "Request Header Fields Too Large", false);
                    Close(i);
                }

                return true;
            }

            bool get = StartsWith(request, "GET ");
            bool root = get && StartsWith(request, "GET / ");
            Answer(socket, root ? 200 : get ? 404 : 405, root ? "OK" : get ? "Not Found" : "Method Not Allowed", root);
            Requests++;
            Close(i);
            return true;
        }

        private void Close(int i)
        {
            _sockets.Close(_connections[i]); // a graceful close: the response still in flight is delivered first
            _connections[i] = -1;
        }

        /// <summary>Sends the status line, the head and (for 200) the reading as one write.</summary>
        private void Answer(int socket, int status, string reason, bool reading)
        {
            int bodyLength = 0;
            if (reading)
            {
                WriteReading();
                bodyLength = _readingLength;
            }

            int n = Text(_response, 0, "HTTP/1.1 ");
            n = Number(_response, n, status);
            n = Text(_response, n, " ");
            n = Text(_response, n, reason);
            n = Text(_response, n, "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ");
            n = Number(_response, n, bodyLength);
            n = Text(_response, n, "\r\n\r\n");
            System.Array.Copy(_reading, 0, _response, n, bodyLength);
            int sent;
            _sockets.SendSome(socket, _response, 0, n + bodyLength, out sent);
        }

        /// <summary>{"sensor":"temperature","celsius":21.53,"uptimeMs":12345,"sequence":7} into the reading buffer.</summary>
        private void WriteReading()
        {
            int centi = CentiCelsius;
            int n = Text(_reading, 0, "{\"sensor\":\"temperature\",\"celsius\":");
            n = Number(_reading, n, centi / 100);
            n = Text(_reading, n, ".");
            n = Number(_reading, n, centi % 100 / 10);
            n = Number(_reading, n, centi % 10);
            n = Text(_reading, n, ",\"uptimeMs\":");
            n = Number(_reading, n, _clock.NowMilliseconds - _started);
            n = Text(_reading, n, ",\"sequence\":");
            n = Number(_reading, n, Pushes);
            _readingLength = Text(_reading, n, "}\n");
        }

        private static bool HeadEnds(byte[] data, int length)
        {
            for (int i = 3; i < length; i++)
            {
                if (data[i] == '\n' && data[i - 1] == '\r' && data[i - 2] == '\n' && data[i - 3] == '\r')
                {
                    return true;
                }
            }

            return false;
        }

        private static bool StartsWith(byte[] data, string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (data[i] != text[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Writes ASCII <paramref name="text"/> at <paramref name="at"/>; returns the offset after it.</summary>
        private static int Text(byte[] buffer, int at, string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                buffer[at++] = (byte)text[i];
            }

            return at;
        }

        /// <summary>Writes a non-negative number in decimal at <paramref name="at"/>; returns the offset after it.</summary>
        private static int Number(byte[] buffer, int at, long value)
        {
            int digits = 1;
            for (long rest = value / 10; rest > 0; rest /= 10)
            {
                digits++;
            }

            for (int i = digits - 1; i >= 0; i--)
            {
                buffer[at + i] = (byte)('0' + (int)(value % 10));
                value /= 10;
            }

            return at + digits;
        }
    }
}
