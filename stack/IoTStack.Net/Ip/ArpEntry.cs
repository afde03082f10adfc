using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    internal enum ArpEntryState
    {
        Free,
        /// <summary>Requested, no reply yet (frames may wait in the ARP queue).</summary>
        Incomplete,
        Reachable
    }

    /// <summary>One neighbour cache entry.</summary>
    internal sealed class ArpEntry
    {
        internal ArpEntryState State;
        /// <summary>The neighbour's address as <see cref="IPv4Address.Value"/>.</summary>
        internal uint Address;

        /// <summary>Changed in place (<see cref="MacAddress.Load"/>), never assigned: a struct assignment allocates on nanoCLR.</summary>
        internal MacAddress MacAddress;
        internal long UpdatedAt;
        internal long UsedAt;
        internal long NextRequestAt;
        internal int RequestsSent;

        /// <summary>The address this entry held before <see cref="ArpCache.Allocate"/> reused it.</summary>
        internal uint EvictedAddress;
    }
}
