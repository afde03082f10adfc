using IoTStack.Net.Ip;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// UDP (RFC 768, RFC 1122 section 4.1): delivers each datagram to the socket that best matches it
    /// (connected, then bound to the address, then bound to any), broadcasts to every socket bound to
    /// the port, answers port unreachable for the rest, and sends with the pseudo-header checksum.
    /// </summary>
    internal sealed class UdpLayer
    {
        private readonly NetCounters _counters;
        private readonly SocketTable _sockets;
        private readonly Ipv4Layer _ip;
        private readonly IcmpLayer _icmp;
        private readonly byte[] _header = new byte[UdpDatagram.HeaderLength];
        private readonly UdpDatagram _input = new UdpDatagram();

        internal UdpLayer(NetCounters counters, SocketTable sockets, Ipv4Layer ip, IcmpLayer icmp)
        {
            _counters = counters;
            _sockets = sockets;
            _ip = ip;
            _icmp = icmp;
        }

        internal void Input(Ipv4Packet ip, bool broadcast)
        {
            UdpDatagram udp = _input;
            WireError error = udp.Parse(ip.Buffer, ip.PayloadOffset, ip.PayloadLength, ip.SourceValue, ip.DestinationValue);
            if (error != WireError.None)
            {
                _counters.Drop(ProtocolLayer.Udp, error);
                return;
            }

            _counters.Add(Counter.UdpReceived);
            int port = udp.DestinationPort;
            if (port == 0)
            {
                _counters.Add(Counter.UdpNoPort);
                return;
            }

            SocketSlot best = null;
            int bestScore = -1;
            for (int i = _sockets.StreamEnd; i < _sockets.DatagramEnd; i++)
            {
                SocketSlot slot = _sockets[i];
                int score = Match(slot, ip, udp, broadcast);
                if (score < 0)
                {
                    continue;
                }

                if (broadcast)
                {
                    Enqueue(slot, ip, udp);
                }
                else if (score > bestScore)
                {
                    best = slot;
                    bestScore = score;
                }
            }

            if (best != null)
            {
                Enqueue(best, ip, udp);
            }
            else if (!broadcast)
            {
                _counters.Add(Counter.UdpNoPort);
                _icmp.SendError(Icmpv4Message.TypeDestinationUnreachable, Icmpv4Message.CodePortUnreachable, ip);
            }
        }

        /// <summary>
        /// Fixes the peer, so Send needs no address and only the peer's datagrams are received (binding an ephemeral port
        /// first if none); 0.0.0.0 undoes it. A broadcast peer needs the Broadcast option.
        /// </summary>
        internal SocketResult Connect(SocketSlot slot, uint address, int port)
        {
            if (port < 0 || port > 0xFFFF)
            {
                return SocketResult.InvalidArgument;
            }

            if (address != 0)
            {
                if (port == 0)
                {
                    return SocketResult.InvalidArgument;
                }

                SocketResult allowed = _ip.CheckBroadcast(address, slot.Broadcast);
                if (allowed != SocketResult.Success)
                {
                    return allowed;
                }

                if (slot.LocalPort == 0)
                {
                    SocketResult bound = _sockets.BindEphemeral(slot, slot.LocalAddress);
                    if (bound != SocketResult.Success)
                    {
                        return bound;
                    }
                }
            }

            slot.SetPeer(address, port);
            return SocketResult.Success;
        }

        internal SocketResult Send(SocketSlot slot, uint destination, int port, byte[] buffer, int offset, int count)
        {
            if (port <= 0 || port > 0xFFFF)
            {
                return SocketResult.InvalidArgument;
            }

            if (destination == 0)
            {
                return SocketResult.DestinationAddressRequired;
            }

            SocketResult allowed = _ip.CheckBroadcast(destination, slot.Broadcast);
            if (allowed != SocketResult.Success)
            {
                return allowed;
            }

            if (count > Ipv4Layer.MaximumPayload - UdpDatagram.HeaderLength)
            {
                return SocketResult.MessageSize;
            }

            if (slot.LocalPort == 0)
            {
                SocketResult bound = _sockets.BindEphemeral(slot, slot.LocalAddress);
                if (bound != SocketResult.Success)
                {
                    return bound;
                }
            }

            uint source = slot.LocalAddress;
            SocketResult error = source == 0 ? _ip.SourceFor(destination, out source) : SocketResult.Success;
            if (error != SocketResult.Success)
            {
                return error;
            }

            UdpDatagram.WriteHeader(_header, 0, slot.LocalPort, port, count);
            uint sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Udp, UdpDatagram.HeaderLength + count);
            sum = InternetChecksum.Add(InternetChecksum.Add(sum, _header, 0, _header.Length), buffer, offset, count);
            ushort checksum = InternetChecksum.Complement(sum);
            NetworkOrder.WriteUInt16(_header, 6, checksum == 0 ? 0xFFFF : checksum);
            error = _ip.Send(source, destination, IpProtocol.Udp, _header, 0, _header.Length, buffer, offset, count, slot.TimeToLiveTo(destination), slot.DontFragment);
            if (error == SocketResult.Success)
            {
                _counters.Add(Counter.UdpSent);
            }

            return error;
        }

        /// <summary>An ICMP error about a datagram we sent: connected sockets get it as their pending error (as Linux reports ECONNREFUSED).</summary>
        internal void ErrorReceived(uint localAddress, int localPort, uint remoteAddress, int remotePort, SocketResult error)
        {
            for (int i = _sockets.StreamEnd; i < _sockets.DatagramEnd; i++)
            {
                SocketSlot slot = _sockets[i];
                if (slot.InUse && slot.Type == SocketKind.Datagram && slot.LocalPort == localPort && slot.RemotePort == remotePort
                    && slot.RemoteAddress == remoteAddress && ((slot.LocalAddress == 0) || slot.LocalAddress == localAddress))
                {
                    slot.PendingError = error;
                }
            }
        }

        /// <summary>How well a socket matches a datagram: -1 not at all; higher is more specific.</summary>
        private static int Match(SocketSlot slot, Ipv4Packet ip, UdpDatagram udp, bool broadcast)
        {
            if (!slot.InUse || slot.Type != SocketKind.Datagram || slot.LocalPort != udp.DestinationPort)
            {
                return -1;
            }

            int score = 0;
            if (slot.LocalAddress != 0)
            {
                if (slot.LocalAddress != ip.DestinationValue)
                {
                    return -1;
                }

                score += 1;
            }

            if (slot.IsConnected)
            {
                if (slot.RemoteAddress != ip.SourceValue || slot.RemotePort != udp.SourcePort)
                {
                    return -1;
                }

                score += 2;
            }

            return score;
        }

        private void Enqueue(SocketSlot slot, Ipv4Packet ip, UdpDatagram udp)
        {
            if (slot.Datagrams.Enqueue(ip.SourceValue, udp.SourcePort, ip.Buffer, udp.PayloadOffset, udp.PayloadLength))
            {
                _counters.Add(Counter.UdpDelivered);
                return;
            }

            slot.ReceiveDropped++;
            _counters.Add(Counter.UdpReceiveQueueFull);
        }
    }
}
