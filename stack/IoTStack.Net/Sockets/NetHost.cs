using System.Threading;
using IoTStack.Net.Ip;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// Runs <see cref="NetStack.Poll"/> on a thread of its own and offers blocking socket calls with
    /// timeouts on top of the non-blocking ones (DESIGN.md rule 3). Every call takes the host's lock, so
    /// application threads and the poll thread never use the stack at once; code that calls the stack
    /// directly must hold <see cref="SyncRoot"/> too. Timeouts are measured on the stack's clock, so the
    /// host wants a real one. With nothing to do the poll thread sleeps until the stack's
    /// <see cref="NetStack.PollDelay"/>, but no longer than <see cref="ReceivePollIntervalMs"/> (frames have no deadline);
    /// <see cref="Wake"/> (from the chip's interrupt) and the calls that queue work end the sleep early.
    /// </summary>
    public sealed class NetHost
    {
        private const int WaitSliceMs = 10;

        private readonly NetStack _stack;
        private readonly object _lock = new object();
        private readonly AutoResetEvent _activity = new AutoResetEvent(false);
        private readonly AutoResetEvent _wake = new AutoResetEvent(false);
        private Thread _thread;
        private bool _running;

        public NetHost(NetStack stack)
        {
            if (stack == null)
            {
                throw new System.ArgumentNullException("stack");
            }

            _stack = stack;
            ReceivePollIntervalMs = 1;
        }

        /// <summary>
        /// The longest the poll thread sleeps between polls when nothing is due, so that received frames are taken: a
        /// short fixed interval (1 ms by default) for a device whose interrupt line is not wired. With the line wired to
        /// <see cref="Wake"/>, set it to <see cref="Timeout.Infinite"/> and only the stack's deadline bounds the sleep.
        /// </summary>
        public int ReceivePollIntervalMs { get; set; }

        /// <summary>Ends the poll thread's sleep at once: call it from the chip's interrupt (INT falling), from any thread.</summary>
        public void Wake()
        {
            _wake.Set();
        }

        public NetStack Stack
        {
            get { return _stack; }
        }

        public object SyncRoot
        {
            get { return _lock; }
        }

        public void Start()
        {
            lock (_lock)
            {
                if (_running)
                {
                    return;
                }

                _running = true;
                _thread = new Thread(Run);
                _thread.Start();
            }
        }

        public void Stop()
        {
            Thread thread;
            lock (_lock)
            {
                _running = false;
                thread = _thread;
                _thread = null;
            }

            _wake.Set();
            if (thread != null)
            {
                thread.Join();
            }
        }

        public SocketResult Open(SocketKind type, IpProtocol protocol, out int socket)
        {
            lock (_lock)
            {
                return _stack.Open(type, protocol, out socket);
            }
        }

        public SocketResult Bind(int socket, IPv4Address address, int port)
        {
            lock (_lock)
            {
                return _stack.Bind(socket, address, port);
            }
        }

        public SocketResult Connect(int socket, IPv4Address address, int port)
        {
            lock (_lock)
            {
                return Queued(_stack.Connect(socket, address, port));
            }
        }

        public SocketResult Listen(int socket, int backlog)
        {
            lock (_lock)
            {
                return _stack.Listen(socket, backlog);
            }
        }

        public SocketResult Shutdown(int socket, ShutdownDirection how)
        {
            lock (_lock)
            {
                return Queued(_stack.Shutdown(socket, how));
            }
        }

        /// <summary>Waits up to <paramref name="timeoutMs"/> for a connection on a listener.</summary>
        public SocketResult Accept(int socket, int timeoutMs, out int connection)
        {
            long deadline = _stack.Clock.NowMilliseconds + timeoutMs;
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = _stack.Accept(socket, out connection);
                }

                if (result != SocketResult.WouldBlock)
                {
                    return result;
                }

                if (!Wait(deadline))
                {
                    return SocketResult.TimedOut;
                }
            }
        }

        /// <summary>Opens a TCP connection and waits until it is up, refused, or the timeout passes.</summary>
        public SocketResult Connect(int socket, IPv4Address address, int port, int timeoutMs)
        {
            long deadline = _stack.Clock.NowMilliseconds + timeoutMs;
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = Queued(_stack.Connect(socket, address, port));
                }

                if (result == SocketResult.IsConnected)
                {
                    return SocketResult.Success;
                }

                if (result != SocketResult.WouldBlock)
                {
                    return result;
                }

                if (!Wait(deadline))
                {
                    return SocketResult.TimedOut;
                }
            }
        }

        /// <summary>Stream sockets: waits until all of the data is queued for sending (or the timeout passes); sent says how much was.</summary>
        public SocketResult SendAll(int socket, byte[] buffer, int offset, int count, int timeoutMs, out int sent)
        {
            sent = 0;
            long deadline = _stack.Clock.NowMilliseconds + timeoutMs;
            while (true)
            {
                SocketResult result;
                int queued;
                lock (_lock)
                {
                    result = Queued(_stack.Send(socket, buffer, offset + sent, count - sent, out queued));
                }

                sent += queued;
                if (result != SocketResult.Success && result != SocketResult.WouldBlock)
                {
                    return result;
                }

                if (sent == count)
                {
                    return SocketResult.Success;
                }

                if (!Wait(deadline))
                {
                    return SocketResult.TimedOut;
                }
            }
        }

        public SocketResult SetOption(int socket, SocketOption option, int value)
        {
            lock (_lock)
            {
                return _stack.SetOption(socket, option, value);
            }
        }

        public SocketResult Close(int socket)
        {
            lock (_lock)
            {
                return Queued(_stack.Close(socket));
            }
        }

        public SocketResult Send(int socket, byte[] buffer, int offset, int count, out int sent)
        {
            lock (_lock)
            {
                return Queued(_stack.Send(socket, buffer, offset, count, out sent));
            }
        }

        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent)
        {
            lock (_lock)
            {
                return Queued(_stack.SendTo(socket, buffer, offset, count, address, port, out sent));
            }
        }

        /// <summary>
        /// Waits up to <paramref name="timeoutMs"/> for a datagram (or, on a stream socket, for data or the
        /// end of the stream); TimedOut when nothing came.
        /// </summary>
        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, int timeoutMs, out int received, out SocketEndpoint remote)
        {
            long deadline = _stack.Clock.NowMilliseconds + timeoutMs;
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = _stack.ReceiveFrom(socket, buffer, offset, count, out received, out remote);
                }

                if (result != SocketResult.WouldBlock)
                {
                    return received > 0 ? Queued(result) : result; // room in the window: an update may be queued
                }

                if (!Wait(deadline))
                {
                    return SocketResult.TimedOut;
                }
            }
        }

        public SocketResult Receive(int socket, byte[] buffer, int offset, int count, int timeoutMs, out int received)
        {
            SocketEndpoint ignored;
            return ReceiveFrom(socket, buffer, offset, count, timeoutMs, out received, out ignored);
        }

        /// <summary>Sends one echo request and waits for its reply: Success with the round trip, TimedOut, or HostUnreachable.</summary>
        public SocketResult Ping(IPv4Address destination, int dataLength, int timeoutMs, out int roundTripMs)
        {
            roundTripMs = 0;
            int ping;
            long deadline = _stack.Clock.NowMilliseconds + timeoutMs;
            lock (_lock)
            {
                SocketResult started = Queued(_stack.StartPing(destination, dataLength, timeoutMs, out ping));
                if (started != SocketResult.Success)
                {
                    return started;
                }
            }

            while (true)
            {
                PingStatus status;
                lock (_lock)
                {
                    status = _stack.GetPingStatus(ping, out roundTripMs);
                    if (status != PingStatus.Pending)
                    {
                        _stack.EndPing(ping);
                    }
                }

                if (status == PingStatus.Replied)
                {
                    return SocketResult.Success;
                }

                if (status == PingStatus.Unreachable)
                {
                    return SocketResult.HostUnreachable;
                }

                if (status != PingStatus.Pending || !Wait(deadline))
                {
                    lock (_lock)
                    {
                        _stack.EndPing(ping);
                    }

                    return SocketResult.TimedOut;
                }
            }
        }

        private void Run()
        {
            while (true)
            {
                bool worked;
                int delay;
                lock (_lock)
                {
                    if (!_running)
                    {
                        return;
                    }

                    worked = _stack.Poll();
                    delay = worked ? 0 : _stack.PollDelay();
                }

                if (worked)
                {
                    _activity.Set();
                    continue;
                }

                int interval = ReceivePollIntervalMs;
                if (interval >= 0 && interval < delay)
                {
                    delay = interval;
                }

                if (delay > 0)
                {
                    _wake.WaitOne(delay, false);
                }
            }
        }

        /// <summary>
        /// After a call that may have queued work for the next poll (a Send's segment, a FIN, a SYN, an echo request, a
        /// window update after a read) or set an earlier deadline: the poll thread wakes now rather than at the deadline it
        /// went to sleep with.
        /// </summary>
        private SocketResult Queued(SocketResult result)
        {
            _wake.Set();
            return result;
        }

        /// <summary>Waits for the poll thread to handle something, or a slice of time; false once the deadline has passed.</summary>
        private bool Wait(long deadline)
        {
            long remaining = deadline - _stack.Clock.NowMilliseconds;
            if (remaining <= 0)
            {
                return false;
            }

            _activity.WaitOne(remaining < WaitSliceMs ? (int)remaining : WaitSliceMs, false);
            return true;
        }
    }
}
