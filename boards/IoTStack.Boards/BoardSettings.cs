using IoTStack.Net;
using IoTStack.Net.Services;
using IoTStack.Net.Wire;

namespace IoTStack.Boards
{
    /// <summary>
    /// Everything a board is told at start, in one object the ESP32 program, the Linux program and the emulator
    /// all build from (the desktop ones through one command-line parser, IoTStack.Boards.CommandLine): the chip, its
    /// MAC and bus clock, its address (or DHCP), name and servers, how many connections the application serves, the
    /// listeners and UDP sockets it opens, and the sizes of their buffers. <see cref="StackOptions"/> turns it into
    /// the stack's socket budget, so no one has to do that arithmetic: the application's listeners, its sessions and
    /// the services' sockets each from their own count. The defaults are the demo firmware's (4 listeners, UDP echo,
    /// 8 sessions); another application sets <see cref="TcpListeners"/>, <see cref="UdpSockets"/> and
    /// <see cref="Sessions"/> to its own.
    /// </summary>
    public sealed class BoardSettings
    {
        public BoardSettings()
        {
            Address = new IPv4Address(192, 0, 2, 2);
            SubnetMask = IPv4Address.MaskFromPrefixLength(24);
            Mac = new MacAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
            Sessions = 8;
            TcpListeners = 4;
            UdpSockets = 1;
            SpareConnections = 2;
            TcpReceiveBufferSize = 2048;
            TcpTransmitBufferSize = 2048;
            DatagramBufferSize = 2048;
            MqttPort = 1883;
            MqttPrefix = "board";
            MqttKeepAliveSeconds = 30;
        }

        /// <summary>The Ethernet chip on the bus and who does TCP/IP (IoTStack, or the W5500 itself). Default ENC28J60.</summary>
        public ChipKind Chip { get; set; }

        /// <summary>The board's MAC. Default 02:00:00:00:00:02 (locally administered).</summary>
        public MacAddress Mac { get; set; }

        /// <summary>The SPI clock; 0 for the chip's datasheet maximum (<see cref="BusClockHz"/>).</summary>
        public int SpiClockHz { get; set; }

        /// <summary>The SPI clock the bus runs at: <see cref="SpiClockHz"/>, or the chip's maximum (<see cref="ChipNames.MaximumClockHz"/>).</summary>
        public int BusClockHz
        {
            get { return SpiClockHz > 0 ? SpiClockHz : ChipNames.MaximumClockHz(Chip); }
        }

        /// <summary>The static address: the board's own, or the fallback when DHCP finds no server.</summary>
        public IPv4Address Address { get; set; }

        public IPv4Address SubnetMask { get; set; }

        public IPv4Address Gateway { get; set; }

        public bool Dhcp { get; set; }

        /// <summary>DHCP option 12 and NAME.local by mDNS; null for neither.</summary>
        public string HostName { get; set; }

        /// <summary>
        /// Multicast groups the application's UDP socket also answers on (numbers as <see cref="IPv4Address.Value"/>; the
        /// firmware's UDP echo joins them, and the stack reports them by IGMP); null for none.
        /// </summary>
        public uint[] EchoGroups { get; set; }

        /// <summary>Groups the node joins for these settings: <see cref="EchoGroups"/>, and mDNS's 224.0.0.251 with a <see cref="HostName"/>.</summary>
        public int GroupsNeeded
        {
            get { return (EchoGroups == null ? 0 : EchoGroups.Length) + (HostName != null ? 1 : 0); }
        }

        /// <summary>A DNS server (DHCP's replace it); 0.0.0.0 for none.</summary>
        public IPv4Address Dns { get; set; }

        /// <summary>An NTP server (DHCP's option 42 replaces it); 0.0.0.0 for none.</summary>
        public IPv4Address Ntp { get; set; }

        /// <summary>After this long without a lease, use <see cref="Address"/> (DHCP keeps trying); 0: never.</summary>
        public int StaticFallbackMs { get; set; }

