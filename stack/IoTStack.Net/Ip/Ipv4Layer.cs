using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tcp;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>
    /// IPv4 for a host (RFC 791, RFC 1122 section 3.2.1): input validation and local delivery, limited
    /// and directed broadcast, joined multicast groups, loopback, reassembly; on output a route by
    /// subnet or default gateway, and fragmentation unless don't-fragment is asked for.
    /// </summary>
    internal sealed class Ipv4Layer
    {
        /// <summary>Largest IP payload in one Ethernet frame (1500 - 20); a multiple of 8, as fragments need.</summary>
        internal const int MaximumFragmentPayload = EthernetFrame.MaximumPayload - Ipv4Packet.MinimumHeaderLength;

        /// <summary>Largest IP payload of any datagram (65535 - 20).</summary>
        internal const int MaximumPayload = Ipv4Packet.MaximumLength - Ipv4Packet.MinimumHeaderLength;

        private readonly InterfaceState _interface;
        private readonly NetCounters _counters;
        private readonly ArpLayer _arp;
        private readonly Reassembler _reassembler;

        // The layers above, handed over by Attach once they exist (they send through this one).
        private IcmpLayer _icmp;
        private UdpLayer _udp;
        private RawLayer _raw;
        private TcpLayer _tcp;
        private IgmpLayer _igmp;
        private readonly byte[] _frame = new byte[EthernetFrame.MaximumLength];
        private readonly Ipv4Packet _input = new Ipv4Packet();
        private readonly Ipv4Packet _output = new Ipv4Packet();
        private readonly Route _route = new Route();
        private ushort _identification;

        internal Ipv4Layer(InterfaceState networkInterface, PollTime time, NetCounters counters, ArpLayer arp, NetStackOptions options, uint seed)
        {
            _interface = networkInterface;
            _counters = counters;
            _arp = arp;
            _reassembler = new Reassembler(time, counters, options);
            _identification = (ushort)seed;
        }

        /// <summary>The layers <see cref="Deliver"/> hands datagrams to (ICMP also answers reassembly timeouts; IGMP keeps the groups).</summary>
        internal void Attach(IcmpLayer icmp, UdpLayer udp, RawLayer raw, TcpLayer tcp, IgmpLayer igmp)
        {
            _icmp = icmp;
            _udp = udp;
            _raw = raw;
            _tcp = tcp;
            _igmp = igmp;
            _reassembler.Attach(icmp);
        }

        internal Reassembler Reassembler
        {
            get { return _reassembler; }
        }

        /// <summary>The groups and IGMP, which the layer consults for delivery (the stack reaches them through here: a field less).</summary>
        internal IgmpLayer Igmp
        {
            get { return _igmp; }
        }

        internal InterfaceState Interface
        {
            get { return _interface; }
        }

        internal NetCounters Counters
        {
            get { return _counters; }
        }

        internal void Input(byte[] buffer, int offset, int length, bool fromLoopback)
        {
            Ipv4Packet ip = _input;
            WireError error = ip.Parse(buffer, offset, length);
            if (error != WireError.None)
            {
                _counters.Drop(ProtocolLayer.Ipv4, error);
                return;
            }

            _counters.Add(Counter.Ipv4Received);
            if (!SourceIsValid(ip.SourceValue, fromLoopback))
            {
                return;
            }

            uint destination = ip.DestinationValue;
            bool broadcast = IsBroadcastOrMulticast(destination);
            if (!IsForUs(destination, broadcast, fromLoopback))
            {
                _counters.Add(Counter.Ipv4NotForUs);
                return;
            }

            if (ip.IsFragment)
            {
                byte[] whole;
                int at;
                if (!_reassembler.Add(ip, out whole, out at))
                {
                    return;
                }

                error = ip.Parse(whole, at, whole.Length - at);
                if (error != WireError.None)
                {
                    _counters.Drop(ProtocolLayer.Ipv4, error);
                    return;
                }
            }

            Deliver(ip, broadcast);
        }

        internal void Timers(long now)
        {
            _reassembler.Timers(now);
        }

        internal long NextDeadline(long earliest)
        {
            return _reassembler.NextDeadline(earliest);
        }

        /// <summary>
        /// Sends a datagram whose payload is <paramref name="head"/> followed by <paramref name="body"/>
        /// (a transport header and its data, each may be empty), fragmenting it when it does not fit one
        /// frame unless <paramref name="dontFragment"/> is set. A datagram to a group this node joined also comes back
        /// through the loopback device (IP_MULTICAST_LOOP) unless <paramref name="timeToLive"/> carries
        /// <see cref="NoMulticastLoop"/> above its 8 bits.
        /// </summary>
        internal SocketResult Send(uint source, uint destination, IpProtocol protocol, byte[] head, int headOffset, int headLength, byte[] body, int bodyOffset, int bodyLength, int timeToLive, bool dontFragment)
        {
            int total = headLength + bodyLength;
            if (total > MaximumPayload || (dontFragment && total > MaximumFragmentPayload))
            {
                return SocketResult.MessageSize;
            }

            Route route = _route;
            SocketResult error = FindRoute(destination, route);
            if (error != SocketResult.Success)
            {
                return error;
            }

            bool loop = (timeToLive & NoMulticastLoop) == 0 && IPv4Address.IsMulticastValue(destination) && _igmp.IsMember(destination);
            ushort identification = _identification++;
            int position = 0;
            do
            {
                int chunk = total - position;
                if (chunk > MaximumFragmentPayload)
                {
                    chunk = MaximumFragmentPayload;
                }

                WriteHeader(route, source, destination, protocol, chunk, identification, dontFragment, position + chunk < total, position, timeToLive);
                CopyPieces(head, headOffset, headLength, body, bodyOffset, position, chunk, _frame, TransportOffset);
                if (total > MaximumFragmentPayload)
                {
                    _counters.Add(Counter.Ipv4FragmentsSent);
                }

                error = Transmit(route, _frame, TransportOffset + chunk, loop);
                position += chunk;
            }
            while (position < total && error == SocketResult.Success);

            _counters.Add(Counter.Ipv4Sent);
            return error;
        }

        /// <summary>With a <see cref="Send"/>'s time to live: a datagram to a joined group is not looped back (IP_MULTICAST_LOOP off).</summary>
        internal const int NoMulticastLoop = 0x100;

        /// <summary>Where <see cref="SendInFrame"/>'s transport payload starts in <see cref="OutgoingFrame"/>: after the Ethernet and a 20-byte IP header.</summary>
        internal const int TransportOffset = EthernetFrame.HeaderLength + Ipv4Packet.MinimumHeaderLength;

        /// <summary>The frame the next send is built in; a transport may write its segment at <see cref="TransportOffset"/> and call <see cref="SendInFrame"/>.</summary>
        internal byte[] OutgoingFrame
        {
            get { return _frame; }
        }

        /// <summary>
        /// Sends, unfragmented and with DF, the <paramref name="length"/> bytes a transport wrote into
        /// <see cref="OutgoingFrame"/> at <see cref="TransportOffset"/>: TCP's segments, which its MSS keeps within one
        /// frame, go out without a buffer of their own or a copy (issue 14: 1.5 KB of a plain ESP32's heap).
        /// </summary>
        internal SocketResult SendInFrame(uint source, uint destination, IpProtocol protocol, int length, int timeToLive)
        {
            if (length > MaximumFragmentPayload)
            {
                return SocketResult.MessageSize;
            }

            Route route = _route;
            SocketResult error = FindRoute(destination, route);
            if (error != SocketResult.Success)
            {
                return error;
            }

            WriteHeader(route, source, destination, protocol, length, _identification++, true, false, 0, timeToLive);
            error = Transmit(route, _frame, TransportOffset + length, false);
            _counters.Add(Counter.Ipv4Sent);
            return error;
        }

        private void WriteHeader(Route route, uint source, uint destination, IpProtocol protocol, int payloadLength, ushort identification, bool dontFragment, bool moreFragments, int fragmentOffset, int timeToLive)
        {
            Ipv4Packet ip = _output.Begin(_frame, EthernetFrame.HeaderLength, Ipv4Packet.MinimumHeaderLength);
            ip.TotalLength = Ipv4Packet.MinimumHeaderLength + payloadLength;
            ip.Identification = identification;
            ip.DontFragment = dontFragment;
            ip.MoreFragments = moreFragments;
            ip.FragmentOffset = fragmentOffset;
            ip.TimeToLive = (byte)timeToLive;
            ip.Protocol = protocol;
            ip.SourceValue = source == 0 ? route.Source : source;
            ip.DestinationValue = destination;
            ip.FillChecksum();
        }

        /// <summary>
        /// Sends a whole datagram whose header the caller wrote (raw sockets with HeaderIncluded): the
        /// header is checked, and total length, identification (when zero), source (when 0.0.0.0) and
        /// checksum are filled in, as Linux does for IP_HDRINCL.
        /// </summary>
        internal SocketResult SendWhole(byte[] datagram, int offset, int length)
        {
            if (length < Ipv4Packet.MinimumHeaderLength || (datagram[offset] >> 4) != 4)
            {
                return SocketResult.InvalidArgument;
            }

            int headerLength = (datagram[offset] & 0xF) * 4;
            if (headerLength < Ipv4Packet.MinimumHeaderLength || headerLength > length
                || OptionIterator.Validate(datagram, offset + Ipv4Packet.MinimumHeaderLength, headerLength - Ipv4Packet.MinimumHeaderLength) != WireError.None)
            {
                return SocketResult.InvalidArgument;
            }

            if (length > EthernetFrame.MaximumPayload)
            {
                return SocketResult.MessageSize;
            }

            Route route = _route;
            SocketResult error = FindRoute(_output.Attach(datagram, offset).DestinationValue, route);
            if (error != SocketResult.Success)
            {
                return error;
            }

            const int at = EthernetFrame.HeaderLength;
            System.Array.Copy(datagram, offset, _frame, at, length);
            Ipv4Packet ip = _output.Attach(_frame, at);
            ip.TotalLength = length;
            if (ip.Identification == 0)
            {
                ip.Identification = _identification++;
            }

            if (ip.SourceValue == 0)
            {
                ip.SourceValue = route.Source;
            }

            ip.FillChecksum();
            _counters.Add(Counter.Ipv4Sent);
            return Transmit(route, _frame, at + length, false);
        }

        /// <summary>Where <see cref="SendAlerted"/>'s message starts in <see cref="OutgoingFrame"/>: after a 24-byte IP header.</summary>
        internal const int AlertedTransportOffset = TransportOffset + 4;

        /// <summary>
        /// Sends the IGMP message of <paramref name="length"/> bytes written at <see cref="AlertedTransportOffset"/> as IGMP
        /// wants every one sent: TTL 1, Internetwork Control precedence (TOS 0xC0) and the Router Alert option (RFC 3376
        /// section 4, RFC 2236 section 2, RFC 2113), from the interface address, never looped back.
        /// </summary>
        internal SocketResult SendAlerted(uint destination, int length)
        {
            Route route = _route;
            SocketResult error = FindRoute(destination, route);
            if (error != SocketResult.Success)
            {
                return error;
            }

            Ipv4Packet ip = _output.Begin(_frame, EthernetFrame.HeaderLength, Ipv4Packet.MinimumHeaderLength + 4);
            ip.TotalLength = Ipv4Packet.MinimumHeaderLength + 4 + length;
            ip.Identification = _identification++;
            ip.DifferentiatedServices = 0xC0;
            ip.TimeToLive = 1;
            ip.Protocol = IpProtocol.Igmp;
            ip.SourceValue = route.Source;
            ip.DestinationValue = destination;
            NetworkOrder.WriteUInt32(_frame, ip.OptionsOffset, 0x94040000); // Router Alert: type 148, length 4, value 0
            ip.FillChecksum();
            _counters.Add(Counter.Ipv4Sent);
            return Transmit(route, _frame, AlertedTransportOffset + length, false);
        }

        /// <summary>Chooses the device and next hop for a destination (RFC 1122 section 3.3.1), into <paramref name="route"/>.</summary>
        internal SocketResult FindRoute(uint destination, Route route)
        {
            uint ours = _interface.Address;
            route.Device = _interface.Device;
            route.Source = ours;
            route.NextHop = destination;
            route.Mac = Route.MacResolve;
            if (destination == 0)
            {
                return SocketResult.DestinationAddressRequired;
            }

            if (IPv4Address.IsLoopbackValue(destination) || (ours != 0 && destination == ours))
            {
                route.Device = _interface.Loopback;
                route.Source = IPv4Address.IsLoopbackValue(destination) ? 0x7F000001 : ours;
                route.Mac = Route.MacOwn;
                return SocketResult.Success;
            }

            if (destination == 0xFFFFFFFF || IsDirectedBroadcast(destination) || IPv4Address.IsMulticastValue(destination))
            {
                route.Mac = IPv4Address.IsMulticastValue(destination) ? Route.MacMulticast : Route.MacBroadcast;
                return _interface.Device.IsLinkUp ? SocketResult.Success : SocketResult.NetworkDown;
            }

            if (ours == 0)
            {
                _counters.Add(Counter.Ipv4NoRoute);
                return SocketResult.NetworkUnreachable;
            }

            if (!_interface.Device.IsLinkUp)
            {
                return SocketResult.NetworkDown;
            }

            if (((destination ^ ours) & _interface.SubnetMask) != 0)
            {
                uint gateway = _interface.Gateway;
                if (gateway == 0)
                {
                    _counters.Add(Counter.Ipv4NoRoute);
                    return SocketResult.NetworkUnreachable;
                }

                route.NextHop = gateway;
            }

            return SocketResult.Success;
        }

        /// <summary>The source address a datagram to <paramref name="destination"/> would get, or 0 with the reason it has no route.</summary>
        internal SocketResult SourceFor(uint destination, out uint source)
        {
            SocketResult error = FindRoute(destination, _route);
            source = _route.Source;
            return error;
        }

        /// <summary>
        /// The broadcast rule of the socket calls, written once (SO_BROADCAST): sending to, or connecting a datagram socket
        /// to, the limited or our subnet's directed broadcast address needs the Broadcast option, else AccessDenied (EACCES).
        /// </summary>
        internal SocketResult CheckBroadcast(uint destination, bool permitted)
        {
            return permitted || !(destination == 0xFFFFFFFF || IsDirectedBroadcast(destination)) ? SocketResult.Success : SocketResult.AccessDenied;
        }

        /// <summary>Limited or directed broadcast, or multicast: never a TCP peer, never an ICMP error's source.</summary>
        internal bool IsBroadcastOrMulticast(uint address)
        {
            return address == 0xFFFFFFFF || IPv4Address.IsMulticastValue(address) || IsDirectedBroadcast(address);
        }

        /// <summary>
        /// An address a socket may bind: 0.0.0.0 (any), a loopback, broadcast or multicast address, or, once configured,
        /// this node's address or its subnet's broadcast.
        /// </summary>
        internal bool IsBindable(uint address)
        {
            uint ours = _interface.Address;
            return address == 0 || IPv4Address.IsLoopbackValue(address) || address == 0xFFFFFFFF || IPv4Address.IsMulticastValue(address)
                || (ours != 0 && (address == ours || IsDirectedBroadcast(address)));
        }

        /// <summary>A subnet's broadcast address, for subnets of /30 and wider (a /31 or /32 has none, RFC 3021).</summary>
        internal bool IsDirectedBroadcast(uint destination)
        {
            uint ours = _interface.Address;
            uint mask = _interface.SubnetMask;
            return ours != 0 && (mask & 3) == 0 && destination == (ours | ~mask);
        }

        private SocketResult Transmit(Route route, byte[] frame, int length, bool loop)
        {
            switch (route.Mac)
            {
                case Route.MacOwn:
                    _interface.WriteMacAddress(frame, 0);
                    break;
                case Route.MacBroadcast:
                    MacAddress.WriteBroadcast(frame, 0);
                    break;
                case Route.MacMulticast:
                    MacAddress.WriteIPv4Multicast(frame, 0, route.NextHop);
                    break;
            }

            _interface.WriteMacAddress(frame, 6);
            NetworkOrder.WriteUInt16(frame, 12, EtherType.IPv4);
            length = EthernetFrame.Pad(frame, 0, length);
            if (route.Device == _interface.Loopback)
            {
                if (!_interface.TransmitFrame(route.Device, frame, 0, length))
                {
                    _counters.Add(Counter.LoopbackQueueFull);
                    return SocketResult.NoBufferSpaceAvailable;
                }

                return SocketResult.Success;
            }

            if (route.Mac != Route.MacResolve)
            {
                _interface.TransmitFrame(route.Device, frame, 0, length);
                if (loop)
                {
                    _interface.TransmitFrame(_interface.Loopback, frame, 0, length); // as Linux's ip_mc_output: a copy for the local members
                }
            }
            else
            {
                _arp.SendOrQueue(frame, 0, length, route.NextHop); // writes the destination once resolved
            }

            return SocketResult.Success;
        }

        /// <summary>RFC 1122 section 3.2.1.3: no broadcast or multicast source, and no 127/8 or own address from outside.</summary>
        private bool SourceIsValid(uint source, bool fromLoopback)
        {
            if (IsBroadcastOrMulticast(source))
            {
                _counters.Add(Counter.Ipv4BadSource);
                return false;
            }

            uint ours = _interface.Address;
            if (!fromLoopback && (IPv4Address.IsLoopbackValue(source) || (ours != 0 && source == ours)))
            {
                // Martians: a packet from the wire claiming to come from inside this node (land attack, spoofing).
                _counters.Add(Counter.Ipv4Martians);
                return false;
            }

            return true;
        }

        private bool IsForUs(uint destination, bool broadcast, bool fromLoopback)
        {
            if (IPv4Address.IsLoopbackValue(destination))
            {
                if (!fromLoopback)
                {
                    _counters.Add(Counter.Ipv4Martians);
                }

                return fromLoopback;
            }

            if (broadcast)
            {
                return !IPv4Address.IsMulticastValue(destination) || destination == IgmpMessage.AllSystems || _igmp.IsMember(destination);
            }

            uint ours = _interface.Address;
            return ours != 0 && destination == ours;
        }

        private void Deliver(Ipv4Packet ip, bool broadcast)
        {
            _counters.Add(Counter.Ipv4Delivered);
            int raw = _raw.Deliver(ip);
            switch (ip.Protocol)
            {
                case IpProtocol.Icmp:
                    _icmp.Input(ip, broadcast);
                    break;
                case IpProtocol.Udp:
                    _udp.Input(ip, broadcast);
                    break;
                case IpProtocol.Tcp:
                    _tcp.Input(ip, broadcast);
                    break;
                case IpProtocol.Igmp:
                    _igmp.Input(ip);
                    break;
                default:
                    if (raw == 0)
                    {
                        _counters.Add(Counter.Ipv4UnknownProtocol);
                        if (!broadcast)
                        {
                            _icmp.SendError(Icmpv4Message.TypeDestinationUnreachable, Icmpv4Message.CodeProtocolUnreachable, ip);
                        }
                    }

                    break;
            }
        }

        /// <summary>Copies <paramref name="count"/> bytes from position <paramref name="from"/> of head followed by body.</summary>
        private static void CopyPieces(byte[] head, int headOffset, int headLength, byte[] body, int bodyOffset, int from, int count, byte[] destination, int at)
        {
            if (from < headLength)
            {
                int fromHead = headLength - from < count ? headLength - from : count;
                System.Array.Copy(head, headOffset + from, destination, at, fromHead);
                at += fromHead;
                count -= fromHead;
                from = headLength;
            }

            if (count > 0)
            {
                System.Array.Copy(body, bodyOffset + from - headLength, destination, at, count);
            }
        }
    }
}
