using IoTStack.Boards;
using IoTStack.Emulator.Chips;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>
/// What an emulated board is made of: the chip, its MAC, the modeled bus clock, and the <see cref="BoardSettings"/> every
/// board builds from (the ESP32 and Linux programs too): address or DHCP, name, servers, sessions and buffer sizes.
/// <c>--board NAME</c> starts from that profile's chip and shipped settings, exactly as its image does.
/// </summary>
public sealed class BoardOptions
{
    public string Chip { get; set; } = "enc28j60";
    public MacAddress Mac { get; set; } = new(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);

    /// <summary>The board's settings: the emulator's defaults (<see cref="BoardProfiles.ShippedSettings"/> of an emulated profile) or a profile's.</summary>
    public BoardSettings Settings { get; set; } = BoardProfiles.ShippedSettings(BoardProfiles.EmulatedEnc28j60);

    /// <summary>The profile named by --board, or null for the emulator's own board.</summary>
    public BoardProfile? Profile { get; private set; }

    /// <summary>The modeled SPI clock for bus-time figures; 0 for the chip's datasheet maximum (or the profile's clock).</summary>
    public long SpiHz { get; set; }

    /// <summary>
    /// The bus clock the figures use: <see cref="SpiHz"/>, the profile's clock, or the chip's maximum (ENC28J60
    /// datasheet DS39662E §4.1: 20 MHz; W5500 datasheet 1.0.9 §1: 80 MHz).
    /// </summary>
    public long BusHz => SpiHz > 0 ? SpiHz : Profile is not null ? Profile.ClockHz : Chip == "enc28j60" ? 20_000_000 : 80_000_000;

    /// <summary>The prefix length of the settings' subnet mask (for messages).</summary>
    public int PrefixLength => System.Numerics.BitOperations.PopCount(Settings.SubnetMask.Value);

    /// <summary>Starts from <paramref name="profile"/>: its chip, MAC and shipped settings (the image's own).</summary>
    public void UseProfile(BoardProfile profile)
    {
        Profile = profile;
        Chip = Board.ChipName(profile.Chip);
        Mac = profile.Mac;
        Settings = BoardProfiles.ShippedSettings(profile);
    }

    public static readonly string[] Chips = ["enc28j60", "w5500", "w5500-sockets"];
}

/// <summary>
/// An emulated board: a chip model on a wire as the SPI bus of the same composition the ESP32 and Raspberry Pi
/// builds make (<see cref="BoardRuntime"/>: driver, IoTStack or the W5500's own sockets, firmware, services).
/// </summary>
public sealed class Board
{
    private readonly IClock _clock;
    private long _nextPoll;

    private Board(BoardRuntime runtime, ChipModel chip, IClock clock)
    {
        Runtime = runtime;
        Chip = chip;
        _clock = clock;
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
        var chip = ChipModel.Create(options.Chip, wire, clock);
        var runtime = BoardRuntime.Create(KindOf(options.Chip), chip.Bus, options.Mac, clock, StackOptions(options), options.Settings)
            ?? throw new InvalidOperationException($"the {options.Chip} did not come up");
        Require(runtime.Start(), "the firmware could not open its services (too few sockets?)");
        return new Board(runtime, chip, clock);
    }

    /// <summary>
    /// The stack's options for <paramref name="options"/>: the settings' budget; the emulator's own board (no profile)
    /// also pings with up to 4,000 bytes, so its demo can show fragmentation.
    /// </summary>
    public static NetStackOptions StackOptions(BoardOptions options)
    {
        var stackOptions = options.Settings.StackOptions();
        if (options.Profile is null)
        {
            stackOptions.PingMaxDataLength = 4000;
        }

        return stackOptions;
    }

    /// <summary>The emulator's chip name for a chip kind.</summary>
    public static string ChipName(ChipKind chip) => chip switch
    {
        ChipKind.Enc28j60 => "enc28j60",
        ChipKind.W5500 => "w5500",
        _ => "w5500-sockets",
    };

    /// <summary>What an emulator chip name (enc28j60, w5500, w5500-sockets) runs as on a board.</summary>
    public static ChipKind KindOf(string chip) => chip switch
    {
        "enc28j60" => ChipKind.Enc28j60,
        "w5500" => ChipKind.W5500,
        "w5500-sockets" => ChipKind.W5500Sockets,
        _ => throw new ArgumentException($"unknown chip '{chip}' (one of {string.Join(", ", BoardOptions.Chips)})"),
    };

    /// <summary>
    /// The plain ESP32 image's shipped settings on <paramref name="chip"/> at a static <paramref name="address"/>: what the
    /// cost model and the board-loop tests run (no services on the W5500's own TCP/IP, which runs none).
    /// </summary>
    public static BoardSettings ShippedEsp32Settings(string chip, IPv4Address address)
    {
        BoardSettings settings = BoardProfiles.ShippedSettings(BoardProfiles.Esp32DevKitCW5500);
        settings.Dhcp = false;
        settings.Address = address;
        if (KindOf(chip) == ChipKind.W5500Sockets)
        {
            settings.HostName = null;
        }

        return settings;
    }

    /// <summary>Runs the chip, the stack, the services and the firmware once; true when anything happened.</summary>
    public bool Poll() => Runtime.Poll();

    /// <summary>Polls made by <see cref="Turn"/>.</summary>
    public long Polls { get; private set; }

    /// <summary>
    /// One turn of the board's own loop, as the ESP32 and Raspberry Pi images run it: a poll when the last one found work,
    /// its <see cref="BoardRuntime.PollDelay"/> has passed or the chip's INT line is low; else nothing (the board sleeps).
    /// True when a poll found work.
    /// </summary>
    public bool Turn()
    {
        long now = _clock.NowMilliseconds;
        if (now < _nextPoll && !Chip.InterruptAsserted)
        {
            return false;
        }

        Polls++;
        bool worked = Runtime.Poll();
        _nextPoll = worked ? now : now + Runtime.PollDelay();
        return worked;
    }

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
            if (Stack.GetSocketInfo(i, out _) == SocketResult.Success)
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
