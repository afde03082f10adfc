using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// TCP (RFC 9293) in the socket table's fixed buffers: the state machine, listeners with a SYN queue
    /// of their own and SYN cookies when it is full (RFC 4987), a TIME-WAIT table that holds no slots, RFC 6298
    /// retransmission, RACK-TLP loss detection (RFC 8985) with proportional rate reduction (RFC 6937), CUBIC or
    /// NewReno congestion control per socket (RFC 9438, RFC 5681/6582), RFC 2018 SACK, RFC 7323 window scaling and
    /// timestamps, RFC 5961 defences, delayed ACKs, Nagle, persist and keepalive.
    /// </summary>
    internal sealed partial class TcpLayer
    {
        /// <summary>Some connection may wait in a listener's backlog: false once a scan found none, so Accept need not scan.</summary>
        private bool _acceptsWaiting;

        /// <summary>Some connection has <see cref="TcpConnection.OutputPending"/>: the end of the poll looks for it.</summary>
        private bool _outputPending;

        /// <summary>The segment size a peer is assumed to use until it sends larger (RFC 9293 section 3.7.1: 536; Linux's TCP_MSS_DEFAULT).</summary>
        internal const int MinimumReceiveMss = 536;

        /// <summary>The smallest segment <see cref="SegmentSize"/> cuts to for a small transmit ring.</summary>
        private const int MinimumSegment = 256;

        private readonly PollTime _time;
        private readonly NetCounters _counters;
        private readonly Ipv4Layer _ip;
        private readonly SocketTable _sockets;
        private readonly NetStackOptions _options;
        private readonly SynQueue _synQueue;
        private readonly TimeWaitTable _timeWait;
        private readonly byte[] _header = new byte[TcpSegment.MaximumHeaderLength];

        // The wire views this layer reads and writes with, made once: on nanoCLR a struct view would be allocated at
        // every call and cloned at every load (DESIGN.md rule 2).
        private readonly TcpSegment _segment = new TcpSegment();
        private readonly TcpOptions _received = new TcpOptions();
        private readonly TcpOptionWriter _writer = new TcpOptionWriter();
        private readonly uint[] _sackEdges = new uint[2 * TcpOptions.MaximumSackBlocks];
        private readonly ulong _key0;
        private readonly ulong _key1;
        private readonly int _receiveScale;
        private long _acceptOrder;
        private long _challengeWindowStart;
        private int _challengeAcks;

        internal TcpLayer(PollTime time, NetCounters counters, SocketTable sockets, Ipv4Layer ip, NetStackOptions options, Prng random)
        {
            _time = time;
            _counters = counters;
            _ip = ip;
            _sockets = sockets;
            _options = options;
            _synQueue = new SynQueue(options.TcpSynQueueSize);
            _timeWait = new TimeWaitTable(options.TcpTimeWaitEntries);
            ulong secret = (ulong)options.TcpSecret;
            _key0 = secret != 0 ? secret : ((ulong)random.Next() << 32) | random.Next();
            _key1 = ((ulong)random.Next() << 32) | random.Next();
            int scale = 0;
            while (scale < 14 && (options.ReceiveBufferSize >> scale) > 0xFFFF)
            {
                scale++;
            }

            _receiveScale = scale;
        }

        /// <summary>
        /// RFC 6528: ISN = M + F(local IP, local port, remote IP, remote port, secret key), M a timer that
        /// ticks every 4 microseconds (here 250 ticks per millisecond of the stack's clock).
        /// </summary>
        private uint InitialSequence(uint local, int localPort, uint remote, int remotePort)
        {
            uint timer = (uint)(_time.Now * 250);
            return timer + (uint)SipHash.FourTuple(_key0, _key1, local, localPort, remote, remotePort);
        }

        private int Mss(int peerMss)
        {
            int mss = peerMss < _options.TcpMaximumSegmentSize ? peerMss : _options.TcpMaximumSegmentSize;
            return mss < 64 ? 64 : mss;
        }

        /// <summary>Sets up a control block for a new connection, active or passive.</summary>
        private void Initialise(SocketSlot slot, uint iss, int peerMss)
        {
            CongestionControl algorithm = slot.CongestionAlgorithm == TcpCongestionAlgorithm.NewReno ? (CongestionControl)NewReno.Instance : Cubic.Instance;
            slot.Tcp.Reset(iss, Mss(peerMss), _time.Now, _options, algorithm);
            slot.ReceiveRing.Clear();
            slot.TransmitRing.Clear();
        }

        /// <summary>Resets per-socket options to the stack's defaults when a stream socket opens.</summary>
        internal void Open(SocketSlot slot)
        {
            slot.NoDelay = false;
            slot.KeepAlive = false;
            slot.LingerSeconds = -1;
            slot.UserTimeoutMs = _options.TcpUserTimeoutMs;
            slot.CongestionAlgorithm = _options.TcpCongestionControl;
            slot.Backlog = 0;
        }

        /// <summary>A connection waiting in some listener's backlog (established, not yet accepted).</summary>
        private static bool IsWaitingForAccept(SocketSlot slot)
        {
            return slot.InUse && slot.Tcp != null && slot.Tcp.AcceptPending;
        }

        /// <summary>A connection waiting in this listener's backlog.</summary>
        private static bool IsPendingAccept(SocketSlot slot, int listenerDescriptor)
        {
            return IsWaitingForAccept(slot) && slot.Tcp.ListenerDescriptor == listenerDescriptor;
        }

        private SocketSlot FindConnection(uint local, int localPort, uint remote, int remotePort)
        {
            int end = _sockets.StreamEnd;
            for (int i = 0; i < end; i++)
            {
                SocketSlot slot = _sockets[i];
                if (slot.LocalPort == localPort && slot.RemotePort == remotePort && slot.RemoteAddress == remote
                    && slot.LocalAddress == local && TcpStates.IsConnection(slot.State))
                {
                    return slot;
                }
            }

            return null;
        }

        private SocketSlot FindListener(uint local, int localPort)
        {
            SocketSlot wildcard = null;
            for (int i = 0; i < _sockets.StreamEnd; i++)
            {
                SocketSlot slot = _sockets[i];
                if (slot.InUse && slot.Type == SocketKind.Stream && slot.State == SocketState.Listen && slot.LocalPort == localPort)
                {
                    if (slot.LocalAddress == local)
                    {
                        return slot;
                    }

                    if ((slot.LocalAddress == 0))
                    {
                        wildcard = slot;
                    }
                }
            }

            return wildcard;
        }

        /// <summary>True when the 4-tuple is used by a connection, a half-open entry or a TIME-WAIT entry.</summary>
        internal bool FourTupleInUse(uint local, int localPort, uint remote, int remotePort)
        {
            return FindConnection(local, localPort, remote, remotePort) != null
                || _synQueue.Find(local, localPort, remote, remotePort) != null
                || _timeWait.Find(local, localPort, remote, remotePort) != null;
        }

        /// <summary>
        /// Frees the slot of the longest-idle established connection, resetting it (TcpReclaimIdleConnections,
        /// as lwIP's tcp_kill_prio): slots are scarcer than idle keep-alive connections.
        /// </summary>
        private bool ReclaimIdle()
        {
            SocketSlot idlest = null;
            for (int i = 0; i < _sockets.StreamEnd; i++)
            {
                SocketSlot slot = _sockets[i];
                if (TcpStates.IsConnection(slot.State) && slot.State == SocketState.Established && !slot.Tcp.AcceptPending
                    && (idlest == null || slot.Tcp.LastActivityAt < idlest.Tcp.LastActivityAt))
                {
                    idlest = slot;
                }
            }

            if (idlest == null)
            {
                return false;
            }

            // The peer gets a reset; the owner's descriptor goes stale (NotSocket), so the slot's next owner is safe.
            _counters.Add(Counter.TcpSlotsReclaimed);
            Abort(idlest, SocketResult.ConnectionAborted, true);
            if (idlest.InUse)
            {
                idlest.Release();
            }

            return true;
        }

        /// <summary>
        /// The interface lost <paramref name="address"/> (a DHCP lease ran out, or a new address was set): a
        /// connection on it can never deliver another byte, so it ends now and its owner reads NetworkDown.
        /// lwIP does the same when a netif's address changes.
        /// </summary>
        internal void AddressRemoved(uint address)
        {
            for (int i = 0; i < _sockets.StreamEnd; i++)
            {
                SocketSlot slot = _sockets[i];
                if (TcpStates.IsConnection(slot.State) && slot.LocalAddress == address && slot.State != SocketState.Closed)
                {
                    _counters.Add(Counter.TcpAbortedByAddressChange);
                    Abort(slot, SocketResult.NetworkDown, false);
                }
            }
        }

        /// <summary>
        /// Ends a connection at once: optionally with RST, then frees an orphaned slot or leaves a closed one
        /// with the error for its owner to read.
        /// </summary>
        internal void Abort(SocketSlot slot, SocketResult error, bool sendReset)
        {
            TcpConnection c = slot.Tcp;
            if (sendReset && TcpStates.IsSynchronized(slot.State))
            {
                Transmit(slot.LocalAddress, slot.LocalPort, slot.RemoteAddress, slot.RemotePort, c.SendMax, c.ReceiveNext, TcpFlags.Rst | TcpFlags.Ack, 0, 0, null, 0, 0);
                _counters.Add(Counter.TcpResetsSent);
            }

            StopTimers(c);
            c.Assembler.Clear();
            if (c.Orphaned || c.AcceptPending)
            {
                slot.Release();
                return;
            }

            slot.State = SocketState.Closed;
            slot.PendingError = error;
            slot.TransmitRing.Clear();
        }

        private static void StopTimers(TcpConnection c)
        {
            c.RetransmitDeadline = 0;
            c.ProbeArmed = false;
            c.ReorderDeadline = 0;
            c.PersistDeadline = 0;
            c.AckDeadline = 0;
            c.KeepAliveDeadline = 0;
        }

        /// <summary>The connection reached CLOSED or TIME-WAIT: free what can be freed.</summary>
        private void Finish(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            StopTimers(c);
            if (slot.State == SocketState.TimeWait && c.Orphaned)
            {
                EnterTimeWaitTable(slot);
                slot.Release();
                return;
            }

            if (slot.State == SocketState.Closed && c.Orphaned)
            {
                slot.Release();
            }
        }

        /// <summary>Keeps only the 4-tuple and sequence numbers of a TIME-WAIT connection (RFC 9293 section 3.6).</summary>
        internal void EnterTimeWaitTable(SocketSlot slot)
        {
            bool evicted;
            TimeWaitEntry entry = _timeWait.Claim(out evicted);
            if (evicted)
            {
                _counters.Add(Counter.TcpTimeWaitEvictions);
            }

            TcpConnection c = slot.Tcp;
            entry.InUse = true;
            entry.LocalAddress = slot.LocalAddress;
            entry.LocalPort = slot.LocalPort;
            entry.RemoteAddress = slot.RemoteAddress;
            entry.RemotePort = slot.RemotePort;
            entry.SendNext = c.SendNext;
            entry.ReceiveNext = c.ReceiveNext;
            entry.Timestamps = c.Timestamps;
            entry.TimestampRecent = c.TimestampRecent;
            entry.Since = _time.Now;
        }

        /// <summary>RFC 5961 section 7: challenge ACKs, at most so many per second.</summary>
        private void ChallengeAck(SocketSlot slot)
        {
            long now = _time.Now;
            if (now - _challengeWindowStart >= 1000)
            {
                _challengeWindowStart = now;
                _challengeAcks = 0;
            }

            if (_challengeAcks >= _options.TcpChallengeAcksPerSecond)
            {
                _counters.Add(Counter.TcpChallengeAcksLimited);
                return;
            }

            _challengeAcks++;
            _counters.Add(Counter.TcpChallengeAcks);
            SendAck(slot);
        }
    }
}
