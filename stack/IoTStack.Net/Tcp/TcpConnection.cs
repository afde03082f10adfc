using IoTStack.Net.Sockets;

namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// The transmission control block of one connection (RFC 9293 section 3.3.1) with its buffers, one of the
    /// pool of <see cref="NetStackOptions.TcpConnections"/> taken at construction and lent to a stream slot
    /// while it is connected. The transmit ring holds bytes from SND.UNA on (the retransmission queue); the
    /// receive ring holds in-order data, with out-of-order data kept in its free space (see <see cref="Assembler"/>).
    /// </summary>
    internal sealed class TcpConnection
    {
        /// <summary>
        /// The connection's yes/no state packed in one int: on nanoCLR every field of an instance takes 12 bytes whatever
        /// its type (DESIGN.md rule 2), and these are read a few times per segment, not per byte. The ones the per-segment
        /// paths test most (Timestamps, SackPermitted, AckNow, OutputPending) stay fields.
        /// </summary>
        private int _flags;

        internal readonly ByteRing ReceiveRing;
        internal readonly ByteRing TransmitRing;
        internal readonly Assembler Assembler;

        /// <summary>The segments in flight: SACK scoreboard (RFC 2018, RFC 6675) and RACK's send times (RFC 8985).</summary>
        internal readonly SentSegments Sent;

        internal readonly RttEstimator Rtt = new RttEstimator();
        internal readonly CongestionState Congestion = new CongestionState();

        /// <summary>How the congestion window moves (<see cref="NewReno"/> or <see cref="Cubic"/>), chosen per socket.</summary>
        internal CongestionControl Algorithm;

        internal uint Iss;
        internal uint SendUnacknowledged;
        internal uint SendNext;
        internal uint SendMax;
        internal uint SendWindowUpdateSequence;
        internal uint SendWindowUpdateAcknowledgment;
        internal int SendWindow;
        internal int MaxSendWindow;
        internal int SendMss;
        internal int SendScale;
        internal int ReceiveScale;
        internal bool WindowScaling
        {
            get { return (_flags & 0x1) != 0; }
            set { _flags = value ? _flags | 0x1 : _flags & ~0x1; }
        }
        internal uint ReceiveNext;
        internal uint ReceiveAdvertised;
        internal bool Timestamps;
        internal uint TimestampRecent;
        internal long TimestampRecentAt;
        internal bool SackPermitted;

        /// <summary>Where the latest out-of-order segment kept begins: its SACK block is reported first (RFC 2018 section 4).</summary>
        internal uint LastOutOfOrder;

        internal bool FinQueued
        {
            get { return (_flags & 0x2) != 0; }
            set { _flags = value ? _flags | 0x2 : _flags & ~0x2; }
        }
        internal bool FinSent
        {
            get { return (_flags & 0x4) != 0; }
            set { _flags = value ? _flags | 0x4 : _flags & ~0x4; }
        }
        internal uint FinSequence;
        internal bool FinReceived
        {
            get { return (_flags & 0x8) != 0; }
            set { _flags = value ? _flags | 0x8 : _flags & ~0x8; }
        }

        internal bool AckNow;
        internal long AckDeadline;

        /// <summary>Bytes received since our last ACK: more than one full-sized segment's worth is acknowledged at once.</summary>
        internal int BytesUnacknowledged;

        /// <summary>The peer's segment size as seen (Linux's rcv_mss): the largest segment received, at least 536 (RFC 9293 3.7.1).</summary>
        internal int ReceiveMss;

        /// <summary>The end of the last segment sent shorter than a full one (Minshall's Nagle: Linux's snd_sml).</summary>
        internal uint SendSmallEnd;

        /// <summary>The application queued data since the last output: it goes out at the end of the poll, coalesced.</summary>
        internal bool OutputPending;

        /// <summary>When the retransmission timer, or the loss probe timer while <see cref="ProbeArmed"/>, expires (0: not running).</summary>
        internal long RetransmitDeadline;
        internal int Retransmissions;
        internal long OldestUnacknowledgedSince;

        internal int DuplicateAcks;

        /// <summary>In fast recovery (RFC 6675, RFC 6582) until SND.UNA passes <see cref="Recover"/>.</summary>
        internal bool Recovering
        {
            get { return (_flags & 0x10) != 0; }
            set { _flags = value ? _flags | 0x10 : _flags & ~0x10; }
        }
        internal uint Recover;

        /// <summary>The congestion window, not the application or the peer's window, held the last output back (RFC 7661).</summary>
        internal bool CongestionLimited
        {
            get { return (_flags & 0x20) != 0; }
            set { _flags = value ? _flags | 0x20 : _flags & ~0x20; }
        }

        /// <summary>RACK's reordering timer (RFC 8985 section 6.2 step 5; 0: not running).</summary>
        internal long ReorderDeadline;

        /// <summary>The timer that is armed is a tail loss probe's (RFC 8985 section 7.2), not the retransmission timer.</summary>
        internal bool ProbeArmed
        {
            get { return (_flags & 0x40) != 0; }
            set { _flags = value ? _flags | 0x40 : _flags & ~0x40; }
        }

        /// <summary>A probe was sent and its episode is open until SND.UNA reaches <see cref="ProbeEnd"/> (section 7.4).</summary>
        internal bool ProbeOutstanding
        {
            get { return (_flags & 0x80) != 0; }
            set { _flags = value ? _flags | 0x80 : _flags & ~0x80; }
        }
        internal bool ProbeResent
        {
            get { return (_flags & 0x100) != 0; }
            set { _flags = value ? _flags | 0x100 : _flags & ~0x100; }
        }
        internal uint ProbeEnd;

        /// <summary>Proportional rate reduction (RFC 6937): bytes delivered and sent since recovery began, and the flight then.</summary>
        /// <summary>RFC 6675 section 4, NextSeg rule 4: this recovery's one rescue retransmission has been sent.</summary>
        internal bool RescueSent
        {
            get { return (_flags & 0x2000) != 0; }
            set { _flags = value ? _flags | 0x2000 : _flags & ~0x2000; }
        }

        internal int PrrDelivered;
        internal int PrrOut;
        internal int RecoverFlight;

        internal long PersistDeadline;
        internal int PersistBackoff;

        internal long LastReceivedAt;
        internal long LastActivityAt;
        internal int KeepAliveProbes;
        internal long KeepAliveDeadline;

        internal bool InUse
        {
            get { return (_flags & 0x200) != 0; }
            set { _flags = value ? _flags | 0x200 : _flags & ~0x200; }
        }
        internal int ListenerDescriptor;
        internal bool AcceptPending
        {
            get { return (_flags & 0x400) != 0; }
            set { _flags = value ? _flags | 0x400 : _flags & ~0x400; }
        }
        internal long AcceptOrder;
        internal bool Orphaned
        {
            get { return (_flags & 0x800) != 0; }
            set { _flags = value ? _flags | 0x800 : _flags & ~0x800; }
        }
        /// <summary>
        /// When the closing state began that has a time limit: an orphaned FIN-WAIT-2 (from when the application let go or
        /// the state began) or TIME-WAIT held in its slot (restarted by a retransmitted FIN). The two never overlap.
        /// </summary>
        internal long ClosingSince;
        internal bool ReceiveShutdown
        {
            get { return (_flags & 0x1000) != 0; }
            set { _flags = value ? _flags | 0x1000 : _flags & ~0x1000; }
        }

        internal TcpConnection(int receiveBufferSize, int transmitBufferSize, int outOfOrderRanges)
        {
            ReceiveRing = new ByteRing(receiveBufferSize);
            TransmitRing = new ByteRing(transmitBufferSize);
            Assembler = new Assembler(outOfOrderRanges);
            Sent = new SentSegments(transmitBufferSize / TcpLayer.MinimumReceiveMss + 2); // the ring's worth of full segments, and two small ones
        }

        /// <summary>
        /// Every field back to its value for a new connection whose first sequence number is <paramref name="iss"/>, so a
        /// control block taken from the pool carries nothing over from the one before.
        /// </summary>
        internal void Reset(uint iss, int sendMss, long now, NetStackOptions options, CongestionControl algorithm)
        {
            _flags = _flags & 0x200; // InUse belongs to the pool, not to the connection
            Iss = iss;
            SendUnacknowledged = iss;
            SendNext = iss;
            SendMax = iss;
            SendWindowUpdateSequence = 0;
            SendWindowUpdateAcknowledgment = 0;
            SendWindow = 0;
            MaxSendWindow = 0;
            SendMss = sendMss;
            SendScale = 0;
            ReceiveScale = 0;
            WindowScaling = false;
            ReceiveNext = 0;
            ReceiveAdvertised = 0;
            Timestamps = false;
            TimestampRecent = 0;
            TimestampRecentAt = now;
            SackPermitted = false;
            LastOutOfOrder = 0;
            FinQueued = false;
            FinSent = false;
            FinSequence = 0;
            FinReceived = false;
            AckNow = false;
            AckDeadline = 0;
            BytesUnacknowledged = 0;
            ReceiveMss = TcpLayer.MinimumReceiveMss;
            SendSmallEnd = iss;
            OutputPending = false;
            Rtt.Reset(options);
            RetransmitDeadline = 0;
            Retransmissions = 0;
            OldestUnacknowledgedSince = 0;
            Algorithm = algorithm;
            Congestion.Reset(CongestionControl.InitialWindow(sendMss));
            DuplicateAcks = 0;
            Recovering = false;
            Recover = iss;
            CongestionLimited = false;
            ReorderDeadline = 0;
            ProbeArmed = false;
            ProbeOutstanding = false;
            ProbeResent = false;
            ProbeEnd = iss;
            PrrDelivered = 0;
            PrrOut = 0;
            RecoverFlight = 0;
            PersistDeadline = 0;
            PersistBackoff = 0;
            LastReceivedAt = now;
            LastActivityAt = now;
            KeepAliveProbes = 0;
            KeepAliveDeadline = 0;
            AcceptPending = false;
            Orphaned = false;
            ClosingSince = 0;
            ReceiveShutdown = false;
            Sent.Clear(iss);
            Assembler.Clear();
            ReceiveRing.Clear();
            TransmitRing.Clear();
        }

        /// <summary>Bytes sent and not yet acknowledged (SYN and FIN count one each).</summary>
        internal int InFlight
        {
            get { return (int)(SendMax - SendUnacknowledged); }
        }

        /// <summary>Our FIN was sent and <paramref name="acknowledgment"/> covers it.</summary>
        internal bool FinAcknowledgedBy(uint acknowledgment)
        {
            return (_flags & 0x4) != 0 && (int)(acknowledgment - FinSequence) > 0; // FinSent, Sequence.Gt: read per ACK, no calls
        }

        /// <summary>RFC 6675's pipe: bytes in flight less those the peer holds (SACKed) and those lost and not yet sent again.</summary>
        internal int Pipe
        {
            get { return InFlight - Sent.SackedBytes - Sent.LostBytes; }
        }
    }
}
