using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using R = IoTStack.Drivers.W5500.W5500Registers;

namespace IoTStack.Drivers.W5500
{
    /// <summary>
    /// The W5500's eight hardware sockets behind <see cref="ISocketEngine"/>: the chip does TCP/IP, this class
    /// maps descriptor calls onto socket registers and commands. A descriptor names a handle plus a generation,
    /// as in the software stack, so a stale one is refused. A handle is a stream or datagram socket on one
    /// hardware socket, or a listener that keeps up to its backlog of hardware sockets in LISTEN on its port;
    /// Accept gives a connected one a handle of its own and puts another free hardware socket into LISTEN.
    /// Every wait on the chip is bounded. It is also the <see cref="INetInterface"/> the services need: the chip's
    /// address registers, its PHY's link bit, an ARP probe made the way WIZnet's own DHCP client makes it (a UDP
    /// datagram whose ARP request goes out from 0.0.0.0 and is answered or times out), multicast through the
    /// UDP sockets' multicast mode (Sn_MR MULTI) and broadcast through their plain UDP mode.
    /// </summary>
    public sealed class W5500SocketEngine : ISocketEngine, INetInterface
    {
        private const int HardwareSockets = 8;
        private const int Handles = 16;
        private const int BufferKilobytes = 2;
        private const int UdpHeader = 8;
        private const int Closing = -2;

        /// <summary>The owner of the hardware socket an address probe holds (<see cref="ProbeAddress"/>).</summary>
        private const int Probing = -3;

        /// <summary>Sn_MR bit 7 in UDP mode: multicast (datasheet 1.0.9 section 4.2, Sn_MR MULTI).</summary>
        private const int ModeMulticast = 0x80;

        /// <summary>Sn_TTL (datasheet 1.0.9 section 4.2): the IP TTL of what the socket sends; 0x80 after reset.</summary>
        private const int SnTTL = 0x16;

        /// <summary>The probe's datagram goes to the discard port (RFC 863) of whoever answers for the address.</summary>
        private const int ProbePort = 9;

        private readonly W5500Bus _bus;
        private readonly MacAddress _macAddress;
        private readonly byte[] _scratch = new byte[8];

        // Handles.
        private readonly bool[] _used = new bool[Handles];
        private readonly int[] _generation = new int[Handles];
        private readonly SocketKind[] _type = new SocketKind[Handles];
        private readonly int[] _hardware = new int[Handles]; // -1: none (unbound, or a listener)
        private readonly int[] _port = new int[Handles];
        private readonly bool[] _listening = new bool[Handles];
        private readonly int[] _backlog = new int[Handles];
        private readonly bool[] _connecting = new bool[Handles];
        private readonly bool[] _shutdown = new bool[Handles];

        /// <summary>Linger 0 set: Close frees the hardware socket at once (Sn_CR CLOSE) instead of the FIN handshake.</summary>
        private readonly bool[] _abort = new bool[Handles];

        /// <summary>The multicast group a datagram handle joined (<see cref="SocketOption.AddMembership"/>), 0 for none.</summary>
        private readonly uint[] _group = new uint[Handles];

        /// <summary>The TTL a datagram handle set (<see cref="SocketOption.TimeToLive"/>), 0 for the chip's default.</summary>
        private readonly int[] _ttl = new int[Handles];

        /// <summary>The TTL a datagram handle set for groups (<see cref="SocketOption.MulticastTimeToLive"/>), 0 for 1.</summary>
        private readonly int[] _multicastTtl = new int[Handles];

        // Hardware sockets.
        private readonly int[] _owner = new int[HardwareSockets]; // handle; -1 when free; Closing while the chip closes it
        private readonly bool[] _sending = new bool[HardwareSockets];
        private readonly bool[] _closing = new bool[HardwareSockets];
        private readonly bool[] _disconnectAfterSend = new bool[HardwareSockets];

        /// <summary>Sn_TTL as last written: one register for every datagram a socket sends, so SendTo rewrites it only when a
        /// datagram to a group follows one to a host, or the other way round.</summary>
        private readonly int[] _ttlWritten = new int[HardwareSockets];

        /// <summary>The Sn_IR flags that pull INTn low (Sn_IMR): what Poll clears as news. SENDOK only while a sender waits.</summary>
        private const int Events = R.InterruptConnect | R.InterruptDisconnect | R.InterruptReceive | R.InterruptTimeout;

        /// <summary>A Send (or a close's FIN) waits for the SEND under way: SENDOK is unmasked in Sn_IMR, and Poll takes it.</summary>
        private readonly bool[] _awaitingSendOk = new bool[HardwareSockets];

        /// <summary>Sn_IR CON came for the socket: a listener's connection is up and waits for Accept (datasheet 4.2, Sn_IR).</summary>
        private readonly bool[] _connected = new bool[HardwareSockets];

        /// <summary>When each socket's connection came (a running count): Accept hands out the longest waiting first.</summary>
        private readonly long[] _arrival = new long[HardwareSockets];
        private long _arrivals;

        /// <summary>A Close freed a hardware socket: the next Poll arms listeners without waiting for the sweep.</summary>
        private bool _freed;

        /// <summary>
        /// How often the listeners' sockets are read back whatever the interrupts said (a listener the chip closed
        /// raises none): between sweeps an idle poll reads only SIR, not every socket's Sn_SR (issue 15's idle cost).
        /// </summary>
        private const int SweepIntervalMs = 100;

        private readonly IClock _clock;
        private long _nextSweep;
        private bool _sweeping;

        private IPv4Address _address;
        private IPv4Address _subnetMask;
        private IPv4Address _gateway;
        private int _nextPort = 49152;

        // INetInterface.
        private readonly Prng _random;
        private readonly WallClock _wallClock;
        private bool _linkUp;
        private bool _linkKnown;
        private long _linkCheckedAt;
        private int _probeSocket = -1;
        private bool _probeOut;
        private bool _probeConflict;

        public W5500SocketEngine(ISpiBus bus, MacAddress macAddress, IClock clock)
        {
            if (clock == null)
            {
                throw new System.ArgumentNullException("clock");
            }

            _bus = new W5500Bus(bus);
            _macAddress = macAddress;
            _clock = clock;
            macAddress.Write(_scratch, 0);
            _random = new Prng(NetworkOrder.ReadUInt32(_scratch, 2) ^ (uint)clock.NowMilliseconds ^ 0x9E3779B9);
            _wallClock = new WallClock(clock);
            for (int h = 0; h < Handles; h++)
            {
                _generation[h] = 1;
            }

            for (int k = 0; k < HardwareSockets; k++)
            {
                _owner[k] = -1;
            }
        }

