using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>One line of the netstat-like listing of the socket table.</summary>
    public struct SocketInfo
    {
        public int Descriptor;
        public SocketType Type;
        public SocketState State;
        public SocketAddress Local;
        public SocketAddress Remote;
        public int ReceiveQueued;
        public int TransmitQueued;
        public int ReceiveDropped;
    }
}
