namespace IoTStack.Net.Wire
{
    /// <summary>
    /// Why a header failed validation. Parsers return one of these and never throw (DESIGN.md rule 5);
    /// the IP layer counts drops by this reason.
    /// </summary>
    public enum WireError
    {
        /// <summary>The header is well formed.</summary>
        None = 0,
        /// <summary>
        /// The bytes end before a header the packet itself declares (or before the fixed header); for DHCP, also an option
        /// area that ends without its End option (RFC 2131 section 4.1, RFC 2132 section 3.2).
        /// </summary>
        Truncated,
        /// <summary>The bytes asked for lie outside the caller's buffer (bad offset or length argument).</summary>
        OutOfBuffer,
        /// <summary>EtherType below 0x0600: an IEEE 802.3 length field, not an Ethernet II frame.</summary>
        NotEthernetII,
        /// <summary>Frame longer than an Ethernet frame can be (1514 bytes, 1518 with a VLAN tag).</summary>
        FrameTooLong,
        /// <summary>ARP or DHCP (htype, hlen) hardware type or hardware address length other than Ethernet's (1, 6).</summary>
        UnsupportedHardwareType,
        /// <summary>ARP protocol type or protocol address length other than IPv4's (0x0800, 4).</summary>
        UnsupportedProtocolType,
        /// <summary>
        /// ARP operation other than request (1) or reply (2); DHCP op other than BOOTREQUEST (1) or BOOTREPLY (2); an
        /// SNTP answer whose mode is not server (4) or broadcast (5) (RFC 4330 section 5).
        /// </summary>
        BadOperation,
        /// <summary>IP version field is not 4; an SNTP answer whose version number is not 1 to 4 (RFC 4330 section 5).</summary>
        BadVersion,
        /// <summary>IPv4 IHL below 5 words.</summary>
        BadHeaderLength,
        /// <summary>A length field (IPv4 total length, UDP length) smaller than its own header.</summary>
        LengthTooShort,
        /// <summary>A length field (IPv4 total length, UDP length) claims more bytes than were received.</summary>
        LengthBeyondBuffer,
        /// <summary>Fragment offset plus payload would end beyond 65535 bytes (RFC 791; "ping of death").</summary>
        BadFragmentOffset,
        /// <summary>The Internet checksum does not verify.</summary>
        BadChecksum,
        /// <summary>An option's length byte is below 2 (RFC 791 section 3.1, RFC 9293 section 3.1).</summary>
        BadOptionLength,
        /// <summary>An option runs past the end of the option area.</summary>
        OptionOverrun,
        /// <summary>TCP data offset below 5 words.</summary>
        BadDataOffset,

        // The services' messages (IoTStack.Net.Services). They come after the stack's reasons, which NetCounters counts by.

        /// <summary>A DHCP message whose options do not start with the magic cookie 99.130.83.99 (RFC 2131 section 3).</summary>
        BadMagicCookie,
        /// <summary>An SNTP answer of stratum 0, a kiss-o'-death: the server asks to be asked less often or not at all (RFC 4330 section 8).</summary>
        KissOfDeath,
        /// <summary>An SNTP answer whose leap indicator is 3 (clock not synchronised) or whose stratum is above 15 (RFC 4330 section 5).</summary>
        Unsynchronized,
        /// <summary>An SNTP answer with a zero transmit timestamp: the server has no time to give (RFC 4330 section 5).</summary>
        BadTimestamp
    }
}
