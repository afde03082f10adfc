using IoTStack.Boards;
using IoTStack.Boards.CommandLine;
using IoTStack.Firmware;
using IoTStack.Firmware.Tls;
using IoTStack.Emulator.Chips;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>
/// An emulated board: a chip model on a wire as the SPI bus of the same composition the ESP32 and Raspberry Pi
/// builds make (<see cref="FirmwareBoard"/> on a <see cref="BoardNetwork"/>: driver, IoTStack or the W5500's own
/// sockets, services, firmware), from the settings of a <see cref="BoardCommandLine"/>.
/// </summary>
public sealed class Board
{
    private readonly IClock _clock;
    private long _nextPoll;

    private Board(FirmwareBoard runtime, ChipModel chip, IClock clock)
    {
        Runtime = runtime;
        Chip = chip;
        _clock = clock;
    }

    public FirmwareBoard Runtime { get; }

    public BoardNetwork Network => Runtime.Network;

    public ISocketEngine Engine => Runtime.Engine;

    /// <summary>The software stack, or null when the W5500 runs TCP/IP itself.</summary>
    public NetStack? Stack => Runtime.Stack;

    public ChipModel Chip { get; }

    public Firmware.Firmware Firmware => Runtime.Firmware;

    /// <summary>Builds and starts the board; throws ArgumentException for options the stack or chip rejects.</summary>
    public static Board Start(BoardCommandLine options, IFrameDevice wire, IClock clock)
    {
        BoardSettings settings = options.Settings;
        var chip = Model(settings.Chip, wire, clock);
        var runtime = FirmwareBoard.Create(settings.Chip, chip.Bus, settings.Mac, clock, StackOptions(options), settings, FirmwareSettings.For(settings), MqttTransport(settings))
            ?? throw new InvalidOperationException($"the {ChipNames.NameOf(settings.Chip)} did not come up");
        Require(runtime.Start(), "the firmware could not open its services (too few sockets?)");
        return new Board(runtime, chip, clock);
    }

    /// <summary>
    /// MQTT over TLS when the settings ask for it (<c>--mqtt mqtts://</c>): entropy from the desktop's generator, and with
    /// <c>--cert/--key</c> the device's ECDSA P-256 credential (a key that is not the certificate's is refused here).
    /// </summary>
    public static IMqttTransportFactory? MqttTransport(BoardSettings settings)
    {
        if (!settings.MqttTls)
        {
            return null;
        }

        return new MqttTls(new SystemEntropy(), Credential(settings));
    }

    /// <summary>The board's client certificate and key (<c>--cert/--key</c>), or null when none was given.</summary>
    public static IoTStack.Net.Tls.ITlsClientCredential? Credential(BoardSettings settings)
    {
        return settings.MqttClientCertificate is null || settings.MqttClientKey is null
            ? null
            : IoTStack.Net.Tls.EcdsaP256Credential.FromFiles(settings.MqttClientCertificate, settings.MqttClientKey);
    }

    /// <summary>
    /// The stack's options for <paramref name="options"/>: the settings' budget; the emulator's own board (no profile)
    /// also pings with up to 4,000 bytes, so its demo can show fragmentation.
    /// </summary>
    public static NetStackOptions StackOptions(BoardCommandLine options)
    {
        var stackOptions = options.Settings.StackOptions();
        if (options.Profile is null)
        {
            stackOptions.PingMaxDataLength = 4000;
        }

        return stackOptions;
    }

    /// <summary>The register-level model of <paramref name="chip"/> on <paramref name="wire"/> (the W5500 with a clock for its own sockets).</summary>
    public static ChipModel Model(ChipKind chip, IFrameDevice wire, IClock clock) => ChipModel.Create(ChipNames.NameOf(chip), wire, clock);

    /// <summary>
    /// The plain ESP32 image's shipped settings on <paramref name="chip"/> at a static <paramref name="address"/>: what the
    /// cost model and the board-loop tests run (no services on the W5500's own TCP/IP, which runs none).
    /// </summary>
    public static BoardSettings ShippedEsp32Settings(ChipKind chip, IPv4Address address)
    {
        BoardSettings settings = BoardProfiles.ShippedSettings(BoardProfiles.Esp32DevKitCW5500);
        settings.Chip = chip;
        settings.Dhcp = false;
        settings.Address = address;
        if (chip == ChipKind.W5500Sockets)
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
    /// its <see cref="FirmwareBoard.PollDelay"/> has passed or the chip's INT line is low; else nothing (the board sleeps).
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
