namespace IoTStack.Net
{
    /// <summary>The header layers whose drops are counted by reason.</summary>
    public enum ProtocolLayer
    {
        Ethernet,
        Arp,
        Ipv4,
        Icmp,
        Udp,
        Tcp
    }
}
