using System.Device.Gpio;
using IoTStack.Boards;
using IoTStack.Boards.CommandLine;
using IoTStack.Boards.Linux;
using IoTStack.Firmware;
using IoTStack.Firmware.Tls;
using IoTStack.Net.Link;

// The firmware on a real chip from a Linux board (Raspberry Pi: spidev0.0, INT on GPIO 25, RESET on 24).
const string Usage = """
usage: iotstack-linux-board --board NAME [options]
  --board NAME          rpi-enc28j60 or rpi-w5500 (the wiring is in firmware/README.md); the profile's shipped sizes
                        (8 sessions over 4 KB rings), a static address unless --dhcp (then --ip after 10 s without a
                        lease), the MAC made from the board's serial number unless --mac
The board (the same options as the emulator's, parsed by IoTStack.Boards.CommandLine):
""" + "\n" + BoardCommandLine.OptionsHelp + """
Needs access to /dev/spidevB.C and /dev/gpiochip0 (root, or the spi and gpio groups).
""" + "\n";

BoardCommandLine line;
BoardProfile profile;
IoTStack.Net.Tls.ITlsClientCredential? credential = null;
try
{
    line = BoardCommandLine.Parse(args, named =>
    {
        // The profile's shipped sizes; the network settings come from the options.
        var settings = named is null ? new BoardSettings() : BoardProfiles.ShippedSettings(named);
        settings.Dhcp = false;
        settings.HostName = null;
        settings.StaticFallbackMs = 10_000;
        return settings;
    }, boards: p => p.Name.StartsWith("rpi-", StringComparison.Ordinal));
    if (line.Help)
    {
        Console.Write(Usage);
        return 0;
    }

    profile = line.Profile ?? throw new ArgumentException("--board is required (rpi-enc28j60 or rpi-w5500)");
    line.Settings.CheckBudget(line.Settings.StackOptions());
    if (line.Settings.MqttClientCertificate is not null && line.Settings.MqttClientKey is not null)
    {
        credential = IoTStack.Net.Tls.EcdsaP256Credential.FromFiles(line.Settings.MqttClientCertificate, line.Settings.MqttClientKey);
    }
}
catch (Exception error) when (error is ArgumentException or FormatException)
{
    Console.Error.WriteLine("error: " + error.Message);
    return 2;
}

try
{
    BoardSettings settings = line.Settings;
    profile.ClockHz = settings.BusClockHz; // --spi-hz, else the profile's own
    using var gpio = new GpioController();
    using var pins = new LinuxBoardPins(gpio, profile);
    using var bus = LinuxSpiBus.Open(profile);
    pins.HardReset();
    var clock = new SystemClock();
    var mac = line.MacGiven ? settings.Mac : profile.MacFor(UniqueId());
    // MQTT over TLS (--mqtt mqtts://) takes its randomness from the kernel's generator.
    var board = FirmwareBoard.Create(settings.Chip, bus, mac, clock, settings.StackOptions(), settings, FirmwareSettings.For(settings), new MqttTls(new SystemEntropy(), credential))
        ?? throw new IOException($"no {line.ChipName} answers on spidev{profile.SpiBus}.{profile.ChipSelectPin} (wiring, power, or the other chip?)");
    if (!board.Start())
    {
        throw new IOException("the firmware could not open its services");
    }

    Console.WriteLine($"{profile.Description} ({line.ChipName}): MAC {mac}, SPI {profile.ClockHz / 1e6:0.#} MHz; serving echo 7, discard 9, chargen 19, HTTP 80");
    board.Log = new ConsoleLog();
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    long end = line.DurationSeconds > 0 ? clock.NowMilliseconds + (long)(line.DurationSeconds * 1000) : long.MaxValue;
    while (!stop.IsCancellationRequested && clock.NowMilliseconds < end)
    {
        if (!board.Poll())
        {
            // Nothing to do: sleep until the next timer (at most 250 ms, the driver's link check) or INT falling.
            pins.WaitForInterrupt((int)Math.Min(board.PollDelay(), end - clock.NowMilliseconds));
        }
    }

    return 0;
}
catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or PlatformNotSupportedException)
{
    Console.Error.WriteLine("error: " + error.Message);
    return 1;
}

// The Pi's serial number (the device tree's, else the machine id): five of its bytes make the MAC unique.
static byte[]? UniqueId()
{
    foreach (var path in new[] { "/sys/firmware/devicetree/base/serial-number", "/etc/machine-id" })
    {
        if (File.Exists(path))
        {
            string hex = new(File.ReadAllText(path).Where(Uri.IsHexDigit).ToArray());
            if (hex.Length >= 10)
            {
                return Convert.FromHexString(hex[^10..]);
            }
        }
    }

    return null;
}
