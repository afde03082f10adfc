namespace IoTStack.Net.Services
{
    /// <summary>Where a name lookup stands.</summary>
    public enum DnsStatus
    {
        /// <summary>No such query (never started, released, or a stale descriptor).</summary>
        Invalid,
        Pending,
        Resolved,
        /// <summary>NXDOMAIN: the name does not exist (RFC 1035 section 4.1.1, RCODE 3).</summary>
        NameError,
        /// <summary>The name exists but has no IPv4 address (no A record at the end of its CNAME chain).</summary>
        NoAddress,
        /// <summary>No server answered within the retries.</summary>
        TimedOut,
        /// <summary>The answer did not fit in a UDP datagram (TC set); this resolver does not retry over TCP.</summary>
        Truncated,
        /// <summary>Every server answered SERVFAIL or REFUSED.</summary>
        ServerFailure,
        /// <summary>The answer could not be read (bad compression, short records, a loop).</summary>
        Malformed,
        /// <summary>No DNS server is configured (and none came from DHCP).</summary>
        NoServer
    }
}
