using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// TLS as an <see cref="ISocketEngine"/> (DESIGN.md rule 8): a client written against the socket calls (the MQTT client)
    /// runs over TLS by being handed this engine instead of the TCP one. It holds one <see cref="TlsConnection"/>, so one TCP
    /// socket at a time is TLS: its descriptor is the inner TCP socket's, Connect returns WouldBlock until the handshake is
    /// done, SendSome and Receive carry plaintext, Close sends close_notify. UDP and raw sockets, and any descriptor that is
    /// not the TLS socket, go to the inner engine unchanged. <see cref="Poll"/> moves the records between the TCP socket and
    /// the <see cref="TlsClient"/>; the inner engine is polled by its owner, not here.
    /// </summary>
    public sealed class TlsSocketEngine : ISocketEngine
    {
        private const int Inner = 0;
        private const int Tls = 1;
        private const int Stale = 2;

        private readonly ISocketEngine _inner;
        private readonly TlsConnection _connection;
        private int _socket;

        public TlsSocketEngine(ISocketEngine inner, IClock clock, TlsClient client)
        {
            if (inner == null)
            {
                throw new System.ArgumentNullException("inner");
            }

            _inner = inner;
            _connection = new TlsConnection(inner, clock, client);
        }

        /// <summary>The TLS connection's client: why a Connect failed (LastError, AlertSent, AlertReceived), what was negotiated.</summary>
        public TlsClient Client
        {
            get { return _connection.Client; }
        }

        /// <summary>From Connect to the end of the handshake (TCP included), and for close_notify to leave after Close.</summary>
        public int HandshakeTimeoutMs
        {
            get { return _connection.HandshakeTimeoutMs; }
            set { _connection.HandshakeTimeoutMs = value; }
        }

        /// <summary>A stream socket over TCP is the TLS socket (TooManyOpenSockets while it is open); others are the inner engine's.</summary>
        public SocketResult Open(SocketKind type, IpProtocol protocol, out int socket)
        {
            if (type != SocketKind.Stream || protocol != IpProtocol.Tcp)
            {
                return _inner.Open(type, protocol, out socket);
            }

            socket = 0;
            if (_socket != 0)
            {
                return SocketResult.TooManyOpenSockets;
            }

            SocketResult result = _connection.Open();
            if (result == SocketResult.Success)
            {
                _socket = _connection.Socket;
                socket = _socket;
            }

            return result;
        }

        /// <summary>
        /// The TCP connect, then the handshake: WouldBlock until both are done, then Success; a refused handshake gives
        /// ConnectionAborted (the reason in <see cref="Client"/>), a slow one TimedOut, a failed TCP connect its own error.
        /// </summary>
        public SocketResult Connect(int socket, IPv4Address address, int port)
        {
            int route = Route(socket);
            if (route == Inner)
            {
                return _inner.Connect(socket, address, port);
            }

            return route == Tls ? _connection.Connect(address.Value, port) : SocketResult.NotSocket;
        }

        public SocketResult SendSome(int socket, byte[] buffer, int offset, int count, out int sent)
        {
            int route = Route(socket);
            if (route == Inner)
            {
                return _inner.SendSome(socket, buffer, offset, count, out sent);
            }

            if (route == Tls)
            {
                return _connection.Send(buffer, offset, count, out sent);
            }

            sent = 0;
            return SocketResult.NotSocket;
        }

        /// <summary>
        /// Decrypted bytes; Success with 0 after the server's close_notify. A TCP end without close_notify is ConnectionReset,
        /// not an end of stream: it may be a truncation (RFC 8446 section 6.1).
        /// </summary>
        public SocketResult Receive(int socket, byte[] buffer, int offset, int count, out int received)
        {
            int route = Route(socket);
            if (route == Inner)
            {
                return _inner.Receive(socket, buffer, offset, count, out received);
            }

            if (route == Tls)
            {
                return _connection.Receive(buffer, offset, count, out received);
            }

            received = 0;
            return SocketResult.NotSocket;
        }

        /// <summary>Sends close_notify (RFC 8446 section 6.1); the TCP socket closes in <see cref="Poll"/> once it has left.</summary>
        public SocketResult Close(int socket)
        {
            int route = Route(socket);
            if (route == Inner)
            {
                return _inner.Close(socket);
            }

            if (route == Stale)
            {
                return SocketResult.NotSocket;
            }

            _socket = 0;
            _connection.Close();
            return SocketResult.Success;
        }

        /// <summary>
        /// Receive only: closing the TLS socket's sending side without close_notify would look like a truncation to the
        /// server (RFC 8446 section 6.1 wants close_notify first), so that takes <see cref="Close"/>.
        /// </summary>
        public SocketResult Shutdown(int socket, ShutdownDirection how)
        {
            int route = Route(socket);
            if (route == Stale)
            {
                return SocketResult.NotSocket;
            }

            return route == Tls && how != ShutdownDirection.Receive ? SocketResult.OperationNotSupported : _inner.Shutdown(socket, how);
        }

        /// <summary>
        /// For the TLS socket: readable with decrypted bytes or after the server's close_notify, writable when the records
        /// queued are all on the TCP socket (so a SendSome takes data), readable and hung up once the connection ended, with
        /// Error when it failed.
        /// </summary>
        public SocketEvents PollSocket(int socket)
        {
            int route = Route(socket);
            if (route != Tls)
            {
                return route == Inner ? _inner.PollSocket(socket) : SocketEvents.Invalid;
            }

            SocketResult ended = _connection.EndResult;
            if (ended != SocketResult.Success)
            {
                SocketEvents hungUp = SocketEvents.Readable | SocketEvents.HangUp;
                return ended == SocketResult.NotConnected ? hungUp : hungUp | SocketEvents.Error;
            }

            if (!_connection.IsConnected)
            {
                return SocketEvents.None;
            }

            TlsClient client = _connection.Client;
            SocketEvents events = client.OutputCount == 0 ? SocketEvents.Writable : SocketEvents.None;
            if (client.Available > 0 || client.PeerClosed)
            {
                events |= SocketEvents.Readable;
            }

            return events;
        }

        public SocketResult SetOption(int socket, SocketOption option, int value)
        {
            return Route(socket) == Stale ? SocketResult.NotSocket : _inner.SetOption(socket, option, value);
        }

        public SocketResult GetOption(int socket, SocketOption option, out int value)
        {
            if (Route(socket) == Stale)
            {
                value = 0;
                return SocketResult.NotSocket;
            }

            return _inner.GetOption(socket, option, out value);
        }

        public SocketResult GetLocalAddress(int socket, out SocketEndpoint address)
        {
            if (Route(socket) == Stale)
            {
                address = new SocketEndpoint();
                return SocketResult.NotSocket;
            }

            return _inner.GetLocalAddress(socket, out address);
        }

        public SocketResult GetRemoteAddress(int socket, out SocketEndpoint address)
        {
            if (Route(socket) == Stale)
            {
                address = new SocketEndpoint();
                return SocketResult.NotSocket;
            }

            return _inner.GetRemoteAddress(socket, out address);
        }

        public SocketResult Bind(int socket, IPv4Address address, int port)
        {
            SocketResult refused = NotForTls(socket);
            return refused != SocketResult.Success ? refused : _inner.Bind(socket, address, port);
        }

        public SocketResult Listen(int socket, int backlog)
        {
            SocketResult refused = NotForTls(socket);
            return refused != SocketResult.Success ? refused : _inner.Listen(socket, backlog);
        }

        public SocketResult Accept(int socket, out int connection)
        {
            connection = 0;
            SocketResult refused = NotForTls(socket);
            return refused != SocketResult.Success ? refused : _inner.Accept(socket, out connection);
        }

        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent)
        {
            sent = 0;
            SocketResult refused = NotForTls(socket);
            return refused != SocketResult.Success ? refused : _inner.SendTo(socket, buffer, offset, count, address, port, out sent);
        }

        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent)
        {
            sent = 0;
            SocketResult refused = NotForTls(socket);
            return refused != SocketResult.Success ? refused : _inner.SendTo(socket, buffer, offset, count, address, port, out sent);
        }

        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketEndpoint remote)
        {
            received = 0;
            remote = new SocketEndpoint();
            SocketResult refused = NotForTls(socket);
            return refused != SocketResult.Success ? refused : _inner.ReceiveFrom(socket, buffer, offset, count, out received, out remote);
        }

        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port)
        {
            received = 0;
            address = 0;
            port = 0;
            SocketResult refused = NotForTls(socket);
            return refused != SocketResult.Success
                ? refused
                : _inner.ReceiveFrom(socket, buffer, offset, count, out received, out address, out port);
        }

        /// <summary>Moves TLS records between the TCP socket and the client (the inner engine is its owner's to poll).</summary>
        public bool Poll()
        {
            return _connection.Poll();
        }

        public int PollDelay()
        {
            return _connection.PollDelay();
        }

        /// <summary>
        /// Tls for the TLS socket, Stale for its TCP socket after Close while close_notify still leaves on it (the
        /// application's descriptor is closed), Inner for any other descriptor.
        /// </summary>
        private int Route(int socket)
        {
            if (socket == 0)
            {
                return Inner;
            }

            if (socket == _socket)
            {
                return Tls;
            }

            return socket == _connection.Socket ? Stale : Inner;
        }

        /// <summary>Success for a descriptor the inner engine takes; what the datagram and listening calls answer for the TLS socket.</summary>
        private SocketResult NotForTls(int socket)
        {
            int route = Route(socket);
            if (route == Inner)
            {
                return SocketResult.Success;
            }

            return route == Tls ? SocketResult.OperationNotSupported : SocketResult.NotSocket;
        }
    }
}
