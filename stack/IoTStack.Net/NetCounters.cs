using IoTStack.Net.Wire;

namespace IoTStack.Net
{
    /// <summary>The stack's counters: named events, and header drops per layer and reason.</summary>
    public sealed class NetCounters
    {
        private const int Reasons = (int)WireError.BadTimestamp + 1;

        /// <summary>WireError's names, in its order (nanoFramework's enums carry no names at run time).</summary>
        private readonly int[] _values = new int[(int)Counter.Count];
        private readonly int[] _drops = new int[LayerCount * Reasons];

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

        // Names by switch, not static string arrays: on nanoCLR an array and its strings would stay on the heap for
        // good (2.3 KB of a plain ESP32's 80), where ldstr in a switch costs nothing until a name is asked for.
        public static string NameOf(Counter counter)
        {
            switch (counter)
            {
                case Counter.FramesReceived: return "FramesReceived";
                case Counter.FramesSent: return "FramesSent";
                case Counter.FramesTransmitFailed: return "FramesTransmitFailed";
                case Counter.FramesNotForUs: return "FramesNotForUs";
                case Counter.FramesFromSelf: return "FramesFromSelf";
                case Counter.FramesUnknownEtherType: return "FramesUnknownEtherType";
                case Counter.ArpRequestsReceived: return "ArpRequestsReceived";
                case Counter.ArpRepliesReceived: return "ArpRepliesReceived";
                case Counter.ArpRequestsSent: return "ArpRequestsSent";
                case Counter.ArpRepliesSent: return "ArpRepliesSent";
                case Counter.ArpAnnouncementsSent: return "ArpAnnouncementsSent";
                case Counter.ArpIgnored: return "ArpIgnored";
                case Counter.ArpResolutionFailures: return "ArpResolutionFailures";
                case Counter.ArpQueueOverflows: return "ArpQueueOverflows";
                case Counter.ArpQueuedFramesDropped: return "ArpQueuedFramesDropped";
                case Counter.ArpConflicts: return "ArpConflicts";
                case Counter.ArpProbesSent: return "ArpProbesSent";
                case Counter.ArpProbeConflicts: return "ArpProbeConflicts";
                case Counter.ArpCacheEvictions: return "ArpCacheEvictions";
                case Counter.Ipv4Received: return "Ipv4Received";
                case Counter.Ipv4Delivered: return "Ipv4Delivered";
                case Counter.Ipv4NotForUs: return "Ipv4NotForUs";
                case Counter.Ipv4BadSource: return "Ipv4BadSource";
                case Counter.Ipv4Martians: return "Ipv4Martians";
                case Counter.Ipv4UnknownProtocol: return "Ipv4UnknownProtocol";
                case Counter.Ipv4Sent: return "Ipv4Sent";
                case Counter.Ipv4NoRoute: return "Ipv4NoRoute";
                case Counter.Ipv4FragmentsSent: return "Ipv4FragmentsSent";
                case Counter.Ipv4FragmentsReceived: return "Ipv4FragmentsReceived";
                case Counter.ReassemblyCompleted: return "ReassemblyCompleted";
                case Counter.ReassemblyTimeouts: return "ReassemblyTimeouts";
                case Counter.ReassemblyOverlaps: return "ReassemblyOverlaps";
                case Counter.ReassemblyDuplicates: return "ReassemblyDuplicates";
                case Counter.ReassemblyTooLarge: return "ReassemblyTooLarge";
                case Counter.ReassemblyTooManyFragments: return "ReassemblyTooManyFragments";
                case Counter.ReassemblyBadFragments: return "ReassemblyBadFragments";
                case Counter.ReassemblyEvictions: return "ReassemblyEvictions";
                case Counter.IcmpReceived: return "IcmpReceived";
                case Counter.IcmpEchoRequestsReceived: return "IcmpEchoRequestsReceived";
                case Counter.IcmpEchoRepliesSent: return "IcmpEchoRepliesSent";
                case Counter.IcmpEchoBroadcastIgnored: return "IcmpEchoBroadcastIgnored";
                case Counter.IcmpErrorsReceived: return "IcmpErrorsReceived";
                case Counter.IcmpErrorsSent: return "IcmpErrorsSent";
                case Counter.IcmpErrorsRateLimited: return "IcmpErrorsRateLimited";
                case Counter.PingRepliesReceived: return "PingRepliesReceived";
                case Counter.PingRepliesUnmatched: return "PingRepliesUnmatched";
                case Counter.PingRepliesCorrupt: return "PingRepliesCorrupt";
                case Counter.UdpReceived: return "UdpReceived";
                case Counter.UdpDelivered: return "UdpDelivered";
                case Counter.UdpNoPort: return "UdpNoPort";
                case Counter.UdpReceiveQueueFull: return "UdpReceiveQueueFull";
                case Counter.UdpSent: return "UdpSent";
                case Counter.RawDelivered: return "RawDelivered";
                case Counter.RawReceiveQueueFull: return "RawReceiveQueueFull";
                case Counter.RawSent: return "RawSent";
                case Counter.LoopbackQueueFull: return "LoopbackQueueFull";
                case Counter.TcpSegmentsReceived: return "TcpSegmentsReceived";
                case Counter.TcpSegmentsSent: return "TcpSegmentsSent";
                case Counter.TcpActiveOpens: return "TcpActiveOpens";
                case Counter.TcpPassiveOpens: return "TcpPassiveOpens";
                case Counter.TcpConnectionsRefused: return "TcpConnectionsRefused";
                case Counter.TcpNoListener: return "TcpNoListener";
                case Counter.TcpResetsSent: return "TcpResetsSent";
                case Counter.TcpResetsReceived: return "TcpResetsReceived";
                case Counter.TcpRetransmissionTimeouts: return "TcpRetransmissionTimeouts";
                case Counter.TcpRetransmittedSegments: return "TcpRetransmittedSegments";
                case Counter.TcpFastRetransmits: return "TcpFastRetransmits";
                case Counter.TcpRackLosses: return "TcpRackLosses";
                case Counter.TcpLossProbes: return "TcpLossProbes";
                case Counter.TcpLossProbeRecoveries: return "TcpLossProbeRecoveries";
                case Counter.TcpOutOfWindow: return "TcpOutOfWindow";
                case Counter.TcpBadAcks: return "TcpBadAcks";
                case Counter.TcpOutOfOrderSegments: return "TcpOutOfOrderSegments";
                case Counter.TcpOutOfOrderDropped: return "TcpOutOfOrderDropped";
                case Counter.TcpDuplicateSegments: return "TcpDuplicateSegments";
                case Counter.TcpChallengeAcks: return "TcpChallengeAcks";
                case Counter.TcpChallengeAcksLimited: return "TcpChallengeAcksLimited";
                case Counter.TcpSynQueueEvictions: return "TcpSynQueueEvictions";
                case Counter.TcpSynCookiesSent: return "TcpSynCookiesSent";
                case Counter.TcpSynCookiesValid: return "TcpSynCookiesValid";
                case Counter.TcpSynCookiesFailed: return "TcpSynCookiesFailed";
                case Counter.TcpBacklogDrops: return "TcpBacklogDrops";
                case Counter.TcpTimeWaitEvictions: return "TcpTimeWaitEvictions";
                case Counter.TcpTimeWaitReused: return "TcpTimeWaitReused";
                case Counter.TcpAborts: return "TcpAborts";
                case Counter.TcpKeepAliveProbes: return "TcpKeepAliveProbes";
                case Counter.TcpWindowProbes: return "TcpWindowProbes";
                case Counter.TcpSlotsReclaimed: return "TcpSlotsReclaimed";
                case Counter.TcpAbortedByAddressChange: return "TcpAbortedByAddressChange";
                case Counter.TcpBroadcastDropped: return "TcpBroadcastDropped";
                case Counter.TcpSendFailures: return "TcpSendFailures";
                case Counter.IgmpQueriesReceived: return "IgmpQueriesReceived";
                case Counter.IgmpReportsSent: return "IgmpReportsSent";
                case Counter.IgmpLeavesSent: return "IgmpLeavesSent";
                case Counter.IgmpMalformed: return "IgmpMalformed";
                default: return "Unknown";
            }
        }

