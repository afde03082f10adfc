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
    /// ESP32 (nanoFramework's SPI), a Raspberry Pi (spidev) and in the emulator (a chip model as the bus):
    /// only the <see cref="ISpiBus"/> differs. Call <see cref="Start"/> once, then <see cref="Poll"/> forever.
    /// </summary>
    public sealed class BoardRuntime
    {
        private readonly IClock _clock;
        private readonly BoardSettings _settings;
        private long _fallbackAt;

        private BoardRuntime(ChipKind chip, ISocketEngine engine, NetStack stack, IClock clock, Firmware.Firmware firmware, NetServices services, BoardSettings settings)
        {
            Chip = chip;
            Engine = engine;
            Stack = stack;
            _clock = clock;
            Firmware = firmware;
            Services = services;
            _settings = settings;
        }

        public ChipKind Chip { get; private set; }

        /// <summary>Where the services run: <see cref="Stack"/>, or the W5500's own sockets.</summary>
        public ISocketEngine Engine { get; private set; }

        /// <summary>IoTStack, or null when the W5500 runs TCP/IP itself.</summary>
        public NetStack Stack { get; private set; }

        public Firmware.Firmware Firmware { get; private set; }

        /// <summary>DHCP, DNS, mDNS and SNTP (IoTStack only), or null.</summary>
        public NetServices Services { get; private set; }

        /// <summary>
        /// Builds the board; null when the chip does not answer (wiring, power, the wrong chip). Throws
        /// ArgumentException for options the stack rejects, or services asked of the W5500's own TCP/IP.
        /// </summary>
        public static BoardRuntime Create(ChipKind chip, ISpiBus bus, MacAddress mac, IClock clock, NetStackOptions options, BoardSettings settings)
        {
            options.Validate();
            NetStack stack = null;
            ISocketEngine engine;
            if (chip == ChipKind.W5500Sockets)
            {
                if (settings.WantsServices)
                {
                    throw new System.ArgumentException("DHCP, DNS, mDNS and SNTP run on IoTStack (ENC28J60, or W5500 in MACRAW), not on the W5500's own TCP/IP");
                }

                W5500SocketEngine sockets = new W5500SocketEngine(bus, mac, clock);
                if (!sockets.Initialise(settings.Address, settings.SubnetMask, settings.Gateway))
                {
                    return null;
                }

                engine = sockets;
            }
            else
            {
                IFrameDevice device = StartFrameDriver(chip, bus, mac, clock);
                if (device == null)
                {
                    return null;
                }

                stack = new NetStack(options, device, clock);
                engine = stack;
            }

            NetServices services = null;
            if (stack != null && settings.WantsServices)
            {
                services = new NetServices(stack, settings.HostName, settings.Dhcp);
                services.Dns.SetServers(settings.Dns, IPv4Address.Any, IPv4Address.Any);
                services.Sntp.Server = settings.Ntp;
            }

            // The firmware's sessions: the sockets left after its five listeners (and the services' four).
            int sessions = options.SocketCount - 5 - (services != null ? 4 : 0);
            Firmware.Firmware firmware = new Firmware.Firmware(engine, stack, clock, sessions < 1 ? 1 : sessions);
            firmware.Services = services;
            return new BoardRuntime(chip, engine, stack, clock, firmware, services, settings);
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
            return Services == null || Services.Start() == SocketError.Success;
        }

        /// <summary>Runs the chip, the stack, the services and the firmware once; true when anything happened.</summary>
        public bool Poll()
        {
            if (_fallbackAt != 0 && _clock.NowMilliseconds >= _fallbackAt)
            {
                _fallbackAt = 0;
                if (Stack.Address.IsAny)
                {
                    Stack.Configure(_settings.Address, _settings.SubnetMask, _settings.Gateway);
                }
            }

            return Firmware.Poll();
        }
    }
}
