using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// The socket calls an application makes, whoever does the TCP/IP behind them: <see cref="NetStack"/> in
    /// software over any frame device, or a chip's own hardware sockets (the W5500 socket engine). Code written
    /// against this interface swaps one for the other by changing the line that creates it. Descriptors,
    /// states and <see cref="SocketError"/> codes mean the same on both sides.
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

        SocketError Open(SocketType type, IpProtocol protocol, out int socket);

        SocketError Bind(int socket, IPv4Address address, int port);

        SocketError Listen(int socket, int backlog);

        SocketError Accept(int socket, out int connection);

        SocketError Connect(int socket, IPv4Address address, int port);

        SocketError Send(int socket, byte[] buffer, int offset, int count, out int sent);

        SocketError SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent);

        /// <summary>SendTo with the address as <see cref="IPv4Address.Value"/>: nothing allocated on nanoCLR, where a struct passed is a heap copy.</summary>
        SocketError SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent);

        SocketError Receive(int socket, byte[] buffer, int offset, int count, out int received);

        SocketError ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketAddress remote);

        /// <summary>
        /// ReceiveFrom with a datagram's sender as its address (<see cref="IPv4Address.Value"/>) and port: what code that polls
        /// on nanoCLR calls. 0 and 0 for a stream socket on every engine (its peer is <see cref="GetRemoteAddress"/>).
        /// </summary>
        SocketError ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port);

        SocketError Shutdown(int socket, SocketShutdown how);

        SocketError Close(int socket);

        SocketEvents PollSocket(int socket);

        SocketError SetOption(int socket, SocketOption option, int value);

        SocketError GetLocalAddress(int socket, out SocketAddress address);

        SocketError GetRemoteAddress(int socket, out SocketAddress address);
    }
}
