using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// A DHCP client (RFC 2131, options from RFC 2132) on the stack's own UDP sockets. Discovers, requests,
    /// probes the address by ARP before using it (RFC 5227; DHCPDECLINE when taken), configures the
    /// interface, renews at T1 from the granting server, rebinds at T2 from any, and on expiry removes the
    /// address (the stack ends connections on it). A NAK starts over; a link that comes back up asks to keep
    /// the lease (INIT-REBOOT). Gives the DNS servers to an attached <see cref="Resolver"/> and the first NTP
    /// server to an attached <see cref="Sntp"/>. Every message is written and read through one reused
    /// <see cref="DhcpMessage"/> view. Polled; allocates nothing after construction.
    /// </summary>
    public sealed class DhcpClient
    {
        public const int ServerPort = 67;
        public const int ClientPort = 68;

        private const int MessageCapacity = 1024;

        // Message types (RFC 2132 section 9.6).
        private const int Discover = DhcpMessage.Discover;
        private const int Offer = DhcpMessage.Offer;
        private const int Request = DhcpMessage.Request;
        private const int Decline = DhcpMessage.Decline;
        private const int Ack = DhcpMessage.Ack;
        private const int Nak = DhcpMessage.Nak;

        private const uint Infinite = 0xFFFFFFFF;

        private readonly ISocketEngine _sockets;
        private readonly INetInterface _net;
        private readonly byte[] _message;
        private readonly DhcpMessage _view = new DhcpMessage();
        private readonly byte[] _hostName;
        private readonly uint[] _dns = new uint[3]; // numbers, not IPv4Address: each struct is one more object on nanoCLR's heap
        private readonly uint[] _readDns = new uint[3];
        private int _socket; // 0: none, as everywhere in the socket API
        private DhcpState _state;
        private uint _xid;
        private long _startedAt;
        private long _nextSend;
        private int _attempt;
        private bool _linkWasUp;

        // What the last offer or ACK said.
        // Addresses are kept as numbers: on nanoCLR an IPv4Address field is a heap object of its own (DESIGN.md rule 2).
        private uint _offered;
        private uint _server;
        private uint _mask;
        private uint _router;
        private uint _ntp;
        private int _dnsCount;
        private uint _lease;
        private uint _renewal;
        private uint _rebinding;

        // The lease held.
        private uint _address;
        private long _requestSentAt;
        private long _t1;
        private long _t2;
        private long _expiry;

        // What the message being read said.
        private int _type;
        private uint _readServer;

        /// <param name="hostName">Sent as option 12 (dnsmasq, for one, then serves the name); null for none.</param>
        public DhcpClient(ISocketEngine sockets, INetInterface net, string hostName)
            : this(sockets, net, hostName, null)
        {
        }

        /// <param name="message">The buffer messages are read and built in, at least 1024 bytes; null for one of its own. Services polled
        /// on one thread may share one (<see cref="NetServices"/> does): none keeps a message between calls.</param>
        public DhcpClient(ISocketEngine sockets, INetInterface net, string hostName, byte[] message)
        {
            if (sockets == null || net == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : "net");
            }

            if (message != null && message.Length < MessageCapacity)
            {
                throw new System.ArgumentException("a DHCP message buffer is at least 1024 bytes", "message");
            }

            _message = message != null ? message : new byte[MessageCapacity];
            _sockets = sockets;
            _net = net;
            _hostName = new byte[hostName == null ? 0 : hostName.Length];
            for (int i = 0; i < _hostName.Length; i++)
            {
                _hostName[i] = (byte)hostName[i];
            }

            InitialRetransmitMs = 4000;
            MaximumRetransmitMs = 64000;
            RequestAttempts = 4;
            MinimumRenewRetransmitMs = 60000;
            ProbeCount = 2;
            ProbeIntervalMs = 500;
            DeclineWaitMs = 10000;
        }

        /// <summary>RFC 2131 section 4.1: 4 s before the first retransmission, doubling to 64 s, each ±1 s.</summary>
        public int InitialRetransmitMs { get; set; }

        public int MaximumRetransmitMs { get; set; }

        /// <summary>REQUESTs (selecting or rebooting) before giving up on an offer or the old lease.</summary>
        public int RequestAttempts { get; set; }

        /// <summary>RFC 2131 section 4.4.5: in RENEWING and REBINDING wait half the time left, but at least this.</summary>
        public int MinimumRenewRetransmitMs { get; set; }

        /// <summary>ARP probes for an acknowledged address and the wait after each (RFC 5227 asks for 3 over 1-2 s each; lwIP, like this, does 2 over a second).</summary>
        public int ProbeCount { get; set; }

        public int ProbeIntervalMs { get; set; }

        /// <summary>RFC 2131 section 3.1 step 5: after a DECLINE, wait at least ten seconds before starting again.</summary>
        public int DeclineWaitMs { get; set; }

        /// <summary>Given the lease's DNS servers (option 6), when attached.</summary>
        public DnsResolver Resolver { get; set; }

        /// <summary>Given the lease's first NTP server (option 42), when attached.</summary>
        public SntpClient Sntp { get; set; }

        public DhcpState State
        {
            get { return _state; }
        }

        /// <summary>The leased address (0.0.0.0 while there is none).</summary>
        public IPv4Address Address
        {
            get { return new IPv4Address(_address); }
        }

        public IPv4Address SubnetMask
        {
            get { return new IPv4Address(_mask); }
        }

        public IPv4Address Router
        {
            get { return new IPv4Address(_router); }
        }

        /// <summary>The server that granted the lease.</summary>
        public IPv4Address Server
        {
            get { return new IPv4Address(_server); }
        }

        public IPv4Address NtpServer
        {
            get { return new IPv4Address(_ntp); }
        }

        public int DnsServerCount
        {
            get { return _dnsCount; }
        }

        public IPv4Address DnsServer(int index)
        {
            return new IPv4Address(_dns[index]);
        }

        /// <summary>The lease's length in seconds (0xFFFFFFFF: infinite).</summary>
        public uint LeaseSeconds
        {
            get { return _lease; }
        }

        /// <summary>Milliseconds until the lease runs out (-1 for none or infinite).</summary>
        public long LeaseRemainingMs
        {
            get { return _address == 0 || _lease == Infinite ? -1 : _expiry - _net.Clock.NowMilliseconds; }
        }

        /// <summary>Milliseconds until T1, when renewing starts (-1 when not bound or the lease is infinite).</summary>
        public long RenewInMs
        {
            get { return _state != DhcpState.Bound || _lease == Infinite ? -1 : _t1 - _net.Clock.NowMilliseconds; }
        }

        public int Discovers { get; private set; }

        public int Offers { get; private set; }

        public int Acks { get; private set; }

        public int Naks { get; private set; }

        public int Declines { get; private set; }

        /// <summary>Leases extended (renewed or rebound).</summary>
        public int Renewals { get; private set; }

        public int Expirations { get; private set; }

        /// <summary>Starts discovery (the interface keeps no address until a lease is bound).</summary>
        public SocketResult Start()
        {
            SocketResult error = OpenSocket();
            if (error != SocketResult.Success)
            {
                return error;
            }

            _linkWasUp = _net.IsLinkUp;
            Restart(_net.Clock.NowMilliseconds);
            return SocketResult.Success;
        }

        /// <summary>Stops, keeping whatever address the interface has (no DHCPRELEASE).</summary>
        public void Stop()
        {
            CloseSocket();
            _state = DhcpState.Stopped;
        }

        /// <summary>
        /// UDP 68, broadcast allowed. Held only while messages are exchanged: a bound client has nothing to hear until T1
        /// (this stack takes no DHCPFORCERENEW), and on the W5500's own sockets each one held is one of eight.
        /// </summary>
        private SocketResult OpenSocket()
        {
            if (_socket != 0)
            {
                return SocketResult.Success;
            }

            SocketResult error = _sockets.Open(SocketKind.Datagram, IpProtocol.Udp, out _socket);
            if (error != SocketResult.Success)
            {
                _socket = 0;
                return error;
            }

            _sockets.SetOption(_socket, SocketOption.Broadcast, 1);
            error = _sockets.Bind(_socket, IPv4Address.Any, ClientPort);
            if (error != SocketResult.Success)
            {
                CloseSocket();
            }

            return error;
        }

        private void CloseSocket()
        {
            if (_socket != 0)
            {
                _sockets.Close(_socket);
                _socket = 0;
            }
        }

        public bool Poll()
        {
            if (_state == DhcpState.Stopped)
            {
                return false;
            }

            bool worked = false;
            int received;
            uint from;
            int fromPort;
            while (_socket != 0 && _sockets.ReceiveFrom(_socket, _message, 0, _message.Length, out received, out from, out fromPort) == SocketResult.Success)
            {
                if (fromPort == ServerPort && Read(received))
                {
                    Input();
                }

                worked = true;
            }

            long now = _net.Clock.NowMilliseconds;
            bool linkUp = _net.IsLinkUp;
            if (linkUp && !_linkWasUp)
            {
                LinkReturned(now);
                worked = true;
            }

            _linkWasUp = linkUp;
            worked |= Timers(now);
            if (_state == DhcpState.Bound)
            {
                CloseSocket(); // until T1, or a link that comes back, sends again
            }

            return worked;
        }

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> has something to do though no message arrives: a (re)transmission, the
        /// next ARP probe, the end of the wait after a decline, T1, T2, or the lease's end (RFC 2131 section 4.4.5).
        /// A link that comes back is seen at the stack's own poll deadline, which reads the link.
        /// </summary>
        public int PollDelay()
        {
            if (_state == DhcpState.Stopped)
            {
                return int.MaxValue;
            }

            long at = _state == DhcpState.Bound ? (_lease == Infinite ? Deadlines.None : _t1) : _nextSend;
            if (_state == DhcpState.Renewing && _t2 < at)
            {
                at = _t2;
            }

            if (_address != 0 && _lease != Infinite && _state != DhcpState.Probing && _expiry < at)
            {
                at = _expiry;
            }

            return Deadlines.Delay(at, _net.Clock.NowMilliseconds, int.MaxValue);
        }

        private void Restart(long now)
        {
            _state = DhcpState.Selecting;
            _xid = _net.NextRandom();
            _startedAt = now;
            _attempt = 0;
            _nextSend = now;
        }

        /// <summary>RFC 2131 section 3.2 and 4.4.2: a link that comes back may be another network; ask to keep the lease.</summary>
        private void LinkReturned(long now)
        {
            if (_address == 0)
            {
                if (_state == DhcpState.Selecting || _state == DhcpState.Requesting)
                {
                    Restart(now);
                }

                return;
            }

            _state = DhcpState.Rebooting;
            _xid = _net.NextRandom();
            _startedAt = now;
            _attempt = 0;
            _nextSend = now;
        }

        private bool Timers(long now)
        {
            if (_address != 0 && _lease != Infinite && now >= _expiry && _state != DhcpState.Probing)
            {
                Expire(now);
                return true;
            }

            switch (_state)
            {
                case DhcpState.Selecting:
                case DhcpState.Requesting:
                case DhcpState.Rebooting:
                    if (now < _nextSend)
                    {
                        return false;
                    }

                    if (_state != DhcpState.Selecting && _attempt >= RequestAttempts)
                    {
                        GiveUpRequest(now);
                        return true;
                    }

                    Send(_state == DhcpState.Selecting ? Discover : Request, now);
                    _nextSend = now + Backoff(_attempt++);
                    return true;

                case DhcpState.Probing:
                    return Probe(now);

                case DhcpState.Declined:
                    if (now >= _nextSend)
                    {
                        Restart(now);
                        return true;
                    }

                    return false;

                case DhcpState.Bound:
                    if (_lease == Infinite || now < _t1)
                    {
                        return false;
                    }

                    _state = DhcpState.Renewing;
                    _xid = _net.NextRandom();
                    _nextSend = now;
                    return Timers(now);

                case DhcpState.Renewing:
                case DhcpState.Rebinding:
                    if (_state == DhcpState.Renewing && now >= _t2)
                    {
                        _state = DhcpState.Rebinding;
                        _nextSend = now;
                    }

                    if (now < _nextSend)
                    {
                        return false;
                    }

                    Send(Request, now);
                    long end = _state == DhcpState.Renewing ? _t2 : _expiry;
                    long wait = (end - now) / 2;
                    _nextSend = now + (wait > MinimumRenewRetransmitMs ? wait : MinimumRenewRetransmitMs);
                    _nextSend = _nextSend < end ? _nextSend : end;
                    return true;
            }

            return false;
        }

        /// <summary>RFC 2131 section 4.1: the wait doubles from 4 s to 64 s, randomised by ±1 s.</summary>
        private long Backoff(int attempt)
        {
            long wait = InitialRetransmitMs;
            for (int i = 0; i < attempt && wait < MaximumRetransmitMs; i++)
            {
                wait *= 2;
            }

            wait = wait < MaximumRetransmitMs ? wait : MaximumRetransmitMs;
            long jitter = (long)(_net.NextRandom() % 2001) - 1000;
            return wait + jitter > 500 ? wait + jitter : 500;
        }

        private void GiveUpRequest(long now)
        {
            if (_state == DhcpState.Rebooting && _address != 0 && (_lease == Infinite || now < _expiry))
            {
                // Section 3.2 step 3: no answer at all; keep the lease that has not run out.
                _state = now >= _t2 ? DhcpState.Rebinding : now >= _t1 ? DhcpState.Renewing : DhcpState.Bound;
                _nextSend = now;
                return;
            }

            Restart(now);
        }

        private bool Probe(long now)
        {
            if (_net.AddressProbeConflict)
            {
                _net.EndAddressProbe();
                Send(Decline, now);
                Declines++;
                _state = DhcpState.Declined;
                _nextSend = now + DeclineWaitMs;
                return true;
            }

            if (now < _nextSend)
            {
                return false;
            }

            if (_attempt < ProbeCount)
            {
                _net.ProbeAddress(new IPv4Address(_offered));
                _attempt++;
                _nextSend = now + ProbeIntervalMs;
                return true;
            }

            _net.EndAddressProbe();
            Bind(now);
            return true;
        }

        private void Input()
        {
            switch (_state)
            {
                case DhcpState.Selecting:
                    if (_type == Offer && _offered != 0 && _readServer != 0)
                    {
                        Offers++;
                        _server = _readServer;
                        _state = DhcpState.Requesting;
                        _attempt = 0;
                        _nextSend = _net.Clock.NowMilliseconds;
                    }

                    break;

                case DhcpState.Requesting:
                case DhcpState.Rebooting:
                case DhcpState.Renewing:
                case DhcpState.Rebinding:
                    if (_state == DhcpState.Requesting && _readServer != _server)
                    {
                        break; // an ACK or NAK for another server's offer (section 4.4.1)
                    }

                    if (_type == Nak)
                    {
                        Naks++;
                        Unconfigure();
                        Restart(_net.Clock.NowMilliseconds);
                    }
                    else if (_type == Ack && _offered != 0 && _lease != 0)
                    {
                        Acks++;
                        Acknowledged();
                    }

                    break;
            }
        }

        private void Acknowledged()
        {
            long now = _net.Clock.NowMilliseconds;
            if (_readServer != 0)
            {
                _server = _readServer;
            }

            if (_state == DhcpState.Requesting || _offered != _address)
            {
                // A new address: ask the link first (RFC 2131 section 4.4.1, RFC 5227).
                _state = DhcpState.Probing;
                _attempt = 0;
                _nextSend = now;
                return;
            }

            if (_state == DhcpState.Renewing || _state == DhcpState.Rebinding)
            {
                Renewals++;
            }

            Bind(now);
        }

        private void Bind(long now)
        {
            _address = _offered;
            long lease = (long)_lease * 1000;
            _t1 = _requestSentAt + (_renewal != 0 && _renewal < _lease ? (long)_renewal * 1000 : lease / 2);
            _t2 = _requestSentAt + (_rebinding != 0 && _rebinding < _lease ? (long)_rebinding * 1000 : lease * 7 / 8);
            _t2 = _t2 > _t1 ? _t2 : _t1;
            _expiry = _requestSentAt + lease;
            IPv4Address mask = _mask == 0 ? IPv4Address.MaskFromPrefixLength(24) : new IPv4Address(_mask);
            _net.Configure(new IPv4Address(_address), mask, new IPv4Address(_router));
            _state = DhcpState.Bound;
            if (Resolver != null && _dnsCount > 0)
            {
                Resolver.SetServers(new IPv4Address(_dns[0]), new IPv4Address(_dns[1]), new IPv4Address(_dns[2]));
            }

            if (Sntp != null && _ntp != 0)
            {
                Sntp.Server = new IPv4Address(_ntp);
            }

            Timers(now);
        }

        private void Expire(long now)
        {
            Expirations++;
            Unconfigure();
            Restart(now);
        }

        private void Unconfigure()
        {
            if (_address != 0)
            {
                _address = 0;
                _net.Configure(IPv4Address.Any, IPv4Address.Any, IPv4Address.Any);
            }
        }

        /// <summary>Builds and broadcasts (or, renewing, unicasts) one message of <paramref name="type"/>.</summary>
        private void Send(int type, long now)
        {
            bool renewing = type == Request && (_state == DhcpState.Renewing || _state == DhcpState.Rebinding);
            _view.Begin(_message, 0, MessageCapacity, DhcpMessage.BootRequest, _xid);
            long seconds = (now - _startedAt) / 1000;
            _view.Seconds = (int)(seconds < 0xFFFF ? seconds : 0xFFFF);
            if (renewing)
            {
                _view.ClientAddressValue = _address; // ciaddr: we can take a unicast answer
            }
            else
            {
                _view.Flags = DhcpMessage.FlagBroadcast; // no address yet to take a unicast answer on
            }

            _net.WriteMacAddress(_message, _view.HardwareAddressOffset);
            _view.AddByteOption(DhcpMessage.OptionMessageType, type);
            // Client identifier (RFC 2132 section 9.14): hardware type, then the MAC address.
            if (_view.AddOption(DhcpMessage.OptionClientIdentifier, 1 + MacAddress.Length) >= 0)
            {
                _view.SetOptionByte(0, DhcpMessage.HardwareEthernet);
                _net.WriteMacAddress(_message, _view.OptionOffset + 1);
            }

            if (type == Decline || (type == Request && !renewing))
            {
                _view.AddUInt32Option(DhcpMessage.OptionRequestedAddress, _state == DhcpState.Rebooting ? _address : _offered);
            }

            if (type == Decline || (type == Request && _state == DhcpState.Requesting))
            {
                _view.AddUInt32Option(DhcpMessage.OptionServerIdentifier, _server);
            }

            if (type != Decline)
            {
                if (_hostName.Length > 0 && _hostName.Length <= 255)
                {
                    _view.AddBytesOption(DhcpMessage.OptionHostName, _hostName, 0, _hostName.Length);
                }

                if (_view.AddOption(DhcpMessage.OptionParameterList, 7) >= 0)
                {
                    _view.SetOptionByte(0, DhcpMessage.OptionSubnetMask);
                    _view.SetOptionByte(1, DhcpMessage.OptionRouter);
                    _view.SetOptionByte(2, DhcpMessage.OptionDnsServers);
                    _view.SetOptionByte(3, DhcpMessage.OptionNtpServers);
                    _view.SetOptionByte(4, DhcpMessage.OptionLeaseTime);
                    _view.SetOptionByte(5, DhcpMessage.OptionRenewalTime);
                    _view.SetOptionByte(6, DhcpMessage.OptionRebindingTime);
                }

                _view.AddUInt16Option(DhcpMessage.OptionMaximumSize, MessageCapacity);
            }

            int length = _view.End(DhcpMessage.MinimumLength);
            if (type == Request)
            {
                _requestSentAt = now; // T1, T2 and expiry count from here (section 4.4.1)
            }

            if (type == Discover)
            {
                Discovers++;
            }

            if (length < 0)
            {
                return; // cannot happen: the options above fit the buffer with room to spare
            }

            IPv4Address to = renewing && _state == DhcpState.Renewing ? new IPv4Address(_server) : IPv4Address.Broadcast;
            if (OpenSocket() != SocketResult.Success)
            {
                return; // no socket free now: the retransmission timer tries again
            }

            int sent;
            _sockets.SendTo(_socket, _message, 0, length, to, ServerPort, out sent);
        }

        /// <summary>Checks a reply is a valid BOOTREPLY for us (<see cref="DhcpMessage.Parse"/>) and reads its options; false to ignore it.</summary>
        private bool Read(int length)
        {
            if (_view.Parse(_message, 0, length) != WireError.None || _view.Op != DhcpMessage.BootReply
                || _view.TransactionId != _xid || !_net.IsOwnMacAddress(_message, _view.HardwareAddressOffset))
            {
                return false;
            }

            _type = 0;
            _readServer = 0;
            IPv4Address offered = new IPv4Address(_view.YourAddressValue);
            IPv4Address mask = IPv4Address.Any, router = IPv4Address.Any, ntp = IPv4Address.Any;
            uint lease = 0, renewal = 0, rebinding = 0;
            int dnsCount = 0;
            // The options field, then (RFC 2132 section 9.3, option overload) the file and sname fields when they hold more.
            _view.StartOptions();
            while (_view.NextOption())
            {
                int size = _view.OptionLength;
                switch (_view.OptionCode)
                {
                    case DhcpMessage.OptionMessageType:
                        _type = size == 1 ? _view.OptionByte(0) : 0;
                        break;
                    case DhcpMessage.OptionServerIdentifier:
                        _readServer = size == 4 ? _view.OptionAddress(0).Value : 0;
                        break;
                    case DhcpMessage.OptionSubnetMask:
                        mask = size == 4 ? _view.OptionAddress(0) : mask;
                        break;
                    case DhcpMessage.OptionRouter:
                        router = size >= 4 && size % 4 == 0 ? _view.OptionAddress(0) : router;
                        break;
                    case DhcpMessage.OptionNtpServers:
                        ntp = size >= 4 && size % 4 == 0 ? _view.OptionAddress(0) : ntp;
                        break;
                    case DhcpMessage.OptionDnsServers:
                        for (int i = 0; i + 4 <= size && size % 4 == 0 && dnsCount < _dns.Length; i += 4)
                        {
                            _readDns[dnsCount++] = _view.OptionUInt32(i);
                        }

                        break;
                    case DhcpMessage.OptionLeaseTime:
                        lease = size == 4 ? _view.OptionUInt32(0) : lease;
                        break;
                    case DhcpMessage.OptionRenewalTime:
                        renewal = size == 4 ? _view.OptionUInt32(0) : renewal;
                        break;
                    case DhcpMessage.OptionRebindingTime:
                        rebinding = size == 4 ? _view.OptionUInt32(0) : rebinding;
                        break;
                }
            }

            if (_type == Offer || _type == Ack)
            {
                if (offered.IsAny || offered.IsBroadcast || offered.IsMulticast || offered.IsLoopback)
                {
                    return false;
                }

                _offered = offered.Value;
                _mask = mask.Value;
                _router = router.Value;
                _ntp = ntp.Value;
                _dnsCount = dnsCount;
                for (int i = 0; i < _dns.Length; i++)
                {
                    _dns[i] = i < dnsCount ? _readDns[i] : 0;
                }

                _lease = lease;
                _renewal = renewal;
                _rebinding = rebinding;
            }

            return _type != 0;
        }
    }
}