        /// <summary>Resets the chip and gives it its addresses. False when no W5500 answers (VERSIONR is not 0x04).</summary>
        public bool Initialise(IPv4Address address, IPv4Address subnetMask, IPv4Address gateway)
        {
            if (!_bus.Reset())
            {
                return false;
            }

            _address = address;
            _subnetMask = subnetMask;
            _gateway = gateway;
            Configure();
            for (int k = 0; k < HardwareSockets; k++)
            {
                _owner[k] = -1;
                _closing[k] = false;
                _disconnectAfterSend[k] = false;
                _connected[k] = false;
            }

            _nextSweep = 0;
            _probeSocket = -1;
            _probeOut = false;
            _probeConflict = false;
            for (int h = 0; h < Handles; h++)
            {
                if (_used[h])
                {
                    _generation[h] = _generation[h] == 0x7FFFFF ? 1 : _generation[h] + 1; // old descriptors stay dead
                }

                _used[h] = false;
            }

            return true;
        }

        /// <summary>Times the chip was found reset (its address gone) and set up again; its connections were lost.</summary>
        public long ChipReinitialisations { get; private set; }

        private void Configure()
        {
            _macAddress.Write(_scratch, 0);
            _bus.Write(R.CommonBlock, R.SHAR, _scratch, 0, MacAddress.Length);
            WriteAddresses();
            for (int k = 0; k < HardwareSockets; k++)
            {
                _bus.Write8(R.SocketBlock(k), R.SnRXBUFSIZE, BufferKilobytes);
                _bus.Write8(R.SocketBlock(k), R.SnTXBUFSIZE, BufferKilobytes);
            }

            // INTn (active low) for every socket: a bit of Sn_IR that Sn_IMR lets through pulls it low until the host
            // clears it (datasheet 1.0.9 sections 4.1 SIR and SIMR, 4.2 Sn_IR and Sn_IMR). The mask gates the pin, not the
            // flag: SENDOK is still set for SendDone, but wakes the host only while a sender waits for it (AwaitSendOk).
            for (int k = 0; k < HardwareSockets; k++)
            {
                _bus.Write8(R.SocketBlock(k), R.SnIMR, Events);
                _awaitingSendOk[k] = false;
            }

            _bus.Write8(R.CommonBlock, R.SIMR, 0xFF);
        }

        /// <summary>
        /// A chip that reset itself (brown-out; cable re-plug reports) has lost its address and closed every socket:
        /// set it up again, re-arm the listeners. Open connections read as closed, so their owners see ConnectionReset.
        /// </summary>
        private void CheckChip()
        {
            _bus.Read(R.CommonBlock, 0x000F, _scratch, 0, 4);
            if (NetworkOrder.ReadUInt32(_scratch, 0) == _address.Value || _address.IsAny)
            {
                return;
            }

            _bus.Read(R.CommonBlock, 0x000F, _scratch, 0, 4);
            if (NetworkOrder.ReadUInt32(_scratch, 0) == _address.Value)
            {
                return; // one garbled read is no reason to drop every connection
            }

            ChipReinitialisations++;
            if (!_bus.Reset())
            {
                return;
            }

            Configure();
            _nextSweep = 0; // the listeners are armed again on this poll
            _probeSocket = -1; // the chip closed it; the next ProbeAddress opens another
            _probeOut = false;
            for (int k = 0; k < HardwareSockets; k++)
            {
                int owner = _owner[k];
                _closing[k] = false;
                _sending[k] = false;
                _disconnectAfterSend[k] = false;
                _connected[k] = false;
                if (owner < 0 || _listening[owner])
                {
                    _owner[k] = -1; // freed: listeners are topped up again by Poll
                }
                else if (_type[owner] == SocketKind.Datagram)
                {
                    OpenUdp(k, owner); // a UDP socket carries on, in its group if it joined one
                }
            }
        }

        /// <summary>
        /// Keeps every listener at its backlog of hardware sockets in LISTEN: one that the chip closed (a handshake
        /// that timed out in SYN_RECV, a client's RST) is opened again, and free sockets top the count up.
        /// </summary>
        private void Rearm()
        {
            for (int h = 0; h < Handles; h++)
            {
                if (!_used[h] || !_listening[h])
                {
                    continue;
                }

                int armed = 0;
                for (int k = 0; k < HardwareSockets; k++)
                {
                    if (_owner[k] != h)
                    {
                        continue;
                    }

                    if (Status(k) == R.StatusClosed)
                    {
                        _owner[k] = -1;
                    }
                    else
                    {
                        armed++;
                    }
                }

                while (armed < _backlog[h] && Arm(h))
                {
                    armed++;
                }
            }
        }

