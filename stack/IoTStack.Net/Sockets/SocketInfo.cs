using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>One line of the netstat-like listing of the socket table.</summary>
    public struct SocketInfo
    {
        public int Descriptor;
        public SocketKind Type;
        public SocketState State;
        public SocketEndpoint Local;
        public SocketEndpoint Remote;
        public int ReceiveQueued;
        public int TransmitQueued;
        public int ReceiveDropped;
    }
}
