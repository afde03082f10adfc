using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Interop.Tests;

/// <summary>
/// The services of RFC 862 (echo, TCP and UDP), RFC 863 (discard) and RFC 864 (chargen, here a fixed
/// number of bytes and then FIN) on the stack's socket API, polled on one thread.
/// </summary>
public sealed class BoardServices(NetStack stack)
{
    private enum Kind { Echo, Discard, Chargen }

    private sealed class Connection
    {
        public int Socket;
        public Kind Kind;
        public long Sent;
        public int Pending;
        public int PendingOffset;
        public readonly byte[] Buffer = new byte[8192];
    }

    private readonly byte[] _buffer = new byte[8192];
    // Chargen's stream is byte i = 32 + i % 95 (the 95 printable ASCII characters, RFC 864), so any chunk starts at offset Sent % 95.
    private readonly byte[] _pattern = Enumerable.Range(0, 8192 + 95).Select(i => (byte)(32 + i % 95)).ToArray();
    private readonly List<Connection> _connections = new();

    public void Run(Func<bool> running)
    {
        int echo = Listen(7);
        int discard = Listen(9);
        int chargen = Listen(19);
        stack.Open(SocketType.Datagram, IpProtocol.Udp, out int udpEcho);
        stack.Bind(udpEcho, IPv4Address.Any, 7);
        while (running())
        {
            bool worked = stack.Poll();
            Accept(echo, Kind.Echo);
            Accept(discard, Kind.Discard);
            Accept(chargen, Kind.Chargen);
            while (stack.ReceiveFrom(udpEcho, _buffer, 0, _buffer.Length, out int length, out var from) is SocketError.Success or SocketError.MessageSize)
            {
                stack.SendTo(udpEcho, _buffer, 0, length, from.Address, from.Port, out _);
                worked = true;
            }

            for (int i = _connections.Count - 1; i >= 0; i--)
            {
                if (!Serve(_connections[i]))
                {
                    stack.Close(_connections[i].Socket);
                    _connections.RemoveAt(i);
                }
            }

            if (!worked)
            {
                Thread.Sleep(0);
            }
        }

        foreach (var connection in _connections)
        {
            stack.Close(connection.Socket);
        }
    }

    private int Listen(int port)
    {
        stack.Open(SocketType.Stream, IpProtocol.Tcp, out int listener);
        stack.Bind(listener, IPv4Address.Any, port);
        stack.Listen(listener, 8);
        return listener;
    }

    private void Accept(int listener, Kind kind)
    {
        while (stack.Accept(listener, out int socket) == SocketError.Success)
        {
            _connections.Add(new Connection { Socket = socket, Kind = kind });
        }
    }

    /// <summary>Moves a connection along; false once it is finished.</summary>
    private bool Serve(Connection connection)
    {
        if (connection.Kind == Kind.Chargen && connection.Sent < LinuxPeer.ChargenBytes)
        {
            int chunk = (int)Math.Min(8192, LinuxPeer.ChargenBytes - connection.Sent);
            if (stack.Send(connection.Socket, _pattern, (int)(connection.Sent % 95), chunk, out int sent) == SocketError.Success)
            {
                connection.Sent += sent;
            }

            if (connection.Sent == LinuxPeer.ChargenBytes)
            {
                stack.Shutdown(connection.Socket, SocketShutdown.Send);
            }
        }

        if (connection.Pending > 0)
        {
            // Echo what did not fit the transmit buffer last time before reading more.
            var result = stack.Send(connection.Socket, connection.Buffer, connection.PendingOffset, connection.Pending, out int sent);
            connection.PendingOffset += sent;
            connection.Pending -= sent;
            return result is SocketError.Success or SocketError.WouldBlock;
        }

        var read = stack.Receive(connection.Socket, connection.Buffer, 0, connection.Buffer.Length, out int length);
        if (read == SocketError.WouldBlock)
        {
            return true;
        }

        if (read != SocketError.Success || length == 0)
        {
            return false; // the peer closed (or reset): close our side
        }

        if (connection.Kind == Kind.Echo)
        {
            var result = stack.Send(connection.Socket, connection.Buffer, 0, length, out int sent);
            connection.Pending = length - sent;
            connection.PendingOffset = sent;
            return result is SocketError.Success or SocketError.WouldBlock;
        }

        return true;
    }
}