        /// <summary>
        /// Reads and clears the sockets' interrupt flags (the chip works on its own; this is where a polling driver
        /// looks), notices a chip that reset itself, and frees hardware sockets of closed connections once the chip
        /// has finished closing them. True when some socket had news.
        /// </summary>
        public bool Poll()
        {
            _roomAwaited = false; // a sender still waiting says so again when it next finds no room
            CheckChip();
            long now = _clock.NowMilliseconds;
            _sweeping = now >= _nextSweep;
            if (_sweeping)
            {
                _nextSweep = now + SweepIntervalMs;
            }

            int pending = _bus.Read8(R.CommonBlock, R.SIR);
            bool news = false;
            for (int k = 0; k < HardwareSockets; k++)
            {
                if (((pending >> k) & 1) == 0)
                {
                    continue;
                }

                // Every flag that pulls INTn low is cleared, so the line goes high again: a CON waits for Accept in
                // _connected; a TIMEOUT, or a SENDOK a sender waits for, ends the SEND under way (SendDone then finds it
                // done). A SENDOK nobody waits for stays for SendDone, unless it is stale (no SEND out).
                int flags = _bus.Read8(R.SocketBlock(k), R.SnIR);
                int clear = flags & Events;
                if (k == _probeSocket && (flags & (R.InterruptSendOk | R.InterruptTimeout)) != 0)
                {
                    // SENDOK: someone answered the ARP request for the probed address, so the chip could send; TIMEOUT:
                    // nobody did within RTR x (RCR + 1) (datasheet 1.0.9 section 4.2, Sn_IR TIMEOUT: ARPTO).
                    _probeConflict |= (flags & R.InterruptSendOk) != 0;
                    _probeOut = false;
                }

                if ((flags & R.InterruptConnect) != 0)
                {
                    _connected[k] = true;
                    _arrival[k] = ++_arrivals;
                }

                if (!_sending[k] || _awaitingSendOk[k])
                {
                    clear |= flags & R.InterruptSendOk;
                }

                if ((clear & (R.InterruptSendOk | R.InterruptTimeout)) != 0)
                {
                    _sending[k] = false;
                    StopAwaitingSendOk(k);
                }

                if (clear != 0)
                {
                    _bus.Write8(R.SocketBlock(k), R.SnIR, clear);
                    news = true;
                }
            }

            for (int k = 0; k < HardwareSockets; k++)
            {
                if (_disconnectAfterSend[k])
                {
                    // A peer's RST closes the socket with a SEND still out, and then no SENDOK ever comes.
                    if (Status(k) == R.StatusClosed)
                    {
                        _disconnectAfterSend[k] = false;
                    }
                    else if (SendDone(k))
                    {
                        _disconnectAfterSend[k] = false;
                        _bus.Command(k, R.CommandDisconnect); // the last SEND is out: now the FIN
                        news = true;
                    }
                }

                if (_closing[k] && Status(k) == R.StatusClosed)
                {
                    _closing[k] = false;
                    _sending[k] = false;
                    _disconnectAfterSend[k] = false;
                    _owner[k] = -1;
                    news = true; // a hardware socket is free: a listener may take it now
                }
            }

            if (news || _sweeping || _freed)
            {
                _freed = false;
                Rearm(); // tops listeners up after a connection or a close, and on every sweep
            }

            return news;
        }

        /// <summary>
        /// Milliseconds until the next sweep of the listeners (at most <see cref="SweepIntervalMs"/>; 0 right after a
        /// reset). Everything else the chip does itself and reports through Sn_IR, which pulls INTn low (SIMR is set).
        /// </summary>
        public int PollDelay()
        {
            // Room in a transmit buffer comes back with the peer's ACKs, and the chip raises no interrupt for that (SENDOK
            // came with the SEND): while a sender waits for room, look again in a millisecond rather than at the sweep.
            return _roomAwaited ? 1 : Net.Deadlines.Delay(_nextSweep, _clock.NowMilliseconds, SweepIntervalMs);
        }

        /// <summary>The last poll's senders found a transmit buffer full (Sn_TX_FSR 0) after its SEND was done.</summary>
        private bool _roomAwaited;

        public SocketResult Open(SocketKind type, IpProtocol protocol, out int socket)
        {
            socket = 0;
            if (!(type == SocketKind.Stream && (protocol == IpProtocol.Tcp || protocol == IpProtocol.None))
                && !(type == SocketKind.Datagram && (protocol == IpProtocol.Udp || protocol == IpProtocol.None)))
            {
                return SocketResult.ProtocolNotSupported;
            }

            for (int h = 0; h < Handles; h++)
            {
                if (!_used[h])
                {
                    _used[h] = true;
                    _type[h] = type;
                    _hardware[h] = -1;
                    _port[h] = 0;
                    _listening[h] = false;
                    _connecting[h] = false;
                    _shutdown[h] = false;
                    _abort[h] = false;
                    _group[h] = 0;
                    _ttl[h] = 0;
                    _multicastTtl[h] = 0;
                    socket = (_generation[h] << 8) | h;
                    return SocketResult.Success;
                }
            }

            return SocketResult.TooManyOpenSockets;
        }

        public SocketResult Bind(int socket, IPv4Address address, int port)
        {
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            if (_port[h] != 0 || port < 0 || port > 0xFFFF)
            {
                return SocketResult.InvalidArgument;
            }

            if (!address.IsAny && address != _address)
            {
                return SocketResult.AddressNotAvailable;
            }

            _port[h] = port == 0 ? EphemeralPort() : port;
            if (_type[h] != SocketKind.Datagram)
            {
                return SocketResult.Success;
            }

            int k = ClaimHardware(h);
            return k < 0 ? SocketResult.TooManyOpenSockets : OpenUdp(k, h);
        }

        public SocketResult Listen(int socket, int backlog)
        {
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            if (_type[h] != SocketKind.Stream || _hardware[h] >= 0)
            {
                return SocketResult.InvalidArgument;
            }

            if (_port[h] == 0)
            {
                _port[h] = EphemeralPort();
            }

            _listening[h] = true;
            _backlog[h] = backlog < 1 ? 1 : backlog > HardwareSockets ? HardwareSockets : backlog;
            int armed = 0;
            for (int n = 0; n < _backlog[h]; n++)
            {
                if (Arm(h))
                {
                    armed++;
                }
            }

            return armed > 0 ? SocketResult.Success : SocketResult.TooManyOpenSockets;
        }

        public SocketResult Accept(int socket, out int connection)
        {
            connection = 0;
            int listener = Resolve(socket);
            if (listener < 0)
            {
                return SocketResult.NotSocket;
            }

            if (!_listening[listener])
            {
                return SocketResult.InvalidArgument;
            }

            // The connection that has waited longest: with the chip's sockets shared by every listener, a client must not wait
            // behind newer ones (a slowloris keeps connecting).
            int first = -1;
            for (int k = 0; k < HardwareSockets; k++)
            {
                // Only sockets whose CON interrupt came, or all of the listener's on a sweep: an idle Accept reads nothing.
                int status = _owner[k] == listener && (_connected[k] || _sweeping) ? Status(k) : -1;
                if (status != R.StatusEstablished && status != R.StatusCloseWait)
                {
                    continue;
                }

                if (!_connected[k])
                {
                    _arrival[k] = ++_arrivals; // found by a sweep (its CON was cleared with a chip reset)
                }

                if (first < 0 || _arrival[k] < _arrival[first])
                {
                    first = k;
                }
            }

            if (first >= 0)
            {
                int k = first;
                int created;
                if (Open(SocketKind.Stream, IpProtocol.Tcp, out created) != SocketResult.Success)
                {
                    return SocketResult.TooManyOpenSockets;
                }

                int h = created & 0xFF;
                _connected[k] = false;
                _hardware[h] = k;
                _port[h] = _port[listener];
                _owner[k] = h;
                Arm(listener); // keep the port served, if a hardware socket is free
                connection = created;
                return SocketResult.Success;
            }

            return SocketResult.WouldBlock;
        }

