using IoTStack.Net.Sockets;

namespace IoTStack.Net
{
    /// <summary>
    /// Every size and time the stack uses, in one place (like lwIP's opt.h). <c>new NetStack(options, ...)</c>
    /// takes all memory from these once. Sockets come in typed pools (lwIP's MEMP_NUM_TCP_PCB,
    /// MEMP_NUM_TCP_PCB_LISTEN, MEMP_NUM_UDP_PCB, MEMP_NUM_RAW_PCB): only a TCP connection holds a control block
    /// and two rings; a listener holds neither, a UDP or raw socket one receive ring.
    /// </summary>
    public sealed class NetStackOptions
    {
        public NetStackOptions()
        {
            TcpConnections = 4;
            TcpListeners = 2;
            UdpSockets = 4;
            RawSockets = 1;
            DatagramBufferSize = 2048;
            ReceiveBufferSize = 2048;
            TransmitBufferSize = 2048;
            ArpCacheSize = 8;
            ArpQueueSize = 4;
            ArpRequestIntervalMs = 1000;
            ArpRequestRetries = 3;
            ArpEntryLifetimeMs = 300000;
            ArpDefendIntervalMs = 10000;
            ReassemblySlots = 2;
            ReassemblyBufferSize = 4500;
            ReassemblyMaxFragments = 16;
            ReassemblyTimeoutMs = 30000;
            LoopbackQueueSize = 4;
            MulticastGroups = 4;
            PingSlots = 2;
            PingMaxDataLength = 1472;
            TimeToLive = 64;
            FramesPerPoll = 16;
            IcmpErrorBurst = 10;
            IcmpErrorIntervalMs = 100;
            EphemeralPortFirst = 49152;
            EphemeralPortLast = 65535;
            TcpMaximumSegmentSize = 1460;
            TcpSynQueueSize = 8;
            TcpTimeWaitEntries = 8;
            TcpTimeWaitMs = 60000;
            TcpInitialRtoMs = 1000;
            TcpMinimumRtoMs = 200;
            TcpMaximumRtoMs = 60000;
            TcpSynRetries = 5;
            TcpMaximumRetransmissions = 10;
            TcpUserTimeoutMs = 120000;
            TcpCongestionControl = TcpCongestionAlgorithm.Cubic;
            TcpDelayedAckMs = 40;
            TcpKeepAliveIdleMs = 7200000;
            TcpKeepAliveIntervalMs = 75000;
            TcpKeepAliveProbes = 9;
            TcpOutOfOrderRanges = 4;
            TcpFinWait2TimeoutMs = 60000;
            TcpChallengeAcksPerSecond = 100;
            TcpRefuseWithReset = true;
            TcpWindowScaling = true;
            TcpTimestamps = true;
            TcpSelectiveAcknowledgments = true;
            TcpSynCookies = true;
        }

        /// <summary>
        /// The small profile (issue 9): four TCP connections with 1 KB rings each way, one listener, two UDP
        /// sockets with 1 KB each, no raw socket, and every table cut to what such a node needs: 4 neighbours,
        /// one frame waiting for ARP, one 1,500-byte reassembly slot, 2 multicast groups (mDNS), one 64-byte ping,
        /// 4 half-open and 4 TIME-WAIT entries.
        /// </summary>
        public static NetStackOptions Small()
        {
            NetStackOptions options = new NetStackOptions();
            options.TcpConnections = 4;
            options.TcpListeners = 1;
            options.UdpSockets = 2;
            options.RawSockets = 0;
            options.DatagramBufferSize = 1024;
            options.ReceiveBufferSize = 1024;
            options.TransmitBufferSize = 1024;
            options.UseSmallTables();
            return options;
        }