        /// <summary>TCP connections the application serves at once, all its services together (1 to 250). Default 8.</summary>
        public int Sessions { get; set; }

        /// <summary>TCP listeners the application opens. Default 4, the demo firmware's (echo 7, discard 9, chargen 19, HTTP 80).</summary>
        public int TcpListeners { get; set; }

        /// <summary>UDP sockets the application opens (the services' come on top). Default 1, the demo firmware's UDP echo.</summary>
        public int UdpSockets { get; set; }

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

        /// <summary>Whether the board runs DHCP, DNS, mDNS or SNTP at all.</summary>
        public bool WantsServices
        {
            get { return Dhcp || HostName != null || !Dns.IsAny || !Ntp.IsAny; }
        }

        /// <summary>The MQTT broker the application reports to (the demo firmware's <c>--mqtt</c>); 0.0.0.0 for none.</summary>
        public IPv4Address MqttBroker { get; set; }

        /// <summary>The broker's host name, looked up through DNS (or mDNS for .local) before the first connection; null when <see cref="MqttBroker"/> is given.</summary>
        public string MqttBrokerName { get; set; }

        /// <summary>Whether the application reports to a broker (by address or by name).</summary>
        public bool WantsMqtt
        {
            get { return !MqttBroker.IsAny || MqttBrokerName != null; }
        }

        /// <summary>The MQTT keep-alive (MQTT 3.1.1 section 3.1.2.10): a silent broker is noticed within 1.5 times it. Default 30 s.</summary>
        public int MqttKeepAliveSeconds { get; set; }

        /// <summary>The broker's TCP port (1883, MQTT's, unless told).</summary>
        public int MqttPort { get; set; }

        /// <summary>The topic prefix the application publishes under and listens on (PREFIX/status, PREFIX/echo).</summary>
        public string MqttPrefix { get; set; }

        /// <summary>
        /// MQTT over TLS (the <c>mqtts://</c> of <c>--mqtt</c>, port 8883): the broker's certificate is checked against
        /// <see cref="MqttTrustAnchors"/> for its name (<see cref="MqttBrokerName"/>) or, given by address, for that address.
        /// The application supplies the TLS transport (IoTStack.Firmware.Tls); the settings only say what it needs.
        /// </summary>
        public bool MqttTls { get; set; }

        /// <summary>The trust anchors for the broker's certificate: PEM text (RFC 7468) with one or more CERTIFICATE blocks. Required with <see cref="MqttTls"/>.</summary>
        public byte[] MqttTrustAnchors { get; set; }

        /// <summary>The board's own certificate (PEM) for a broker that asks for one; null for none. Goes with <see cref="MqttClientKey"/>.</summary>
        public byte[] MqttClientCertificate { get; set; }

        /// <summary>The private key of <see cref="MqttClientCertificate"/> (PEM); null for none.</summary>
        public byte[] MqttClientKey { get; set; }

        /// <summary>TCP connections the MQTT client holds: one with a broker, else none.</summary>
        public int MqttConnections
        {
            get { return WantsMqtt ? 1 : 0; }
        }

        /// <summary>UDP sockets DHCP, DNS, mDNS and SNTP take, as these settings start them.</summary>
        public int ServiceSockets
        {
            get { return WantsServices ? NetServices.SocketsNeeded(HostName, Dhcp) : 0; }
        }

        /// <summary>
        /// The stack's options for these settings: <see cref="Sessions"/> + <see cref="SpareConnections"/> (+ 1 for the
        /// MQTT broker, <see cref="MqttConnections"/>) TCP connections, the application's listeners, its UDP sockets plus the services' sockets, no raw socket, the ring
        /// sizes above; every other option at its default (change them on the result).
        /// </summary>
        public NetStackOptions StackOptions()
        {
            NetStackOptions options = new NetStackOptions();
            options.TcpConnections = Sessions + SpareConnections + MqttConnections;
            // A server board drops a SYN it has no connection slot for, as one for a full backlog: the client's retransmission
            // comes back a second later, by when the application (told by SocketEvents.Overflow) may have freed a stalled session.
            options.TcpRefuseWithReset = false;
            options.TcpListeners = TcpListeners;
            options.UdpSockets = UdpSockets + ServiceSockets;
            options.RawSockets = 0;
            options.ReceiveBufferSize = TcpReceiveBufferSize;
            options.TransmitBufferSize = TcpTransmitBufferSize;
            options.DatagramBufferSize = DatagramBufferSize;
            if (SmallTables)
            {
                options.UseSmallTables();
            }

            if (options.MulticastGroups < GroupsNeeded)
            {
                options.MulticastGroups = GroupsNeeded;
            }

            return options;
        }