        public SocketResult Connect(int socket, IPv4Address address, int port)
        {
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            if (_type[h] != SocketKind.Stream || _listening[h])
            {
                return SocketResult.InvalidArgument;
            }

            int k = _hardware[h];
            if (k >= 0)
            {
                int status = Status(k);
                if (status == R.StatusEstablished || status == R.StatusCloseWait)
                {
                    _connecting[h] = false;
                    return SocketResult.IsConnected;
                }

                if (status == R.StatusClosed)
                {
                    _connecting[h] = false;
                    return SocketResult.ConnectionRefused; // refused or timed out: the chip closed the socket (Sn_IR.TIMEOUT)
                }

                return SocketResult.WouldBlock;
            }

            if (port <= 0 || port > 0xFFFF || address.IsAny)
            {
                return SocketResult.InvalidArgument;
            }

            k = ClaimHardware(h);
            if (k < 0)
            {
                return SocketResult.TooManyOpenSockets;
            }

            if (_port[h] == 0)
            {
                _port[h] = EphemeralPort();
            }

            SocketResult error = OpenHardware(k, _port[h], R.ModeTcp, R.StatusInit);
            if (error != SocketResult.Success)
            {
                return error;
            }

            WriteAddress(R.SocketBlock(k), R.SnDIPR, address.Value);
            _bus.Write16(R.SocketBlock(k), R.SnDPORT, port);
            if (!_bus.Command(k, R.CommandConnect))
            {
                return SocketResult.TimedOut;
            }

            _connecting[h] = true;
            return SocketResult.WouldBlock;
        }

