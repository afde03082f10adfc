using IoTStack.Drivers;
using IoTStack.Drivers.Enc28j60;
using IoTStack.Drivers.W5500;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Boards
{
    /// <summary>
    /// A board put together: the chip's driver on an SPI bus, IoTStack on the driver (or the W5500's own
    /// sockets), the firmware's services, and DHCP, DNS, mDNS and SNTP. The same composition runs on an
    /// ESP32 (nanoFramework's SPI), a Raspberry Pi (spidev) and in the emulator (a chip model behind the device's
    /// bus path): only the <see cref="ISpiBus"/> differs. Call <see cref="Start"/> once, then <see cref="Poll"/> forever.
    /// </summary>
    public sealed class BoardRuntime
    {
        private readonly IClock _clock;
        private readonly BoardSettings _settings;
        private readonly Firmware.AsciiWriter _report = new Firmware.AsciiWriter(new byte[160]);
        private long _fallbackAt;
        private long _nextReport;

        private BoardRuntime(ChipKind chip, ISocketEngine engine, NetStack stack, IClock clock, Firmware.Firmware firmware, NetServices services, BoardSettings settings)
        {
            Chip = chip;
            Engine = engine;
            Stack = stack;
            _clock = clock;
            Firmware = firmware;
            Services = services;
            _settings = settings;
            ReportIntervalMs = 10000;
        }

        /// <summary>Where the status lines go (a line at start, then one every <see cref="ReportIntervalMs"/>); null for nowhere.</summary>
        public IBoardLog Log { get; set; }

        public int ReportIntervalMs { get; set; }

        public ChipKind Chip { get; private set; }

        /// <summary>Where the services run: <see cref="Stack"/>, or the W5500's own sockets.</summary>
        public ISocketEngine Engine { get; private set; }

        /// <summary>IoTStack, or null when the W5500 runs TCP/IP itself.</summary>
        public NetStack Stack { get; private set; }

        public Firmware.Firmware Firmware { get; private set; }

        /// <summary>DHCP, DNS, mDNS and SNTP (IoTStack only), or null.</summary>
        public NetServices Services { get; private set; }

        /// <summary>
        /// Builds the board from its settings, with the socket budget they ask for (<see cref="BoardSettings.StackOptions"/>);
        /// null when the chip does not answer (wiring, power, the wrong chip). Throws ArgumentException for settings
        /// that cannot work, or services asked of the W5500's own TCP/IP.
        /// </summary>
        public static BoardRuntime Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, BoardSettings settings)
        {
            return Create(chip, bus, mac, clock, settings.StackOptions(), settings);
        }

        /// <summary>
        /// Builds the board with the stack's options given; null when the chip does not answer. Throws
        /// ArgumentException, naming the settings, when the options cannot hold what the settings start (the
        /// firmware's listeners and sessions, the services' sockets), or for services asked of the W5500's own TCP/IP.
        /// </summary>
        public static BoardRuntime Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, NetStackOptions options, BoardSettings settings)
        {
            NetStack stack = null;
            ISocketEngine engine;
            if (chip == ChipKind.W5500Sockets)
            {
                settings.Firmware.Validate();
                W5500SocketEngine sockets = new W5500SocketEngine(bus, mac, clock);
                // With DHCP the chip starts at 0.0.0.0 (SIPR), as the software stack does: the lease configures it, and the
                // address probe before it (an ARP request from SIPR) is then an RFC 5227 probe.
                bool dhcp = settings.Dhcp;
                if (!sockets.Initialise(dhcp ? IPv4Address.Any : settings.Address, dhcp ? IPv4Address.Any : settings.SubnetMask, dhcp ? IPv4Address.Any : settings.Gateway))
                {
                    return null;
                }

                engine = sockets;
            }
            else
            {
                settings.CheckBudget(options);
                IFrameDevice device = StartFrameDriver(chip, bus, mac, clock);
                if (device == null)
                {
                    return null;
                }

                stack = new NetStack(options, device, clock);
                engine = stack;
            }

            NetServices services = null;
            if (settings.WantsServices)
            {
                INetInterface net = (INetInterface)engine;
                services = settings.SmallTables ? new NetServices(engine, net, settings.HostName, settings.Dhcp, 2, 2) : new NetServices(engine, net, settings.HostName, settings.Dhcp);
                services.Dns.SetServers(settings.Dns, IPv4Address.Any, IPv4Address.Any);
                services.Sntp.Server = settings.Ntp;
            }

            Firmware.Firmware firmware = new Firmware.Firmware(engine, stack, clock, settings.Firmware);
            firmware.Services = services;
            firmware.MacAddress = mac;
            return new BoardRuntime(chip, engine, stack, clock, firmware, services, settings);
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
            if (Stack != null)
            {
                _report.Address(Stack.Address);
            }
            else
            {
                _report.Address(_settings.Address).Text(" (W5500 sockets)");
            }

            if (Services != null && Services.Dhcp != null)
            {
                _report.Text(", DHCP ").Text(IoTStack.Firmware.StatusPage.DhcpStateName(Services.Dhcp.State));
            }

            _report.Text(", sessions ").Number(Firmware.SessionsInUse).Text("/").Number(Firmware.Sessions);
            _report.Text(", HTTP requests ").Number(Firmware.Requests);
            if (Stack != null)
            {
                _report.Text(", frames in ").Number(Stack.Counters[Counter.FramesReceived]).Text(" out ").Number(Stack.Counters[Counter.FramesSent]);
            }

            Log.WriteLine(_report.Buffer, 0, _report.Length);
        }

        /// <summary>
        /// The frame driver for an ENC28J60 (full duplex) or a W5500 in MACRAW on <paramref name="bus"/>, set up;
        /// null when the chip does not answer.
        /// </summary>
        public static IFrameDevice StartFrameDriver(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock)
        {
            if (chip == ChipKind.Enc28j60)
            {
                Enc28j60Driver enc = new Enc28j60Driver(bus, mac, clock, true);
                return enc.Initialise() ? enc : null;
            }

            if (chip == ChipKind.W5500)
            {
                W5500MacRawDriver w5500 = new W5500MacRawDriver(bus, mac, clock);
                return w5500.Initialise() ? w5500 : null;
            }

            throw new System.ArgumentException("the W5500's own sockets are not a frame device", "chip");
        }

        /// <summary>Configures the address (unless DHCP will), opens the firmware's listeners and starts the services.</summary>
        public bool Start()
        {
            bool dhcp = Services != null && Services.Dhcp != null;
            if (Stack != null && !dhcp)
            {
                Stack.Configure(_settings.Address, _settings.SubnetMask, _settings.Gateway);
            }

            // A W5500 running its own TCP/IP holds each waiting connection in one of its eight sockets (datasheet 4.2).
            if (!Firmware.Start(Chip == ChipKind.W5500Sockets ? 1 : 4))
            {
                return false;
            }

            _fallbackAt = dhcp && _settings.StaticFallbackMs > 0 && !_settings.Address.IsAny ? _clock.NowMilliseconds + _settings.StaticFallbackMs : 0;
            return Services == null || Services.Start() == SocketResult.Success;
        }

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> must run again though no frame arrives (0: now): the earliest of the
        /// engine's timers (at most its cap: 250 ms on IoTStack, for the drivers' link check; 100 ms on the W5500's own
        /// sockets, for the listener sweep), the services' (DHCP, DNS, mDNS, SNTP), the static fallback and the next
        /// status line. A loop that found nothing to do sleeps this long, or until the chip's INT line falls.
        /// </summary>
        public int PollDelay()
        {
            int delay = Firmware.PollDelay();
            long now = _clock.NowMilliseconds;
            if (_fallbackAt != 0)
            {
                delay = Deadlines.Delay(_fallbackAt, now, delay);
            }

            return Log != null ? Deadlines.Delay(_nextReport, now, delay) : delay;
        }

        /// <summary>Runs the chip, the stack, the services and the firmware once; true when anything happened.</summary>
        public bool Poll()
        {
            if (Log != null && _clock.NowMilliseconds >= _nextReport)
            {
                _nextReport = _clock.NowMilliseconds + ReportIntervalMs;
                Report();
            }

            if (_fallbackAt != 0 && _clock.NowMilliseconds >= _fallbackAt)
            {
                _fallbackAt = 0;
                if (Stack.AddressValue == 0)
                {
                    Stack.Configure(_settings.Address, _settings.SubnetMask, _settings.Gateway);
                }
            }

            return Firmware.Poll();
        }
    }
}
