namespace IoTStack.Net.Wire
{
    /// <summary>EtherType values (IEEE 802.3 clause 3.2.6; IANA "IEEE 802 Numbers").</summary>
    public static class EtherType
    {
        public const ushort IPv4 = 0x0800;
        public const ushort Arp = 0x0806;
        public const ushort Vlan = 0x8100;
        public const ushort IPv6 = 0x86DD;

        /// <summary>Values below this are IEEE 802.3 length fields, not EtherTypes.</summary>
        public const ushort Minimum = 0x0600;
    }
}
