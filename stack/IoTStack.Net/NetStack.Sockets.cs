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
        public SocketResult Open(SocketKind type, IpProtocol protocol, out int socket)
        {
            socket = 0;
            SocketSlot slot;
            SocketResult result = _sockets.Open(type, protocol, _options.TimeToLive, out slot);
            if (result != SocketResult.Success)
            {
                return result;
            }

            if (type == SocketKind.Stream)
            {
                _tcp.Open(slot);
            }

            socket = slot.Descriptor;
            return SocketResult.Success;
        }

        /// <summary>
        /// Gives the socket its local address and port (0 picks an ephemeral port). The address must be
        /// 0.0.0.0 (any), this node's address, a loopback, broadcast or joined multicast address.
        /// </summary>
        public SocketResult Bind(int socket, IPv4Address address, int port)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            return slot == null ? SocketResult.NotSocket : _sockets.Bind(slot, address.Value, port, _ip.IsBindable(address.Value));
        }

        /// <summary>
        /// Stream sockets: opens the connection, returning WouldBlock while the handshake runs (the socket
        /// turns writable when it is up, or reports the error). Datagram and raw sockets: fixes the peer, so
        /// Send needs no address and only the peer's datagrams are received; 0.0.0.0 port 0 undoes it.
        /// </summary>
        public SocketResult Connect(int socket, IPv4Address address, int port)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            switch (slot.Type)
            {
                case SocketKind.Stream:
                    return _tcp.Connect(slot, address.Value, port);
                case SocketKind.Datagram:
                    return _udp.Connect(slot, address.Value, port);
                default:
                    return RawLayer.Connect(slot, address.Value, port);
            }
        }

        /// <summary>Sends to the connected peer. Stream sockets: queues as much as the transmit buffer takes (sent says how much).</summary>
        public SocketResult SendSome(int socket, byte[] buffer, int offset, int count, out int sent)
        {
            sent = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            if (slot.Type == SocketKind.Stream)
            {
                return NetworkOrder.InBuffer(buffer, offset, count) ? _tcp.Send(slot, buffer, offset, count, out sent) : SocketResult.InvalidArgument;
            }

            if (!slot.IsConnected && !slot.HeaderIncluded) // HeaderIncluded: raw only, the datagram carries its destination
            {
                return SocketResult.NotConnected;
            }

            return SendTo(slot, buffer, offset, count, slot.RemoteAddress, slot.RemotePort, out sent);
        }

        /// <summary>Sends one datagram to <paramref name="address"/>:<paramref name="port"/> (raw sockets: port 0).</summary>
        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent)
        {
            return SendTo(socket, buffer, offset, count, address.Value, port, out sent);
        }

        /// <summary>
        /// <see cref="SendTo(int, byte[], int, int, IPv4Address, int, out int)"/> with the address as its
        /// <see cref="IPv4Address.Value"/>: nothing is allocated on nanoCLR, where every struct passed is a copy on the heap.
        /// </summary>
        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent)
        {
            sent = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            return SendTo(slot, buffer, offset, count, address, port, out sent);
        }

        /// <summary>Receives the next datagram's data; see <see cref="ReceiveFrom(int, byte[], int, int, out int, out SocketEndpoint)"/>.</summary>
        public SocketResult Receive(int socket, byte[] buffer, int offset, int count, out int received)
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
        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketEndpoint remote)
        {
            uint address;
            int port;
            SocketResult error = ReceiveFrom(socket, buffer, offset, count, out received, out address, out port);
            SocketSlot slot = _sockets.Resolve(socket);
            remote = slot == null ? new SocketEndpoint()
                : slot.Type == SocketKind.Stream ? slot.RemoteSocketAddress
                : error == SocketResult.Success || error == SocketResult.MessageSize ? new SocketEndpoint(slot.Protocol, new IPv4Address(address), port)
                : new SocketEndpoint();
            return error;
        }

        /// <summary>
        /// <see cref="ReceiveFrom(int, byte[], int, int, out int, out SocketEndpoint)"/> with the sender as its address
        /// (<see cref="IPv4Address.Value"/>) and port (0 and 0 when nothing was received): what a loop that runs on nanoCLR
        /// calls, since a SocketEndpoint is a heap object there.
        /// </summary>
        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port)
        {
            received = 0;
            address = 0;
            port = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            if (!NetworkOrder.InBuffer(buffer, offset, count))
            {
                return SocketResult.InvalidArgument;
            }

            return slot.Type == SocketKind.Stream
                ? _tcp.Receive(slot, buffer, offset, count, out received) // the peer: GetRemoteAddress
                : slot.ReceiveDatagram(buffer, offset, count, ref received, ref address, ref port);
        }

        /// <summary>
        /// The descriptor is dead from now on. A TCP connection closes gracefully on its own (FIN after the
        /// queued data), or is reset when unread data remains or linger is zero.
        /// </summary>
        public SocketResult Close(int socket)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            if (slot.Type == SocketKind.Stream)
            {
                _tcp.Close(slot);
            }
            else
            {
                _time.Now = _clock.NowMilliseconds;
                _ip.Igmp.LeaveAll(GroupHolder(slot));
                slot.Release();
            }

            return SocketResult.Success;
        }

        /// <summary>Readable, writable, error: as poll(2) would say, without waiting.</summary>
        public SocketEvents PollSocket(int socket)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketEvents.Invalid;
            }

            return slot.Type == SocketKind.Stream ? _tcp.Poll(slot) : slot.DatagramEvents();
        }

        /// <summary>
        /// Sets an option. ProtocolOption when the option does not apply to the socket's kind (TCP options on a datagram
        /// or raw socket, Broadcast or TimeToLive on a stream, HeaderIncluded on anything but raw) or cannot be set.
        /// </summary>
        public SocketResult SetOption(int socket, SocketOption option, int value)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            if (!slot.HasOption(option))
            {
                return SocketResult.ProtocolOption;
            }

            if (option == SocketOption.AddMembership || option == SocketOption.DropMembership)
            {
                return SetMembership(slot, option, (uint)value);
            }

            return slot.Type == SocketKind.Stream ? _tcp.SetOption(slot, option, value) : slot.SetOption(option, value);
        }

        /// <summary>
        /// A datagram socket joins or leaves a group, as Linux's IP_ADD_MEMBERSHIP and IP_DROP_MEMBERSHIP: several groups a
        /// socket, the interface's table shared by reference (a group stays joined while any socket or the stack holds
        /// it), and a closed socket's groups left. AddressInUse for a second join of the same group, AddressNotAvailable
        /// for a group the socket did not join, NoBufferSpaceAvailable when the table is full (or for a datagram socket
        /// past the <see cref="IgmpLayer.SocketHolders"/> first). Delivery stays by port: every socket bound to the port
        /// receives a joined group's datagrams (Linux's IP_MULTICAST_ALL).
        /// </summary>
        private SocketResult SetMembership(SocketSlot slot, SocketOption option, uint group)
        {
            if (!IPv4Address.IsMulticastValue(group))
            {
                return SocketResult.InvalidArgument;
            }

            uint holder = GroupHolder(slot);
            if (holder == 0)
            {
                return SocketResult.NoBufferSpaceAvailable;
            }

            _time.Now = _clock.NowMilliseconds;
            return option == SocketOption.DropMembership ? _ip.Igmp.Leave(group, holder) : _ip.Igmp.Join(group, holder);
        }

        /// <summary>A datagram socket's bit in the group table's holder sets, 0 when it has none (a raw socket, or beyond the first 24).</summary>
        private uint GroupHolder(SocketSlot slot)
        {
            int index = slot.Index - _sockets.StreamEnd;
            return slot.Type == SocketKind.Datagram && index < IgmpLayer.SocketHolders ? 1u << index : 0;
        }

        /// <summary>Reads an option; ProtocolOption (value 0) when it does not apply to the socket's kind, as <see cref="SetOption"/>.</summary>
        public SocketResult GetOption(int socket, SocketOption option, out int value)
        {
            value = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            if (!slot.HasOption(option) || option == SocketOption.AddMembership || option == SocketOption.DropMembership)
            {
                return SocketResult.ProtocolOption; // membership is set, not read
            }

            value = slot.GetOption(option);
            return SocketResult.Success;
        }

        public SocketResult GetLocalAddress(int socket, out SocketEndpoint address)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            address = slot == null ? new SocketEndpoint() : slot.LocalSocketAddress;
            return slot == null ? SocketResult.NotSocket : SocketResult.Success;
        }

        public SocketResult GetRemoteAddress(int socket, out SocketEndpoint address)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            address = slot == null ? new SocketEndpoint() : slot.RemoteSocketAddress;
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            return slot.IsConnected ? SocketResult.Success : SocketResult.NotConnected;
        }

        /// <summary>One line of the netstat-like listing: slot <paramref name="index"/> (0 to SocketCount - 1), or NotSocket when free.</summary>
        public SocketResult GetSocketInfo(int index, out SocketInfo info)
        {
            info = new SocketInfo();
            if (index < 0 || index >= _sockets.Count)
            {
                return SocketResult.InvalidArgument;
            }

            SocketSlot slot = _sockets[index];
            if (!slot.InUse)
            {
                return SocketResult.NotSocket;
            }

            info.Descriptor = slot.Descriptor;
            info.Type = slot.Type;
            info.State = slot.State;
            info.Local = slot.LocalSocketAddress;
            info.Remote = slot.RemoteSocketAddress;
            info.ReceiveQueued = slot.ReceiveRing != null ? slot.ReceiveRing.Count : 0;
            info.TransmitQueued = slot.TransmitRing != null ? slot.TransmitRing.Count : 0;
            info.ReceiveDropped = slot.ReceiveDropped;
            return SocketResult.Success;
        }

        private SocketResult SendTo(SocketSlot slot, byte[] buffer, int offset, int count, uint address, int port, out int sent)
        {
            sent = 0;
            if (!NetworkOrder.InBuffer(buffer, offset, count))
            {
                return SocketResult.InvalidArgument;
            }

            if (slot.Type == SocketKind.Stream)
            {
                return _tcp.Send(slot, buffer, offset, count, out sent);
            }

            SocketResult error = slot.Type == SocketKind.Raw
                ? _raw.Send(slot, address, buffer, offset, count)
                : _udp.Send(slot, address, port, buffer, offset, count);
            if (error == SocketResult.Success)
            {
                sent = count;
            }

            return error;
        }
    }
}