        /// <summary>Cuts every table to the small profile's: 4 neighbours, one frame waiting for ARP (lwIP keeps one too), one loopback frame, one 1,500-byte reassembly slot of 4 fragments, 2 multicast groups, one 64-byte ping, 2 half-open entries (a full SYN queue answers with SYN cookies) and 4 TIME-WAIT entries, 2 out-of-order ranges.</summary>
        public void UseSmallTables()
        {
            ArpCacheSize = 4;
            ArpQueueSize = 1;
            ReassemblySlots = 1;
            ReassemblyBufferSize = 1500;
            ReassemblyMaxFragments = 4;
            LoopbackQueueSize = 1;
            MulticastGroups = 2;
            PingSlots = 1;
            PingMaxDataLength = 64;
            TcpSynQueueSize = 2;
            TcpTimeWaitEntries = 4;
            TcpOutOfOrderRanges = 2;
        }

        /// <summary>
        /// TCP connections open at once, active or accepted, each with a control block and a receive and a transmit
        /// ring (<see cref="ReceiveBufferSize"/>, <see cref="TransmitBufferSize"/>); a connection still closing after
        /// its owner closed it holds one until it is done. Default 4.
        /// </summary>
        public int TcpConnections { get; set; }

        /// <summary>Listening TCP sockets (no buffers: a listener holds only its slot). Default 2.</summary>
        public int TcpListeners { get; set; }

        /// <summary>UDP sockets, each with a receive ring of <see cref="DatagramBufferSize"/>. Default 4.</summary>
        public int UdpSockets { get; set; }

        /// <summary>Raw IP sockets, each with a receive ring of <see cref="DatagramBufferSize"/>. Default 1.</summary>
        public int RawSockets { get; set; }

        /// <summary>Descriptor slots in all: TCP connections and listeners, UDP and raw sockets (at most 255).</summary>
        public int SocketCount
        {
            get { return TcpConnections + TcpListeners + UdpSockets + RawSockets; }
        }

        /// <summary>Receive ring of each UDP and raw socket: datagrams with an 8-byte record header each. Default 2048.</summary>
        public int DatagramBufferSize { get; set; }

        /// <summary>Receive ring of each TCP connection (its window). Default 2048.</summary>
        public int ReceiveBufferSize { get; set; }

        /// <summary>Transmit ring of each TCP connection (its retransmission queue). Default 2048.</summary>
        public int TransmitBufferSize { get; set; }

        /// <summary>Neighbour cache entries (RFC 826). Default 8.</summary>
        public int ArpCacheSize { get; set; }

        /// <summary>Whole frames that may wait for address resolution at once; more are dropped and counted. Default 4.</summary>
        public int ArpQueueSize { get; set; }

        /// <summary>Time between ARP requests for an unresolved address (RFC 1122 section 2.3.2.1 asks for at most one a second). Default 1000.</summary>
        public int ArpRequestIntervalMs { get; set; }

        /// <summary>Requests sent before resolution gives up and the waiting frames are dropped. Default 3.</summary>
        public int ArpRequestRetries { get; set; }

        /// <summary>How long a resolved entry is trusted before it is asked for again. Default 300000 (5 minutes, as lwIP).</summary>
        public int ArpEntryLifetimeMs { get; set; }

        /// <summary>At most one defending announcement per this interval when another host claims our address (RFC 5227 DEFEND_INTERVAL). Default 10000.</summary>
        public int ArpDefendIntervalMs { get; set; }

        /// <summary>Datagrams that can be reassembled at once. Default 2.</summary>
        public int ReassemblySlots { get; set; }

        /// <summary>Largest reassembled IP payload in bytes; larger datagrams are dropped and counted. Default 4500.</summary>
        public int ReassemblyBufferSize { get; set; }

        /// <summary>Most fragments one datagram may arrive in. Default 16.</summary>
        public int ReassemblyMaxFragments { get; set; }

        /// <summary>Time a datagram may take to arrive whole (RFC 1122 section 3.3.2 suggests 60 to 120 s; Linux uses 30). Default 30000.</summary>
        public int ReassemblyTimeoutMs { get; set; }

