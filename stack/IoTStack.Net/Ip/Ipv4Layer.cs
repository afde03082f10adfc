using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
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

        private readonly NetStack _stack;
        private readonly NetCounters _counters;
        private readonly Reassembler _reassembler;
        private readonly byte[] _frame = new byte[EthernetFrame.MaximumLength];
        private readonly IPv4Address[] _groups;
        private ushort _identification;

        internal Ipv4Layer(NetStack stack, NetStackOptions options, uint seed)
        {
            _stack = stack;
            _counters = stack.Counters;
            _reassembler = new Reassembler(stack, options);
            _groups = new IPv4Address[options.MulticastGroups];
            _identification = (ushort)seed;
        }

        internal Reassembler Reassembler
        {
            get { return _reassembler; }
        }

        internal void Input(byte[] buffer, int offset, int length, bool fromLoopback)
        {
            Ipv4Packet ip;
            WireError error = Ipv4Packet.TryParse(buffer, offset, length, out ip);
            if (error != WireError.None)
            {
                _counters.Drop(ProtocolLayer.Ipv4, error);
                return;
            }

            _counters.Add(Counter.Ipv4Received);
            if (!SourceIsValid(ip.Source, fromLoopback))
            {
                return;
            }

            IPv4Address destination = ip.Destination;
            bool broadcast = destination.IsBroadcast || destination.IsMulticast || IsDirectedBroadcast(destination);
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

                error = Ipv4Packet.TryParse(whole, at, whole.Length - at, out ip);
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

        internal bool JoinGroup(IPv4Address group)
        {
            if (IsMember(group))
            {
                return true;
            }

            for (int i = 0; i < _groups.Length; i++)
            {
                if (_groups[i].IsAny)
                {
                    _groups[i] = group;
                    return true;
                }
            }

            return false;
        }

        internal void LeaveGroup(IPv4Address group)
        {
            for (int i = 0; i < _groups.Length; i++)
            {
                if (_groups[i] == group)
                {
                    _groups[i] = IPv4Address.Any;
                }
            }
        }

        /// <summary>
        /// Sends a datagram whose payload is <paramref name="head"/> followed by <paramref name="body"/>
        /// (a transport header and its data, each may be empty), fragmenting it when it does not fit one
        /// frame unless <paramref name="dontFragment"/> is set.
        /// </summary>
        internal SocketError Send(IPv4Address source, IPv4Address destination, IpProtocol protocol, byte[] head, int headOffset, int headLength, byte[] body, int bodyOffset, int bodyLength, int timeToLive, bool dontFragment)
        {
            int total = headLength + bodyLength;
            if (total > MaximumPayload || (dontFragment && total > MaximumFragmentPayload))
            {
                return SocketError.MessageSize;
            }

            Route route;
            SocketError error = FindRoute(destination, out route);
            if (error != SocketError.Success)
            {
                return error;
            }

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

                error = Transmit(route, _frame, TransportOffset + chunk);
                position += chunk;
            }
            while (position < total && error == SocketError.Success);

            _counters.Add(Counter.Ipv4Sent);
            return error;
        }

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
        internal SocketError SendInFrame(IPv4Address source, IPv4Address destination, IpProtocol protocol, int length, int timeToLive)
        {
            if (length > MaximumFragmentPayload)
            {
                return SocketError.MessageSize;
            }

            Route route;
            SocketError error = FindRoute(destination, out route);
            if (error != SocketError.Success)
            {
                return error;
            }

            WriteHeader(route, source, destination, protocol, length, _identification++, true, false, 0, timeToLive);
            error = Transmit(route, _frame, TransportOffset + length);
            _counters.Add(Counter.Ipv4Sent);
            return error;
        }

        private void WriteHeader(Route route, IPv4Address source, IPv4Address destination, IpProtocol protocol, int payloadLength, ushort identification, bool dontFragment, bool moreFragments, int fragmentOffset, int timeToLive)
        {
            Ipv4Packet ip = Ipv4Packet.Init(_frame, EthernetFrame.HeaderLength, Ipv4Packet.MinimumHeaderLength);
            ip.TotalLength = Ipv4Packet.MinimumHeaderLength + payloadLength;
            ip.Identification = identification;
            ip.DontFragment = dontFragment;
            ip.MoreFragments = moreFragments;
            ip.FragmentOffset = fragmentOffset;
            ip.TimeToLive = (byte)timeToLive;
            ip.Protocol = protocol;
            ip.Source = source.IsAny ? route.Source : source;
            ip.Destination = destination;
            ip.FillChecksum();
        }

        /// <summary>
        /// Sends a whole datagram whose header the caller wrote (raw sockets with HeaderIncluded): the
        /// header is checked, and total length, identification (when zero), source (when 0.0.0.0) and
        /// checksum are filled in, as Linux does for IP_HDRINCL.
        /// </summary>
        internal SocketError SendWhole(byte[] datagram, int offset, int length)
        {
            if (length < Ipv4Packet.MinimumHeaderLength || (datagram[offset] >> 4) != 4)
            {
                return SocketError.InvalidArgument;
            }

            int headerLength = (datagram[offset] & 0xF) * 4;
            if (headerLength < Ipv4Packet.MinimumHeaderLength || headerLength > length
                || OptionIterator.Validate(datagram, offset + Ipv4Packet.MinimumHeaderLength, headerLength - Ipv4Packet.MinimumHeaderLength) != WireError.None)
            {
                return SocketError.InvalidArgument;
            }

            if (length > EthernetFrame.MaximumPayload)
            {
                return SocketError.MessageSize;
            }

            Ipv4Packet given = Ipv4Packet.Wrap(datagram, offset);
            Route route;
            SocketError error = FindRoute(given.Destination, out route);
            if (error != SocketError.Success)
            {
                return error;
            }

            const int at = EthernetFrame.HeaderLength;
            System.Array.Copy(datagram, offset, _frame, at, length);
            Ipv4Packet ip = Ipv4Packet.Wrap(_frame, at);
            ip.TotalLength = length;
            if (ip.Identification == 0)
            {
                ip.Identification = _identification++;
            }

            if (ip.Source.IsAny)
            {
                ip.Source = route.Source;
            }

            ip.FillChecksum();
            _counters.Add(Counter.Ipv4Sent);
            return Transmit(route, _frame, at + length);
        }

        /// <summary>Chooses the device and next hop for a destination (RFC 1122 section 3.3.1).</summary>
        internal SocketError FindRoute(IPv4Address destination, out Route route)
        {
            route = new Route();
            IPv4Address ours = _stack.Address;
            route.Device = _stack.Device;
            route.Source = ours;
            route.NextHop = destination;
            if (destination.IsAny)
            {
                return SocketError.DestinationAddressRequired;
            }

            if (destination.IsLoopback || (!ours.IsAny && destination == ours))
            {
                route.Device = _stack.Loopback;
                route.Source = destination.IsLoopback ? IPv4Address.Loopback : ours;
                route.Mac = _stack.MacAddress;
                route.MacKnown = true;
                return SocketError.Success;
            }

            if (destination.IsBroadcast || IsDirectedBroadcast(destination) || destination.IsMulticast)
            {
                route.Mac = destination.IsMulticast ? MacAddress.FromIPv4Multicast(destination) : MacAddress.Broadcast;
                route.MacKnown = true;
                return _stack.Device.IsLinkUp ? SocketError.Success : SocketError.NetworkDown;
            }

            if (ours.IsAny)
            {
                _counters.Add(Counter.Ipv4NoRoute);
                return SocketError.NetworkUnreachable;
            }

            if (!_stack.Device.IsLinkUp)
            {
                return SocketError.NetworkDown;
            }

            if (!destination.IsInSameSubnet(ours, _stack.SubnetMask))
            {
                if (_stack.Gateway.IsAny)
                {
                    _counters.Add(Counter.Ipv4NoRoute);
                    return SocketError.NetworkUnreachable;
                }

                route.NextHop = _stack.Gateway;
            }

            return SocketError.Success;
        }

        /// <summary>A subnet's broadcast address, for subnets of /30 and wider (a /31 or /32 has none, RFC 3021).</summary>
        internal bool IsDirectedBroadcast(IPv4Address destination)
        {
            IPv4Address ours = _stack.Address;
            IPv4Address mask = _stack.SubnetMask;
            return !ours.IsAny && (mask.Value & 3) == 0 && destination == ours.DirectedBroadcast(mask);
        }

        private SocketError Transmit(Route route, byte[] frame, int length)
        {
            EthernetFrame.WriteHeader(frame, 0, route.Mac, _stack.MacAddress, EtherType.IPv4);
            length = EthernetFrame.Pad(frame, 0, length);
            if (route.Device == _stack.Loopback)
            {
                if (!_stack.TransmitFrame(route.Device, frame, 0, length))
                {
                    _counters.Add(Counter.LoopbackQueueFull);
                    return SocketError.NoBufferSpaceAvailable;
                }

                return SocketError.Success;
            }

            if (route.MacKnown)
            {
                _stack.TransmitFrame(route.Device, frame, 0, length);
            }
            else
            {
                _stack.Arp.SendOrQueue(frame, 0, length, route.NextHop);
            }

            return SocketError.Success;
        }

        /// <summary>RFC 1122 section 3.2.1.3: no broadcast or multicast source, and no 127/8 or own address from outside.</summary>
        private bool SourceIsValid(IPv4Address source, bool fromLoopback)
        {
            if (source.IsBroadcast || source.IsMulticast || IsDirectedBroadcast(source))
            {
                _counters.Add(Counter.Ipv4BadSource);
                return false;
            }

            if (!fromLoopback && (source.IsLoopback || (!_stack.Address.IsAny && source == _stack.Address)))
            {
                // Martians: a packet from the wire claiming to come from inside this node (land attack, spoofing).
                _counters.Add(Counter.Ipv4Martians);
                return false;
            }

            return true;
        }

        private bool IsForUs(IPv4Address destination, bool broadcast, bool fromLoopback)
        {
            if (destination.IsLoopback)
            {
                if (!fromLoopback)
                {
                    _counters.Add(Counter.Ipv4Martians);
                }

                return fromLoopback;
            }

            if (broadcast)
            {
                return !destination.IsMulticast || destination.Value == 0xE0000001 || IsMember(destination);
            }

            return !_stack.Address.IsAny && destination == _stack.Address;
        }

        private bool IsMember(IPv4Address group)
        {
            for (int i = 0; i < _groups.Length; i++)
            {
                if (_groups[i] == group)
                {
                    return true;
                }
            }

            return false;
        }

        private void Deliver(Ipv4Packet ip, bool broadcast)
        {
            _counters.Add(Counter.Ipv4Delivered);
            int raw = _stack.Raw.Deliver(ip);
            switch (ip.Protocol)
            {
                case IpProtocol.Icmp:
                    _stack.Icmp.Input(ip, broadcast);
                    break;
                case IpProtocol.Udp:
                    _stack.Udp.Input(ip, broadcast);
                    break;
                case IpProtocol.Tcp:
                    _stack.Tcp.Input(ip, broadcast);
                    break;
                default:
                    if (raw == 0)
                    {
                        _counters.Add(Counter.Ipv4UnknownProtocol);
                        if (!broadcast)
                        {
                            _stack.Icmp.SendError(Icmpv4Message.TypeDestinationUnreachable, Icmpv4Message.CodeProtocolUnreachable, ip);
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
