using IoTStack.Net.Link;

namespace IoTStack.Net.Ip
{
    /// <summary>
    /// Where a datagram goes: the device, the next hop and the source address chosen, and how its destination MAC
    /// address is found. One instance per layer, filled by <see cref="Ipv4Layer.FindRoute"/> and read at once: a
    /// class and plain numbers rather than a struct of address structs, because nanoCLR allocates a struct at
    /// every call it is a local of and every time it is loaded (DESIGN.md rule 2).
    /// </summary>
    internal sealed class Route
    {
        /// <summary>The next hop's MAC address must be resolved by ARP.</summary>
        internal const int MacResolve = 0;

        /// <summary>The interface's own MAC address (loopback).</summary>
        internal const int MacOwn = 1;

        /// <summary>ff:ff:ff:ff:ff:ff (limited or directed broadcast).</summary>
        internal const int MacBroadcast = 2;

        /// <summary>01:00:5e and the low 23 bits of the group (RFC 1112 section 6.4).</summary>
        internal const int MacMulticast = 3;

        internal IFrameDevice Device;

        /// <summary>The next hop's address (a.b.c.d as one number, as <c>IPv4Address.Value</c>).</summary>
        internal uint NextHop;

        /// <summary>The source address a datagram sent this way gets when its socket has none.</summary>
        internal uint Source;

        /// <summary>One of the Mac* constants.</summary>
        internal int Mac;
    }
}
