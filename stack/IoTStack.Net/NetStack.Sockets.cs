using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net
{
    /// <summary>
    /// The socket calls, in the BSD shape. A socket is an int descriptor; every call checks it, so a
    /// descriptor used after close gets NotSocket and never reaches the slot's next owner. Nothing here
    /// blocks: a call that would wait returns WouldBlock (see <see cref="NetHost"/> for blocking calls).
    /// </summary>
    public sealed partial class NetStack
    {
        /// <summary>Slots in the socket table, free or not.</summary>
        public int SocketCount
        {
            get { return _sockets.Count; }
        }

        /// <summary>Opens a socket: Stream with Tcp, Datagram with Udp, Raw with any protocol number from 1 to 255.</summary>
        public SocketError Open(SocketType type, IpProtocol protocol, out int socket)
        {
            socket = 0;
            if (type == SocketType.Datagram)
            {
                if (protocol != IpProtocol.Udp && protocol != IpProtocol.None)
                {
                    return SocketError.ProtocolNotSupported;
                }

                protocol = IpProtocol.Udp;
            }
            else if (type == SocketType.Raw)
            {
                if (protocol == IpProtocol.None)
                {
                    return SocketError.ProtocolNotSupported;
                }
            }
            else if (type == SocketType.Stream)
            {
                if (protocol != IpProtocol.Tcp && protocol != IpProtocol.None)
                {
                    return SocketError.ProtocolNotSupported;
                }

                protocol = IpProtocol.Tcp;
            }
            else
            {
                return SocketError.SocketNotSupported;
            }

            SocketSlot slot = _sockets.Allocate(type);
            if (slot == null)
            {
                return SocketError.TooManyOpenSockets; // the pool for this type (NetStackOptions.TcpConnections + TcpListeners, UdpSockets, RawSockets) is used up
            }

            slot.Open(protocol, _options.TimeToLive);
            if (type == SocketType.Stream)
            {
                _tcp.Open(slot);
            }

            socket = slot.Descriptor;
            return SocketError.Success;
        }

        /// <summary>
        /// Gives the socket its local address and port (0 picks an ephemeral port). The address must be
        /// 0.0.0.0 (any), this node's address, a loopback, broadcast or joined multicast address.
        /// </summary>
        public SocketError Bind(int socket, IPv4Address address, int port)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            if (slot.State != SocketState.Open || port < 0 || port > 0xFFFF || (slot.Type == SocketType.Raw && port != 0))
            {
                return SocketError.InvalidArgument;
            }

            if (!IsLocal(address.Value))
            {
                return SocketError.AddressNotAvailable;
            }

            if (slot.Type != SocketType.Raw)
            {
                if (port == 0)
                {
                    port = _sockets.PickEphemeralPort(slot.Protocol, address.Value, slot);
                    if (port == 0)
                    {
                        return SocketError.AddressInUse;
                    }
                }
                else if (_sockets.IsPortTaken(slot.Protocol, address.Value, port, slot.ReuseAddress, slot))
                {
                    return SocketError.AddressInUse;
                }
            }

            slot.LocalAddress = address.Value;
            slot.LocalPort = port;
            slot.State = SocketState.Bound;
            return SocketError.Success;
        }

        /// <summary>
        /// Stream sockets: opens the connection, returning WouldBlock while the handshake runs (the socket
        /// turns writable when it is up, or reports the error). Datagram and raw sockets: fixes the peer, so
        /// Send needs no address and only the peer's datagrams are received; 0.0.0.0 port 0 undoes it.
        /// </summary>
        public SocketError Connect(int socket, IPv4Address address, int port)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            if (slot.Type == SocketType.Stream)
            {
                return address.IsAny ? SocketError.DestinationAddressRequired : _tcp.Connect(slot, address.Value, port);
            }

            if (port < 0 || port > 0xFFFF || (slot.Type == SocketType.Raw && port != 0))
            {
                return SocketError.InvalidArgument;
            }

            if (address.IsAny)
            {
                slot.RemoteAddress = 0;
                slot.RemotePort = 0;
                slot.State = slot.LocalPort != 0 || slot.LocalAddress != 0 ? SocketState.Bound : SocketState.Open;
                return SocketError.Success;
            }

            if (slot.Type == SocketType.Datagram)
            {
                if (port == 0)
                {
                    return SocketError.InvalidArgument;
                }

                if ((address.IsBroadcast || _ip.IsDirectedBroadcast(address.Value)) && !slot.Broadcast)
                {
                    return SocketError.AccessDenied;
                }

                if (slot.LocalPort == 0)
                {
                    SocketError bound = BindEphemeral(slot);
                    if (bound != SocketError.Success)
                    {
                        return bound;
                    }
                }
            }

            slot.RemoteAddress = address.Value;
            slot.RemotePort = port;
            slot.State = SocketState.Connected;
            return SocketError.Success;
        }

        /// <summary>Sends to the connected peer. Stream sockets: queues as much as the transmit buffer takes (sent says how much).</summary>
        public SocketError Send(int socket, byte[] buffer, int offset, int count, out int sent)
        {
            sent = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            if (slot.Type == SocketType.Stream)
            {
                return NetworkOrder.InBuffer(buffer, offset, count) ? _tcp.Send(slot, buffer, offset, count, out sent) : SocketError.InvalidArgument;
            }

            if (!slot.IsConnected && !(slot.Type == SocketType.Raw && slot.HeaderIncluded))
            {
                return SocketError.NotConnected;
            }

            return SendTo(slot, buffer, offset, count, slot.RemoteAddress, slot.RemotePort, out sent);
        }

        /// <summary>Sends one datagram to <paramref name="address"/>:<paramref name="port"/> (raw sockets: port 0).</summary>
        public SocketError SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent)
        {
            return SendTo(socket, buffer, offset, count, address.Value, port, out sent);
        }

        /// <summary>
        /// <see cref="SendTo(int, byte[], int, int, IPv4Address, int, out int)"/> with the address as its
        /// <see cref="IPv4Address.Value"/>: nothing is allocated on nanoCLR, where every struct passed is a copy on the heap.
        /// </summary>
        public SocketError SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent)
        {
            sent = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            return SendTo(slot, buffer, offset, count, address, port, out sent);
        }

        /// <summary>Receives the next datagram's data; see <see cref="ReceiveFrom(int, byte[], int, int, out int, out SocketAddress)"/>.</summary>
        public SocketError Receive(int socket, byte[] buffer, int offset, int count, out int received)
        {
            uint address;
            int port;
            return ReceiveFrom(socket, buffer, offset, count, out received, out address, out port);
        }

        /// <summary>
        /// Stream sockets: reads the data that has arrived, in order; Success with 0 bytes means the peer
        /// closed its side. Datagram and raw sockets: receives the next datagram and who sent it (raw sockets: the whole IP datagram, header first).
        /// A datagram longer than <paramref name="count"/> is cut short, consumed, and reported as
        /// MessageSize with <paramref name="received"/> = count. WouldBlock when none is queued. A pending
        /// error (an ICMP error about a connected socket's datagram) is returned once, before any data.
        /// </summary>
        public SocketError ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketAddress remote)
        {
            uint address;
            int port;
            SocketError error = ReceiveFrom(socket, buffer, offset, count, out received, out address, out port);
            SocketSlot slot = _sockets.Resolve(socket);
            remote = slot == null ? new SocketAddress()
                : slot.Type == SocketType.Stream ? slot.RemoteSocketAddress
                : error == SocketError.Success || error == SocketError.MessageSize ? new SocketAddress(slot.Protocol, new IPv4Address(address), port)
                : new SocketAddress();
            return error;
        }

        /// <summary>
        /// <see cref="ReceiveFrom(int, byte[], int, int, out int, out SocketAddress)"/> with the sender as its address
        /// (<see cref="IPv4Address.Value"/>) and port (0 and 0 when nothing was received): what a loop that runs on nanoCLR
        /// calls, since a SocketAddress is a heap object there.
        /// </summary>
        public SocketError ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port)
        {
            received = 0;
            address = 0;
            port = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            if (!NetworkOrder.InBuffer(buffer, offset, count))
            {
                return SocketError.InvalidArgument;
            }

            if (slot.Type == SocketType.Stream)
            {
                return _tcp.Receive(slot, buffer, offset, count, out received); // the peer: GetRemoteAddress
            }

            if (slot.PendingError != SocketError.Success)
            {
                SocketError pending = slot.PendingError;
                slot.PendingError = SocketError.Success;
                return pending;
            }

            int length = slot.Datagrams.Dequeue(buffer, offset, count, out address, out port);
            if (length < 0)
            {
                return SocketError.WouldBlock;
            }

            received = length < count ? length : count;
            return length > count ? SocketError.MessageSize : SocketError.Success;
        }

        /// <summary>
        /// The descriptor is dead from now on. A TCP connection closes gracefully on its own (FIN after the
        /// queued data), or is reset when unread data remains or linger is zero.
        /// </summary>
        public SocketError Close(int socket)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            if (slot.Type == SocketType.Stream)
            {
                _tcp.Close(slot);
            }
            else
            {
                slot.Release();
            }

            return SocketError.Success;
        }

        /// <summary>Readable, writable, error: as poll(2) would say, without waiting.</summary>
        public SocketEvents PollSocket(int socket)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketEvents.Invalid;
            }

            if (slot.Type == SocketType.Stream)
            {
                return _tcp.Poll(slot);
            }

            SocketEvents events = SocketEvents.Writable;
            if (slot.Datagrams.Datagrams > 0)
            {
                events |= SocketEvents.Readable;
            }

            if (slot.PendingError != SocketError.Success)
            {
                events |= SocketEvents.Error | SocketEvents.Readable;
            }

            return events;
        }

        public SocketError SetOption(int socket, SocketOption option, int value)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            switch (option)
            {
                case SocketOption.Broadcast:
                    slot.Broadcast = value != 0;
                    break;
                case SocketOption.ReuseAddress:
                    slot.ReuseAddress = value != 0;
                    break;
                case SocketOption.DontFragment:
                    slot.DontFragment = value != 0;
                    break;
                case SocketOption.TimeToLive:
                    if (value < 1 || value > 255)
                    {
                        return SocketError.InvalidArgument;
                    }

                    slot.TimeToLive = value;
                    break;
                case SocketOption.HeaderIncluded:
                    if (slot.Type != SocketType.Raw)
                    {
                        return SocketError.ProtocolOption;
                    }

                    slot.HeaderIncluded = value != 0;
                    break;
                case SocketOption.NoDelay:
                case SocketOption.KeepAlive:
                case SocketOption.Linger:
                case SocketOption.UserTimeout:
                    return SetStreamOption(slot, option, value);
                default:
                    return SocketError.ProtocolOption;
            }

            return SocketError.Success;
        }

        private SocketError SetStreamOption(SocketSlot slot, SocketOption option, int value)
        {
            if (slot.Type != SocketType.Stream)
            {
                return SocketError.ProtocolOption;
            }

            switch (option)
            {
                case SocketOption.NoDelay:
                    slot.NoDelay = value != 0;
                    if (slot.NoDelay && slot.Tcp != null)
                    {
                        _tcp.Output(slot);
                    }

                    break;
                case SocketOption.KeepAlive:
                    slot.KeepAlive = value != 0;
                    break;
                case SocketOption.Linger:
                    if (value < -1)
                    {
                        return SocketError.InvalidArgument;
                    }

                    slot.LingerSeconds = value;
                    break;
                default:
                    if (value < 0)
                    {
                        return SocketError.InvalidArgument;
                    }

                    slot.UserTimeoutMs = value;
                    break;
            }

            return SocketError.Success;
        }

        public SocketError GetOption(int socket, SocketOption option, out int value)
        {
            value = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            switch (option)
            {
                case SocketOption.Broadcast:
                    value = slot.Broadcast ? 1 : 0;
                    break;
                case SocketOption.ReuseAddress:
                    value = slot.ReuseAddress ? 1 : 0;
                    break;
                case SocketOption.DontFragment:
                    value = slot.DontFragment ? 1 : 0;
                    break;
                case SocketOption.TimeToLive:
                    value = slot.TimeToLive;
                    break;
                case SocketOption.HeaderIncluded:
                    value = slot.HeaderIncluded ? 1 : 0;
                    break;
                case SocketOption.ReceiveQueued:
                    value = slot.Datagrams != null ? slot.Datagrams.Queued : slot.ReceiveRing != null ? slot.ReceiveRing.Count : 0;
                    break;
                case SocketOption.ReceiveDropped:
                    value = slot.ReceiveDropped;
                    break;
                case SocketOption.Error:
                    value = (int)slot.PendingError;
                    slot.PendingError = SocketError.Success;
                    break;
                case SocketOption.NoDelay:
                case SocketOption.KeepAlive:
                case SocketOption.Linger:
                case SocketOption.UserTimeout:
                    return GetStreamOption(slot, option, out value);
                default:
                    return SocketError.ProtocolOption;
            }

            return SocketError.Success;
        }

        private static SocketError GetStreamOption(SocketSlot slot, SocketOption option, out int value)
        {
            value = 0;
            if (slot.Type != SocketType.Stream)
            {
                return SocketError.ProtocolOption;
            }

            switch (option)
            {
                case SocketOption.NoDelay:
                    value = slot.NoDelay ? 1 : 0;
                    break;
                case SocketOption.KeepAlive:
                    value = slot.KeepAlive ? 1 : 0;
                    break;
                case SocketOption.Linger:
                    value = slot.LingerSeconds;
                    break;
                default:
                    value = slot.UserTimeoutMs;
                    break;
            }

            return SocketError.Success;
        }

        public SocketError GetLocalAddress(int socket, out SocketAddress address)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            address = slot == null ? new SocketAddress() : slot.LocalSocketAddress;
            return slot == null ? SocketError.NotSocket : SocketError.Success;
        }

        public SocketError GetRemoteAddress(int socket, out SocketAddress address)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            address = slot == null ? new SocketAddress() : slot.RemoteSocketAddress;
            if (slot == null)
            {
                return SocketError.NotSocket;
            }

            return slot.IsConnected ? SocketError.Success : SocketError.NotConnected;
        }

        /// <summary>One line of the netstat-like listing: slot <paramref name="index"/> (0 to SocketCount - 1), or NotSocket when free.</summary>
        public SocketError GetSocketInfo(int index, out SocketInfo info)
        {
            info = new SocketInfo();
            if (index < 0 || index >= _sockets.Count)
            {
                return SocketError.InvalidArgument;
            }

            SocketSlot slot = _sockets[index];
            if (!slot.InUse)
            {
                return SocketError.NotSocket;
            }

            info.Descriptor = slot.Descriptor;
            info.Type = slot.Type;
            info.State = slot.State;
            info.Local = slot.LocalSocketAddress;
            info.Remote = slot.RemoteSocketAddress;
            info.ReceiveQueued = slot.ReceiveRing != null ? slot.ReceiveRing.Count : 0;
            info.TransmitQueued = slot.TransmitRing != null ? slot.TransmitRing.Count : 0;
            info.ReceiveDropped = slot.ReceiveDropped;
            return SocketError.Success;
        }

        internal SocketError BindEphemeral(SocketSlot slot)
        {
            int port = _sockets.PickEphemeralPort(slot.Protocol, slot.LocalAddress, slot);
            if (port == 0)
            {
                return SocketError.AddressInUse;
            }

            slot.LocalPort = port;
            slot.State = SocketState.Bound;
            return SocketError.Success;
        }

        private SocketError SendTo(SocketSlot slot, byte[] buffer, int offset, int count, uint address, int port, out int sent)
        {
            sent = 0;
            if (!NetworkOrder.InBuffer(buffer, offset, count))
            {
                return SocketError.InvalidArgument;
            }

            if (slot.Type == SocketType.Stream)
            {
                return _tcp.Send(slot, buffer, offset, count, out sent);
            }

            SocketError error = slot.Type == SocketType.Raw
                ? _raw.Send(slot, address, buffer, offset, count)
                : _udp.Send(slot, address, port, buffer, offset, count);
            if (error == SocketError.Success)
            {
                sent = count;
            }

            return error;
        }

        private bool IsLocal(uint address)
        {
            return address == 0 || (address >> 24) == 127 || address == 0xFFFFFFFF || Ipv4Layer.IsMulticast(address)
                || (_address != 0 && (address == _address || _ip.IsDirectedBroadcast(address)));
        }
    }
}
