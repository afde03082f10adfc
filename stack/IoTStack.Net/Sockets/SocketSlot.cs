using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// One entry of the socket table, with its buffers taken at construction. Datagram and raw sockets
    /// keep received datagrams in <see cref="Datagrams"/>; TCP uses the same receive ring as a stream and
    /// the transmit ring as its retransmission queue.
    /// </summary>
    internal sealed class SocketSlot
    {
        internal readonly int Index;
        internal readonly ByteRing ReceiveRing;
        internal readonly ByteRing TransmitRing;
        internal readonly DatagramQueue Datagrams;
        internal readonly Tcp.TcpConnection Tcp;

        internal int Generation = 1;
        internal SocketType Type;
        internal IpProtocol Protocol;
        internal SocketState State;
        internal IPv4Address LocalAddress;
        internal int LocalPort;
        internal IPv4Address RemoteAddress;
        internal int RemotePort;
        internal bool Broadcast;
        internal bool ReuseAddress;
        internal bool DontFragment;
        internal bool HeaderIncluded;
        internal int TimeToLive;
        internal SocketError PendingError;
        internal int ReceiveDropped;

        internal SocketSlot(int index, int receiveBufferSize, int transmitBufferSize, int outOfOrderRanges)
        {
            Tcp = new Tcp.TcpConnection(outOfOrderRanges);
            Index = index;
            ReceiveRing = new ByteRing(receiveBufferSize);
            TransmitRing = new ByteRing(transmitBufferSize);
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
            get { return RemotePort != 0 || (Type == SocketType.Raw && !RemoteAddress.IsAny); }
        }

        internal SocketAddress LocalSocketAddress
        {
            get { return new SocketAddress(Protocol, LocalAddress, LocalPort); }
        }

        internal SocketAddress RemoteSocketAddress
        {
            get { return new SocketAddress(Protocol, RemoteAddress, RemotePort); }
        }

        internal void Open(SocketType type, IpProtocol protocol, int timeToLive)
        {
            Type = type;
            Protocol = protocol;
            State = SocketState.Open;
            LocalAddress = IPv4Address.Any;
            LocalPort = 0;
            RemoteAddress = IPv4Address.Any;
            RemotePort = 0;
            Broadcast = false;
            ReuseAddress = false;
            DontFragment = false;
            HeaderIncluded = false;
            TimeToLive = timeToLive;
            PendingError = SocketError.Success;
            ReceiveDropped = 0;
            Datagrams.Clear();
            TransmitRing.Clear();
        }

        /// <summary>Makes the slot's descriptor stale without freeing it: a closed TCP connection still finishing its close.</summary>
        internal void Orphan()
        {
            Generation = Generation == 0x7FFFFF ? 1 : Generation + 1;
        }

        internal void Release()
        {
            State = SocketState.Free;
            Datagrams.Clear();
            TransmitRing.Clear();
            Generation = Generation == 0x7FFFFF ? 1 : Generation + 1;
        }
    }
}
