using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using R = IoTStack.Drivers.W5500.W5500Registers;

namespace IoTStack.Emulator.Chips;

/// <summary>
/// The W5500 model's own TCP/IP engine for hardware-socket mode, played by an instance of IoTStack's software
/// stack on the chip's wire: socket commands become socket calls, and data moves between the chip's socket
/// buffers and the engine's sockets as the chip's firmware would move it.
/// </summary>
internal sealed class W5500SocketMode
{
    private const int Sockets = 8;

    private readonly NetStack _engine;
    private readonly W5500Model _chip;
    private readonly int[] _inner = new int[Sockets];
    private readonly List<byte>[] _pending = Enumerable.Range(0, Sockets).Select(_ => new List<byte>()).ToArray();
    private readonly Dictionary<int, int> _listeners = new();
    private readonly List<int> _unserved = new();
    private readonly byte[] _buffer = new byte[4096];

    /// <summary>The group a UDP socket opened in multicast mode (Sn_MR MULTI) joined; 0 for none.</summary>
    private readonly uint[] _group = new uint[Sockets];

    /// <summary>
    /// A UDP SEND to a neighbour whose ARP request is out while SIPR is 0.0.0.0 (an address probe): when it ends in TIMEOUT
    /// unless someone answers first. The chip's ARP timeout is RTR x (RCR + 1) (datasheet 1.0.9 section 4.1, RTR and RCR).
    /// </summary>
    private readonly long[] _arpDeadline = new long[Sockets];

    private readonly IClock _clock;
    private readonly IFrameDevice _wire;

    /// <summary>Sn_MR MC of each socket in multicast mode at OPEN: its IGMP version (0 for version 2, 1 for version 1).</summary>
    private readonly bool[] _igmpVersion1 = new bool[Sockets];

    private int _igmpIdentification;

    public W5500SocketMode(IFrameDevice wire, IClock clock, W5500Model chip)
    {
        _chip = chip;
        _clock = clock;
        _wire = wire;
        _engine = new NetStack(new NetStackOptions { TcpConnections = 16, TcpListeners = 8, UdpSockets = 8, RawSockets = 0, ReceiveBufferSize = 4096, TransmitBufferSize = 4096 }, new ChipIgmpOnly(wire), clock);
    }

    /// <summary>
    /// The engine's own wire with its IGMP taken out: the engine is a whole IoTStack, which would report and answer
    /// queries for the groups the model joins it to, where the chip sends only what <see cref="SendIgmp"/> does.
    /// </summary>
    private sealed class ChipIgmpOnly : IFrameDevice
    {
        private readonly IFrameDevice _wire;

        public ChipIgmpOnly(IFrameDevice wire) => _wire = wire;

        public MacAddress MacAddress => _wire.MacAddress;

        public bool IsLinkUp => _wire.IsLinkUp;

        public int Receive(byte[] buffer, int offset, int capacity) => _wire.Receive(buffer, offset, capacity);

        public bool Transmit(byte[] buffer, int offset, int length)
        {
            const int ip = EthernetFrame.HeaderLength;
            bool igmp = length > ip + 9 && NetworkOrder.ReadUInt16(buffer, offset + 12) == EtherType.IPv4
                && buffer[offset + ip + 9] == (byte)IpProtocol.Igmp;
            return igmp || _wire.Transmit(buffer, offset, length);
        }
    }

    public void Configure(IPv4Address address, IPv4Address mask, IPv4Address gateway)
    {
        if (_engine.Address != address || _engine.SubnetMask != mask || _engine.Gateway != gateway)
        {
            _engine.Configure(address, mask, gateway);
        }
    }