        public SocketResult SendSome(int socket, byte[] buffer, int offset, int count, out int sent)
        {
            sent = 0;
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            int k = _hardware[h];
            if (!NetworkOrder.InBuffer(buffer, offset, count))
            {
                return SocketResult.InvalidArgument;
            }

            if (_type[h] != SocketKind.Stream || k < 0)
            {
                return SocketResult.NotConnected;
            }

            int status = Status(k);
            if (status != R.StatusEstablished && status != R.StatusCloseWait)
            {
                return status == R.StatusClosed ? SocketResult.ConnectionReset : SocketResult.WouldBlock;
            }

            return Queue(k, buffer, offset, count, out sent);
        }

        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent)
        {
            return SendTo(socket, buffer, offset, count, address.Value, port, out sent);
        }

        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent)
        {
            sent = 0;
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            if (_type[h] == SocketKind.Stream)
            {
                return SendSome(socket, buffer, offset, count, out sent);
            }

            if (!NetworkOrder.InBuffer(buffer, offset, count) || port <= 0 || port > 0xFFFF || address == 0)
            {
                return SocketResult.InvalidArgument;
            }

            if (count > BufferKilobytes * 1024)
            {
                return SocketResult.MessageSize;
            }

            if (count == 0)
            {
                // A SEND moves the bytes between Sn_TX_RD and Sn_TX_WR (datasheet 1.0.9 §4.2, Sn_CR SEND); with
                // none there is no datagram to build, so the chip sends nothing. WIZnet's ioLibrary refuses it too.
                return SocketResult.MessageSize;
            }

            if (_hardware[h] < 0)
            {
                SocketResult bound = Bind(socket, IPv4Address.Any, 0);
                if (bound != SocketResult.Success)
                {
                    return bound;
                }
            }

            int k = _hardware[h];
            if (!SendDone(k))
            {
                AwaitSendOk(k);
                return SocketResult.WouldBlock; // the last datagram is still out (it may wait for ARP)
            }

            if (_bus.Read16Stable(R.SocketBlock(k), R.SnTXFSR) < count)
            {
                return SocketResult.WouldBlock; // no room
            }

            WriteAddress(R.SocketBlock(k), R.SnDIPR, address);
            _bus.Write16(R.SocketBlock(k), R.SnDPORT, port);
            WriteTtl(k, IPv4Address.IsMulticastValue(address) ? MulticastTtl(h) : UnicastTtl(h));
            return Queue(k, buffer, offset, count, out sent);
        }

        public SocketResult Receive(int socket, byte[] buffer, int offset, int count, out int received)
        {
            uint address;
            int port;
            return ReceiveFrom(socket, buffer, offset, count, out received, out address, out port);
        }

        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketEndpoint remote)
        {
            uint address;
            int port;
            SocketResult error = ReceiveFrom(socket, buffer, offset, count, out received, out address, out port);
            int h = Resolve(socket);
            if (h >= 0 && _type[h] == SocketKind.Stream)
            {
                GetRemoteAddress(socket, out remote); // read from the chip only when asked: Receive does not need it
            }
            else
            {
                remote = error == SocketResult.Success || error == SocketResult.MessageSize
                    ? new SocketEndpoint(IpProtocol.Udp, new IPv4Address(address), port)
                    : new SocketEndpoint();
            }

            return error;
        }

        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port)
        {
            received = 0;
            address = 0;
            port = 0;
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            int k = _hardware[h];
            if (!NetworkOrder.InBuffer(buffer, offset, count))
            {
                return SocketResult.InvalidArgument;
            }

            if (k < 0)
            {
                return _type[h] == SocketKind.Stream ? SocketResult.NotConnected : SocketResult.WouldBlock;
            }

            int block = R.SocketBlock(k);
            int status = Status(k); // before RX_RSR: data that came with a FIN is read before the end of stream
            int waiting = _bus.Read16Stable(block, R.SnRXRSR);
            int read = _bus.Read16(block, R.SnRXRD);
            if (_type[h] == SocketKind.Datagram)
            {
                if (waiting < UdpHeader)
                {
                    return SocketResult.WouldBlock;
                }

                // UDP: the chip writes the sender's address, port and the data length before each datagram.
                _bus.Read(R.ReceiveBufferBlock(k), read, _scratch, 0, UdpHeader);
                int length = (_scratch[6] << 8) | _scratch[7];
                if (length > waiting - UdpHeader)
                {
                    // A length the buffer cannot hold: skip what was received rather than run past RX_WR.
                    _bus.Write16(block, R.SnRXRD, _bus.Read16(block, R.SnRXWR));
                    _bus.Command(k, R.CommandReceive);
                    return SocketResult.WouldBlock;
                }

                address = NetworkOrder.ReadUInt32(_scratch, 0);
                port = (_scratch[4] << 8) | _scratch[5];
                received = length < count ? length : count;
                _bus.Read(R.ReceiveBufferBlock(k), (read + UdpHeader) & 0xFFFF, buffer, offset, received);
                _bus.Write16(block, R.SnRXRD, (read + UdpHeader + length) & 0xFFFF);
                _bus.Command(k, R.CommandReceive);
                return length > count ? SocketResult.MessageSize : SocketResult.Success;
            }

            if (waiting == 0)
            {
                // The peer's FIN: end of stream; also once both FINs are through after our own shutdown.
                if (status == R.StatusCloseWait || (status == R.StatusClosed && _shutdown[h]))
                {
                    return SocketResult.Success;
                }

                return status == R.StatusClosed ? SocketResult.ConnectionReset : SocketResult.WouldBlock;
            }

            received = waiting < count ? waiting : count;
            _bus.Read(R.ReceiveBufferBlock(k), read, buffer, offset, received);
            _bus.Write16(block, R.SnRXRD, (read + received) & 0xFFFF);
            _bus.Command(k, R.CommandReceive);
            return SocketResult.Success;
        }

        public SocketResult Shutdown(int socket, ShutdownDirection how)
        {
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            if (how != ShutdownDirection.Receive && _type[h] == SocketKind.Stream && _hardware[h] >= 0)
            {
                _bus.Command(_hardware[h], R.CommandDisconnect); // the chip sends FIN
                _shutdown[h] = true;
            }

            return SocketResult.Success;
        }

        public SocketResult Close(int socket)
        {
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            for (int k = 0; k < HardwareSockets; k++)
            {
                if (_owner[k] != h)
                {
                    continue;
                }

                int status = Status(k);
                if (!_listening[h] && !_abort[h] && (status == R.StatusEstablished || status == R.StatusCloseWait))
                {
                    // Graceful: FIN, and the socket is freed once the chip closed it. DISCON only after SENDOK, as
                    // WIZnet's own driver does (its send() waits for SEND_OK before disconnect()); a DISCON while the
                    // chip still moves a SEND may cut the data short.
                    if (SendDone(k))
                    {
                        _bus.Command(k, R.CommandDisconnect);
                    }
                    else
                    {
                        _disconnectAfterSend[k] = true;
                        AwaitSendOk(k);
                    }

                    _closing[k] = true;
                    _owner[k] = Closing; // no handle owns it any more
                }
                else
                {
                    _bus.Command(k, R.CommandClose);
                    _owner[k] = -1;
                    _freed = true;
                }
            }

            _used[h] = false;
            _generation[h] = _generation[h] == 0x7FFFFF ? 1 : _generation[h] + 1;
            return SocketResult.Success;
        }

        public SocketEvents PollSocket(int socket)
        {
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketEvents.Invalid;
            }

            if (_listening[h])
            {
                // No socket left in LISTEN on the port: the chip answers the next SYN with RST, so the listener reports Overflow
                // and an application holding idle connections can free one (then the next Poll arms it again).
                // Between sweeps a socket armed for the listener with no CON since is taken to be in LISTEN (no SPI read).
                SocketEvents listener = SocketEvents.Overflow;
                for (int k = 0; k < HardwareSockets; k++)
                {
                    if (_owner[k] == h && !_connected[k] && !_sweeping)
                    {
                        listener &= ~SocketEvents.Overflow;
                        continue;
                    }

                    // The sockets Accept would take (CON seen by Poll, or a sweep): readable means Accept will not block.
                    int status = _owner[k] == h && (_connected[k] || _sweeping) ? Status(k) : -1;
                    if (status == R.StatusEstablished || status == R.StatusCloseWait)
                    {
                        listener |= SocketEvents.Readable;
                    }
                    else if (status == R.StatusListen)
                    {
                        listener &= ~SocketEvents.Overflow;
                    }
                }

                return listener;
            }

            int hardware = _hardware[h];
            if (hardware < 0)
            {
                return SocketEvents.None;
            }

            int block = R.SocketBlock(hardware);
            int state = Status(hardware);
            SocketEvents events = SocketEvents.None;
            if (_bus.Read16Stable(block, R.SnRXRSR) >= (_type[h] == SocketKind.Datagram ? UdpHeader : 1) || state == R.StatusCloseWait)
            {
                events |= SocketEvents.Readable;
            }

            if (state == R.StatusEstablished || state == R.StatusCloseWait || state == R.StatusUdp)
            {
                if (!SendDone(hardware))
                {
                    AwaitSendOk(hardware); // whoever asks may sleep until it can write
                }
                else if (_bus.Read16Stable(block, R.SnTXFSR) > 0)
                {
                    events |= SocketEvents.Writable;
                }
            }

            if (state == R.StatusClosed && _type[h] == SocketKind.Stream)
            {
                events |= SocketEvents.HangUp | SocketEvents.Readable | (_connecting[h] ? SocketEvents.Error : SocketEvents.None);
            }

            return events;
        }

        public SocketResult SetOption(int socket, SocketOption option, int value)
        {
            // The chip's TCP has no Nagle to turn off. Linger 0 makes Close abortive: Sn_CR CLOSE frees the hardware socket
            // at once (datasheet 1.0.9 section 4.2, Sn_CR CLOSE: no FIN), and the peer's next segment finds no socket, as
            // on a closed port; a peer that never acknowledges a FIN cannot hold one of the eight sockets.
            // Other options are the software stack's.
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            if (!Applies(h, option))
            {
                return SocketResult.ProtocolOption;
            }

            if (option == SocketOption.Linger)
            {
                _abort[h] = value == 0;
                return SocketResult.Success;
            }

            if (option == SocketOption.AddMembership || option == SocketOption.DropMembership)
            {
                return SetMembership(h, option == SocketOption.AddMembership, (uint)value);
            }

            if (option == SocketOption.TimeToLive || option == SocketOption.MulticastTimeToLive)
            {
                if (value < 1 || value > 255)
                {
                    return SocketResult.InvalidArgument;
                }

                if (option == SocketOption.TimeToLive)
                {
                    _ttl[h] = value;
                }
                else
                {
                    _multicastTtl[h] = value;
                }

                return SocketResult.Success; // into Sn_TTL by the next SendTo that needs it
            }

            if (option == SocketOption.MulticastLoopback)
            {
                // The chip never hands a datagram it sends back to its own sockets (datasheet 1.0.9 names no loopback; its
                // UDP goes out on the wire only): 0 is what it does, and asking for 1, Linux's default, is refused so the
                // application knows its own group datagrams will not come back to it.
                return value == 0 ? SocketResult.Success : SocketResult.OperationNotSupported;
            }

            // UDP sockets send to 255.255.255.255 and take broadcasts in the chip's plain UDP mode (BCASTB, Sn_MR bit 6,
            // stays 0): SO_BROADCAST has nothing to switch on. Two sockets may share a port on the chip: ReuseAddress neither.
            return option == SocketOption.NoDelay || option == SocketOption.Broadcast || option == SocketOption.ReuseAddress
                ? SocketResult.Success
                : SocketResult.ProtocolOption;
        }

        /// <summary>
        /// Whether an option belongs to the socket's kind, by the same table as the software stack's (SocketSlot.HasOption),
        /// so both engines answer ProtocolOption alike for, say, NoDelay on a datagram socket (rule 8). Of those that belong,
        /// the chip lacks KeepAlive, UserTimeout, DontFragment and ReceiveDropped: ProtocolOption too.
        /// </summary>
        private bool Applies(int h, SocketOption option)
        {
            bool stream = _type[h] == SocketKind.Stream;
            switch (option)
            {
                case SocketOption.Broadcast:
                case SocketOption.DontFragment:
                case SocketOption.TimeToLive:
                case SocketOption.ReceiveDropped:
                case SocketOption.AddMembership:
                case SocketOption.DropMembership:
                case SocketOption.MulticastTimeToLive:
                case SocketOption.MulticastLoopback:
                    return !stream;
                case SocketOption.NoDelay:
                case SocketOption.KeepAlive:
                case SocketOption.Linger:
                case SocketOption.UserTimeout:
                    return stream;
                case SocketOption.ReuseAddress:
                case SocketOption.ReceiveQueued:
                case SocketOption.Error:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// The options the chip's sockets have: Linger (0 when Close aborts, else -1), NoDelay (always 1: no Nagle),
        /// ReceiveQueued (bytes in Sn_RX_RSR on a stream; the next datagram's length on a datagram socket) and Error
        /// (always 0: a failure is reported by the call that meets it). ProtocolOption for the others.
        /// </summary>
        public SocketResult GetOption(int socket, SocketOption option, out int value)
        {
            value = 0;
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            if (!Applies(h, option))
            {
                return SocketResult.ProtocolOption;
            }

            switch (option)
            {
                case SocketOption.TimeToLive:
                    value = UnicastTtl(h);
                    return SocketResult.Success;
                case SocketOption.MulticastTimeToLive:
                    value = MulticastTtl(h);
                    return SocketResult.Success;
                case SocketOption.MulticastLoopback:
                    return SocketResult.Success; // 0: the chip cannot loop back
                case SocketOption.Broadcast:
                    value = 1;
                    return SocketResult.Success;
                case SocketOption.Linger:
                    value = _abort[h] ? 0 : -1;
                    return SocketResult.Success;
                case SocketOption.NoDelay:
                    value = 1;
                    return SocketResult.Success;
                case SocketOption.Error:
                    return SocketResult.Success;
                case SocketOption.ReceiveQueued:
                    int k = _hardware[h];
                    if (k >= 0)
                    {
                        value = _bus.Read16Stable(R.SocketBlock(k), R.SnRXRSR);
                        if (_type[h] == SocketKind.Datagram)
                        {
                            // The header the chip writes before each datagram (see ReceiveFrom) holds its length.
                            if (value >= UdpHeader)
                            {
                                _bus.Read(R.ReceiveBufferBlock(k), _bus.Read16(R.SocketBlock(k), R.SnRXRD), _scratch, 0, UdpHeader);
                                value = (_scratch[6] << 8) | _scratch[7];
                            }
                            else
                            {
                                value = 0;
                            }
                        }
                    }

                    return SocketResult.Success;
                default:
                    return SocketResult.ProtocolOption;
            }
        }

        public SocketResult GetLocalAddress(int socket, out SocketEndpoint address)
        {
            int h = Resolve(socket);
            address = h < 0 ? new SocketEndpoint() : new SocketEndpoint(Protocol(h), _address, _port[h]);
            return h < 0 ? SocketResult.NotSocket : SocketResult.Success;
        }

        public SocketResult GetRemoteAddress(int socket, out SocketEndpoint address)
        {
            address = new SocketEndpoint();
            int h = Resolve(socket);
            if (h < 0)
            {
                return SocketResult.NotSocket;
            }

            int k = _hardware[h];
            if (k < 0 || _type[h] != SocketKind.Stream)
            {
                return SocketResult.NotConnected;
            }

            _bus.Read(R.SocketBlock(k), R.SnDIPR, _scratch, 0, 4);
            address = new SocketEndpoint(IpProtocol.Tcp, IPv4Address.Read(_scratch, 0), _bus.Read16(R.SocketBlock(k), R.SnDPORT));
            return SocketResult.Success;
        }

        /// <summary>Puts a free hardware socket into LISTEN for the listener; false when none is free.</summary>
        private bool Arm(int listener)
        {
            int k = ClaimHardware(-1);
            if (k < 0)
            {
                return false;
            }

            _owner[k] = listener;
            _connected[k] = false;
            if (OpenHardware(k, _port[listener], R.ModeTcp, R.StatusInit) != SocketResult.Success || !_bus.Command(k, R.CommandListen))
            {
                _owner[k] = -1;
                return false;
            }

            return true;
        }

        private SocketResult Queue(int k, byte[] buffer, int offset, int count, out int sent)
        {
            sent = 0;
            if (!SendDone(k))
            {
                AwaitSendOk(k);
                return SocketResult.WouldBlock; // the chip takes one SEND at a time
            }

            int block = R.SocketBlock(k);
            int free = _bus.Read16Stable(block, R.SnTXFSR);
            int length = count < free ? count : free;
            if (length == 0)
            {
                _roomAwaited |= count > 0;
                return count == 0 ? SocketResult.Success : SocketResult.WouldBlock;
            }

            int write = _bus.Read16(block, R.SnTXWR);
            _bus.Write(R.TransmitBufferBlock(k), write, buffer, offset, length);
            _bus.Write16(block, R.SnTXWR, (write + length) & 0xFFFF);
            if (!_bus.Command(k, R.CommandSend))
            {
                return SocketResult.TimedOut;
            }

            _sending[k] = true;
            sent = length;
            return SocketResult.Success;
        }

        /// <summary>
        /// Someone waits for the SEND under way on socket <paramref name="k"/>: SENDOK now pulls INTn low too (Sn_IMR), so a
        /// sleeping loop wakes when the chip can take the next SEND rather than at its deadline.
        /// </summary>
        private void AwaitSendOk(int k)
        {
            if (!_awaitingSendOk[k])
            {
                _awaitingSendOk[k] = true;
                _bus.Write8(R.SocketBlock(k), R.SnIMR, Events | R.InterruptSendOk);
            }
        }

        private void StopAwaitingSendOk(int k)
        {
            if (_awaitingSendOk[k])
            {
                _awaitingSendOk[k] = false;
                _bus.Write8(R.SocketBlock(k), R.SnIMR, Events);
            }
        }

        /// <summary>SENDOK (or TIMEOUT) since the last SEND; clears it.</summary>
        private bool SendDone(int k)
        {
            if (!_sending[k])
            {
                return true;
            }

            int flags = _bus.Read8(R.SocketBlock(k), R.SnIR) & (R.InterruptSendOk | R.InterruptTimeout);
            if (flags == 0)
            {
                return false;
            }

            _bus.Write8(R.SocketBlock(k), R.SnIR, flags);
            _sending[k] = false;
            StopAwaitingSendOk(k);
            return true;
        }

        private SocketResult OpenHardware(int k, int port, int mode, int expected)
        {
            _bus.Write8(R.SocketBlock(k), R.SnMR, mode);
            _bus.Write16(R.SocketBlock(k), R.SnPORT, port);
            if (!_bus.Command(k, R.CommandOpen))
            {
                return SocketResult.TimedOut;
            }

            return Status(k) == expected ? SocketResult.Success : SocketResult.SocketNotSupported;
        }

        /// <summary>
        /// Opens hardware socket <paramref name="k"/> in UDP mode for datagram handle <paramref name="h"/>: in multicast mode
        /// when it joined a group, with the group's IP, port and MAC in Sn_DIPR, Sn_DPORT and Sn_DHAR before OPEN, as the
        /// datasheet requires (1.0.9 section 4.2, Sn_MR MULTI); the chip then sends the IGMP report itself on OPEN and the
        /// leave on CLOSE (IGMPv2, Sn_MR MC 0).
        /// </summary>
        private SocketResult OpenUdp(int k, int h)
        {
            int block = R.SocketBlock(k);
            int mode = R.ModeUdp;
            uint group = _group[h];
            if (group != 0)
            {
                mode |= ModeMulticast;
                WriteAddress(block, R.SnDIPR, group);
                _bus.Write16(block, R.SnDPORT, _port[h]);
                MacAddress.WriteIPv4Multicast(_scratch, 0, group);
                _bus.Write(block, R.SnDHAR, _scratch, 0, MacAddress.Length);
            }

            _ttlWritten[k] = UnicastTtl(h);
            _bus.Write8(block, SnTTL, _ttlWritten[k]);
            return OpenHardware(k, _port[h], mode, R.StatusUdp);
        }

        /// <summary>Sn_TTL's reset value 0x80 (datasheet 1.0.9 section 4.2) unless the handle set <see cref="SocketOption.TimeToLive"/>.</summary>
        private int UnicastTtl(int h)
        {
            return _ttl[h] != 0 ? _ttl[h] : 0x80;
        }

        /// <summary>1 unless the handle set <see cref="SocketOption.MulticastTimeToLive"/>: RFC 1112 section 6.1's default, as on Linux.</summary>
        private int MulticastTtl(int h)
        {
            return _multicastTtl[h] != 0 ? _multicastTtl[h] : 1;
        }

        /// <summary>
        /// Sn_TTL for the next SEND. The datasheet asks for it before OPEN, but the chip takes it from the register for each
        /// datagram it builds (WIZnet's ioLibrary sets it on an open socket too, setsockopt SO_TTL).
        /// </summary>
        private void WriteTtl(int k, int ttl)
        {
            if (_ttlWritten[k] != ttl)
            {
                _ttlWritten[k] = ttl;
                _bus.Write8(R.SocketBlock(k), SnTTL, ttl);
            }
        }

        /// <summary>
        /// The chip's multicast is per socket: one group, set before OPEN. Joining (or leaving) re-opens a bound socket's
        /// hardware socket in the new mode; what it had received and not yet read is lost with it. A second group on the
        /// same handle is refused with NoBufferSpaceAvailable, Linux's ENOBUFS for memberships past its limit: open a
        /// socket per group (each takes one of the eight hardware sockets).
        /// </summary>
        private SocketResult SetMembership(int h, bool join, uint group)
        {
            if (_type[h] != SocketKind.Datagram)
            {
                return SocketResult.ProtocolOption;
            }

            if (!IPv4Address.IsMulticastValue(group) || (!join && _group[h] != group))
            {
                return SocketResult.InvalidArgument;
            }

            if (join && _group[h] != 0 && _group[h] != group)
            {
                return SocketResult.NoBufferSpaceAvailable; // one group per hardware socket
            }

            _group[h] = join ? group : 0;
            int k = _hardware[h];
            if (k < 0)
            {
                return SocketResult.Success; // opened in the group's mode by Bind
            }

            _bus.Command(k, R.CommandClose);
            return OpenUdp(k, h);
        }

        /// <summary>A free hardware socket for handle <paramref name="h"/> (or for a listener's LISTEN when -1), or -1.</summary>
        private int ClaimHardware(int h)
        {
            for (int k = 0; k < HardwareSockets; k++)
            {
                if (_owner[k] == -1 && !_closing[k])
                {
                    _owner[k] = h;
                    _sending[k] = false;
                    _disconnectAfterSend[k] = false;
                    StopAwaitingSendOk(k);
                    if (h >= 0)
                    {
                        _hardware[h] = k;
                    }

                    return k;
                }
            }

            return -1;
        }

        public IClock Clock
        {
            get { return _clock; }
        }

        /// <summary>The stack's xorshift32, seeded from the MAC and the clock: identifiers and jitter, not secrets.</summary>
        public uint NextRandom()
        {
            return _random.Next();
        }

        public void WriteMacAddress(byte[] buffer, int offset)
        {
            _macAddress.Write(buffer, offset);
        }

        public bool IsOwnMacAddress(byte[] buffer, int offset)
        {
            return _macAddress.Equals(buffer, offset);
        }

        /// <summary>PHYCFGR.LNK (datasheet 1.0.9 section 4.1), read at most once per sweep interval: services ask on every poll.</summary>
        public bool IsLinkUp
        {
            get
            {
                long now = _clock.NowMilliseconds;
                if (!_linkKnown || now - _linkCheckedAt >= SweepIntervalMs || now < _linkCheckedAt)
                {
                    _linkUp = (_bus.Read8(R.CommonBlock, R.PHYCFGR) & R.PhyLink) != 0;
                    _linkCheckedAt = now;
                    _linkKnown = true;
                }

                return _linkUp;
            }
        }

        public uint AddressValue
        {
            get { return _address.Value; }
        }

        public uint SubnetMaskValue
        {
            get { return _subnetMask.Value; }
        }

        public uint GatewayValue
        {
            get { return _gateway.Value; }
        }

        /// <summary>Writes GAR, SUBR and SIPR (datasheet 1.0.9 section 4.1); the sockets stay as they are.</summary>
        public void Configure(IPv4Address address, IPv4Address subnetMask, IPv4Address gateway)
        {
            _address = address;
            _subnetMask = subnetMask;
            _gateway = gateway;
            WriteAddresses();
        }

        /// <summary>GAR, SUBR and SIPR from the engine's fields: at set-up, after a chip reset, and on Configure.</summary>
        private void WriteAddresses()
        {
            WriteAddress(R.CommonBlock, 0x0001, _gateway.Value); // GAR
            WriteAddress(R.CommonBlock, 0x0005, _subnetMask.Value); // SUBR
            WriteAddress(R.CommonBlock, 0x000F, _address.Value); // SIPR
        }

        /// <summary>
        /// The chip sends no ARP on request, but ARPs before every UDP datagram to a neighbour: a one-byte datagram to the
        /// probed address's discard port, sent while SIPR is still 0.0.0.0 (as before a lease is bound), puts an RFC 5227
        /// probe on the wire, and the chip's answer is SENDOK (someone has the address) or TIMEOUT after RTR x (RCR + 1),
        /// 1.8 s by default. WIZnet's ioLibrary DHCP client checks a lease the same way. The chip retries the ARP request
        /// itself, so a call while one is out adds nothing. Holds a hardware socket until <see cref="EndAddressProbe"/>;
        /// with none free there is no probe (and no conflict is seen).
        /// </summary>
        public void ProbeAddress(IPv4Address address)
        {
            if (_probeOut || _probeConflict)
            {
                return;
            }

            if (_probeSocket < 0)
            {
                int free = ClaimHardware(-1);
                if (free < 0)
                {
                    return;
                }

                _owner[free] = Probing;
                _probeSocket = free;
                _bus.Write8(R.SocketBlock(free), R.SnMR, R.ModeUdp);
                _bus.Write16(R.SocketBlock(free), R.SnPORT, EphemeralPort());
                if (!_bus.Command(free, R.CommandOpen) || Status(free) != R.StatusUdp)
                {
                    EndAddressProbe();
                    return;
                }

                _bus.Write8(R.SocketBlock(free), R.SnIMR, Events | R.InterruptSendOk); // either answer wakes the host
            }

            int k = _probeSocket;
            int block = R.SocketBlock(k);
            WriteAddress(block, R.SnDIPR, address.Value);
            _bus.Write16(block, R.SnDPORT, ProbePort);
            int write = _bus.Read16(block, R.SnTXWR);
            _scratch[0] = 0;
            _bus.Write(R.TransmitBufferBlock(k), write, _scratch, 0, 1);
            _bus.Write16(block, R.SnTXWR, (write + 1) & 0xFFFF);
            _probeOut = _bus.Command(k, R.CommandSend);
        }

        public bool AddressProbeConflict
        {
            get { return _probeConflict; }
        }

        /// <summary>Closes the probe's hardware socket.</summary>
        public void EndAddressProbe()
        {
            int k = _probeSocket;
            if (k >= 0)
            {
                _bus.Command(k, R.CommandClose);
                _bus.Write8(R.SocketBlock(k), R.SnIR, 0xFF);
                _bus.Write8(R.SocketBlock(k), R.SnIMR, Events);
                _owner[k] = -1;
            }

            _probeSocket = -1;
            _probeOut = false;
            _probeConflict = false;
        }

        /// <summary>The chip has no interface-wide groups: a UDP socket joins one (<see cref="SocketOption.AddMembership"/>).</summary>
        public bool JoinGroup(IPv4Address group)
        {
            return false;
        }

        public void LeaveGroup(IPv4Address group)
        {
        }

        public void SetWallClock(long unixMilliseconds)
        {
            _wallClock.Set(unixMilliseconds);
        }

        public bool WallClockSet
        {
            get { return _wallClock.IsSet; }
        }

        public long WallClockMilliseconds
        {
            get { return _wallClock.Milliseconds; }
        }

        private int Status(int k)
        {
            return _bus.Read8(R.SocketBlock(k), R.SnSR);
        }

        private IpProtocol Protocol(int h)
        {
            return _type[h] == SocketKind.Stream ? IpProtocol.Tcp : IpProtocol.Udp;
        }

        private int Resolve(int descriptor)
        {
            int h = descriptor & 0xFF;
            return descriptor > 0 && h < Handles && _used[h] && (descriptor >> 8) == _generation[h] ? h : -1;
        }

        private int EphemeralPort()
        {
            _nextPort = _nextPort >= 65535 ? 49152 : _nextPort + 1;
            return _nextPort;
        }

        private void WriteAddress(int block, int register, uint address)
        {
            NetworkOrder.WriteUInt32(_scratch, 0, address);
            _bus.Write(block, register, _scratch, 0, 4);
        }
    }
}
