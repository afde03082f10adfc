using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>One datagram being put back together from fragments.</summary>
    internal sealed class Reassembly
    {
        /// <summary>Room before the payload for the first fragment's header (at most 60 bytes).</summary>
        internal const int Headroom = Ipv4Packet.MaximumHeaderLength;

        internal readonly byte[] Buffer;
        internal readonly int[] Starts;
        internal readonly int[] Ends;

        internal bool InUse;
        internal uint Source;
        internal uint Destination;
        internal IpProtocol Protocol;
        internal ushort Identification;
        internal long StartedAt;
        internal int TotalLength;
        internal int HeaderLength;
        internal int Fragments;
        internal int Received;

        internal Reassembly(int capacity, int maxFragments)
        {
            Buffer = new byte[Headroom + capacity];
            Starts = new int[maxFragments];
            Ends = new int[maxFragments];
        }

        internal bool Matches(Ipv4Packet fragment)
        {
            return InUse && Identification == fragment.Identification && Source == fragment.SourceValue
                && Destination == fragment.DestinationValue && Protocol == fragment.Protocol;
        }

        internal void Start(Ipv4Packet fragment, long now)
        {
            InUse = true;
            Source = fragment.SourceValue;
            Destination = fragment.DestinationValue;
            Protocol = fragment.Protocol;
            Identification = fragment.Identification;
            StartedAt = now;
            TotalLength = -1;
            HeaderLength = 0;
            Fragments = 0;
            Received = 0;
        }
    }
}
