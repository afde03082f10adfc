using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// An SNTP client (RFC 4330) that sets the interface's wall clock (<see cref="INetInterface.SetWallClock"/>): a
    /// 48-byte mode-3 request to the server on port 123, the answer checked (version 1 to 4, mode 4 or 5, stratum 1 to 15, leap
    /// indicator not "unsynchronised", its originate timestamp the nonce we sent, a non-zero transmit time),
    /// then the time at arrival taken as the server's transmit time plus half the round trip less the
    /// server's own delay. Retries <see cref="Attempts"/> times, then waits; synchronises again every
    /// <see cref="IntervalMs"/>. A kiss-o'-death (stratum 0) doubles the interval (section 8). Every request is written,
    /// and every answer read and checked, through one reused <see cref="SntpPacket"/> view.
    /// </summary>
    public sealed class SntpClient
    {
        public const int Port = 123;

        private readonly ISocketEngine _sockets;
        private readonly INetInterface _net;
        private readonly byte[] _packet = new byte[SntpPacket.Length + 20];
        private readonly SntpPacket _view = new SntpPacket();
        private int _socket; // 0: none, as everywhere in the socket API
        private uint _nonceHigh;
        private uint _nonceLow;
        private long _sentAt;
        private long _deadline;
        private long _nextSync;
        private int _attempt;
        private bool _waiting;

        /// <summary>The last Poll found a request due but no server or no address to send it from: nothing to wait for.</summary>
        private bool _unconfigured;

        public SntpClient(ISocketEngine sockets, INetInterface net)
        {
            if (sockets == null || net == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : "net");
            }

            _sockets = sockets;
            _net = net;
            TimeoutMs = 2000;
            Attempts = 3;
            IntervalMs = 3600 * 1000;
            RetryMs = 60 * 1000;
        }

        /// <summary>The NTP server; 0.0.0.0 for none (a DHCP client sets it from option 42).</summary>
        public IPv4Address Server
        {
            get { return new IPv4Address(_server); }
            set { _server = value.Value; }
        }

        // A number, not an IPv4Address: the poll reads no struct (nanoCLR allocates one per load), and the field is no object of its own on the heap.
        private uint _server;

        public int TimeoutMs { get; set; }

        public int Attempts { get; set; }

        /// <summary>How often to synchronise once synchronised (RFC 4330 section 10: not more often than every 15 s; an hour is kind).</summary>
        public int IntervalMs { get; set; }

        /// <summary>How long to wait after every attempt failed.</summary>
        public int RetryMs { get; set; }

        /// <summary>Whether a server's time was taken at least once.</summary>
        public bool Synchronized { get; private set; }

        /// <summary>By how much the last answer moved the wall clock (ms; the whole time of day the first time).</summary>
        public long LastAdjustmentMs { get; private set; }

        /// <summary>The last round trip, less the server's processing time (ms).</summary>
        public long LastRoundTripMs { get; private set; }

        public int LastStratum { get; private set; }

        public int Synchronizations { get; private set; }

        /// <summary>Synchronise on the next poll (and then every interval).</summary>
        public void Start()
        {
            _nextSync = _net.Clock.NowMilliseconds;
            _attempt = 0;
            _waiting = false;
            _unconfigured = false;
            Running = true;
        }

        public bool Running { get; private set; }

        public void Stop()
        {
            Running = false;
            if (_socket != 0)
            {
                _sockets.Close(_socket);
                _socket = 0;
            }
        }

        public bool Poll()
        {
            if (!Running)
            {
                return false;
            }

            bool worked = false;
            int received;
            uint from;
            int fromPort;
            while (_socket != 0 && _sockets.ReceiveFrom(_socket, _packet, 0, _packet.Length, out received, out from, out fromPort) == SocketResult.Success)
            {
                worked = true;
                if (_waiting && from == _server && fromPort == Port)
                {
                    Answer(received);
                }
            }

            long now = _net.Clock.NowMilliseconds;
            if (_waiting && now >= _deadline)
            {
                _waiting = false;
                if (++_attempt >= Attempts)
                {
                    _attempt = 0;
                    _nextSync = now + RetryMs;
                }
                else
                {
                    _nextSync = now;
                }
            }

            _unconfigured = false;
            if (!_waiting && now >= _nextSync)
            {
                if (_server != 0 && _net.AddressValue != 0)
                {
                    worked |= Send(now);
                }
                else
                {
                    _unconfigured = true; // due, but no server or no address yet
                }
            }

            if (!_waiting && _socket != 0)
            {
                // Between exchanges no socket is held (a W5500 board has eight); the next request takes a fresh ephemeral port.
                _sockets.Close(_socket);
                _socket = 0;
            }

            return worked;
        }

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> has a request to send, or gives up on one, though no answer comes. When the
        /// last Poll had one due but no server or no address, it waits for nothing: DHCP gives both within a poll, a board
        /// at start; a server set otherwise is seen at the stack's own deadline. (No IPv4Address is read here: nanoCLR
        /// allocates structs.)
        /// </summary>
        public int PollDelay()
        {
            if (!Running || _unconfigured)
            {
                return int.MaxValue;
            }

            return Deadlines.Delay(_waiting ? _deadline : _nextSync, _net.Clock.NowMilliseconds, int.MaxValue);
        }

        private bool Send(long now)
        {
            if (_socket == 0)
            {
                if (_sockets.Open(SocketKind.Datagram, IpProtocol.Udp, out _socket) != SocketResult.Success)
                {
                    _socket = 0;
                    _nextSync = now + RetryMs; // no socket free: try again later, not on every poll (PollDelay would be 0)
                    return false;
                }

                _sockets.Bind(_socket, IPv4Address.Any, 0);
            }

            // The transmit timestamp is a random nonce: the server copies it into the originate field, which is how
            // its answer is known to be for this request (and it tells the server nothing of our clock).
            _nonceHigh = _net.NextRandom();
            _nonceLow = _net.NextRandom();
            int length = _view.WriteClientRequest(_packet, 0, _nonceHigh, _nonceLow);
            int sent;
            _sentAt = now;
            _deadline = now + TimeoutMs;
            _waiting = true;
            _sockets.SendTo(_socket, _packet, 0, length, _server, Port, out sent);
            return true;
        }

        private void Answer(int length)
        {
            WireError error = _view.Parse(_packet, 0, length);
            if (error == WireError.OutOfBuffer || error == WireError.Truncated || error == WireError.BadVersion || error == WireError.BadOperation
                || !_view.IsAnswerTo(_nonceHigh, _nonceLow))
            {
                return; // not an answer to this request (RFC 4330 section 5)
            }

            long now = _net.Clock.NowMilliseconds;
            _waiting = false;
            if (error == WireError.KissOfDeath)
            {
                // Section 8: a kiss-o'-death ("RATE", "DENY"): ask less often.
                IntervalMs = IntervalMs <= int.MaxValue / 2 ? IntervalMs * 2 : int.MaxValue;
                _nextSync = now + IntervalMs;
                return;
            }

            if (error != WireError.None)
            {
                _nextSync = now + RetryMs; // unsynchronised or nonsense: not a time to set
                return;
            }

            long received = SntpPacket.ToUnixMilliseconds(_view.ReceiveSeconds, _view.ReceiveFraction);
            long transmitted = SntpPacket.ToUnixMilliseconds(_view.TransmitSeconds, _view.TransmitFraction);
            long serverDelay = transmitted - received;
            long roundTrip = (now - _sentAt) - (serverDelay > 0 ? serverDelay : 0);
            roundTrip = roundTrip > 0 ? roundTrip : 0;
            long time = transmitted + roundTrip / 2;
            LastAdjustmentMs = time - _net.WallClockMilliseconds;
            LastRoundTripMs = roundTrip;
            LastStratum = _view.Stratum;
            _net.SetWallClock(time);
            Synchronized = true;
            Synchronizations++;
            _attempt = 0;
            _nextSync = now + IntervalMs;
        }
    }
}
