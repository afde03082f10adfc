using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// The fixed array of socket slots in typed pools (issue 14: not one slot shape for all): stream slots
    /// (TcpConnections + TcpListeners, no buffers of their own), datagram slots and raw slots (each with a receive
    /// ring), and the pool of TCP connections a stream slot borrows while connected. Descriptor checks and
    /// per-protocol port spaces.
    /// </summary>
    internal sealed class SocketTable
    {
        private readonly SocketSlot[] _slots;
        private readonly Tcp.TcpConnection[] _connections;
        private readonly int _streamSlots;
        private readonly int _datagramSlots;
        private readonly int _ephemeralFirst;
        private readonly int _ephemeralCount;
        private readonly Prng _random;

        internal SocketTable(NetStackOptions options, Prng random)
        {
            _streamSlots = options.TcpConnections + options.TcpListeners;
            _datagramSlots = options.UdpSockets;
            _slots = new SocketSlot[options.SocketCount];
            for (int i = 0; i < _slots.Length; i++)
            {
                if (i < _streamSlots)
                {
                    _slots[i] = new SocketSlot(i);
                }
                else
                {
                    _slots[i] = new SocketSlot(i, i < _streamSlots + _datagramSlots ? SocketKind.Datagram : SocketKind.Raw, options.DatagramBufferSize);
                }
            }

            _connections = new Tcp.TcpConnection[options.TcpConnections];
            for (int i = 0; i < _connections.Length; i++)
            {
                _connections[i] = new Tcp.TcpConnection(options.ReceiveBufferSize, options.TransmitBufferSize, options.TcpOutOfOrderRanges);
            }

            _ephemeralFirst = options.EphemeralPortFirst;
            _ephemeralCount = options.EphemeralPortLast - options.EphemeralPortFirst + 1;
            _random = random;
        }

        internal int Count
        {
            get { return _slots.Length; }
        }

        /// <summary>The stream slots are 0 to here: the TCP layer's loops stop at it (on nanoCLR every slot visited costs IL).</summary>
        internal int StreamEnd
        {
            get { return _streamSlots; }
        }

        /// <summary>The datagram slots are <see cref="StreamEnd"/> to here; the raw slots from here to <see cref="Count"/>.</summary>
        internal int DatagramEnd
        {
            get { return _streamSlots + _datagramSlots; }
        }

        internal SocketSlot this[int index]
        {
            get { return _slots[index]; }
        }

        /// <summary>A free slot of the pool for <paramref name="type"/>, or null when that pool is used up.</summary>
        internal SocketSlot Allocate(SocketKind type)
        {
            int first = type == SocketKind.Stream ? 0 : type == SocketKind.Datagram ? _streamSlots : _streamSlots + _datagramSlots;
            int end = type == SocketKind.Stream ? _streamSlots : type == SocketKind.Datagram ? _streamSlots + _datagramSlots : _slots.Length;
            for (int i = first; i < end; i++)
            {
                if (!_slots[i].InUse)
                {
                    return _slots[i];
                }
            }

            return null;
        }

        /// <summary>Lends a free connection (control block and rings) to a stream slot; false when all are in use.</summary>
        internal bool AttachConnection(SocketSlot slot)
        {
            for (int i = 0; i < _connections.Length; i++)
            {
                if (!_connections[i].InUse)
                {
                    slot.Attach(_connections[i]);
                    return true;
                }
            }

            return false;
        }

        /// <summary>A connection is free to lend.</summary>
        internal bool HasFreeConnection
        {
            get
            {
                for (int i = 0; i < _connections.Length; i++)
                {
                    if (!_connections[i].InUse)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        /// <summary>A free stream slot with a connection lent to it (a passive open), or null when either pool is used up.</summary>
        internal SocketSlot AllocateConnection()
        {
            SocketSlot slot = HasFreeConnection ? Allocate(SocketKind.Stream) : null;
            return slot != null && AttachConnection(slot) ? slot : null;
        }

        /// <summary>Whether <see cref="AllocateConnection"/> would succeed now.</summary>
        internal bool CanAllocateConnection
        {
            get { return HasFreeConnection && Allocate(SocketKind.Stream) != null; }
        }

        /// <summary>Stream slots listening now.</summary>
        internal int Listeners
        {
            get
            {
                int listening = 0;
                for (int i = 0; i < _streamSlots; i++)
                {
                    if (_slots[i].State == SocketState.Listen)
                    {
                        listening++;
                    }
                }

                return listening;
            }
        }

        /// <summary>
        /// Takes a slot of the pool for <paramref name="type"/>: Stream with Tcp, Datagram with Udp, Raw with any protocol
        /// number from 1 to 255 (None picks TCP or UDP for stream and datagram).
        /// </summary>
        internal SocketResult Open(SocketKind type, IpProtocol protocol, int timeToLive, out SocketSlot slot)
        {
            slot = null;
            if (type == SocketKind.Datagram)
            {
                if (protocol != IpProtocol.Udp && protocol != IpProtocol.None)
                {
                    return SocketResult.ProtocolNotSupported;
                }

                protocol = IpProtocol.Udp;
            }
            else if (type == SocketKind.Raw)
            {
                if (protocol == IpProtocol.None)
                {
                    return SocketResult.ProtocolNotSupported;
                }
            }
            else if (type == SocketKind.Stream)
            {
                if (protocol != IpProtocol.Tcp && protocol != IpProtocol.None)
                {
                    return SocketResult.ProtocolNotSupported;
                }

                protocol = IpProtocol.Tcp;
            }
            else
            {
                return SocketResult.SocketNotSupported;
            }

            slot = Allocate(type);
            if (slot == null)
            {
                return SocketResult.TooManyOpenSockets; // the pool for this type (NetStackOptions.TcpConnections + TcpListeners, UdpSockets, RawSockets) is used up
            }

            slot.Open(protocol, timeToLive);
            return SocketResult.Success;
        }

        /// <summary>
        /// Gives an open slot its local address and port (0 picks an ephemeral one; raw sockets have no port).
        /// <paramref name="bindable"/>: whether the address is one of this node's (Ipv4Layer.IsBindable).
        /// </summary>
        internal SocketResult Bind(SocketSlot slot, uint address, int port, bool bindable)
        {
            if (slot.State != SocketState.Open || port < 0 || port > 0xFFFF || (slot.Type == SocketKind.Raw && port != 0))
            {
                return SocketResult.InvalidArgument;
            }

            if (!bindable)
            {
                return SocketResult.AddressNotAvailable;
            }

            if (slot.Type != SocketKind.Raw)
            {
                if (port == 0)
                {
                    return BindEphemeral(slot, address);
                }

                if (IsPortTaken(slot.Protocol, address, port, slot.ReuseAddress, slot))
                {
                    return SocketResult.AddressInUse;
                }
            }

            slot.LocalAddress = address;
            slot.LocalPort = port;
            slot.State = SocketState.Bound;
            return SocketResult.Success;
        }

        /// <summary>The open slot a descriptor names, or null for a stale, closed or made-up one.</summary>
        internal SocketSlot Resolve(int descriptor)
        {
            int index = descriptor & 0xFF;
            if (descriptor <= 0 || index >= _slots.Length)
            {
                return null;
            }

            // Descriptor and InUse spelled out: every socket call resolves, and on nanoCLR each property call is IL of its own.
            SocketSlot slot = _slots[index];
            return slot.State != SocketState.Free && ((slot.Generation << 8) | index) == descriptor ? slot : null;
        }

        /// <summary>
        /// True when another socket of the same protocol holds the port on an overlapping local address,
        /// unless both set ReuseAddress. TCP and UDP ports are separate spaces.
        /// </summary>
        internal bool IsPortTaken(IpProtocol protocol, uint address, int port, bool reuse, SocketSlot except)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                SocketSlot slot = _slots[i];
                if (slot == except || !slot.InUse || slot.Type == SocketKind.Raw || slot.Protocol != protocol || slot.LocalPort != port)
                {
                    continue;
                }

                bool overlaps = address == 0 || slot.LocalAddress == 0 || slot.LocalAddress == address;
                if (overlaps && !(reuse && slot.ReuseAddress))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Binds <paramref name="slot"/> to <paramref name="address"/> and a free ephemeral port: what Bind with port 0 does,
        /// and what a UDP send or connect and a TCP listen do for a socket nobody bound. AddressInUse when every port is taken.
        /// </summary>
        internal SocketResult BindEphemeral(SocketSlot slot, uint address)
        {
            int port = PickEphemeralPort(slot.Protocol, address, slot);
            if (port == 0)
            {
                return SocketResult.AddressInUse;
            }

            slot.LocalAddress = address;
            slot.LocalPort = port;
            slot.State = SocketState.Bound;
            return SocketResult.Success;
        }

        /// <summary>
        /// A free ephemeral port: RFC 6056 section 3.3.1 (Algorithm 1), a random start and a linear search,
        /// so ports are hard to guess. Returns 0 when every port is taken.
        /// </summary>
        internal int PickEphemeralPort(IpProtocol protocol, uint address, SocketSlot except)
        {
            int offset = (int)(_random.Next() % (uint)_ephemeralCount);
            for (int i = 0; i < _ephemeralCount; i++)
            {
                int port = _ephemeralFirst + (offset + i) % _ephemeralCount;
                if (!IsPortTaken(protocol, address, port, false, except))
                {
                    return port;
                }
            }

            return 0;
        }
    }
}
