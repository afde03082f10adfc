namespace IoTStack.Net.Link
{
    /// <summary>
    /// Optional beside <see cref="IFrameDevice"/>: a chip that can keep multicast frames for groups nobody joined from
    /// crossing the bus (the ENC28J60's hash table, the W5500 MACRAW mode's multicast and IPv6 blocking bits). The stack
    /// hands it its whole group table whenever membership changes; the stack still filters by group, so a chip that lets
    /// a few others in (a hash) is correct, only less thrifty.
    /// </summary>
    public interface IMulticastFilter
    {
        /// <summary>
        /// Lets in frames for the IPv4 groups in <paramref name="groups"/>[0..<paramref name="count"/>) (numbers as
        /// <see cref="Wire.IPv4Address.Value"/>) and keeps out every other multicast frame the chip can. All-hosts
        /// (224.0.0.1) is never in the list: its IGMP queries matter only while some group is joined, so with
        /// <paramref name="count"/> 0 a chip may block all multicast.
        /// </summary>
        void SetMulticastGroups(uint[] groups, int count);
    }
}
