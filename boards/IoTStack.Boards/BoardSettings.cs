using IoTStack.Firmware;
using IoTStack.Net;
using IoTStack.Net.Services;
using IoTStack.Net.Wire;

namespace IoTStack.Boards
{
    /// <summary>
    /// Everything a board is told at start, in one object the ESP32 program, the Linux program and the emulator
    /// all build from: its address (or DHCP), name and servers, how many connections the firmware serves and the
    /// sizes of their buffers. <see cref="StackOptions"/> turns it into the stack's socket budget, so no one has
    /// to do that arithmetic: the firmware's listeners, its sessions and the services' sockets each from their
    /// own count.
    /// </summary>
    public sealed class BoardSettings
    {
        public BoardSettings()
        {
            Address = new IPv4Address(192, 0, 2, 2);
            SubnetMask = IPv4Address.MaskFromPrefixLength(24);
            Firmware = new FirmwareSettings();
            SpareConnections = 2;
            TcpReceiveBufferSize = 2048;
            TcpTransmitBufferSize = 2048;
            DatagramBufferSize = 2048;
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

        /// <summary>Connections the firmware serves at once, all its services together (<see cref="FirmwareSettings.Sessions"/>). Default 8.</summary>
        public int Sessions
        {
            get { return Firmware.Sessions; }
            set { Firmware.Sessions = value; }
        }

        /// <summary>
        /// TCP connections beyond the sessions: one being turned away cleanly while every session is busy, one finishing
        /// its close after its session ended. Default 2.
        /// </summary>
        public int SpareConnections { get; set; }

        /// <summary>Each TCP connection's receive ring (its window). Default 2048.</summary>
        public int TcpReceiveBufferSize { get; set; }

        /// <summary>Each TCP connection's transmit ring (its retransmission queue). Default 2048.</summary>
        public int TcpTransmitBufferSize { get; set; }

        /// <summary>Each UDP socket's receive ring. Default 2048.</summary>
        public int DatagramBufferSize { get; set; }

        /// <summary>
        /// Cut the stack's tables to the small profile's (<see cref="NetStackOptions.UseSmallTables"/>) and the resolver's
        /// to two lookups and two cached names, for a board with a small heap.
        /// </summary>
        public bool SmallTables { get; set; }

        /// <summary>The firmware's own buffers (per session and shared).</summary>
        public FirmwareSettings Firmware { get; private set; }

        /// <summary>Whether the board runs DHCP, DNS, mDNS or SNTP at all.</summary>
        public bool WantsServices
        {
            get { return Dhcp || HostName != null || !Dns.IsAny || !Ntp.IsAny; }
        }

        /// <summary>UDP sockets DHCP, DNS, mDNS and SNTP take, as these settings start them.</summary>
        public int ServiceSockets
        {
            get { return WantsServices ? NetServices.SocketsNeeded(HostName, Dhcp) : 0; }
        }

        /// <summary>
        /// The stack's options for these settings: <see cref="Sessions"/> + <see cref="SpareConnections"/> TCP
        /// connections, the firmware's listeners, its UDP echo plus the services' sockets, no raw socket, the ring
        /// sizes above; every other option at its default (change them on the result).
        /// </summary>
        public NetStackOptions StackOptions()
        {
            NetStackOptions options = new NetStackOptions();
            options.TcpConnections = Sessions + SpareConnections;
            // A server board drops a SYN it has no connection slot for, as one for a full backlog: the client's retransmission
            // comes back a second later, by when the firmware (told by SocketEvents.Overflow) has freed a stalled session.
            options.TcpRefuseWithReset = false;
            options.TcpListeners = FirmwareSettings.TcpListeners;
            options.UdpSockets = FirmwareSettings.UdpSockets + ServiceSockets;
            options.RawSockets = 0;
            options.ReceiveBufferSize = TcpReceiveBufferSize;
            options.TransmitBufferSize = TcpTransmitBufferSize;
            options.DatagramBufferSize = DatagramBufferSize;
            if (SmallTables)
            {
                options.UseSmallTables();
            }

            return options;
        }

        /// <summary>
        /// Throws <see cref="System.ArgumentException"/> naming the settings when <paramref name="options"/> cannot
        /// hold what these settings start (the firmware's listeners and sessions, the services' sockets).
        /// </summary>
        public void CheckBudget(NetStackOptions options)
        {
            options.Validate();
            Firmware.Validate();
            if (options.TcpListeners < FirmwareSettings.TcpListeners)
            {
                throw new System.ArgumentException("NetStackOptions.TcpListeners is " + options.TcpListeners.ToString()
                    + ": the firmware listens on " + FirmwareSettings.TcpListeners.ToString() + " ports (echo 7, discard 9, chargen 19, HTTP 80)");
            }

            if (options.TcpConnections < Sessions)
            {
                throw new System.ArgumentException("NetStackOptions.TcpConnections is " + options.TcpConnections.ToString()
                    + ", fewer than BoardSettings.Sessions (" + Sessions.ToString() + "): a session would never get a connection");
            }

            int udp = FirmwareSettings.UdpSockets + ServiceSockets;
            if (options.UdpSockets < udp)
            {
                throw new System.ArgumentException("NetStackOptions.UdpSockets is " + options.UdpSockets.ToString() + ", fewer than the "
                    + udp.ToString() + " these settings open: the firmware's UDP echo and " + ServiceSockets.ToString() + " for DHCP, DNS, mDNS and SNTP");
            }
        }
    }
}
