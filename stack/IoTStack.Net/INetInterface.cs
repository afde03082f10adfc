using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Net
{
    /// <summary>
    /// The network interface under an <see cref="Sockets.ISocketEngine"/>, as the services (DHCP, DNS, mDNS, SNTP)
    /// need it beside the sockets: the clock and a random source, the MAC and link, the address they configure,
    /// the RFC 5227 probe DHCP makes before it binds, multicast groups, and the wall clock SNTP sets. Both engines
    /// implement it: <see cref="NetStack"/> (ARP probes, its group table) and the W5500's hardware-socket engine
    /// (the chip's address registers, a UDP send whose ARP goes unanswered as its probe, UDP sockets in multicast
    /// mode). Addresses are numbers (<see cref="IPv4Address.Value"/>) where a struct would be a heap copy on nanoCLR.
    /// </summary>
    public interface INetInterface
    {
        IClock Clock { get; }

        /// <summary>A 32-bit pseudo-random number for protocol identifiers and jitter (DHCP xid, DNS ids); not for secrets.</summary>
        uint NextRandom();

        /// <summary>Writes the interface's MAC address at <paramref name="offset"/>.</summary>
        void WriteMacAddress(byte[] buffer, int offset);

        /// <summary>Whether the 6 bytes at <paramref name="offset"/> are the interface's MAC address.</summary>
        bool IsOwnMacAddress(byte[] buffer, int offset);

        /// <summary>Whether the Ethernet link is up (the PHY's own report).</summary>
        bool IsLinkUp { get; }

        /// <summary>The interface address; 0 until configured.</summary>
        uint AddressValue { get; }

        uint SubnetMaskValue { get; }

        uint GatewayValue { get; }

        /// <summary>Sets address, mask and default gateway (all 0.0.0.0: unconfigured, as DHCP leaves it when a lease ends).</summary>
        void Configure(IPv4Address address, IPv4Address subnetMask, IPv4Address gateway);

        /// <summary>
        /// Starts (or repeats) an RFC 5227 probe for <paramref name="address"/>: an ARP request from 0.0.0.0.
        /// <see cref="AddressProbeConflict"/> turns true once any host answers for it.
        /// </summary>
        void ProbeAddress(IPv4Address address);

        bool AddressProbeConflict { get; }

        /// <summary>Stops listening for answers to the last probe and frees what it held.</summary>
        void EndAddressProbe();

        /// <summary>
        /// Receive datagrams sent to <paramref name="group"/> on UDP sockets bound to its port; false when the interface
        /// cannot take another group. Joined before the socket that uses it is bound.
        /// </summary>
        bool JoinGroup(IPv4Address group);

        void LeaveGroup(IPv4Address group);

        /// <summary>Sets the wall clock (Unix time in milliseconds, UTC), as an SNTP client does.</summary>
        void SetWallClock(long unixMilliseconds);

        bool WallClockSet { get; }

        /// <summary>Unix time in milliseconds (UTC) by the wall clock; 0 until it is set.</summary>
        long WallClockMilliseconds { get; }
    }
}
