using IoTStack.Net.Wire;

namespace IoTStack.Net
{
    /// <summary>The stack's counters: named events, and header drops per layer and reason.</summary>
    public sealed class NetCounters
    {
        private const int Reasons = (int)WireError.BadDataOffset + 1;

        private static readonly string[] Names = new string[]
        {
            "FramesReceived", "FramesSent", "FramesTransmitFailed", "FramesNotForUs", "FramesFromSelf", "FramesUnknownEtherType",
            "ArpRequestsReceived", "ArpRepliesReceived", "ArpRequestsSent", "ArpRepliesSent", "ArpAnnouncementsSent", "ArpIgnored",
            "ArpResolutionFailures", "ArpQueueOverflows", "ArpQueuedFramesDropped", "ArpConflicts", "ArpProbesSent", "ArpProbeConflicts", "ArpCacheEvictions",
            "Ipv4Received", "Ipv4Delivered", "Ipv4NotForUs", "Ipv4BadSource", "Ipv4Martians", "Ipv4UnknownProtocol", "Ipv4Sent",
            "Ipv4NoRoute", "Ipv4FragmentsSent", "Ipv4FragmentsReceived",
            "ReassemblyCompleted", "ReassemblyTimeouts", "ReassemblyOverlaps", "ReassemblyDuplicates", "ReassemblyTooLarge",
            "ReassemblyTooManyFragments", "ReassemblyBadFragments", "ReassemblyEvictions",
            "IcmpReceived", "IcmpEchoRequestsReceived", "IcmpEchoRepliesSent", "IcmpEchoBroadcastIgnored", "IcmpErrorsReceived",
            "IcmpErrorsSent", "IcmpErrorsRateLimited", "PingRepliesReceived", "PingRepliesUnmatched", "PingRepliesCorrupt",
            "UdpReceived", "UdpDelivered", "UdpNoPort", "UdpReceiveQueueFull", "UdpSent",
            "RawDelivered", "RawReceiveQueueFull", "RawSent", "LoopbackQueueFull",
            "TcpSegmentsReceived", "TcpSegmentsSent", "TcpActiveOpens", "TcpPassiveOpens", "TcpConnectionsRefused", "TcpNoListener",
            "TcpResetsSent", "TcpResetsReceived", "TcpRetransmissionTimeouts", "TcpRetransmittedSegments", "TcpFastRetransmits",
            "TcpOutOfWindow", "TcpBadAcks", "TcpOutOfOrderSegments", "TcpOutOfOrderDropped", "TcpDuplicateSegments",
            "TcpChallengeAcks", "TcpChallengeAcksLimited", "TcpSynQueueEvictions", "TcpBacklogDrops", "TcpTimeWaitEvictions",
            "TcpTimeWaitReused", "TcpAborts", "TcpKeepAliveProbes", "TcpWindowProbes", "TcpSlotsReclaimed", "TcpAbortedByAddressChange", "TcpBroadcastDropped", "TcpSendFailures"
        };

        private static readonly string[] LayerNames = new string[] { "Ethernet", "Arp", "Ipv4", "Icmp", "Udp", "Tcp" };

        /// <summary>WireError's names, in its order (nanoFramework's enums carry no names at run time).</summary>
        private static readonly string[] ReasonNames = new string[]
        {
            "None", "Truncated", "OutOfBuffer", "NotEthernetII", "FrameTooLong", "UnsupportedHardwareType", "UnsupportedProtocolType",
            "BadOperation", "BadVersion", "BadHeaderLength", "LengthTooShort", "LengthBeyondBuffer", "BadFragmentOffset", "BadChecksum",
            "BadOptionLength", "OptionOverrun", "BadDataOffset"
        };

        private readonly int[] _values = new int[(int)Counter.Count];
        private readonly int[] _drops = new int[LayerNames.Length * Reasons];

        public int this[Counter counter]
        {
            get { return _values[(int)counter]; }
        }

        /// <summary>Headers of <paramref name="layer"/> dropped for <paramref name="reason"/>.</summary>
        public int Dropped(ProtocolLayer layer, WireError reason)
        {
            return _drops[(int)layer * Reasons + (int)reason];
        }

        /// <summary>Headers of <paramref name="layer"/> dropped for any reason.</summary>
        public int Dropped(ProtocolLayer layer)
        {
            int sum = 0;
            for (int i = 0; i < Reasons; i++)
            {
                sum += _drops[(int)layer * Reasons + i];
            }

            return sum;
        }

        public static string NameOf(Counter counter)
        {
            return Names[(int)counter];
        }

        public static string NameOf(WireError reason)
        {
            return ReasonNames[(int)reason];
        }

        /// <summary>How many layers and drop reasons there are, for listing every drop counter.</summary>
        public const int LayerCount = 6;

        public const int ReasonCount = Reasons;

        public static string NameOf(ProtocolLayer layer)
        {
            return LayerNames[(int)layer];
        }

        internal void Add(Counter counter)
        {
            _values[(int)counter]++;
        }

        internal void Add(Counter counter, int amount)
        {
            _values[(int)counter] += amount;
        }

        internal void Drop(ProtocolLayer layer, WireError reason)
        {
            _drops[(int)layer * Reasons + (int)reason]++;
        }
    }
}
