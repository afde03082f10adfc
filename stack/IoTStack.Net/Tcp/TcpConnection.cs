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
        internal readonly ByteRing ReceiveRing;
        internal readonly ByteRing TransmitRing;
        internal readonly Assembler Assembler;

        /// <summary>What the peer reported holding beyond SND.UNA in SACK blocks (RFC 2018), for retransmitting holes only.</summary>
        internal readonly Assembler Scoreboard;

        internal uint Iss;
        internal uint Irs;
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
        internal bool WindowScaling;
        internal uint ReceiveNext;
        internal uint ReceiveAdvertised;
        internal bool Timestamps;
        internal uint TimestampRecent;
        internal long TimestampRecentAt;
        internal bool SackPermitted;

        /// <summary>Where the latest out-of-order segment kept begins: its SACK block is reported first (RFC 2018 section 4).</summary>
        internal uint LastOutOfOrder;

        internal bool FinQueued;
        internal bool FinSent;
        internal uint FinSequence;
        internal bool FinReceived;

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

        internal int SmoothedRtt;
        internal int RttVariance;
        internal int Rto;
        internal bool RttMeasured;
        internal bool Timing;
        internal uint TimedSequence;
        internal long TimedAt;
        internal long RetransmitDeadline;
        internal int Retransmissions;
        internal long OldestUnacknowledgedSince;

        internal int CongestionWindow;
        internal int SlowStartThreshold;
        internal int DuplicateAcks;
        internal bool Recovering;
        internal uint Recover;
        internal uint HighRetransmitted;

        internal long PersistDeadline;
        internal int PersistBackoff;

        internal long LastReceivedAt;
        internal long LastActivityAt;
        internal int KeepAliveProbes;
        internal long KeepAliveDeadline;

        internal bool InUse;
        internal int ListenerIndex;
        internal int ListenerDescriptor;
        internal bool AcceptPending;
        internal long AcceptOrder;
        internal bool Orphaned;
        internal long OrphanedAt;
        internal bool ReceiveShutdown;
        internal long TimeWaitUntil;

        internal TcpConnection(int receiveBufferSize, int transmitBufferSize, int outOfOrderRanges)
        {
            ReceiveRing = new ByteRing(receiveBufferSize);
            TransmitRing = new ByteRing(transmitBufferSize);
            Assembler = new Assembler(outOfOrderRanges);
            Scoreboard = new Assembler(TcpLayer.SackScoreboard);
        }

        /// <summary>Bytes sent and not yet acknowledged (SYN and FIN count one each).</summary>
        internal int InFlight
        {
            get { return (int)(SendMax - SendUnacknowledged); }
        }
    }
}