        /// <summary>Frames the loopback device holds. Default 4.</summary>
        public int LoopbackQueueSize { get; set; }

        /// <summary>Multicast groups the node can join besides all-hosts 224.0.0.1 (mDNS needs one). Default 4.</summary>
        public int MulticastGroups { get; set; }

        /// <summary>Echo requests of the ping client that can be outstanding at once. Default 2.</summary>
        public int PingSlots { get; set; }

        /// <summary>Largest data length the ping client sends; above 1472 its requests are fragmented. Default 1472.</summary>
        public int PingMaxDataLength { get; set; }

        /// <summary>TTL of datagrams the stack sends (RFC 1700 recommends 64). Default 64.</summary>
        public int TimeToLive { get; set; }

        /// <summary>Frames one call of Poll takes from each device before it returns. Default 16.</summary>
        public int FramesPerPoll { get; set; }

        /// <summary>ICMP error messages that may be sent in a burst (RFC 1812 section 4.3.2.8 rate limit). Default 10.</summary>
        public int IcmpErrorBurst { get; set; }

        /// <summary>One more ICMP error message is allowed per this interval. Default 100.</summary>
        public int IcmpErrorIntervalMs { get; set; }

        /// <summary>First port of the ephemeral range (RFC 6335 section 6: 49152). Default 49152.</summary>
        public int EphemeralPortFirst { get; set; }

        /// <summary>Last port of the ephemeral range. Default 65535.</summary>
        public int EphemeralPortLast { get; set; }

        /// <summary>MSS this node announces and the most it sends in one segment (RFC 9293 section 3.7.1; 1460 fills an Ethernet frame). Default 1460.</summary>
        public int TcpMaximumSegmentSize { get; set; }

        /// <summary>Half-open passive connections held at once, for all listeners; they hold no socket buffers. Default 8.</summary>
        public int TcpSynQueueSize { get; set; }

        /// <summary>Connections that can sit in TIME-WAIT without a socket slot; when full the oldest goes. Default 8.</summary>
        public int TcpTimeWaitEntries { get; set; }

        /// <summary>How long TIME-WAIT lasts (2 MSL; RFC 9293 suggests 4 minutes, Linux uses 60 s). Default 60000.</summary>
        public int TcpTimeWaitMs { get; set; }

        /// <summary>Retransmission timeout before any round trip is measured (RFC 6298 section 2.1). Default 1000.</summary>
        public int TcpInitialRtoMs { get; set; }

        /// <summary>Lower bound of the retransmission timeout (RFC 6298 says 1 s; Linux, and this default, 200 ms). Default 200.</summary>
        public int TcpMinimumRtoMs { get; set; }

        /// <summary>Upper bound of the retransmission timeout (RFC 6298 section 2.5 allows 60 s). Default 60000.</summary>
        public int TcpMaximumRtoMs { get; set; }

        /// <summary>SYN and SYN-ACK retransmissions before an opening connection gives up. Default 5.</summary>
        public int TcpSynRetries { get; set; }

        /// <summary>Retransmissions of the same data before the connection is aborted. Default 10.</summary>
        public int TcpMaximumRetransmissions { get; set; }

        /// <summary>How long sent data may stay unacknowledged before the connection is aborted (RFC 5482); 0 for no limit. Default 120000.</summary>
        public int TcpUserTimeoutMs { get; set; }

        /// <summary>The congestion control a new stream socket starts with (<see cref="SocketOption.CongestionControl"/> changes it per socket). Default CUBIC, as Linux.</summary>
        public TcpCongestionAlgorithm TcpCongestionControl { get; set; }

        /// <summary>Longest delay of an acknowledgment (RFC 1122 section 4.2.3.2: under 500 ms; every second full segment is acknowledged at once). Default 40.</summary>
        public int TcpDelayedAckMs { get; set; }

        /// <summary>Idle time before the first keepalive probe, for sockets that turn keepalive on (RFC 1122 section 4.2.3.6: at least two hours). Default 7200000.</summary>
        public int TcpKeepAliveIdleMs { get; set; }

