using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// One entry of the socket table, of one kind for its whole life (the typed pools of issue 14). Datagram
    /// and raw slots own a receive ring at construction and keep received datagrams in <see cref="Datagrams"/>.
    /// A stream slot owns no buffers: a listener needs none, and a connection borrows a
    /// <see cref="Tcp.TcpConnection"/> (control block, receive ring as its stream, transmit ring as its
    /// retransmission queue) from the connection pool for as long as it lives.
    /// </summary>
    internal sealed class SocketSlot
    {
        /// <summary>In <see cref="TimeToLive"/>: IP_MULTICAST_LOOP is off.</summary>
        private const int MulticastLoopOff = Ip.Ipv4Layer.NoMulticastLoop << 8;

        internal readonly int Index;
        internal readonly SocketKind Type;
        internal ByteRing ReceiveRing;
        internal ByteRing TransmitRing;
        internal readonly DatagramQueue Datagrams;

        /// <summary>The connection's control block and rings; null for a datagram, raw, listening or unconnected stream slot.</summary>
        internal Tcp.TcpConnection Tcp;

        internal int Generation = 1;
        internal IpProtocol Protocol;
        internal SocketState State;
        /// <summary>As <see cref="IPv4Address.Value"/> (a struct field would be cloned at every read on nanoCLR).</summary>
        internal uint LocalAddress;
        internal int LocalPort;
        internal uint RemoteAddress;
        internal int RemotePort;
        internal bool Broadcast;

        /// <summary>A listener dropped or refused a SYN since PollSocket last reported it (<see cref="SocketEvents.Overflow"/>).</summary>
        internal bool TurnedAway;
        internal bool ReuseAddress;
        internal bool DontFragment;
        internal bool HeaderIncluded;

        /// <summary>
        /// IP_TTL in the low 8 bits, IP_MULTICAST_TTL in the next 8 and IP_MULTICAST_LOOP off (<see cref="Ip.Ipv4Layer.NoMulticastLoop"/>
        /// once shifted down) above them: three options in one field, as each field of a slot is 12 bytes on nanoCLR's heap.
        /// </summary>
        internal int TimeToLive;
        internal SocketResult PendingError;
        internal int ReceiveDropped;

        // Stream socket options (they outlive the connection's control block, and a listener passes them on).
        internal bool NoDelay;
        internal bool KeepAlive;
        internal int LingerSeconds;
        internal int UserTimeoutMs;
        internal TcpCongestionAlgorithm CongestionAlgorithm;
        internal int Backlog;

        /// <summary>A stream slot: its connection's buffers come from the pool when it connects.</summary>
        internal SocketSlot(int index)
        {
            Index = index;
            Type = SocketKind.Stream;
        }

        /// <summary>A datagram or raw slot with its own receive ring.</summary>
        internal SocketSlot(int index, SocketKind type, int receiveBufferSize)
        {
            Index = index;
            Type = type;
            ReceiveRing = new ByteRing(receiveBufferSize);
            Datagrams = new DatagramQueue(ReceiveRing);
        }

        internal bool InUse
        {
            get { return State != SocketState.Free; }
        }

        /// <summary>Slot index in the low 8 bits, generation above: a closed slot's old descriptors never match again.</summary>
        internal int Descriptor
        {
            get { return (Generation << 8) | Index; }
        }

        internal bool IsConnected
        {
            get { return RemotePort != 0 || (Type == SocketKind.Raw && RemoteAddress != 0); }
        }

        internal SocketEndpoint LocalSocketAddress
        {
            get { return new SocketEndpoint(Protocol, new IPv4Address(LocalAddress), LocalPort); }
        }

        internal SocketEndpoint RemoteSocketAddress
        {
            get { return new SocketEndpoint(Protocol, new IPv4Address(RemoteAddress), RemotePort); }
        }

        /// <summary>
        /// Whether <paramref name="option"/> means anything for a socket of this slot's kind; Get and Set of one
        /// that does not answer ProtocolOption (ENOPROTOOPT) instead of storing or reporting a value nothing uses.
        /// Stream sockets: TCP sets don't-fragment itself, takes the stack's time to live, never broadcasts and never
        /// drops a datagram. Raw sockets have no ports to reuse. HeaderIncluded is raw only; the TCP options stream only.
        /// </summary>
        internal bool HasOption(SocketOption option)
        {
            switch (option)
            {
                case SocketOption.Broadcast:
                case SocketOption.DontFragment:
                case SocketOption.TimeToLive:
                case SocketOption.ReceiveDropped:
                case SocketOption.MulticastTimeToLive:
                case SocketOption.MulticastLoopback:
                    return Type != SocketKind.Stream;
                case SocketOption.ReuseAddress:
                    return Type != SocketKind.Raw;
                case SocketOption.HeaderIncluded:
                    return Type == SocketKind.Raw;
                case SocketOption.AddMembership:
                case SocketOption.DropMembership:
                    return Type == SocketKind.Datagram;
                case SocketOption.NoDelay:
                case SocketOption.KeepAlive:
                case SocketOption.Linger:
                case SocketOption.UserTimeout:
                case SocketOption.CongestionControl:
                    return Type == SocketKind.Stream;
                case SocketOption.ReceiveQueued:
                case SocketOption.Error:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Sets an option <see cref="HasOption"/> allows; TcpLayer.SetOption adds what NoDelay does to a connection.</summary>
        internal SocketResult SetOption(SocketOption option, int value)
        {
            switch (option)
            {
                case SocketOption.Broadcast:
                    Broadcast = value != 0;
                    break;
                case SocketOption.ReuseAddress:
                    ReuseAddress = value != 0;
                    break;
                case SocketOption.DontFragment:
                    DontFragment = value != 0;
                    break;
                case SocketOption.TimeToLive:
                case SocketOption.MulticastTimeToLive:
                    if (value < 1 || value > 255)
                    {
                        return SocketResult.InvalidArgument;
                    }

                    int shift = option == SocketOption.TimeToLive ? 0 : 8;
                    TimeToLive = (TimeToLive & ~(0xFF << shift)) | (value << shift);
                    break;
                case SocketOption.MulticastLoopback:
                    TimeToLive = value != 0 ? TimeToLive & ~MulticastLoopOff : TimeToLive | MulticastLoopOff;
                    break;
                case SocketOption.HeaderIncluded:
                    HeaderIncluded = value != 0;
                    break;
                case SocketOption.NoDelay:
                    NoDelay = value != 0;
                    break;
                case SocketOption.KeepAlive:
                    KeepAlive = value != 0;
                    break;
                case SocketOption.Linger:
                    if (value < -1)
                    {
                        return SocketResult.InvalidArgument;
                    }

                    LingerSeconds = value;
                    break;
                case SocketOption.UserTimeout:
                    if (value < 0)
                    {
                        return SocketResult.InvalidArgument;
                    }

                    UserTimeoutMs = value;
                    break;
                case SocketOption.CongestionControl:
                    if (value != (int)TcpCongestionAlgorithm.NewReno && value != (int)TcpCongestionAlgorithm.Cubic)
                    {
                        return SocketResult.InvalidArgument;
                    }

                    CongestionAlgorithm = (TcpCongestionAlgorithm)value;
                    break;
                default:
                    return SocketResult.ProtocolOption; // read only
            }

            return SocketResult.Success;
        }

        /// <summary>Reads an option <see cref="HasOption"/> allows (Error reads and clears the pending error).</summary>
        internal int GetOption(SocketOption option)
        {
            switch (option)
            {
                case SocketOption.Broadcast:
                    return Broadcast ? 1 : 0;
                case SocketOption.ReuseAddress:
                    return ReuseAddress ? 1 : 0;
                case SocketOption.DontFragment:
                    return DontFragment ? 1 : 0;
                case SocketOption.TimeToLive:
                    return TimeToLive & 0xFF;
                case SocketOption.MulticastTimeToLive:
                    return (TimeToLive >> 8) & 0xFF;
                case SocketOption.MulticastLoopback:
                    return (TimeToLive & MulticastLoopOff) == 0 ? 1 : 0;
                case SocketOption.HeaderIncluded:
                    return HeaderIncluded ? 1 : 0;
                case SocketOption.ReceiveQueued:
                    return Datagrams != null ? Datagrams.Queued : ReceiveRing != null ? ReceiveRing.Count : 0;
                case SocketOption.ReceiveDropped:
                    return ReceiveDropped;
                case SocketOption.Error:
                    int error = (int)PendingError;
                    PendingError = SocketResult.Success;
                    return error;
                case SocketOption.NoDelay:
                    return NoDelay ? 1 : 0;
                case SocketOption.KeepAlive:
                    return KeepAlive ? 1 : 0;
                case SocketOption.Linger:
                    return LingerSeconds;
                case SocketOption.CongestionControl:
                    return (int)CongestionAlgorithm;
                default:
                    return UserTimeoutMs;
            }
        }

        /// <summary>
        /// A datagram or raw socket's receive: a pending error (an ICMP error about a connected socket's datagram) once,
        /// else the next datagram and its sender, cut to <paramref name="count"/> (MessageSize), else WouldBlock. The caller
        /// has zeroed <paramref name="received"/>, <paramref name="address"/> and <paramref name="port"/> (ref, not out: an idle
        /// poll's receive pays nothing twice).
        /// </summary>
        internal SocketResult ReceiveDatagram(byte[] buffer, int offset, int count, ref int received, ref uint address, ref int port)
        {
            if (PendingError != SocketResult.Success)
            {
                SocketResult pending = PendingError;
                PendingError = SocketResult.Success;
                return pending;
            }

            int length = Datagrams.Dequeue(buffer, offset, count, out address, out port);
            if (length < 0)
            {
                return SocketResult.WouldBlock;
            }

            received = length < count ? length : count;
            return length > count ? SocketResult.MessageSize : SocketResult.Success;
        }

        /// <summary>A datagram or raw socket's poll: always writable; readable with a datagram or an error queued.</summary>
        internal SocketEvents DatagramEvents()
        {
            SocketEvents events = SocketEvents.Writable;
            if (Datagrams.Datagrams > 0)
            {
                events |= SocketEvents.Readable;
            }

            if (PendingError != SocketResult.Success)
            {
                events |= SocketEvents.Error | SocketEvents.Readable;
            }

            return events;
        }

        /// <summary>
        /// The TTL a datagram to <paramref name="destination"/> gets, as <see cref="Ip.Ipv4Layer.Send"/> takes it: IP_MULTICAST_TTL
        /// and the loop flag for a group, IP_TTL for anything else.
        /// </summary>
        internal int TimeToLiveTo(uint destination)
        {
            return IPv4Address.IsMulticastValue(destination) ? TimeToLive >> 8 : TimeToLive & 0xFF;
        }

        /// <summary>A datagram or raw socket's connect: fixes the peer, or with address 0 forgets it.</summary>
        internal void SetPeer(uint address, int port)
        {
            RemoteAddress = address;
            RemotePort = address == 0 ? 0 : port;
            State = address != 0 ? SocketState.Connected : LocalPort != 0 || LocalAddress != 0 ? SocketState.Bound : SocketState.Open;
        }

        internal void Open(IpProtocol protocol, int timeToLive)
        {
            Protocol = protocol;
            State = SocketState.Open;
            LocalAddress = 0;
            LocalPort = 0;
            RemoteAddress = 0;
            RemotePort = 0;
            Broadcast = false;
            TurnedAway = false;
            ReuseAddress = false;
            DontFragment = false;
            HeaderIncluded = false;
            TimeToLive = (timeToLive & 0xFF) | (1 << 8); // IP_MULTICAST_TTL 1 (RFC 1112 section 6.1), loop on
            PendingError = SocketResult.Success;
            ReceiveDropped = 0;
            if (Datagrams != null)
            {
                Datagrams.Clear();
            }
        }

        /// <summary>Takes a connection's control block and rings from the pool.</summary>
        internal void Attach(Tcp.TcpConnection connection)
        {
            connection.InUse = true;
            connection.ReceiveRing.Clear();
            connection.TransmitRing.Clear();
            Tcp = connection;
            ReceiveRing = connection.ReceiveRing;
            TransmitRing = connection.TransmitRing;
        }

        /// <summary>Makes the slot's descriptor stale without freeing it: a closed TCP connection still finishing its close.</summary>
        internal void Orphan()
        {
            Generation = Generation == 0x7FFFFF ? 1 : Generation + 1;
        }

        internal void Release()
        {
            State = SocketState.Free;
            if (Datagrams != null)
            {
                Datagrams.Clear();
            }

            if (Tcp != null)
            {
                Tcp.InUse = false;
                Tcp = null;
                ReceiveRing = null;
                TransmitRing = null;
            }

            Generation = Generation == 0x7FFFFF ? 1 : Generation + 1;
        }
    }
}
