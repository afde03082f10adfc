using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// A <see cref="TlsClient"/> over a TCP socket of any <see cref="ISocketEngine"/>, shaped like the socket calls
    /// (DESIGN.md rule 8): <see cref="Connect"/> returns WouldBlock until the handshake is done, then <see cref="Send"/> and
    /// <see cref="Receive"/> carry plaintext and <see cref="Close"/> sends close_notify. <see cref="Poll"/> (IPollable, from
    /// the board's loop or <see cref="NetHost"/>) moves the records between the socket and the client; nothing allocates.
    /// </summary>
    public sealed class TlsConnection : IPollable
    {
        private const int Idle = 0;
        private const int TcpConnecting = 1;
        private const int Handshaking = 2;
        private const int Connected = 3;
        private const int Closing = 4;
        private const int Closed = 5;
        private const int Opened = 6;

        private readonly ISocketEngine _sockets;
        private readonly IClock _clock;
        private readonly TlsClient _client;
        private int _state;
        private int _socket;
        private uint _address;
        private int _port;
        private long _deadline;
        private SocketResult _failure;

        public TlsConnection(ISocketEngine sockets, IClock clock, TlsClient client)
        {
            if (sockets == null || clock == null || client == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : (clock == null ? "clock" : "client"));
            }

            _sockets = sockets;
            _clock = clock;
            _client = client;
        }

        /// <summary>From Connect to the end of the handshake (TCP included).</summary>
        public int HandshakeTimeoutMs = 20000;

        public TlsClient Client
        {
            get { return _client; }
        }

        public bool IsConnected
        {
            get { return _state == Connected; }
        }

        /// <summary>The TCP socket's descriptor, 0 when none is open (it stays open while close_notify leaves).</summary>
        public int Socket
        {
            get { return _socket; }
        }

        /// <summary>
        /// Success until the connection ended (closed, failed, timed out; it then waits for <see cref="Close"/>), then
        /// NotConnected for a clean end or the error that ended it.
        /// </summary>
        internal SocketResult EndResult
        {
            get
            {
                if (_state != Closed)
                {
                    return SocketResult.Success;
                }

                return _failure == SocketResult.Success ? SocketResult.NotConnected : _failure;
            }
        }

        /// <summary>
        /// Opens the TCP socket <see cref="Connect"/> will use, so that its descriptor is known first (TlsSocketEngine); a
        /// connection that ended is reset. TooManyOpenSockets while the last socket is still open.
        /// </summary>
        internal SocketResult Open()
        {
            if (_state == Closed)
            {
                _state = Idle;
            }

            if (_state != Idle)
            {
                return SocketResult.TooManyOpenSockets;
            }

            int socket;
            SocketResult result = _sockets.Open(SocketKind.Stream, IpProtocol.Tcp, out socket);
            if (result == SocketResult.Success)
            {
                _socket = socket;
                _failure = SocketResult.Success;
                _sockets.SetOption(socket, SocketOption.NoDelay, 1); // the handshake's flights are small and answered
                _state = Opened;
            }

            return result;
        }

        /// <summary>
        /// Connects to <paramref name="address"/> (<see cref="IPv4Address.Value"/>) and runs the handshake: WouldBlock
        /// while under way, Success once application data can flow; TimedOut, ConnectionAborted (the TLS failure is in
        /// <see cref="TlsClient.LastError"/>) or the socket's own error when it failed.
        /// </summary>
        public SocketResult Connect(uint address, int port)
        {
            if (_state == Idle)
            {
                SocketResult opened = Open();
                if (opened != SocketResult.Success)
                {
                    return opened;
                }
            }

            if (_state == Opened)
            {
                _address = address;
                _port = port;
                _deadline = _clock.NowMilliseconds + HandshakeTimeoutMs;
                SocketResult result = _sockets.Connect(_socket, new IPv4Address(address), port);
                if (result != SocketResult.Success && result != SocketResult.WouldBlock && result != SocketResult.IsConnected)
                {
                    return Stop(result);
                }

                _state = TcpConnecting;
                Poll();
            }

            if (_state == Connected)
            {
                return SocketResult.Success;
            }

            if (_state == Closed)
            {
                return EndResult;
            }

            return _state == Closing ? SocketResult.Shutdown : SocketResult.WouldBlock;
        }

        /// <summary>Protects and queues as much of the plaintext as fits now (possibly none: WouldBlock).</summary>
        public SocketResult Send(byte[] buffer, int offset, int count, out int sent)
        {
            sent = 0;
            if (_state != Connected)
            {
                return _state == TcpConnecting || _state == Handshaking ? SocketResult.WouldBlock : SocketResult.NotConnected;
            }

            sent = _client.Write(buffer, offset, count);
            Flush();
            if (sent == 0 && count > 0)
            {
                sent = _client.Write(buffer, offset, count);
            }

            return sent == 0 && count > 0 ? SocketResult.WouldBlock : SocketResult.Success;
        }

        /// <summary>Plaintext received: Success with 0 bytes once the server sent close_notify (the end of the stream).</summary>
        public SocketResult Receive(byte[] buffer, int offset, int count, out int received)
        {
            received = _client.Read(buffer, offset, count);
            if (received == 0 && _client.Available == 0 && (_state == Connected || _state == Closing))
            {
                Pump();
                received = _client.Read(buffer, offset, count);
            }

            if (received > 0 || (_client.PeerClosed && _client.Available == 0))
            {
                return SocketResult.Success;
            }

            if (_state == Connected || _state == Handshaking || _state == TcpConnecting || _state == Closing)
            {
                return SocketResult.WouldBlock;
            }

            return _failure == SocketResult.Success ? SocketResult.NotConnected : _failure;
        }

        /// <summary>
        /// Sends close_notify (RFC 8446 section 6.1) and closes the socket once it is on its way (within
        /// <see cref="HandshakeTimeoutMs"/>); before the TCP connection is up there is nothing to say and the socket closes
        /// at once. After a connection ended (closed, failed, timed out) it makes the connection ready for another
        /// <see cref="Connect"/>.
        /// </summary>
        public SocketResult Close()
        {
            if (_state == Opened || _state == TcpConnecting)
            {
                Stop(SocketResult.Success);
            }

            if (_state == Closed)
            {
                _state = Idle;
                return SocketResult.Success;
            }

            if (_state == Idle)
            {
                return SocketResult.NotConnected;
            }

            _client.Close();
            _state = Closing;
            _deadline = _clock.NowMilliseconds + HandshakeTimeoutMs; // a peer that takes nothing must not hold the socket
            Poll();
            return SocketResult.Success;
        }

        public bool Poll()
        {
            if (_state == Idle || _state == Closed || _state == Opened)
            {
                return false;
            }

            if (_state == TcpConnecting)
            {
                SocketResult result = _sockets.Connect(_socket, new IPv4Address(_address), _port);
                if (result == SocketResult.WouldBlock)
                {
                    return Expired();
                }

                if (result != SocketResult.Success && result != SocketResult.IsConnected)
                {
                    Stop(result);
                    return true;
                }

                _client.Start();
                _state = Handshaking;
            }

            bool worked = Pump();
            if (_state == Handshaking && _client.State == TlsClientState.Connected)
            {
                _state = Connected;
                worked = true;
            }

            if (_client.State == TlsClientState.Failed || (_state == Closing && _client.OutputCount == 0))
            {
                Flush(); // the alert, or close_notify, goes out before the socket closes
                Stop(_client.State == TlsClientState.Failed ? Failure() : SocketResult.Success);
                return true;
            }

            return Expired() || worked;
        }

        public int PollDelay()
        {
            if (_state == Idle || _state == Closed || _state == Opened)
            {
                return 1000;
            }

            if (_client.OutputCount > 0)
            {
                return 0;
            }

            if (_state == TcpConnecting || _state == Handshaking)
            {
                long delay = _deadline - _clock.NowMilliseconds;
                return delay <= 0 ? 0 : (delay > 1000 ? 1000 : (int)delay);
            }

            return 1000;
        }

        /// <summary>Moves queued records to the socket and received bytes to the client; true when anything moved.</summary>
        private bool Pump()
        {
            bool worked = Flush();
            int offset;
            int room = _client.ReserveInput(out offset);
            while (room > 0 && _client.State != TlsClientState.Failed && !_client.PeerClosed)
            {
                int received;
                SocketResult result = _sockets.Receive(_socket, _client.InputBuffer, offset, room, out received);
                if (result == SocketResult.WouldBlock)
                {
                    break;
                }

                if (result != SocketResult.Success || received == 0)
                {
                    _client.Abort(TlsError.ConnectionLost); // the stream ended without close_notify (RFC 8446 section 6.1)
                    _failure = result == SocketResult.Success ? SocketResult.ConnectionReset : result;
                    return true;
                }

                worked = true;
                _client.InputReceived(received);
                worked |= Flush();
                room = _client.ReserveInput(out offset);
            }

            return worked;
        }

        private bool Flush()
        {
            int count = _client.OutputCount;
            if (count == 0)
            {
                return false;
            }

            int sent;
            SocketResult result = _sockets.SendSome(_socket, _client.OutputBuffer, _client.OutputOffset, count, out sent);
            if (result != SocketResult.Success && result != SocketResult.WouldBlock)
            {
                _client.Abort(TlsError.ConnectionLost);
                _failure = result;
                return true;
            }

            _client.OutputSent(sent);
            return sent > 0;
        }

        private bool Expired()
        {
            if ((_state == TcpConnecting || _state == Handshaking || _state == Closing) && _clock.NowMilliseconds - _deadline >= 0)
            {
                _client.Abort(TlsError.Timeout);
                Stop(SocketResult.TimedOut);
                return true;
            }

            return false;
        }

        private SocketResult Failure()
        {
            if (_failure != SocketResult.Success)
            {
                return _failure;
            }

            return _client.LastError == TlsError.Timeout ? SocketResult.TimedOut : SocketResult.ConnectionAborted;
        }

        private SocketResult Stop(SocketResult result)
        {
            if (_socket != 0)
            {
                _sockets.Close(_socket);
                _socket = 0;
            }

            _failure = result;
            _state = Closed;
            return result;
        }
    }
}