        public static string NameOf(WireError reason)
        {
            switch (reason)
            {
                case WireError.None: return "None";
                case WireError.Truncated: return "Truncated";
                case WireError.OutOfBuffer: return "OutOfBuffer";
                case WireError.NotEthernetII: return "NotEthernetII";
                case WireError.FrameTooLong: return "FrameTooLong";
                case WireError.UnsupportedHardwareType: return "UnsupportedHardwareType";
                case WireError.UnsupportedProtocolType: return "UnsupportedProtocolType";
                case WireError.BadOperation: return "BadOperation";
                case WireError.BadVersion: return "BadVersion";
                case WireError.BadHeaderLength: return "BadHeaderLength";
                case WireError.LengthTooShort: return "LengthTooShort";
                case WireError.LengthBeyondBuffer: return "LengthBeyondBuffer";
                case WireError.BadFragmentOffset: return "BadFragmentOffset";
                case WireError.BadChecksum: return "BadChecksum";
                case WireError.BadOptionLength: return "BadOptionLength";
                case WireError.OptionOverrun: return "OptionOverrun";
                case WireError.BadDataOffset: return "BadDataOffset";
                case WireError.BadMagicCookie: return "BadMagicCookie";
                case WireError.KissOfDeath: return "KissOfDeath";
                case WireError.Unsynchronized: return "Unsynchronized";
                case WireError.BadTimestamp: return "BadTimestamp";
                default: return "Unknown";
            }
        }

        /// <summary>How many layers and drop reasons there are, for listing every drop counter.</summary>
        public const int LayerCount = 6;

        public const int ReasonCount = Reasons;

        public static string NameOf(ProtocolLayer layer)
        {
            switch (layer)
            {
                case ProtocolLayer.Ethernet: return "Ethernet";
                case ProtocolLayer.Arp: return "Arp";
                case ProtocolLayer.Ipv4: return "Ipv4";
                case ProtocolLayer.Icmp: return "Icmp";
                case ProtocolLayer.Udp: return "Udp";
                case ProtocolLayer.Tcp: return "Tcp";
                default: return "Unknown";
            }
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
