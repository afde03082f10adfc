using IoTStack.Net.Wire;

namespace IoTStack.Boards
{
    /// <summary>What a board is told at start: its address (or DHCP), name, and servers.</summary>
    public sealed class BoardSettings
    {
        public BoardSettings()
        {
            Address = new IPv4Address(192, 0, 2, 2);
            SubnetMask = IPv4Address.MaskFromPrefixLength(24);
        }

        /// <summary>The static address: the board's own, or the fallback when DHCP finds no server.</summary>
        public IPv4Address Address { get; set; }

        public IPv4Address SubnetMask { get; set; }

        public IPv4Address Gateway { get; set; }

        public bool Dhcp { get; set; }

        /// <summary>DHCP option 12 and NAME.local by mDNS; null for neither.</summary>
        public string HostName { get; set; }

        /// <summary>A DNS server (DHCP's replace it); 0.0.0.0 for none.</summary>
        public IPv4Address Dns { get; set; }

        /// <summary>An NTP server (DHCP's option 42 replaces it); 0.0.0.0 for none.</summary>
        public IPv4Address Ntp { get; set; }

        /// <summary>After this long without a lease, use <see cref="Address"/> (DHCP keeps trying); 0: never.</summary>
        public int StaticFallbackMs { get; set; }

        /// <summary>Whether the board runs DHCP, DNS, mDNS or SNTP at all.</summary>
        public bool WantsServices
        {
            get { return Dhcp || HostName != null || !Dns.IsAny || !Ntp.IsAny; }
        }
    }
}
