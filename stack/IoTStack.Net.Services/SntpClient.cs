using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// An SNTP client (RFC 4330) that sets the interface's wall clock (<see cref="INetInterface.SetWallClock"/>): a
    /// 48-byte mode-3 request to the server on port 123, the answer checked (mode 4, stratum 1 to 15, leap
    /// indicator not "unsynchronised", its originate timestamp the nonce we sent, a non-zero transmit time),
    /// then the time at arrival taken as the server's transmit time plus half the round trip less the
    /// server's own delay. Retries <see cref="Attempts"/> times, then waits; synchronises again every
    /// <see cref="IntervalMs"/>. A kiss-o'-death (stratum 0) doubles the interval (section 8).
    /// </summary>
    public sealed class SntpClient
    {
        public const int Port = 123;
        private const int PacketLength = 48;

        /// <summary>Seconds from the NTP era 0 epoch (1900-01-01) to the Unix epoch (1970-01-01).</summary>
        private const long UnixEpochInNtpSeconds = 2208988800L;

        private readonly ISocketEngine _sockets;
        private readonly INetInterface _net;
        private readonly byte[] _packet = new byte[PacketLength + 20];
        private int _socket = -1;
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
            get { return _server; }
            set { _server = value; }
        }

        // Not an auto-property: the poll reads the field in place, where a getter would return (allocate) a copy on nanoCLR.
        private IPv4Address _server;

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
            if (_socket >= 0)
            {
                _sockets.Close(_socket);
                _socket = -1;
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
            while (_socket >= 0 && _sockets.ReceiveFrom(_socket, _packet, 0, _packet.Length, out received, out from, out fromPort) == SocketResult.Success)
            {
                worked = true;
                if (_waiting && from == _server.Value && fromPort == Port)
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
                if (!_server.IsAny && _net.AddressValue != 0)
                {
                    worked |= Send(now);
                }
                else
                {
                    _unconfigured = true; // due, but no server or no address yet
                }
            }

            if (!_waiting && _socket >= 0)
            {
                // Between exchanges no socket is held (a W5500 board has eight); the next request takes a fresh ephemeral port.
                _sockets.Close(_socket);
                _socket = -1;
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
            if (_socket < 0)
            {
                if (_sockets.Open(SocketKind.Datagram, IpProtocol.Udp, out _socket) != SocketResult.Success)
                {
                    _socket = -1;
                    _nextSync = now + RetryMs; // no socket free: try again later, not on every poll (PollDelay would be 0)
                    return false;
                }

                _sockets.Bind(_socket, IPv4Address.Any, 0);
            }

            for (int i = 0; i < PacketLength; i++)
            {
                _packet[i] = 0;
            }

            _packet[0] = (0 << 6) | (4 << 3) | 3; // LI 0, version 4, mode 3 (client): RFC 4330 section 5
            // The transmit timestamp is a random nonce: the server copies it into the originate field, which is how
            // its answer is known to be for this request (and it tells the server nothing of our clock).
            _nonceHigh = _net.NextRandom();
            _nonceLow = _net.NextRandom();
            NetworkOrder.WriteUInt32(_packet, 40, _nonceHigh);
            NetworkOrder.WriteUInt32(_packet, 44, _nonceLow);
            int sent;
            _sentAt = now;
            _deadline = now + TimeoutMs;
            _waiting = true;
            _sockets.SendTo(_socket, _packet, 0, PacketLength, _server.Value, Port, out sent);
            return true;
        }

        private void Answer(int length)
        {
            if (length < PacketLength)
            {
                return;
            }

            int leap = _packet[0] >> 6;
            int mode = _packet[0] & 7;
            int stratum = _packet[1];
            if ((mode != 4 && mode != 5) || NetworkOrder.ReadUInt32(_packet, 24) != _nonceHigh || NetworkOrder.ReadUInt32(_packet, 28) != _nonceLow)
            {
                return; // not an answer to this request
            }

            long now = _net.Clock.NowMilliseconds;
            _waiting = false;
            if (stratum == 0)
            {
                // Section 8: a kiss-o'-death ("RATE", "DENY"): ask less often.
                IntervalMs = IntervalMs <= int.MaxValue / 2 ? IntervalMs * 2 : int.MaxValue;
                _nextSync = now + IntervalMs;
                return;
            }

            uint transmitSeconds = NetworkOrder.ReadUInt32(_packet, 40);
            if (leap == 3 || stratum > 15 || (transmitSeconds == 0 && NetworkOrder.ReadUInt32(_packet, 44) == 0))
            {
                _nextSync = now + RetryMs; // unsynchronised or nonsense: not a time to set
                return;
            }

            long received = ToUnixMilliseconds(NetworkOrder.ReadUInt32(_packet, 32), NetworkOrder.ReadUInt32(_packet, 36));
            long transmitted = ToUnixMilliseconds(transmitSeconds, NetworkOrder.ReadUInt32(_packet, 44));
            long serverDelay = transmitted - received;
            long roundTrip = (now - _sentAt) - (serverDelay > 0 ? serverDelay : 0);
            roundTrip = roundTrip > 0 ? roundTrip : 0;
            long time = transmitted + roundTrip / 2;
            LastAdjustmentMs = time - _net.WallClockMilliseconds;
            LastRoundTripMs = roundTrip;
            LastStratum = stratum;
            _net.SetWallClock(time);
            Synchronized = true;
            Synchronizations++;
            _attempt = 0;
            _nextSync = now + IntervalMs;
        }

        /// <summary>
        /// An NTP timestamp as Unix milliseconds. RFC 4330 section 3: with the top bit of the seconds clear the
        /// time is in era 1 (from 2036-02-07), so the 32-bit field stays right until 2104.
        /// </summary>
        private static long ToUnixMilliseconds(uint seconds, uint fraction)
        {
            long since1900 = (seconds & 0x80000000u) != 0 ? seconds : seconds + 0x100000000L;
            return (since1900 - UnixEpochInNtpSeconds) * 1000 + (((long)fraction * 1000) >> 32);
        }
    }
}
