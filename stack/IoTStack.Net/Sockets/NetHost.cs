using System.Threading;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// Runs an <see cref="ISocketEngine"/>'s <see cref="IPollable.Poll"/> on a thread of its own, with any other work that
    /// must be polled with it (<c>NetServices</c>, for one), and offers blocking socket calls with timeouts on top of the
    /// non-blocking ones (DESIGN.md rule 3). It works on any engine: <see cref="NetStack"/> over a frame device, or the
    /// W5500's hardware sockets. Every call takes the host's lock, so application threads and the poll thread never use
    /// the engine at once. Nothing polled here is thread-safe on its own: code that calls the engine, the stack or the
    /// services directly (a DNS lookup, <c>NetServices.Dns.Resolve</c>; DHCP's state; <see cref="NetStack.Configure"/>)
    /// must hold <see cref="SyncRoot"/> while it does. Timeouts are measured on the clock given, so the host wants a real
    /// one; a negative timeout (<see cref="Timeout.Infinite"/>) waits for ever. With nothing to do the poll thread sleeps
    /// until the earliest <see cref="IPollable.PollDelay"/>, but no longer than <see cref="ReceivePollIntervalMs"/>
    /// (frames have no deadline); <see cref="Wake"/> (from the chip's interrupt) and the calls that queue work end the
    /// sleep early.
    /// </summary>
    public sealed class NetHost
    {
        private const int WaitSliceMs = 10;

        private readonly ISocketEngine _engine;
        private readonly NetStack _stack;
        private readonly IClock _clock;
        private readonly IPollable[] _others;
        private readonly object _lock = new object();
        private readonly AutoResetEvent _activity = new AutoResetEvent(false);
        private readonly AutoResetEvent _wake = new AutoResetEvent(false);
        private Thread _thread;
        private bool _running;

        /// <summary>A host for the software stack, on the stack's own clock.</summary>
        public NetHost(NetStack stack)
            : this(stack, stack == null ? null : stack.Clock, null)
        {
        }

        /// <summary>A host for any engine; <paramref name="clock"/> measures the timeouts (the engine's own clock).</summary>
        public NetHost(ISocketEngine engine, IClock clock)
            : this(engine, clock, null)
        {
        }

        /// <param name="others">Work polled on the poll thread after the engine, under the same lock (the services); may be null.</param>
        public NetHost(ISocketEngine engine, IClock clock, IPollable[] others)
        {
            if (engine == null || clock == null)
            {
                throw new System.ArgumentNullException(engine == null ? "engine" : "clock");
            }

            _engine = engine;
            _stack = engine as NetStack;
            _clock = clock;
            _others = others != null ? others : new IPollable[0];
            ReceivePollIntervalMs = 1;
        }

        /// <summary>
        /// The longest the poll thread sleeps between polls when nothing is due, so that received frames are taken: a
        /// short fixed interval (1 ms by default) for a device whose interrupt line is not wired. With the line wired to
        /// <see cref="Wake"/>, set it to <see cref="Timeout.Infinite"/> and only the deadlines bound the sleep.
        /// </summary>
        public int ReceivePollIntervalMs { get; set; }

        /// <summary>Ends the poll thread's sleep at once: call it from the chip's interrupt (INT falling), from any thread.</summary>
        public void Wake()
        {
            _wake.Set();
        }

        public ISocketEngine Engine
        {
            get { return _engine; }
        }

        /// <summary>The engine when it is the software stack (for <see cref="Ping"/> and the stack's own calls), else null.</summary>
        public NetStack Stack
        {
            get { return _stack; }
        }

        public IClock Clock
        {
            get { return _clock; }
        }

        /// <summary>
        /// The lock every call of the host takes and the poll thread holds while it polls. Hold it to call the engine or
        /// anything polled with it (the services) directly: none of them is thread-safe.
        /// </summary>
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
                return _engine.Open(type, protocol, out socket);
            }
        }

        public SocketResult Bind(int socket, IPv4Address address, int port)
        {
            lock (_lock)
            {
                return _engine.Bind(socket, address, port);
            }
        }

        /// <summary>Starts a TCP connection without waiting: WouldBlock while it is under way, IsConnected once it is up.</summary>
        public SocketResult Connect(int socket, IPv4Address address, int port)
        {
            lock (_lock)
            {
                return Queued(_engine.Connect(socket, address, port));
            }
        }

        public SocketResult Listen(int socket, int backlog)
        {
            lock (_lock)
            {
                return _engine.Listen(socket, backlog);
            }
        }

        public SocketResult Shutdown(int socket, ShutdownDirection how)
        {
            lock (_lock)
            {
                return Queued(_engine.Shutdown(socket, how));
            }
        }

        /// <summary>Takes a waiting connection without waiting (WouldBlock when none is).</summary>
        public SocketResult Accept(int socket, out int connection)
        {
            lock (_lock)
            {
                return _engine.Accept(socket, out connection);
            }
        }

        /// <summary>Waits up to <paramref name="timeoutMs"/> for a connection on a listener.</summary>
        public SocketResult Accept(int socket, int timeoutMs, out int connection)
        {
            long deadline = Deadline(timeoutMs);
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = _engine.Accept(socket, out connection);
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
            long deadline = Deadline(timeoutMs);
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = Queued(_engine.Connect(socket, address, port));
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
            long deadline = Deadline(timeoutMs);
            while (true)
            {
                SocketResult result;
                int queued;
                lock (_lock)
                {
                    result = Queued(_engine.SendSome(socket, buffer, offset + sent, count - sent, out queued));
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
                return _engine.SetOption(socket, option, value);
            }
        }

        public SocketResult GetOption(int socket, SocketOption option, out int value)
        {
            lock (_lock)
            {
                return _engine.GetOption(socket, option, out value);
            }
        }

        public SocketResult GetLocalAddress(int socket, out SocketEndpoint address)
        {
            lock (_lock)
            {
                return _engine.GetLocalAddress(socket, out address);
            }
        }

        public SocketResult GetRemoteAddress(int socket, out SocketEndpoint address)
        {
            lock (_lock)
            {
                return _engine.GetRemoteAddress(socket, out address);
            }
        }

        public SocketResult Close(int socket)
        {
            lock (_lock)
            {
                return Queued(_engine.Close(socket));
            }
        }

        /// <summary>Queues what fits without waiting (WouldBlock when nothing does).</summary>
        public SocketResult SendSome(int socket, byte[] buffer, int offset, int count, out int sent)
        {
            lock (_lock)
            {
                return Queued(_engine.SendSome(socket, buffer, offset, count, out sent));
            }
        }

        /// <summary>Sends a datagram without waiting (WouldBlock when the engine cannot take it now).</summary>
        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent)
        {
            lock (_lock)
            {
                return Queued(_engine.SendTo(socket, buffer, offset, count, address.Value, port, out sent));
            }
        }

        /// <summary>
        /// Sends a datagram, waiting up to <paramref name="timeoutMs"/> while the engine cannot take it (the W5500 takes one
        /// SEND at a time); the address is <see cref="IPv4Address.Value"/>.
        /// </summary>
        public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, int timeoutMs, out int sent)
        {
            long deadline = Deadline(timeoutMs);
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = Queued(_engine.SendTo(socket, buffer, offset, count, address, port, out sent));
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

        /// <summary>
        /// Waits up to <paramref name="timeoutMs"/> for a datagram (or, on a stream socket, for data or the
        /// end of the stream); TimedOut when nothing came.
        /// </summary>
        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, int timeoutMs, out int received, out SocketEndpoint remote)
        {
            long deadline = Deadline(timeoutMs);
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = _engine.ReceiveFrom(socket, buffer, offset, count, out received, out remote);
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

        /// <summary>ReceiveFrom with the sender as numbers (nothing allocated on nanoCLR); 0 and 0 on a stream socket.</summary>
        public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, int timeoutMs, out int received, out uint address, out int port)
        {
            long deadline = Deadline(timeoutMs);
            while (true)
            {
                SocketResult result;
                lock (_lock)
                {
                    result = _engine.ReceiveFrom(socket, buffer, offset, count, out received, out address, out port);
                }

                if (result != SocketResult.WouldBlock)
                {
                    return received > 0 ? Queued(result) : result;
                }

                if (!Wait(deadline))
                {
                    return SocketResult.TimedOut;
                }
            }
        }

        public SocketResult Receive(int socket, byte[] buffer, int offset, int count, int timeoutMs, out int received)
        {
            uint address;
            int port;
            return ReceiveFrom(socket, buffer, offset, count, timeoutMs, out received, out address, out port);
        }

        /// <summary>What the socket is ready for now, as poll(2) with a zero timeout.</summary>
        public SocketEvents PollSocket(int socket)
        {
            lock (_lock)
            {
                return _engine.PollSocket(socket);
            }
        }

        /// <summary>
        /// Waits up to <paramref name="timeoutMs"/> until the socket reports one of <paramref name="wanted"/> (or is no
        /// longer a socket), as poll(2); returns the events it reported last, None when the time passed.
        /// </summary>
        public SocketEvents PollSocket(int socket, SocketEvents wanted, int timeoutMs)
        {
            long deadline = Deadline(timeoutMs);
            while (true)
            {
                SocketEvents events;
                lock (_lock)
                {
                    events = _engine.PollSocket(socket);
                }

                if ((events & (wanted | SocketEvents.Invalid)) != 0)
                {
                    return events;
                }

                if (!Wait(deadline))
                {
                    return SocketEvents.None;
                }
            }
        }

        /// <summary>
        /// Sends one echo request and waits for its reply: Success with the round trip, TimedOut, or HostUnreachable.
        /// OperationNotSupported on an engine that is not the software stack.
        /// </summary>
        public SocketResult Ping(IPv4Address destination, int dataLength, int timeoutMs, out int roundTripMs)
        {
            roundTripMs = 0;
            if (_stack == null)
            {
                return SocketResult.OperationNotSupported;
            }

            int ping;
            long deadline = Deadline(timeoutMs);
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

                    worked = _engine.Poll();
                    for (int i = 0; i < _others.Length; i++)
                    {
                        worked |= _others[i].Poll();
                    }

                    delay = worked ? 0 : PollDelay();
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

        /// <summary>The earliest of the engine's and the others' deadlines.</summary>
        private int PollDelay()
        {
            int delay = _engine.PollDelay();
            for (int i = 0; i < _others.Length; i++)
            {
                int other = _others[i].PollDelay();
                if (other < delay)
                {
                    delay = other;
                }
            }

            return delay;
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

        /// <summary>
        /// For blocking calls built on the host (the MQTT client's): waits until the poll thread has handled something, or a
        /// short slice of time, and says whether <paramref name="timeoutMs"/> from <paramref name="startMs"/> (the host's
        /// clock) is still running. Call it without holding <see cref="SyncRoot"/>.
        /// </summary>
        public bool WaitForActivity(long startMs, int timeoutMs)
        {
            return Wait(timeoutMs < 0 ? long.MaxValue : startMs + timeoutMs);
        }

        private long Deadline(int timeoutMs)
        {
            return timeoutMs < 0 ? long.MaxValue : _clock.NowMilliseconds + timeoutMs;
        }

        /// <summary>Waits for the poll thread to handle something, or a slice of time; false once the deadline has passed.</summary>
        private bool Wait(long deadline)
        {
            long remaining = deadline - _clock.NowMilliseconds;
            if (remaining <= 0)
            {
                return false;
            }

            _activity.WaitOne(remaining < WaitSliceMs ? (int)remaining : WaitSliceMs, false);
            return true;
        }
    }
}
