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
        /// <summary>The bytes end before a header the packet itself declares (or before the fixed header).</summary>
        Truncated,
        /// <summary>The bytes asked for lie outside the caller's buffer (bad offset or length argument).</summary>
        OutOfBuffer,
        /// <summary>EtherType below 0x0600: an IEEE 802.3 length field, not an Ethernet II frame.</summary>
        NotEthernetII,
        /// <summary>Frame longer than an Ethernet frame can be (1514 bytes, 1518 with a VLAN tag).</summary>
        FrameTooLong,
        /// <summary>ARP hardware type or hardware address length other than Ethernet's (1, 6).</summary>
        UnsupportedHardwareType,
        /// <summary>ARP protocol type or protocol address length other than IPv4's (0x0800, 4).</summary>
        UnsupportedProtocolType,
        /// <summary>ARP operation other than request (1) or reply (2).</summary>
        BadOperation,
        /// <summary>IP version field is not 4.</summary>
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
        BadDataOffset
    }
}
