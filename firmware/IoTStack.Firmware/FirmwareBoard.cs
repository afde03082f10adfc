using IoTStack.Boards;
using IoTStack.Drivers;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Firmware
{
    /// <summary>
    /// The demo firmware as one application of a <see cref="BoardNetwork"/>: the network (driver, engine, services) built
    /// from the settings, the <see cref="Firmware"/> on its engine, and a status line every <see cref="ReportIntervalMs"/>.
    /// The ESP32 image, the Linux board and the emulator all run this. Call <see cref="Start"/> once, then <see cref="Poll"/>
    /// forever, sleeping <see cref="PollDelay"/> when a poll found nothing to do.
    /// </summary>
    public sealed class FirmwareBoard
    {
        private readonly AsciiWriter _report = new AsciiWriter(new byte[224]);
        private long _nextReport;

        private FirmwareBoard(BoardNetwork network, Firmware firmware)
        {
            Network = network;
            Firmware = firmware;
            ReportIntervalMs = 10000;
        }

        /// <summary>Where the status lines go (a line at start, then one every <see cref="ReportIntervalMs"/>); null for nowhere.</summary>
        public IBoardLog Log { get; set; }

        public int ReportIntervalMs { get; set; }

        /// <summary>The driver, engine and services the firmware runs on.</summary>
        public BoardNetwork Network { get; private set; }

        public ChipKind Chip
        {
            get { return Network.Chip; }
        }

        /// <summary>Where the firmware serves: <see cref="Stack"/>, or the W5500's own sockets.</summary>
        public ISocketEngine Engine
        {
            get { return Network.Engine; }
        }

        /// <summary>IoTStack, or null when the W5500 runs TCP/IP itself.</summary>
        public NetStack Stack
        {
            get { return Network.Stack; }
        }

        /// <summary>DHCP, DNS, mDNS and SNTP, or null.</summary>
        public NetServices Services
        {
            get { return Network.Services; }
        }

        public Firmware Firmware { get; private set; }

        /// <summary>The MQTT client and its status and echo topics, when the settings name a broker; else null.</summary>
        public MqttReporter Mqtt
        {
            get { return _mqtt; }
        }

        // A field, read directly on every poll: a property call there cost the W5500-sockets quiet second 2,300 IL.
        private MqttReporter _mqtt;

        /// <summary>
        /// Builds the board from its settings (the firmware's own from <see cref="FirmwareSettings.For"/>); null when the chip
        /// does not answer. Throws ArgumentException for settings that cannot work.
        /// </summary>
        public static FirmwareBoard Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, BoardSettings settings)
        {
            return Create(chip, bus, mac, clock, settings.StackOptions(), settings);
        }

        /// <summary>Builds the board with the stack's options given; null when the chip does not answer.</summary>
        public static FirmwareBoard Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, NetStackOptions options, BoardSettings settings)
        {
            return Create(chip, bus, mac, clock, options, settings, FirmwareSettings.For(settings));
        }

        /// <summary>Builds the board with the stack's options and the firmware's settings given; null when the chip does not answer.</summary>
        public static FirmwareBoard Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, NetStackOptions options, BoardSettings settings, FirmwareSettings firmwareSettings)
        {
            return Create(chip, bus, mac, clock, options, settings, firmwareSettings, null);
        }

        /// <summary>
        /// Builds the board with MQTT over the transport <paramref name="mqttTransport"/> makes for the network (TLS, when the
        /// settings ask for it; null for the board's own engine); null when the chip does not answer.
        /// </summary>
        public static FirmwareBoard Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, NetStackOptions options, BoardSettings settings,
            FirmwareSettings firmwareSettings, IMqttTransportFactory mqttTransport)
        {
            if (settings.TcpListeners < FirmwareSettings.TcpListeners || settings.UdpSockets < FirmwareSettings.UdpSockets)
            {
                throw new System.ArgumentException("the firmware opens " + FirmwareSettings.TcpListeners.ToString() + " listeners and "
                    + FirmwareSettings.UdpSockets.ToString() + " UDP socket (echo, discard, chargen, HTTP; UDP echo): BoardSettings.TcpListeners and UdpSockets are fewer");
            }

            firmwareSettings.Validate();
            BoardNetwork network = BoardNetwork.Create(chip, bus, mac, clock, options, settings);
            if (network == null)
            {
                return null;
            }

            bool transport = mqttTransport != null && settings.WantsMqtt && settings.MqttTls;
            return On(network, firmwareSettings, transport ? mqttTransport.Create(network) : null);
        }

        /// <summary>The firmware on a network already built (its sessions and buffers from <paramref name="firmwareSettings"/>).</summary>
        public static FirmwareBoard On(BoardNetwork network, FirmwareSettings firmwareSettings)
        {
            return On(network, firmwareSettings, null);
        }

        /// <summary>The firmware on a network already built, its MQTT client (if the settings name a broker) over <paramref name="mqttTransport"/> when not null.</summary>
        public static FirmwareBoard On(BoardNetwork network, FirmwareSettings firmwareSettings, IMqttTransport mqttTransport)
        {
            Firmware firmware = new Firmware(network.Engine, network.Interface, network.Stack, network.Clock, firmwareSettings);
            firmware.Services = network.Services;
            firmware.MacAddress = network.Mac;
            FirmwareBoard board = new FirmwareBoard(network, firmware);
            if (network.Settings != null && network.Settings.WantsMqtt)
            {
                board._mqtt = new MqttReporter(network, firmware, mqttTransport);
            }

            RegisterServices(network);
            return board;
        }

        /// <summary>The port the status page is served on (<see cref="Firmware"/>'s HTTP listener).</summary>
        public const int HttpPort = 80;

        /// <summary>
        /// With mDNS running (a host name set), the status page as a DNS-SD service (RFC 6763): "NAME._http._tcp.local" on
        /// port 80, its TXT record "path=/" (the key DNS-SD gives HTTP, RFC 6763 section 6 and the service-types registry)
        /// and, with MQTT set up, "mqtt=BROKER:PORT": the connection the board reports on.
        /// </summary>
        private static void RegisterServices(BoardNetwork network)
        {
            BoardSettings settings = network.Settings;
            if (settings == null || network.Services == null || network.Services.Mdns == null)
            {
                return;
            }

            string mqtt = null;
            if (settings.WantsMqtt)
            {
                mqtt = "mqtt=" + (settings.MqttBrokerName != null ? settings.MqttBrokerName : settings.MqttBroker.ToString()) + ":" + settings.MqttPort.ToString();
            }

            network.Services.Mdns.Register(settings.HostName, "_http._tcp", HttpPort, TextRecord("path=/", mqtt));
        }

        /// <summary>TXT record data (RFC 6763 section 6.1): each string after its length byte; a null string, or one over 255 bytes, left out.</summary>
        private static byte[] TextRecord(string first, string second)
        {
            int secondLength = second != null && second.Length <= 255 ? second.Length : -1;
            byte[] text = new byte[1 + first.Length + (secondLength < 0 ? 0 : 1 + secondLength)];
            int at = 0;
            text[at++] = (byte)first.Length;
            for (int i = 0; i < first.Length; i++)
            {
                text[at++] = (byte)first[i];
            }

            if (secondLength >= 0)
            {
                text[at++] = (byte)secondLength;
                for (int i = 0; i < secondLength; i++)
                {
                    text[at++] = (byte)second[i];
                }
            }

            return text;
        }

        /// <summary>Starts the network (the static address unless DHCP will, the services), then opens the firmware's listeners.</summary>
        public bool Start()
        {
            // A W5500 running its own TCP/IP holds each waiting connection in one of its eight sockets (datasheet 4.2).
            bool started = Network.Start() && Firmware.Start(Network.Chip == ChipKind.W5500Sockets ? 1 : 4);
            if (started && _mqtt != null)
            {
                _mqtt.Start();
            }

            return started;
        }

        /// <summary>
        /// One status line to <see cref="Log"/>: address, DHCP state, sessions in use, HTTP requests, frames each way.
        /// Written into the board's own buffer: nothing allocates.
        /// </summary>
        public void Report()
        {
            if (Log == null)
            {
                return;
            }

            _report.Clear();
            _report.Text("IoTStack: address ");
            _report.Address(new IPv4Address(Network.AddressValue));
            if (Stack == null)
            {
                _report.Text(" (W5500 sockets)");
            }

            if (Services != null && Services.Dhcp != null)
            {
                _report.Text(", DHCP ").Text(StatusPage.DhcpStateName(Services.Dhcp.State));
            }

            _report.Text(", sessions ").Number(Firmware.SessionsInUse).Text("/").Number(Firmware.Sessions);
            _report.Text(", HTTP requests ").Number(Firmware.Requests);
            if (Mqtt != null)
            {
                _report.Text(Mqtt.Client.IsConnected ? ", MQTT connected " : ", MQTT down ").Number(Mqtt.Client.Connections);
                if (Mqtt.Transport != null)
                {
                    Mqtt.Transport.WriteSummary(_report);
                }
            }

            if (Stack != null)
            {
                _report.Text(", frames in ").Number(Stack.Counters[Counter.FramesReceived]).Text(" out ").Number(Stack.Counters[Counter.FramesSent]);
            }

            Log.WriteLine(_report.Buffer, 0, _report.Length);
        }

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> must run again though no frame arrives (0: now): the network's deadlines
        /// (<see cref="BoardNetwork.PollDelay"/>), the firmware's sessions' and the next status line. A loop that found nothing
        /// to do sleeps this long, or until the chip's INT line falls.
        /// </summary>
        public int PollDelay()
        {
            int delay = Network.PollDelay();
            int serve = Firmware.ServeDelay();
            delay = serve < delay ? serve : delay;
            if (_mqtt != null)
            {
                int mqtt = _mqtt.PollDelay();
                delay = mqtt < delay ? mqtt : delay;
            }

            return Log != null ? Deadlines.Delay(_nextReport, Network.Clock.NowMilliseconds, delay) : delay;
        }

        /// <summary>Runs the chip, the engine, the services and the firmware once; true when anything happened.</summary>
        public bool Poll()
        {
            if (Log != null && Network.Clock.NowMilliseconds >= _nextReport)
            {
                _nextReport = Network.Clock.NowMilliseconds + ReportIntervalMs;
                Report();
            }

            bool worked = Network.Poll();
            if (_mqtt != null)
            {
                worked |= _mqtt.Poll();
            }

            return Firmware.Serve() | worked;
        }
    }
}
