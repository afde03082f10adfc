namespace IoTStack.Net.Services
{
    /// <summary>The DHCP client's states (RFC 2131 section 4.4, figure 5), plus the address probe before BOUND.</summary>
    public enum DhcpState
    {
        Stopped,
        /// <summary>Broadcasting DHCPDISCOVER, waiting for an offer.</summary>
        Selecting,
        /// <summary>Broadcasting DHCPREQUEST for the offer taken, waiting for the ACK.</summary>
        Requesting,
        /// <summary>Asking by ARP whether anyone already uses the address acknowledged (RFC 5227 section 2.1).</summary>
        Probing,
        Bound,
        /// <summary>Past T1: asking the server that granted the lease to extend it (unicast).</summary>
        Renewing,
        /// <summary>Past T2: asking any server to extend it (broadcast).</summary>
        Rebinding,
        /// <summary>After the link came back: asking to keep the lease it had (INIT-REBOOT, section 3.2).</summary>
        Rebooting,
        /// <summary>Declined an address in use; waits ten seconds before starting over (section 3.1, step 5).</summary>
        Declined
    }
}