    public void Execute(int socket, int command, int mode)
    {
        int protocol = mode & 0x0F;
        switch (command)
        {
            case R.CommandOpen:
                Close(socket);
                if (protocol == R.ModeUdp)
                {
                    _engine.Open(SocketKind.Datagram, IpProtocol.Udp, out _inner[socket]);
                    _engine.SetOption(_inner[socket], SocketOption.Broadcast, 1); // the chip sends to 255.255.255.255 as asked
                    _engine.SetOption(_inner[socket], SocketOption.ReuseAddress, 1); // sockets on one port: the chip does not mind
                    _engine.SetOption(_inner[socket], SocketOption.MulticastLoopback, 0); // the chip does not hear its own datagrams
                    _engine.Bind(_inner[socket], IPv4Address.Any, _chip.Get16(socket, R.SnPORT));
                    if ((mode & 0x80) != 0)
                    {
                        // Multicast mode: the group is Sn_DIPR, and its MAC must be in Sn_DHAR (datasheet 1.0.9 section 4.2,
                        // Sn_MR MULTI); the chip reports the membership itself. The model also takes unicast datagrams to
                        // the socket's port on it (not confirmed on silicon).
                        uint group = _chip.GetAddress(socket, R.SnDIPR).Value;
                        _chip.Check(IPv4Address.IsMulticastValue(group), $"socket {socket} opened in multicast mode with Sn_DIPR {new IPv4Address(group)}, not a group");
                        _chip.Check(MacAddress.Read(_chip.SocketRegisters(socket), R.SnDHAR) == MacAddress.FromIPv4Multicast(new IPv4Address(group)),
                            $"socket {socket} opened in multicast mode without the group's MAC in Sn_DHAR");
                        _engine.JoinGroup(new IPv4Address(group));
                        _group[socket] = group;
                        _igmpVersion1[socket] = (mode & ModeIgmpVersion1) != 0;
                        SendIgmp(_igmpVersion1[socket] ? IgmpMessage.TypeV1Report : IgmpMessage.TypeV2Report, group, group);
                    }

                    _chip.SetStatus(socket, R.StatusUdp);
                }
                else
                {
                    _chip.SetStatus(socket, R.StatusInit);
                }

                return;
            case R.CommandListen:
                int port = _chip.Get16(socket, R.SnPORT);
                if (!_listeners.ContainsKey(port))
                {
                    _engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
                    _engine.SetOption(listener, SocketOption.NoDelay, 1); // the chip sends what a SEND gives it at once: no Nagle
                    _engine.SetOption(listener, SocketOption.ReuseAddress, 1); // the port's connections outlive the listener
                    _engine.Bind(listener, IPv4Address.Any, port);
                    // One connection waits for the chip's socket, as a socket in LISTEN takes one SYN. (A second SYN before
                    // Sync moves the first into the socket is dropped here, where the chip would answer RST.)
                    _engine.Listen(listener, 1);
                    _listeners[port] = listener;
                }

                _chip.SetStatus(socket, R.StatusListen);
                return;
            case R.CommandConnect:
                _engine.Open(SocketKind.Stream, IpProtocol.Tcp, out _inner[socket]);
                _engine.SetOption(_inner[socket], SocketOption.NoDelay, 1);
                _engine.Bind(_inner[socket], IPv4Address.Any, _chip.Get16(socket, R.SnPORT));
                _engine.Connect(_inner[socket], _chip.GetAddress(socket, R.SnDIPR), _chip.Get16(socket, R.SnDPORT));
                _chip.SetStatus(socket, 0x15); // SOCK_SYNSENT
                return;
            case R.CommandSend:
                TakeTransmitted(socket);
                return;
            case R.CommandDisconnect:
                if (_inner[socket] != 0)
                {
                    _engine.Shutdown(_inner[socket], ShutdownDirection.Send);
                    _chip.SetStatus(socket, 0x18); // SOCK_FIN_WAIT
                }

                return;
            case R.CommandClose:
                Close(socket);
                _chip.SetStatus(socket, R.StatusClosed);
                return;
        }
    }

