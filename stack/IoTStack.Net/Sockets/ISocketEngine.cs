using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// The socket calls an application makes, whoever does the TCP/IP behind them: <see cref="NetStack"/> in
    /// software over any frame device, or a chip's own hardware sockets (the W5500 socket engine). Code written
    /// against this interface swaps one for the other by changing the line that creates it. Descriptors,
    /// states and <see cref="SocketResult"/> codes mean the same on both sides.
    /// </summary>
    public interface ISocketEngine
    {
        /// <summary>Moves data and runs timers; true when there was something to do.</summary>
        bool Poll();

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> must run again even if nothing arrives: the earliest timer the engine
        /// keeps, 0 when work waits now (output queued by a socket call since the last Poll), never more than the
        /// engine's own cap (a check it makes on every Poll, such as the driver's link and health check). A loop that
        /// found nothing to do sleeps this long or until the chip's interrupt line asserts; a board without the line
        /// wired also polls at a short fixed interval, for frames only. Computed when asked, not on every Poll.
        /// </summary>
        int PollDelay();

        SocketResult Open(SocketKind type, IpProtocol protocol, out int socket);

        SocketResult Bind(int socket, IPv4Address address, int port);

        SocketResult Listen(int socket, int backlog);

        SocketResult Accept(int socket, out int connection);

        SocketResult Connect(int socket, IPv4Address address, int port);

        SocketResult Send(int socket, byte[] buffer, int offset, int count, out int sent);

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

        SocketResult GetLocalAddress(int socket, out SocketEndpoint address);

        SocketResult GetRemoteAddress(int socket, out SocketEndpoint address);
    }
}
