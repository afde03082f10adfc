using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net
{
    /// <summary>
    /// The network node: one Ethernet interface, a loopback device, ARP, IPv4, ICMP, TCP, UDP and raw
    /// sockets over a fixed table of descriptor slots. The constructor takes every byte the stack will use;
    /// after it returns nothing allocates. Single-threaded and poll-driven (DESIGN.md rule 3): call
    /// <see cref="Poll"/> often, and every socket call from the same thread (or use <see cref="Sockets.NetHost"/>).
    /// </summary>
    public sealed partial class NetStack : ISocketEngine, INetInterface
    {
        private readonly NetStackOptions _options;
        private readonly NetCounters _counters = new NetCounters();
        private readonly IFrameDevice _device;
        private readonly LoopbackDevice _loopback;
        private readonly IClock _clock;
        private readonly byte[] _receiveFrame = new byte[EthernetFrame.MaximumTaggedLength];
        private readonly ArpLayer _arp;
        private readonly Ipv4Layer _ip;
        private readonly IcmpLayer _icmp;
        private readonly SocketTable _sockets;
        private readonly UdpLayer _udp;
        private readonly RawLayer _raw;
        private readonly Tcp.TcpLayer _tcp;
        private readonly InterfaceState _interface;
        private readonly PollTime _time;
        private bool _linkWasUp = true;
        private readonly Prng _random;
        private readonly WallClock _wallClock;

        public NetStack(NetStackOptions options, IFrameDevice device, IClock clock)
        {
            if (options == null || device == null || clock == null)
            {
                throw new System.ArgumentNullException(options == null ? "options" : device == null ? "device" : "clock");
            }

            options.Validate();
            _options = options;
            _device = device;
            _clock = clock;
            _time = new PollTime(clock.NowMilliseconds);
            MacAddress macAddress = device.MacAddress;
            _loopback = new LoopbackDevice(macAddress, options.LoopbackQueueSize);
            _interface = new InterfaceState(device, _loopback, macAddress, _counters);
            Prng random = new Prng((uint)macAddress.GetHashCode() ^ (uint)_time.Now ^ 0x5A17C0DE);
            _random = new Prng(random.Next());
            _wallClock = new WallClock(clock);

            // Each layer gets the collaborators it uses (issue 16 item 5). IP, ICMP and the transports call each other
            // both ways, so the layers above IP are handed to it, and UDP to ICMP, once they exist.
            _arp = new ArpLayer(_interface, _time, _counters, options);
            _ip = new Ipv4Layer(_interface, _time, _counters, _arp, options, random.Next());
            _icmp = new IcmpLayer(_time, _counters, _ip, options, (ushort)random.Next());
            _sockets = new SocketTable(options, random);
            _udp = new UdpLayer(_counters, _sockets, _ip, _icmp);
            _raw = new RawLayer(_counters, _sockets, _ip);
            _tcp = new Tcp.TcpLayer(_time, _counters, _sockets, _ip, options, random);
            _ip.Attach(_icmp, _udp, _raw, _tcp, new IgmpLayer(_ip, _time, _random, options));
            _icmp.Attach(_udp);
        }

        public NetStackOptions Options
        {
            get { return _options; }
        }

        public NetCounters Counters
        {
            get { return _counters; }
        }

        public IFrameDevice Device
        {
            get { return _device; }
        }

        public LoopbackDevice Loopback
        {
            get { return _loopback; }
        }

        public IClock Clock
        {
            get { return _clock; }
        }

        public MacAddress MacAddress
        {
            get { return _interface.MacAddress; }
        }

        /// <summary>The interface address; 0.0.0.0 until configured (or while DHCP has none).</summary>
        public IPv4Address Address
        {
            get { return new IPv4Address(_interface.Address); }
        }

        public IPv4Address SubnetMask
        {
            get { return new IPv4Address(_interface.SubnetMask); }
        }

        /// <summary>The default gateway; 0.0.0.0 for none (then only the local subnet is reachable).</summary>
        public IPv4Address Gateway
        {
            get { return new IPv4Address(_interface.Gateway); }
        }

        /// <summary>
        /// <see cref="Address"/>, <see cref="SubnetMask"/> and <see cref="Gateway"/> as numbers (<see cref="IPv4Address.Value"/>):
        /// what the layers read, since on nanoCLR every IPv4Address passed or returned is an allocation.
        /// </summary>
        public uint AddressValue
        {
            get { return _interface.Address; }
        }

        public uint SubnetMaskValue
        {
            get { return _interface.SubnetMask; }
        }

        public uint GatewayValue
        {
            get { return _interface.Gateway; }
        }

        /// <summary>Writes the interface's MAC address at <paramref name="offset"/> (no MacAddress copied on the way).</summary>
        public void WriteMacAddress(byte[] buffer, int offset)
        {
            _interface.MacAddress.Write(buffer, offset);
        }

        /// <summary>Whether the 6 bytes at <paramref name="offset"/> are the interface's MAC address.</summary>
        public bool IsOwnMacAddress(byte[] buffer, int offset)
        {
            return _interface.MacAddress.Equals(buffer, offset);
        }

        /// <summary>The frame device's link state.</summary>
        public bool IsLinkUp
        {
            get { return _device.IsLinkUp; }
        }

        /// <summary>Another host answered ARP for our address (RFC 5227 conflict).</summary>
        public bool AddressConflictDetected
        {
            get { return _arp.ConflictDetected; }
        }

        public MacAddress ConflictingMacAddress
        {
            get { return _arp.ConflictingMacAddress; }
        }

        /// <summary>
        /// Sets the interface address, subnet mask and default gateway. A new address clears the neighbour
        /// cache and is announced with a gratuitous ARP (RFC 5227 section 2.3), so neighbours update theirs, and the joined
        /// groups are reported from it.
        /// </summary>
        public void Configure(IPv4Address address, IPv4Address subnetMask, IPv4Address gateway)
        {
            uint old = _interface.Address;
            bool changed = address.Value != old;
            if (changed && old != 0)
            {
                _tcp.AddressRemoved(old);
            }

            _interface.Address = address.Value;
            _interface.SubnetMask = subnetMask.Value;
            _interface.Gateway = gateway.Value;
            if (changed)
            {
                _time.Now = _clock.NowMilliseconds;
                _arp.Reset();
                _arp.Announce();
                _ip.Igmp.Restart();
            }
        }

        /// <summary>
        /// Moves received frames through the stack (up to <see cref="NetStackOptions.FramesPerPoll"/> from each
        /// device) and runs the timers. Returns true when it handled a frame, false when there was nothing to do.
        /// </summary>
        public bool Poll()
        {
            long now = _clock.NowMilliseconds;
            _time.Now = now;
            bool worked = false;
            for (int i = 0; i < _options.FramesPerPoll; i++)
            {
                int length = _loopback.Receive(_receiveFrame, 0, _receiveFrame.Length);
                if (length == 0)
                {
                    break;
                }

                Input(length, true);
                worked = true;
            }

            for (int i = 0; i < _options.FramesPerPoll; i++)
            {
                int length = _device.Receive(_receiveFrame, 0, _receiveFrame.Length);
                if (length <= 0)
                {
                    break;
                }

                Input(length, false);
                worked = true;
            }

            // The driver's health check rides on its link check (rate-limited there): a chip that reset itself or went
            // silent is set up again even while nothing is being sent, so a board that only listens recovers too.
            bool linkUp = _device.IsLinkUp;
            if (linkUp && !_linkWasUp)
            {
                _arp.Announce(); // back on the wire, perhaps another one: tell the neighbours (RFC 5227 section 2.3)
                _ip.Igmp.Restart(); // and its routers which groups we are in
            }

            _linkWasUp = linkUp;
            _arp.Timers(now);
            _ip.Timers(now);
            _icmp.Timers(now);
            _ip.Igmp.Timers(now);
            _tcp.Timers(now);
            worked |= _tcp.FlushPending();
            return worked;
        }

        /// <summary>
        /// The longest <see cref="PollDelay"/> reports. The stack reads the device's link state on every Poll and the frame
        /// drivers hang their rate-limited PHY read and chip health check on it (every 250 ms: a chip that reset itself is
        /// set up again there, and a link that came back is announced); it also bounds how late a frame is taken when the
        /// chip's interrupt is missed (ENC28J60 erratum 6: EIR.PKTIF, behind the INT pin, is not reliable).
        /// </summary>
        public const int MaximumPollDelayMs = 250;

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> must run again though no frame arrives: 0 with output queued since the last
        /// Poll (a Send is flushed at the end of the next one) or a frame on the loopback device; else the earliest of the
        /// ARP retries and entry lifetimes, reassembly timeouts, ping timeouts, IGMP reports and the TCP timers (retransmission, delayed
        /// ACK, persist, keep-alive, user timeout, FIN-WAIT-2, TIME-WAIT, SYN-queue retries), at most
        /// <see cref="MaximumPollDelayMs"/>. A scan of the tables when asked, so the poll path pays nothing for it.
        /// </summary>
        public int PollDelay()
        {
            long now = _clock.NowMilliseconds;
            if (_tcp.OutputPending || _loopback.Queued > 0)
            {
                return 0;
            }

            long earliest = now + MaximumPollDelayMs;
            earliest = _arp.NextDeadline(earliest);
            earliest = _ip.NextDeadline(earliest);
            earliest = _icmp.NextDeadline(earliest);
            earliest = _ip.Igmp.NextDeadline(earliest);
            earliest = _tcp.NextDeadline(earliest);
            return Deadlines.Delay(earliest, now, MaximumPollDelayMs);
        }

        /// <summary>
        /// Starts (or repeats) an RFC 5227 probe: an ARP request asking who has <paramref name="address"/>, sent
        /// from 0.0.0.0. <see cref="AddressProbeConflict"/> turns true if any host answers or claims it.
        /// </summary>
        public void ProbeAddress(IPv4Address address)
        {
            _time.Now = _clock.NowMilliseconds;
            _arp.Probe(address.Value);
        }

        /// <summary>Another host uses (or is probing for) the address last given to <see cref="ProbeAddress"/>.</summary>
        public bool AddressProbeConflict
        {
            get { return _arp.ProbeConflict; }
        }

        /// <summary>Stops listening for answers to the last probe.</summary>
        public void EndAddressProbe()
        {
            _arp.ProbeTarget = 0;
            _arp.ProbeConflict = false;
        }

        /// <summary>A 32-bit pseudo-random number for protocol identifiers (DHCP xid, DNS ids); not for secrets.</summary>
        public uint NextRandom()
        {
            return _random.Next();
        }

        /// <summary>Sets the wall clock (Unix time in milliseconds, UTC), as an SNTP client does.</summary>
        public void SetWallClock(long unixMilliseconds)
        {
            _wallClock.Set(unixMilliseconds);
        }

        /// <summary>Whether anything set the wall clock yet.</summary>
        public bool WallClockSet
        {
            get { return _wallClock.IsSet; }
        }

        /// <summary>Unix time in milliseconds (UTC) by the wall clock; 0 until it is set.</summary>
        public long WallClockMilliseconds
        {
            get { return _wallClock.Milliseconds; }
        }

        /// <summary>The MAC address resolved for a neighbour, if the cache holds one.</summary>
        public bool TryGetNeighbour(IPv4Address address, out MacAddress macAddress)
        {
            return _arp.TryGet(address, out macAddress);
        }

        /// <summary>
        /// The stack itself joins a multicast group (for UDP sockets bound to its port, as the mDNS responder needs): it is
        /// reported with IGMP and stays joined until <see cref="LeaveGroup"/>, whatever sockets join and leave it too.
        /// 224.0.0.1 is always joined. False when the group table is full (<see cref="NetStackOptions.MulticastGroups"/>).
        /// </summary>
        public bool JoinGroup(IPv4Address group)
        {
            if (!group.IsMulticast)
            {
                throw new System.ArgumentException("not a multicast address", "group");
            }

            _time.Now = _clock.NowMilliseconds;
            return _ip.Igmp.Join(group.Value, IgmpLayer.StackHolder) != SocketResult.NoBufferSpaceAvailable;
        }

        /// <summary>Ends the stack's own membership of <paramref name="group"/>; the group is left once no socket holds it either.</summary>
        public void LeaveGroup(IPv4Address group)
        {
            _time.Now = _clock.NowMilliseconds;
            _ip.Igmp.Leave(group.Value, IgmpLayer.StackHolder);
        }

        /// <summary>Sends an echo request of <paramref name="dataLength"/> bytes; follow it with <see cref="GetPingStatus"/>.</summary>
        public SocketResult StartPing(IPv4Address destination, int dataLength, int timeoutMs, out int ping)
        {
            return _icmp.StartPing(destination, dataLength, timeoutMs, out ping);
        }

        public PingStatus GetPingStatus(int ping, out int roundTripMs)
        {
            return _icmp.GetStatus(ping, out roundTripMs);
        }

        /// <summary>Frees a ping's slot, whatever its status.</summary>
        public void EndPing(int ping)
        {
            _icmp.EndPing(ping);
        }

        private void Input(int length, bool fromLoopback)
        {
            WireError error = EthernetFrame.Validate(_receiveFrame, 0, length);
            if (error != WireError.None)
            {
                _counters.Drop(ProtocolLayer.Ethernet, error);
                return;
            }

            _counters.Add(Counter.FramesReceived);
            // Compared in place: MacAddress values would each be an allocation on nanoCLR.
            if ((_receiveFrame[0] & 0x01) == 0 && !_interface.MacAddress.Equals(_receiveFrame, 0))
            {
                _counters.Add(Counter.FramesNotForUs);
                return;
            }

            if (!fromLoopback && _interface.MacAddress.Equals(_receiveFrame, 6))
            {
                _counters.Add(Counter.FramesFromSelf);
                return;
            }

            int payloadLength = length - EthernetFrame.HeaderLength;
            switch (NetworkOrder.ReadUInt16(_receiveFrame, 12))
            {
                case EtherType.Arp:
                    if (!fromLoopback)
                    {
                        _arp.Input(_receiveFrame, EthernetFrame.HeaderLength, payloadLength);
                    }

                    break;
                case EtherType.IPv4:
                    _ip.Input(_receiveFrame, EthernetFrame.HeaderLength, payloadLength, fromLoopback);
                    break;
                default:
                    _counters.Add(Counter.FramesUnknownEtherType);
                    break;
            }
        }
    }
}