    /// <summary>Lets the engine run, then moves data and state between it and the chip's sockets.</summary>
    public void Sync()
    {
        while (_engine.Poll())
        {
        }

        for (int socket = 0; socket < Sockets; socket++)
        {
            switch (_chip.Status(socket))
            {
                case R.StatusListen:
                    AcceptInto(socket);
                    break;
                case 0x15: // SYNSENT
                    // A failed connect is writable too (poll(2): POLLOUT with POLLERR), so the error is looked at first.
                    var events = _engine.PollSocket(_inner[socket]);
                    if ((events & (SocketEvents.Error | SocketEvents.HangUp)) != 0)
                    {
                        Close(socket);
                        _chip.SetStatus(socket, R.StatusClosed);
                        _chip.Raise(socket, R.InterruptTimeout);
                    }
                    else if ((events & SocketEvents.Writable) != 0)
                    {
                        _chip.SetStatus(socket, R.StatusEstablished);
                        _chip.Raise(socket, R.InterruptConnect);
                    }

                    break;
                case R.StatusEstablished:
                case R.StatusCloseWait:
                case 0x18: // FIN_WAIT
                    PushPending(socket);
                    PullStream(socket);
                    break;
                case R.StatusUdp:
                    PullDatagrams(socket);
                    EndProbe(socket);
                    break;
            }
        }

        CloseUnservedPorts();

        while (_engine.Poll())
        {
        }
    }

    /// <summary>
    /// A port with no socket in LISTEN has no listener on the chip: a SYN to it is answered with RST (datasheet 1.0.9 section
    /// 4.2, Sn_SR SOCK_LISTEN takes one connection; there is no SYN queue), so the engine's listener goes with the last one.
    /// </summary>
    private void CloseUnservedPorts()
    {
        _unserved.Clear();
        foreach (var (port, listener) in _listeners)
        {
            bool served = false;
            for (int socket = 0; socket < Sockets && !served; socket++)
            {
                served = _chip.Status(socket) == R.StatusListen && _chip.Get16(socket, R.SnPORT) == port;
            }

            if (!served)
            {
                _engine.Close(listener);
                _unserved.Add(port);
            }
        }

        foreach (int port in _unserved)
        {
            _listeners.Remove(port);
        }
    }

    private void EndProbe(int socket)
    {
        if (_arpDeadline[socket] == 0)
        {
            return;
        }

        if (_engine.AddressProbeConflict)
        {
            _engine.EndAddressProbe();
            _arpDeadline[socket] = 0;
            _chip.Raise(socket, R.InterruptSendOk);
        }
        else if (_clock.NowMilliseconds >= _arpDeadline[socket])
        {
            _engine.EndAddressProbe();
            _arpDeadline[socket] = 0;
            _chip.Raise(socket, R.InterruptTimeout);
        }
    }

    private void AcceptInto(int socket)
    {
        if (_listeners.TryGetValue(_chip.Get16(socket, R.SnPORT), out int listener) && _engine.Accept(listener, out int connection) == SocketResult.Success)
        {
            _inner[socket] = connection;
            _engine.GetRemoteAddress(connection, out var remote);
            _chip.SetAddress(socket, R.SnDIPR, remote.Address);
            _chip.Set16(socket, R.SnDPORT, remote.Port);
            _chip.SetStatus(socket, R.StatusEstablished);
            _chip.Raise(socket, R.InterruptConnect);
        }
    }

    private void TakeTransmitted(int socket)
    {
        byte[] buffer = _chip.TransmitBuffer(socket);
        int read = _chip.Get16(socket, R.SnTXRD);
        int length = (_chip.Get16(socket, R.SnTXWR) - read) & 0xFFFF;
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = buffer[(read + i) & (buffer.Length - 1)];
        }

