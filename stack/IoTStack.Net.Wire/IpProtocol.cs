namespace IoTStack.Net.Wire
{
    /// <summary>IPv4 protocol numbers (IANA "Assigned Internet Protocol Numbers") the stack knows by name.</summary>
    public enum IpProtocol : byte
    {
        /// <summary>Not a protocol number on the wire: an unbound raw socket, or "any".</summary>
        None = 0,
        Icmp = 1,
        Igmp = 2,
        Tcp = 6,
        Udp = 17
    }
}
