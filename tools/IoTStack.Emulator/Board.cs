using IoTStack.Boards;
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
/// An emulated board: a chip model on a wire as the SPI bus of the same composition the ESP32 and Raspberry Pi
/// builds make (<see cref="BoardRuntime"/>: driver, IoTStack or the W5500's own sockets, firmware, services).
/// </summary>
public sealed class Board
{
    private Board(BoardRuntime runtime, ChipModel chip)
    {
        Runtime = runtime;
        Chip = chip;
    }

    public BoardRuntime Runtime { get; }

    public ISocketEngine Engine => Runtime.Engine;

    /// <summary>The software stack, or null when the W5500 runs TCP/IP itself.</summary>
    public NetStack? Stack => Runtime.Stack;

    public ChipModel Chip { get; }

    public Firmware.Firmware Firmware => Runtime.Firmware;

    /// <summary>Builds and starts the board; throws ArgumentException for options the stack or chip rejects.</summary>
    public static Board Start(BoardOptions options, IFrameDevice wire, IClock clock)
    {
        var stackOptions = new NetStackOptions
        {
            SocketCount = options.Sockets,
            ReceiveBufferSize = options.ReceiveBuffer,
            TransmitBufferSize = options.TransmitBuffer,
            PingMaxDataLength = 4000,
        };
        var settings = new BoardSettings
        {
            Address = options.Address,
            SubnetMask = IPv4Address.MaskFromPrefixLength(options.PrefixLength),
            Gateway = options.Gateway,
            Dhcp = options.Dhcp,
            HostName = options.HostName,
            Dns = options.Dns,
            Ntp = options.Ntp,
        };
        var chip = ChipModel.Create(options.Chip, wire, clock);
        var runtime = BoardRuntime.Create(KindOf(options.Chip), chip.Bus, options.Mac, clock, stackOptions, settings)
            ?? throw new InvalidOperationException($"the {options.Chip} did not come up");
        Require(runtime.Start(), "the firmware could not open its services (too few sockets?)");
        return new Board(runtime, chip);
    }

    /// <summary>What an emulator chip name (enc28j60, w5500, w5500-sockets) runs as on a board.</summary>
    public static ChipKind KindOf(string chip) => chip switch
    {
        "enc28j60" => ChipKind.Enc28j60,
        "w5500" => ChipKind.W5500,
        "w5500-sockets" => ChipKind.W5500Sockets,
        _ => throw new ArgumentException($"unknown chip '{chip}' (one of {string.Join(", ", BoardOptions.Chips)})"),
    };

    /// <summary>Runs the chip, the stack, the services and the firmware once; true when anything happened.</summary>
    public bool Poll() => Runtime.Poll();

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