        /// <summary>
        /// Throws <see cref="System.ArgumentException"/> naming the settings when <paramref name="options"/> cannot
        /// hold what these settings start (the application's listeners and sessions, the services' sockets).
        /// </summary>
        public void CheckBudget(NetStackOptions options)
        {
            options.Validate();
            Validate();
            if (options.TcpListeners < TcpListeners)
            {
                throw new System.ArgumentException("NetStackOptions.TcpListeners is " + options.TcpListeners.ToString()
                    + ": the application listens on " + TcpListeners.ToString() + " ports (BoardSettings.TcpListeners)");
            }

            if (options.TcpConnections < Sessions + MqttConnections)
            {
                throw new System.ArgumentException("NetStackOptions.TcpConnections is " + options.TcpConnections.ToString()
                    + ", fewer than BoardSettings.Sessions (" + Sessions.ToString() + ") plus the MQTT client's " + MqttConnections.ToString()
                    + ": a session would never get a connection");
            }

            int udp = UdpSockets + ServiceSockets;
            if (options.UdpSockets < udp)
            {
                throw new System.ArgumentException("NetStackOptions.UdpSockets is " + options.UdpSockets.ToString() + ", fewer than the "
                    + udp.ToString() + " these settings open: the application's " + UdpSockets.ToString() + " and " + ServiceSockets.ToString() + " for DHCP, DNS, mDNS and SNTP");
            }

            if (options.MulticastGroups < GroupsNeeded)
            {
                throw new System.ArgumentException("NetStackOptions.MulticastGroups is " + options.MulticastGroups.ToString() + ", fewer than the "
                    + GroupsNeeded.ToString() + " groups these settings join (BoardSettings.EchoGroups, and mDNS's with a HostName)");
            }
        }

        /// <summary>Throws <see cref="System.ArgumentException"/> naming the first of these settings out of range.</summary>
        public void Validate()
        {
            if (Sessions < 1 || Sessions > 250)
            {
                throw new System.ArgumentException("BoardSettings.Sessions must be 1 to 250");
            }

            if (TcpListeners < 0 || UdpSockets < 0 || SpareConnections < 0)
            {
                throw new System.ArgumentException("BoardSettings.TcpListeners, UdpSockets and SpareConnections must be 0 or more");
            }

            if (EchoGroups != null)
            {
                for (int i = 0; i < EchoGroups.Length; i++)
                {
                    // 224.0.0.1 is every host's already (RFC 1112 section 4); a group joined twice is a mistake.
                    if (!IPv4Address.IsMulticastValue(EchoGroups[i]) || EchoGroups[i] == IgmpMessage.AllSystems || System.Array.IndexOf(EchoGroups, EchoGroups[i]) != i)
                    {
                        throw new System.ArgumentException("BoardSettings.EchoGroups must be distinct multicast groups other than 224.0.0.1");
                    }
                }
            }

            if (MqttTls && (MqttTrustAnchors == null || MqttTrustAnchors.Length == 0))
            {
                throw new System.ArgumentException("BoardSettings.MqttTls needs MqttTrustAnchors (the PEM certificates the broker's chain ends in)");
            }

            if ((MqttClientCertificate == null) != (MqttClientKey == null))
            {
                throw new System.ArgumentException("BoardSettings.MqttClientCertificate and MqttClientKey go together: both or neither");
            }
        }
    }
}