        public int TcpKeepAliveIntervalMs { get; set; }

        /// <summary>Unanswered keepalive probes before the connection is aborted. Default 9.</summary>
        public int TcpKeepAliveProbes { get; set; }

        /// <summary>Separate out-of-order ranges each connection can hold in its receive buffer. Default 4.</summary>
        public int TcpOutOfOrderRanges { get; set; }

        /// <summary>How long a closed socket may wait in FIN-WAIT-2 for the peer's FIN (Linux tcp_fin_timeout). Default 60000.</summary>
        public int TcpFinWait2TimeoutMs { get; set; }

        /// <summary>Challenge ACKs sent per second at most (RFC 5961 section 7). Default 100.</summary>
        public int TcpChallengeAcksPerSecond { get; set; }

        /// <summary>
        /// Refuse SYNs, and handshake-completing ACKs, that find no connection slot with RST (true) or drop them silently
        /// (false; the client's retransmission tries again). Default true. A SYN to a full backlog is always dropped (the
        /// client retries), as Linux and lwIP do.
        /// </summary>
        public bool TcpRefuseWithReset { get; set; }

        /// <summary>
        /// Answer a SYN that finds the SYN queue full with a SYN cookie (RFC 4987 section 3.6) and keep no state, so a
        /// SYN flood cannot push out a real client's half-open entry (true); or evict the oldest entry (false). Default true.
        /// </summary>
        public bool TcpSynCookies { get; set; }

        /// <summary>
        /// When a connection needs a slot and none is free, take the slot of the longest-idle established
        /// connection (resetting it), as lwIP's tcp_kill_prio does. Default false.
        /// </summary>
        public bool TcpReclaimIdleConnections { get; set; }

        /// <summary>Offer window scaling (RFC 7323). Default true.</summary>
        public bool TcpWindowScaling { get; set; }

        /// <summary>Offer timestamps (RFC 7323). Default true.</summary>
        public bool TcpTimestamps { get; set; }

        /// <summary>Offer selective acknowledgments (RFC 2018). Default true.</summary>
        public bool TcpSelectiveAcknowledgments { get; set; }

        /// <summary>
        /// Secret key of the initial sequence number function (RFC 6528). 0 derives one from the MAC address
        /// and the clock; boards should set it from their hardware random number generator.
        /// </summary>
        public long TcpSecret { get; set; }