        if (_chip.Status(socket) == R.StatusUdp)
        {
            var to = _chip.GetAddress(socket, R.SnDIPR);
            _chip.Set16(socket, R.SnTXRD, _chip.Get16(socket, R.SnTXWR));
            _chip.UpdateFreeSize(socket);
            if (_engine.AddressValue == 0 && !to.IsBroadcast && !to.IsMulticast)
            {
                // SIPR 0.0.0.0: the chip's ARP request for the neighbour goes out from 0.0.0.0, an RFC 5227 probe. Someone
                // answers: SENDOK (the chip would then send the datagram to it; the model leaves it out); nobody: TIMEOUT once
                // the ARP retries run out.
                _engine.ProbeAddress(to);
                int rtr = (_chip.CommonRegister(R.RTR) << 8) | _chip.CommonRegister(R.RTR + 1);
                _arpDeadline[socket] = _clock.NowMilliseconds + Math.Max(1, rtr / 10 * (_chip.CommonRegister(0x1B) + 1));
                return;
            }

            int ttl = Math.Max(1, (int)_chip.SocketRegisters(socket)[0x16]); // Sn_TTL: the chip's one TTL, unicast or group
            _engine.SetOption(_inner[socket], SocketOption.TimeToLive, ttl);
            _engine.SetOption(_inner[socket], SocketOption.MulticastTimeToLive, ttl);
            _engine.SendTo(_inner[socket], data, 0, length, to, _chip.Get16(socket, R.SnDPORT), out _);
            _chip.Raise(socket, R.InterruptSendOk);
            return;
        }

