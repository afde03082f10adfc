using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// An <see cref="ISocketEngine"/> with one TCP connection whose far end is a server behind two <see cref="MemoryPipe"/>s:
/// enough for <see cref="Net.Tls.TlsConnection"/>, without a network. The connection comes up on the second Connect.
/// </summary>
internal sealed class PipeSocketEngine(MemoryPipe toServer, MemoryPipe fromServer) : ISocketEngine
{
    private const int Socket = 1;
    private bool _open;
    private bool _connecting;
    private bool _connected;

    public int SocketsClosed { get; private set; }

    /// <summary>The next connection goes to another server.</summary>
    public void Reconnect(MemoryPipe nextToServer, MemoryPipe nextFromServer)
    {
        toServer = nextToServer;
        fromServer = nextFromServer;
        _connecting = false;
        _connected = false;
    }

    public bool Poll() => false;

    public int PollDelay() => 1000;

    public SocketResult Open(SocketKind type, IpProtocol protocol, out int socket)
    {
        socket = Socket;
        _open = true;
        return SocketResult.Success;
    }

    public SocketResult Connect(int socket, IPv4Address address, int port)
    {
        if (_connected)
        {
            return SocketResult.IsConnected;
        }

        _connected = _connecting;
        _connecting = true;
        return _connected ? SocketResult.Success : SocketResult.WouldBlock;
    }

    public SocketResult SendSome(int socket, byte[] buffer, int offset, int count, out int sent)
    {
        toServer.Write(buffer.AsSpan(offset, count));
        sent = count;
        return SocketResult.Success;
    }

    public SocketResult Receive(int socket, byte[] buffer, int offset, int count, out int received)
    {
        received = fromServer.Read(buffer.AsSpan(offset, count), 1);
        return received > 0 || fromServer.Completed ? SocketResult.Success : SocketResult.WouldBlock;
    }

    public SocketResult Close(int socket)
    {
        _open = false;
        SocketsClosed++;
        toServer.Complete();
        return SocketResult.Success;
    }

    public SocketResult SetOption(int socket, SocketOption option, int value) => SocketResult.Success;

    public SocketEvents PollSocket(int socket) => _open ? SocketEvents.Writable : SocketEvents.Invalid;

    public SocketResult Bind(int socket, IPv4Address address, int port) => throw new NotSupportedException();

    public SocketResult Listen(int socket, int backlog) => throw new NotSupportedException();

    public SocketResult Accept(int socket, out int connection) => throw new NotSupportedException();

    public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent) =>
        throw new NotSupportedException();

    public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent) =>
        throw new NotSupportedException();

    public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketEndpoint remote) =>
        throw new NotSupportedException();

    public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port) =>
        throw new NotSupportedException();

    public SocketResult Shutdown(int socket, ShutdownDirection how) => throw new NotSupportedException();

    public SocketResult GetOption(int socket, SocketOption option, out int value) => throw new NotSupportedException();

    public SocketResult GetLocalAddress(int socket, out SocketEndpoint address) => throw new NotSupportedException();

    public SocketResult GetRemoteAddress(int socket, out SocketEndpoint address) => throw new NotSupportedException();
}
