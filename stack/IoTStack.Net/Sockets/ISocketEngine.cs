using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// The socket calls an application makes, whoever does the TCP/IP behind them: <see cref="NetStack"/> in
    /// software over any frame device, or a chip's own hardware sockets (the W5500 socket engine). Code written
    /// against this interface swaps one for the other by changing the line that creates it. Descriptors,
    /// states and <see cref="SocketResult"/> codes mean the same on both sides. Every call returns at once (WouldBlock
    /// when it would wait); <see cref="IPollable.Poll"/> moves the data. <see cref="NetHost"/> adds a poll thread and
    /// blocking calls with timeouts, <see cref="NetSocket"/> a class shaped like System.Net.Sockets.Socket.
    /// </summary>
    public interface ISocketEngine : IPollable
    {
        SocketResult Open(SocketKind type, IpProtocol protocol, out int socket);

        SocketResult Bind(int socket, IPv4Address address, int port);

        SocketResult Listen(int socket, int backlog);

        SocketResult Accept(int socket, out int connection);

        SocketResult Connect(int socket, IPv4Address address, int port);

        /// <summary>
        /// Queues as much of the bytes as the connection's transmit buffer (or the chip's) takes now and says how many in
        /// <paramref name="sent"/>: possibly fewer than <paramref name="count"/>, possibly 0 with WouldBlock. Not
        /// System.Net's blocking Socket.Send, which returns when all is sent: for that, <see cref="NetHost.SendAll"/> or
        /// <see cref="NetSocket.Send(byte[], int, int)"/>.
        /// </summary>
        SocketResult SendSome(int socket, byte[] buffer, int offset, int count, out int sent);

        SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent);

        /// <summary>SendTo with the address as <see cref="IPv4Address.Value"/>: nothing allocated on nanoCLR, where a struct passed is a heap copy.</summary>
        SocketResult SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent);

        SocketResult Receive(int socket, byte[] buffer, int offset, int count, out int received);

        SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketEndpoint remote);

        /// <summary>
        /// ReceiveFrom with a datagram's sender as its address (<see cref="IPv4Address.Value"/>) and port: what code that polls
        /// on nanoCLR calls. 0 and 0 for a stream socket on every engine (its peer is <see cref="GetRemoteAddress"/>).
        /// </summary>
        SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port);

        SocketResult Shutdown(int socket, ShutdownDirection how);

        SocketResult Close(int socket);

        SocketEvents PollSocket(int socket);

        SocketResult SetOption(int socket, SocketOption option, int value);

        /// <summary>Reads an option (booleans as 0 and 1); ProtocolOption for one the engine does not keep.</summary>
        SocketResult GetOption(int socket, SocketOption option, out int value);

        SocketResult GetLocalAddress(int socket, out SocketEndpoint address);

        SocketResult GetRemoteAddress(int socket, out SocketEndpoint address);
    }
}