        /// <summary>Throws <see cref="System.ArgumentException"/> naming the first setting out of range.</summary>
        public void Validate()
        {
            Require(TcpConnections >= 0 && TcpListeners >= 0 && UdpSockets >= 0 && RawSockets >= 0, "TcpConnections, TcpListeners, UdpSockets and RawSockets must not be negative");
            Require(SocketCount >= 1 && SocketCount <= 255, "TcpConnections + TcpListeners + UdpSockets + RawSockets must be 1 to 255");
            Require(DatagramBufferSize >= 64 && DatagramBufferSize <= 1048576, "DatagramBufferSize must be 64 to 1048576 bytes");
            Require(ReceiveBufferSize >= 64 && ReceiveBufferSize <= 1048576, "ReceiveBufferSize must be 64 to 1048576 bytes");
            Require(TransmitBufferSize >= 64 && TransmitBufferSize <= 1048576, "TransmitBufferSize must be 64 to 1048576 bytes");
            Require(ArpCacheSize >= 1 && ArpCacheSize <= 1024, "ArpCacheSize must be 1 to 1024");
            Require(ArpQueueSize >= 1 && ArpQueueSize <= 256, "ArpQueueSize must be 1 to 256");
            Require(ArpRequestIntervalMs >= 1, "ArpRequestIntervalMs must be at least 1");
            Require(ArpRequestRetries >= 1 && ArpRequestRetries <= 100, "ArpRequestRetries must be 1 to 100");
            Require(ArpEntryLifetimeMs >= 1000, "ArpEntryLifetimeMs must be at least 1000");
            Require(ArpDefendIntervalMs >= 0, "ArpDefendIntervalMs must not be negative");
            Require(ReassemblySlots >= 0 && ReassemblySlots <= 64, "ReassemblySlots must be 0 to 64");
            Require(ReassemblyBufferSize >= 1480 && ReassemblyBufferSize <= 65515, "ReassemblyBufferSize must be 1480 to 65515 bytes");
            Require(ReassemblyMaxFragments >= 2 && ReassemblyMaxFragments <= 128, "ReassemblyMaxFragments must be 2 to 128");
            Require(ReassemblyTimeoutMs >= 100, "ReassemblyTimeoutMs must be at least 100");
            Require(LoopbackQueueSize >= 1 && LoopbackQueueSize <= 256, "LoopbackQueueSize must be 1 to 256");
            Require(MulticastGroups >= 0 && MulticastGroups <= 64, "MulticastGroups must be 0 to 64");
            Require(PingSlots >= 0 && PingSlots <= 64, "PingSlots must be 0 to 64");
            Require(PingMaxDataLength >= 0 && PingMaxDataLength <= 65507, "PingMaxDataLength must be 0 to 65507");
            Require(TimeToLive >= 1 && TimeToLive <= 255, "TimeToLive must be 1 to 255");
            Require(FramesPerPoll >= 1, "FramesPerPoll must be at least 1");
            Require(IcmpErrorBurst >= 0 && IcmpErrorIntervalMs >= 1, "IcmpErrorBurst must not be negative and IcmpErrorIntervalMs must be at least 1");
            Require(TcpMaximumSegmentSize >= 536 && TcpMaximumSegmentSize <= 1460, "TcpMaximumSegmentSize must be 536 to 1460");
            Require(TcpSynQueueSize >= 1 && TcpSynQueueSize <= 1024, "TcpSynQueueSize must be 1 to 1024");
            Require(TcpTimeWaitEntries >= 1 && TcpTimeWaitEntries <= 1024, "TcpTimeWaitEntries must be 1 to 1024");
            Require(TcpTimeWaitMs >= 0, "TcpTimeWaitMs must not be negative");
            Require(TcpMinimumRtoMs >= 1 && TcpMinimumRtoMs <= TcpInitialRtoMs && TcpInitialRtoMs <= TcpMaximumRtoMs, "TCP timeouts must satisfy 1 <= TcpMinimumRtoMs <= TcpInitialRtoMs <= TcpMaximumRtoMs");
            Require(TcpSynRetries >= 1 && TcpMaximumRetransmissions >= 1, "TcpSynRetries and TcpMaximumRetransmissions must be at least 1");
            Require(TcpUserTimeoutMs >= 0, "TcpUserTimeoutMs must not be negative");
            Require(TcpDelayedAckMs >= 0 && TcpDelayedAckMs < 500, "TcpDelayedAckMs must be 0 to 499 (RFC 1122)");
            Require(TcpKeepAliveIdleMs >= 1 && TcpKeepAliveIntervalMs >= 1 && TcpKeepAliveProbes >= 1, "TCP keepalive times and probes must be at least 1");
            Require(TcpOutOfOrderRanges >= 1 && TcpOutOfOrderRanges <= 32, "TcpOutOfOrderRanges must be 1 to 32");
            Require(TcpFinWait2TimeoutMs >= 1, "TcpFinWait2TimeoutMs must be at least 1");
            Require(TcpChallengeAcksPerSecond >= 1, "TcpChallengeAcksPerSecond must be at least 1");
            Require(EphemeralPortFirst >= 1024 && EphemeralPortLast <= 65535 && EphemeralPortFirst <= EphemeralPortLast, "the ephemeral port range must lie within 1024 to 65535, first <= last");
        }

        private static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new System.ArgumentException(message);
            }
        }
    }
}
