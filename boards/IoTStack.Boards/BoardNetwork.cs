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
    /// A board's network, for any application: the chip's driver on an SPI bus, the engine on the driver (IoTStack
    /// over an ENC28J60 or a W5500 in MACRAW, or the W5500's own TCP/IP), and DHCP, DNS, mDNS and SNTP when the
    /// settings ask for them. The same composition runs on an ESP32 (nanoFramework's SPI), a Raspberry Pi (spidev)
    /// and in the emulator (a chip model behind the device's bus path): only the <see cref="ISpiBus"/> differs. An
    /// application takes <see cref="Engine"/> (and <see cref="Interface"/> for the address and the wall clock);
    /// the loop calls <see cref="Start"/> once, then <see cref="Poll"/> and the application's own poll, sleeping
    /// <see cref="PollDelay"/> when neither found work.
    /// </summary>
    public sealed class BoardNetwork
    {
        private readonly BoardSettings _settings;
        private long _fallbackAt;

        private BoardNetwork(ChipKind chip, MacAddress mac, ISocketEngine engine, INetInterface net, NetStack stack, IFrameDevice device, IClock clock, NetServices services, BoardSettings settings)
        {
            Chip = chip;
            Mac = mac;
            Engine = engine;
            Interface = net;
            Stack = stack;
            Device = device;
            Clock = clock;
            Services = services;
            _settings = settings;
        }

        public ChipKind Chip { get; private set; }

        /// <summary>The board's MAC, as the driver or the chip was given it.</summary>
        public MacAddress Mac { get; private set; }

        /// <summary>The socket calls every application uses: <see cref="Stack"/>, or the W5500's own sockets.</summary>
        public ISocketEngine Engine { get; private set; }

        /// <summary>
        /// The interface under <see cref="Engine"/> (address, MAC, link, probe, wall clock): <see cref="Stack"/>, or the W5500's
        /// sockets engine, which is one too.
        /// </summary>
        public INetInterface Interface { get; private set; }

        /// <summary>IoTStack, or null when the W5500 runs TCP/IP itself.</summary>
        public NetStack Stack { get; private set; }

        /// <summary>The frame driver under <see cref="Stack"/>, or null on the W5500's own sockets.</summary>
        public IFrameDevice Device { get; private set; }

        public IClock Clock { get; private set; }

        /// <summary>DHCP, DNS, mDNS and SNTP, or null when the settings ask for none.</summary>
        public NetServices Services { get; private set; }

        /// <summary>The settings the network was built from.</summary>
        public BoardSettings Settings
        {
            get { return _settings; }
        }

        /// <summary>
        /// Builds the network from its settings, with the socket budget they ask for (<see cref="BoardSettings.StackOptions"/>);
        /// null when the chip does not answer (wiring, power, the wrong chip). Throws ArgumentException for settings that
        /// cannot work.
        /// </summary>
        public static BoardNetwork Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, BoardSettings settings)
        {
            return Create(chip, bus, mac, clock, settings.StackOptions(), settings);
        }

        /// <summary>
        /// Builds the network with the stack's options given; null when the chip does not answer. Throws ArgumentException,
        /// naming the settings, when the options cannot hold what the settings start (the application's listeners and
        /// sessions, the services' sockets).
        /// </summary>
        public static BoardNetwork Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, NetStackOptions options, BoardSettings settings)
        {
            if (bus == null || clock == null || options == null || settings == null)
            {
                throw new System.ArgumentNullException(bus == null ? "bus" : clock == null ? "clock" : options == null ? "options" : "settings");
            }

            NetStack stack = null;
            IFrameDevice device = null;
            ISocketEngine engine;
            if (chip == ChipKind.W5500Sockets)
            {
                settings.Validate();
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
                device = StartFrameDriver(chip, bus, mac, clock);
                if (device == null)
                {
                    return null;
                }

                stack = new NetStack(options, device, clock);
                engine = stack;
            }

            INetInterface net = (INetInterface)engine; // both engines are interfaces too
            NetServices services = null;
            if (settings.WantsServices)
            {
                services = settings.SmallTables ? new NetServices(engine, net, settings.HostName, settings.Dhcp, 2, 2) : new NetServices(engine, net, settings.HostName, settings.Dhcp);
                services.Dns.SetServers(settings.Dns, IPv4Address.Any, IPv4Address.Any);
                services.Sntp.Server = settings.Ntp;
            }

            return new BoardNetwork(chip, mac, engine, net, stack, device, clock, services, settings);
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

            throw new System.ArgumentException("the W5500's own sockets (" + ChipNames.W5500Sockets + ") are not a frame device", "chip");
        }

        /// <summary>
        /// Whether the network takes its address by DHCP (the settings ask for it and the services run).
        /// </summary>
        public bool UsesDhcp
        {
            get { return Services != null && Services.Dhcp != null; }
        }

        /// <summary>
        /// Configures the static address (unless DHCP will) and starts the services; false when a service cannot open
        /// its socket. Call it before the application opens its own sockets.
        /// </summary>
        public bool Start()
        {
            bool dhcp = UsesDhcp;
            if (Stack != null && !dhcp)
            {
                Stack.Configure(_settings.Address, _settings.SubnetMask, _settings.Gateway);
            }

            _fallbackAt = dhcp && _settings.StaticFallbackMs > 0 && !_settings.Address.IsAny ? Clock.NowMilliseconds + _settings.StaticFallbackMs : 0;
            return Services == null || Services.Start() == SocketResult.Success;
        }

        /// <summary>The address now: the interface's, or the static one on an engine without an interface.</summary>
        public uint AddressValue
        {
            get { return Interface != null ? Interface.AddressValue : _settings.Address.Value; }
        }

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> must run again though no frame arrives (0: now): the earliest of the
        /// engine's timers (at most its cap: 250 ms on IoTStack, for the drivers' link check; 100 ms on the W5500's own
        /// sockets, for the listener sweep), the services' (DHCP, DNS, mDNS, SNTP) and the static fallback.
        /// </summary>
        public int PollDelay()
        {
            int delay = Engine.PollDelay();
            if (Services != null)
            {
                int services = Services.PollDelay();
                delay = services < delay ? services : delay;
            }

            return _fallbackAt != 0 ? Deadlines.Delay(_fallbackAt, Clock.NowMilliseconds, delay) : delay;
        }

        /// <summary>Runs the chip, the engine and the services once (the static fallback too); true when anything happened.</summary>
        public bool Poll()
        {
            if (_fallbackAt != 0 && Clock.NowMilliseconds >= _fallbackAt)
            {
                _fallbackAt = 0;
                if (Interface != null && Interface.AddressValue == 0)
                {
                    Interface.Configure(_settings.Address, _settings.SubnetMask, _settings.Gateway);
                }
            }

            bool worked = Engine.Poll();
            return (Services != null && Services.Poll()) | worked;
        }
    }
}
