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
    /// Every wait on the chip is bounded.
    /// </summary>
    public sealed class W5500SocketEngine : ISocketEngine
    {
        private const int HardwareSockets = 8;
        private const int Handles = 16;
        private const int BufferKilobytes = 2;
        private const int UdpHeader = 8;
        private const int Closing = -2;

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

        // Hardware sockets.
        private readonly int[] _owner = new int[HardwareSockets]; // handle; -1 when free; Closing while the chip closes it
        private readonly bool[] _sending = new bool[HardwareSockets];
        private readonly bool[] _closing = new bool[HardwareSockets];
        private readonly bool[] _disconnectAfterSend = new bool[HardwareSockets];

        /// <summary>The Sn_IR flags that pull INTn low (Sn_IMR): what Poll clears as news. SENDOK only while a sender waits.</summary>
        private const int Events = R.InterruptConnect | R.InterruptDisconnect | R.InterruptReceive | R.InterruptTimeout;

        /// <summary>A Send (or a close's FIN) waits for the SEND under way: SENDOK is unmasked in Sn_IMR, and Poll takes it.</summary>
        private readonly bool[] _awaitingSendOk = new bool[HardwareSockets];

        /// <summary>Sn_IR CON came for the socket: a listener's connection is up and waits for Accept (datasheet 4.2, Sn_IR).</summary>
        private readonly bool[] _connected = new bool[HardwareSockets];

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

        public W5500SocketEngine(ISpiBus bus, MacAddress macAddress, IClock clock)
        {
            if (clock == null)
            {
                throw new System.ArgumentNullException("clock");
            }

            _bus = new W5500Bus(bus);
            _macAddress = macAddress;
            _clock = clock;
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
            WriteAddress(R.CommonBlock, 0x0001, _gateway.Value); // GAR
            WriteAddress(R.CommonBlock, 0x0005, _subnetMask.Value); // SUBR
            WriteAddress(R.CommonBlock, 0x000F, _address.Value); // SIPR
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
                    OpenHardware(k, _port[owner], R.ModeUdp, R.StatusUdp); // a UDP socket carries on
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
                if ((flags & R.InterruptConnect) != 0)
                {
                    _connected[k] = true;
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

            if (news || _sweeping)
            {
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
            return k < 0 ? SocketResult.TooManyOpenSockets : OpenHardware(k, _port[h], R.ModeUdp, R.StatusUdp);
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

            for (int k = 0; k < HardwareSockets; k++)
            {
                // Only sockets whose CON interrupt came, or all of the listener's on a sweep: an idle Accept reads nothing.
                int status = _owner[k] == listener && (_connected[k] || _sweeping) ? Status(k) : -1;
                if (status != R.StatusEstablished && status != R.StatusCloseWait)
                {
                    continue;
                }

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

        public SocketResult Send(int socket, byte[] buffer, int offset, int count, out int sent)
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
                return Send(socket, buffer, offset, count, out sent);
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
                for (int k = 0; k < HardwareSockets; k++)
                {
                    // The sockets Accept would take (CON seen by Poll, or a sweep): readable means Accept will not block.
                    int status = _owner[k] == h && (_connected[k] || _sweeping) ? Status(k) : -1;
                    if (status == R.StatusEstablished || status == R.StatusCloseWait)
                    {
                        return SocketEvents.Readable;
                    }
                }

                return SocketEvents.None;
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

            if (option == SocketOption.Linger)
            {
                _abort[h] = value == 0;
                return SocketResult.Success;
            }

            return option == SocketOption.NoDelay ? SocketResult.Success : SocketResult.ProtocolOption;
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

            switch (option)
            {
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

        /// <summary>A free hardware socket for handle <paramref name="h"/> (or for a listener's LISTEN when -1), or -1.</summary>
        private int ClaimHardware(int h)
        {
            for (int k = 0; k < HardwareSockets; k++)
            {
                if (_owner[k] < 0 && !_closing[k])
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
