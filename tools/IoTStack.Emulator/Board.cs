using IoTStack.Drivers.Enc28j60;
using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Chips;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>What a board is made of: the chip, its address and the stack's sizes (the emulator's options).</summary>
public sealed class BoardOptions
{
    public string Chip { get; set; } = "enc28j60";
    public IPv4Address Address { get; set; } = new(192, 0, 2, 2);
    public int PrefixLength { get; set; } = 24;
    public IPv4Address Gateway { get; set; } = IPv4Address.Any;
    public MacAddress Mac { get; set; } = new(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
    public int Sockets { get; set; } = 16;
    public int ReceiveBuffer { get; set; } = 8192;
    public int TransmitBuffer { get; set; } = 8192;

    /// <summary>Take the address by DHCP instead of <see cref="Address"/>.</summary>
    public bool Dhcp { get; set; }

    /// <summary>The board's name (DHCP option 12, NAME.local by mDNS); null for none.</summary>
    public string? HostName { get; set; }

    /// <summary>A DNS server to use (DHCP's, when it gives some, replace it); 0.0.0.0 for none.</summary>
    public IPv4Address Dns { get; set; }

    /// <summary>An NTP server to set the clock from (DHCP's option 42 replaces it); 0.0.0.0 for none.</summary>
    public IPv4Address Ntp { get; set; }

    /// <summary>Whether the board runs DHCP, DNS, mDNS or SNTP.</summary>
    public bool WantsServices => Dhcp || HostName is not null || !Dns.IsAny || !Ntp.IsAny;

    /// <summary>The modeled SPI clock for bus-time figures; 0 for the chip's datasheet maximum.</summary>
    public long SpiHz { get; set; }

    /// <summary>
    /// The bus clock the figures use: <see cref="SpiHz"/>, or the chip's maximum (ENC28J60 datasheet DS39662E
    /// §4.1: 20 MHz; W5500 datasheet 1.0.9 §1: 80 MHz).
    /// </summary>
    public long BusHz => SpiHz > 0 ? SpiHz : Chip == "enc28j60" ? 20_000_000 : 80_000_000;

    public static readonly string[] Chips = ["enc28j60", "w5500", "w5500-sockets"];
}

/// <summary>
/// An emulated board: a chip model on a wire, its driver, IoTStack (or the W5500's own sockets) and the
/// firmware serving on it. The same composition the ESP32 build makes, with the chip replaced by its model.
/// </summary>
public sealed class Board
{
    private Board(ISocketEngine engine, NetStack? stack, ChipModel chip, Firmware.Firmware firmware)
    {
        Engine = engine;
        Stack = stack;
        Chip = chip;
        Firmware = firmware;
    }

    public ISocketEngine Engine { get; }

    /// <summary>The software stack, or null when the W5500 runs TCP/IP itself.</summary>
    public NetStack? Stack { get; }

    public ChipModel Chip { get; }

    public Firmware.Firmware Firmware { get; }

    /// <summary>Builds and starts the board; throws ArgumentException for options the stack or chip rejects.</summary>
    public static Board Start(BoardOptions options, IFrameDevice wire, IClock clock)
    {
        var mask = IPv4Address.MaskFromPrefixLength(options.PrefixLength);
        var stackOptions = new NetStackOptions
        {
            SocketCount = options.Sockets,
            ReceiveBufferSize = options.ReceiveBuffer,
            TransmitBufferSize = options.TransmitBuffer,
            PingMaxDataLength = 4000,
        };
        stackOptions.Validate();
        NetStack? stack = null;
        ISocketEngine engine;
        ChipModel chip;
        switch (options.Chip)
        {
            case "enc28j60":
            {
                var model = new Enc28j60Model(wire);
                var driver = new Enc28j60Driver(model, options.Mac, clock, fullDuplex: true);
                Require(driver.Initialise(), "the ENC28J60 did not come up");
                chip = model;
                engine = stack = new NetStack(stackOptions, driver, clock);
                break;
            }

            case "w5500":
            {
                var model = new W5500Model(wire); // MACRAW only: a model with a clock would also run the hardware sockets' engine on the wire
                var driver = new W5500MacRawDriver(model, options.Mac, clock);
                Require(driver.Initialise(), "the W5500 did not come up");
                chip = model;
                engine = stack = new NetStack(stackOptions, driver, clock);
                break;
            }

            case "w5500-sockets":
            {
                var model = new W5500Model(wire, clock);
                var sockets = new W5500SocketEngine(model, options.Mac, clock);
                Require(sockets.Initialise(options.Address, mask, options.Gateway), "the W5500 did not come up");
                chip = model;
                engine = sockets;
                break;
            }

            default:
                throw new ArgumentException($"unknown chip '{options.Chip}' (one of {string.Join(", ", BoardOptions.Chips)})");
        }

        if (options.WantsServices && stack is null)
        {
            throw new ArgumentException("--dhcp, --hostname, --dns and --ntp run on IoTStack (--chip enc28j60 or w5500), not on the W5500's own TCP/IP");
        }

        if (!options.Dhcp)
        {
            stack?.Configure(options.Address, mask, options.Gateway);
        }

        var firmware = new Firmware.Firmware(engine, stack, clock, Math.Max(1, options.Sockets - 5));
        Require(firmware.Start(options.Chip == "w5500-sockets" ? 1 : 4), "the firmware could not open its services (too few sockets?)");
        if (stack is not null && options.WantsServices)
        {
            var services = new IoTStack.Net.Services.NetServices(stack, options.HostName, options.Dhcp);
            services.Dns.SetServers(options.Dns, IPv4Address.Any, IPv4Address.Any);
            services.Sntp.Server = options.Ntp;
            firmware.Services = services;
            Require(services.Start() == SocketError.Success, "the network services could not open their sockets (too few sockets?)");
        }

        return new Board(engine, stack, chip, firmware);
    }

    /// <summary>Runs the chip, the stack and the firmware once; true when anything happened.</summary>
    public bool Poll() => Firmware.Poll();

    /// <summary>Sockets in use, listeners included.</summary>
    public int OpenSockets()
    {
        if (Stack is null)
        {
            return -1;
        }

        int open = 0;
        for (int i = 0; i < Stack.SocketCount; i++)
        {
            if (Stack.GetSocketInfo(i, out _) == SocketError.Success)
            {
                open++;
            }
        }

        return open;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
