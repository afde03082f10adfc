using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// A socket shaped like System.Net.Sockets.Socket, for application code: calls that succeed return values, calls
    /// that fail throw <see cref="NetSocketException"/> with System.Net's error number. Built on a <see cref="NetHost"/>
    /// it blocks as Socket does, up to <see cref="ReceiveTimeout"/> (Receive, ReceiveFrom, Accept) or
    /// <see cref="SendTimeout"/> (Send, SendTo, Connect), 0 or -1 meaning no limit; built on a bare
    /// <see cref="ISocketEngine"/> it never waits, as a Socket with Blocking off: a call that would wait throws WouldBlock
    /// (10035), Send queues what fits, <see cref="Poll"/> looks once, and the caller's loop polls the engine. Nothing
    /// allocates on success except <see cref="Accept"/>'s new socket (and, on nanoCLR, the struct copies of the
    /// <see cref="SocketEndpoint"/> overloads: the numeric ones allocate nothing).
    /// </summary>
    public sealed class NetSocket : System.IDisposable
    {
        private readonly ISocketEngine _engine;
        private readonly NetHost _host;
        private int _socket;

        /// <summary>Opens a non-blocking socket on the engine; the caller polls the engine.</summary>
        public NetSocket(ISocketEngine engine, SocketKind type, IpProtocol protocol)
            : this(engine, null, type, protocol)
        {
        }

        /// <summary>Opens a blocking socket on the host, whose thread polls the engine.</summary>
        public NetSocket(NetHost host, SocketKind type, IpProtocol protocol)
            : this(host == null ? null : host.Engine, host, type, protocol)
        {
        }

        private NetSocket(ISocketEngine engine, NetHost host, SocketKind type, IpProtocol protocol)
        {
            if (engine == null)
            {
                throw new System.ArgumentNullException(host == null ? "engine" : "host");
            }

            _engine = engine;
            _host = host;
            int socket;
            Check(host != null ? host.Open(type, protocol, out socket) : engine.Open(type, protocol, out socket));
            _socket = socket;
        }

        private NetSocket(NetSocket listener, int socket)
        {
            _engine = listener._engine;
            _host = listener._host;
            _socket = socket;
            ReceiveTimeout = listener.ReceiveTimeout;
            SendTimeout = listener.SendTimeout;
        }

        /// <summary>The engine's descriptor, for calls NetSocket does not wrap; 0 once closed.</summary>
        public int Handle
        {
            get { return _socket; }
        }

        /// <summary>Whether calls wait (built on a <see cref="NetHost"/>).</summary>
        public bool Blocking
        {
            get { return _host != null; }
        }

        /// <summary>Milliseconds Receive, ReceiveFrom and Accept wait; 0 or -1 (the default 0): no limit.</summary>
        public int ReceiveTimeout { get; set; }

        /// <summary>Milliseconds Send, SendTo and Connect wait; 0 or -1 (the default 0): no limit.</summary>
        public int SendTimeout { get; set; }

        public SocketEndpoint LocalEndPoint
        {
            get
            {
                SocketEndpoint endpoint;
                Check(_host != null ? _host.GetLocalAddress(_socket, out endpoint) : _engine.GetLocalAddress(_socket, out endpoint));
                return endpoint;
            }
        }

        public SocketEndpoint RemoteEndPoint
        {
            get
            {
                SocketEndpoint endpoint;
                Check(_host != null ? _host.GetRemoteAddress(_socket, out endpoint) : _engine.GetRemoteAddress(_socket, out endpoint));
                return endpoint;
            }
        }

        /// <summary>Bytes waiting to be read (<see cref="SocketOption.ReceiveQueued"/>).</summary>
        public int Available
        {
            get { return GetOption(SocketOption.ReceiveQueued); }
        }

        public void Bind(IPv4Address address, int port)
        {
            Check(_host != null ? _host.Bind(_socket, address, port) : _engine.Bind(_socket, address, port));
        }

        public void Listen(int backlog)
        {
            Check(_host != null ? _host.Listen(_socket, backlog) : _engine.Listen(_socket, backlog));
        }

        /// <summary>A connection from the listener's queue, with this socket's timeouts; blocking, waits up to <see cref="ReceiveTimeout"/>.</summary>
        public NetSocket Accept()
        {
            int connection;
            Check(_host != null ? _host.Accept(_socket, Limit(ReceiveTimeout), out connection) : _engine.Accept(_socket, out connection));
            return new NetSocket(this, connection);
        }

        /// <summary>
        /// Blocking: connects, waiting up to <see cref="SendTimeout"/>. Non-blocking: starts the connection and throws
        /// WouldBlock; <see cref="Poll"/> for <see cref="SocketPollMode.Write"/> says when it is up.
        /// </summary>
        public void Connect(IPv4Address address, int port)
        {
            Check(_host != null ? _host.Connect(_socket, address, port, Limit(SendTimeout)) : _engine.Connect(_socket, address, port));
        }

        /// <summary>
        /// Blocking: queues all of the bytes, waiting up to <see cref="SendTimeout"/> for room, and returns
        /// <paramref name="count"/>. Non-blocking: queues what fits and returns how much (WouldBlock when nothing does).
        /// </summary>
        public int Send(byte[] buffer, int offset, int count)
        {
            int sent;
            Check(_host != null ? _host.SendAll(_socket, buffer, offset, count, Limit(SendTimeout), out sent) : _engine.SendSome(_socket, buffer, offset, count, out sent));
            return sent;
        }

        /// <summary>Reads what has arrived, waiting (blocking) up to <see cref="ReceiveTimeout"/> for something; 0 at the end of the stream.</summary>
        public int Receive(byte[] buffer, int offset, int count)
        {
            uint address;
            int port;
            return ReceiveFrom(buffer, offset, count, out address, out port);
        }

        public int SendTo(byte[] buffer, int offset, int count, SocketEndpoint remote)
        {
            return SendTo(buffer, offset, count, remote.Address.Value, remote.Port);
        }

        /// <summary>SendTo with the address as <see cref="IPv4Address.Value"/>: nothing allocated on nanoCLR.</summary>
        public int SendTo(byte[] buffer, int offset, int count, uint address, int port)
        {
            int sent;
            Check(_host != null
                ? _host.SendTo(_socket, buffer, offset, count, address, port, Limit(SendTimeout), out sent)
                : _engine.SendTo(_socket, buffer, offset, count, address, port, out sent));
            return sent;
        }

        public int ReceiveFrom(byte[] buffer, int offset, int count, out SocketEndpoint remote)
        {
            int received;
            Check(_host != null
                ? _host.ReceiveFrom(_socket, buffer, offset, count, Limit(ReceiveTimeout), out received, out remote)
                : _engine.ReceiveFrom(_socket, buffer, offset, count, out received, out remote));
            return received;
        }

        /// <summary>ReceiveFrom with the sender as numbers (0 and 0 on a stream socket): nothing allocated on nanoCLR.</summary>
        public int ReceiveFrom(byte[] buffer, int offset, int count, out uint address, out int port)
        {
            int received;
            Check(_host != null
                ? _host.ReceiveFrom(_socket, buffer, offset, count, Limit(ReceiveTimeout), out received, out address, out port)
                : _engine.ReceiveFrom(_socket, buffer, offset, count, out received, out address, out port));
            return received;
        }

        /// <summary>
        /// Whether the socket is ready for <paramref name="mode"/>, as Socket.Poll: blocking, waits up to
        /// <paramref name="microSeconds"/> (negative: no limit); non-blocking, looks once whatever the time.
        /// </summary>
        public bool Poll(int microSeconds, SocketPollMode mode)
        {
            SocketEvents wanted = mode == SocketPollMode.Read
                ? SocketEvents.Readable | SocketEvents.HangUp | SocketEvents.Error
                : mode == SocketPollMode.Write ? SocketEvents.Writable : SocketEvents.Error;
            SocketEvents events;
            if (_host != null)
            {
                int timeoutMs = microSeconds < 0 ? -1 : microSeconds / 1000 + (microSeconds % 1000 > 0 ? 1 : 0);
                events = _host.PollSocket(_socket, wanted, timeoutMs);
            }
            else
            {
                events = _engine.PollSocket(_socket);
            }

            if ((events & SocketEvents.Invalid) != 0)
            {
                throw new NetSocketException(SocketResult.NotSocket);
            }

            return (events & wanted) != 0;
        }

        public void SetOption(SocketOption option, int value)
        {
            Check(_host != null ? _host.SetOption(_socket, option, value) : _engine.SetOption(_socket, option, value));
        }

        public int GetOption(SocketOption option)
        {
            int value;
            Check(_host != null ? _host.GetOption(_socket, option, out value) : _engine.GetOption(_socket, option, out value));
            return value;
        }

        public void Shutdown(ShutdownDirection how)
        {
            Check(_host != null ? _host.Shutdown(_socket, how) : _engine.Shutdown(_socket, how));
        }

        /// <summary>Closes the socket (gracefully, unless Linger is 0); never throws, and a second Close does nothing.</summary>
        public void Close()
        {
            int socket = _socket;
            if (socket != 0)
            {
                _socket = 0;
                if (_host != null)
                {
                    _host.Close(socket);
                }
                else
                {
                    _engine.Close(socket);
                }
            }
        }

        public void Dispose()
        {
            Close();
        }

        private static int Limit(int timeoutMs)
        {
            return timeoutMs > 0 ? timeoutMs : -1;
        }

        private static void Check(SocketResult result)
        {
            if (result != SocketResult.Success)
            {
                throw new NetSocketException(result);
            }
        }
    }
}