        _pending[socket].AddRange(data);
        PushPending(socket);
    }

    private void PushPending(int socket)
    {
        var pending = _pending[socket];
        if (pending.Count == 0)
        {
            return;
        }

        var data = pending.ToArray();
        var result = _engine.SendSome(_inner[socket], data, 0, data.Length, out int sent);
        if (result == SocketResult.Success && sent > 0)
        {
            pending.RemoveRange(0, sent);
            _chip.Set16(socket, R.SnTXRD, (_chip.Get16(socket, R.SnTXRD) + sent) & 0xFFFF);
            _chip.UpdateFreeSize(socket);
        }
        else if (result != SocketResult.Success && result != SocketResult.WouldBlock)
        {
            // The connection died under a SEND (the peer's RST): the chip goes to SOCK_CLOSED and says DISCON, and
            // the SEND ends in neither SENDOK nor TIMEOUT (datasheet 4.2, Sn_IR and Sn_SR).
            Close(socket);
            _chip.SetStatus(socket, R.StatusClosed);
            _chip.Raise(socket, R.InterruptDisconnect);
            return;
        }

        if (pending.Count == 0)
        {
            _chip.Raise(socket, R.InterruptSendOk);
        }
    }

    private void PullStream(int socket)
    {
        while (_chip.ReceiveFree(socket) > 0)
        {
            int room = Math.Min(_chip.ReceiveFree(socket), _buffer.Length);
            var result = _engine.Receive(_inner[socket], _buffer, 0, room, out int received);
            if (result == SocketResult.Success && received > 0)
            {
                _chip.AppendReceived(socket, _buffer, received);
                continue;
            }

            int status = _chip.Status(socket);
            if (result == SocketResult.Success && received == 0)
            {
                // The peer's FIN: CLOSE_WAIT, or closed when our FIN went first.
                if (status == R.StatusEstablished)
                {
                    _chip.SetStatus(socket, R.StatusCloseWait);
                    _chip.Raise(socket, R.InterruptDisconnect);
                }
                else if (status == 0x18)
                {
                    // The peer's FIN after ours: SOCK_CLOSED, and DISCON, issued for a FIN received (datasheet 4.2, Sn_IR).
                    Close(socket);
                    _chip.SetStatus(socket, R.StatusClosed);
                    _chip.Raise(socket, R.InterruptDisconnect);
                }
            }
            else if (result != SocketResult.WouldBlock)
            {
                Close(socket);
                _chip.SetStatus(socket, R.StatusClosed);
                _chip.Raise(socket, R.InterruptDisconnect);
            }

            return;
        }
    }

    private void PullDatagrams(int socket)
    {
        while (true)
        {
            var result = _engine.ReceiveFrom(_inner[socket], _buffer, 0, _buffer.Length, out int received, out var from);
            if (result != SocketResult.Success)
            {
                return;
            }

            if (_chip.ReceiveFree(socket) < received + 8)
            {
                continue; // no room in the chip: the datagram is lost, as on the chip
            }

            var header = new byte[8];
            from.Address.Write(header, 0);
            header[4] = (byte)(from.Port >> 8);
            header[5] = (byte)from.Port;
            header[6] = (byte)(received >> 8);
            header[7] = (byte)received;
            _chip.AppendReceived(socket, header, 8);
            _chip.AppendReceived(socket, _buffer, received);
        }
    }

    private const int ModeIgmpVersion1 = 0x20; // Sn_MR MC in UDP mode with MULTI: 0 IGMPv2, 1 IGMPv1

    /// <summary>
    /// The chip's own IGMP (datasheet 1.0.9 section 4.2, Sn_MR MULTI and MC: the chip sends the version's Join, Leave and
    /// Report messages itself; WIZnet's W5200 datasheet section 5.2.2.2 says when: a Join when a socket opens in multicast
    /// mode, a Leave when it closes). One unsolicited report on OPEN, one leave on CLOSE, written straight onto the wire
    /// beside the engine, with TTL 1 and the Router Alert option RFC 2236 section 2 asks for (whether the silicon adds the
    /// option is not documented). The datasheets say nothing of answering a querier's queries, so the model does not.
    /// </summary>
    private void SendIgmp(byte type, uint group, uint destination)
    {
        var frame = new byte[EthernetFrame.MinimumLength];
        MacAddress.WriteIPv4Multicast(frame, 0, destination);
        Array.Copy(_chip.CommonRegisters(), 0x0009, frame, 6, MacAddress.Length); // SHAR
        NetworkOrder.WriteUInt16(frame, 12, EtherType.IPv4);
        const int ip = EthernetFrame.HeaderLength;
        frame[ip] = 0x46; // version 4, 24-byte header: the Router Alert option (RFC 2113)
        NetworkOrder.WriteUInt16(frame, ip + 2, 24 + 8);
        NetworkOrder.WriteUInt16(frame, ip + 4, ++_igmpIdentification);
        frame[ip + 8] = 1; // TTL 1 (RFC 2236 section 2)
        frame[ip + 9] = (byte)IpProtocol.Igmp;
        Array.Copy(_chip.CommonRegisters(), 0x000F, frame, ip + 12, 4); // SIPR
        NetworkOrder.WriteUInt32(frame, ip + 16, destination);
        NetworkOrder.WriteUInt32(frame, ip + 20, 0x94040000); // Router Alert: type 148, length 4, value 0
        NetworkOrder.WriteUInt16(frame, ip + 10, InternetChecksum.Compute(frame, ip, 24));
        const int igmp = ip + 24;
        frame[igmp] = type;
        NetworkOrder.WriteUInt32(frame, igmp + 4, group);
        IgmpMessage.FillChecksum(frame, igmp, IgmpMessage.HeaderLength);
        _wire.Transmit(frame, 0, frame.Length);
    }

    private void Close(int socket)
    {
        if (_inner[socket] != 0)
        {
            _engine.Close(_inner[socket]);
            _inner[socket] = 0;
        }

        if (_group[socket] != 0)
        {
            uint group = _group[socket];
            _group[socket] = 0;
            if (Array.IndexOf(_group, group) < 0)
            {
                _engine.LeaveGroup(new IPv4Address(group));
            }

            if (!_igmpVersion1[socket])
            {
                // IGMPv1 has no leave (RFC 1112 appendix I); version 2's goes to all-routers (RFC 2236 section 3).
                SendIgmp(IgmpMessage.TypeLeaveGroup, group, IgmpMessage.AllRouters);
            }
        }

        if (_arpDeadline[socket] != 0)
        {
            _engine.EndAddressProbe();
            _arpDeadline[socket] = 0;
        }

        _pending[socket].Clear();
    }
}
