using System.Device.Gpio;
using System.Globalization;
using IoTStack.Boards;
using IoTStack.Boards.Linux;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

// The firmware on a real chip from a Linux board (Raspberry Pi: spidev0.0, INT on GPIO 25, RESET on 24).
const string Usage = """
usage: iotstack-linux-board --board NAME [options]
  --board NAME          rpi-enc28j60 or rpi-w5500 (the wiring is in firmware/README.md)
  --dhcp                take the address by DHCP (falls back to --ip after 10 s without a lease)
  --ip A.B.C.D/N        the static address (default 192.0.2.2/24)
  --gateway A.B.C.D --dns A.B.C.D --ntp A.B.C.D
  --hostname NAME       DHCP option 12 and NAME.local by mDNS
  --sessions N          connections served at once (default: the profile's shipped settings, 8)
  --duration S          stop after S seconds (default: until Ctrl-C)
Needs access to /dev/spidevB.C and /dev/gpiochip0 (root, or the spi and gpio groups).
""";

BoardProfile? profile = null;
double duration = 0;
// The profile's shipped sizes (8 sessions over 4 KB rings); the network settings come from the options below.
int boardAt = Array.IndexOf(args, "--board");
BoardProfile? named = boardAt >= 0 && boardAt + 1 < args.Length ? BoardProfiles.Find(args[boardAt + 1]) : null;
var settings = named is null ? new BoardSettings() : BoardProfiles.ShippedSettings(named);
settings.Dhcp = false;
settings.HostName = null;
settings.StaticFallbackMs = 10_000;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        IPv4Address Address(string name)
        {
            string text = Value();
            return IPv4Address.TryParse(text, out var address) ? address : throw new ArgumentException($"bad {name} '{text}'");
        }

        switch (args[i])
        {
            case "--board":
                string name = Value();
                profile = BoardProfiles.Find(name);
                if (profile is null || !name.StartsWith("rpi-", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"unknown Linux board '{name}' (rpi-enc28j60 or rpi-w5500)");
                }

                break;
            case "--dhcp": settings.Dhcp = true; break;
            case "--ip":
                string[] parts = Value().Split('/');
                if (!IPv4Address.TryParse(parts[0], out var ip) || parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                {
                    throw new ArgumentException($"bad address '{string.Join('/', parts)}'");
                }

                settings.Address = ip;
                settings.SubnetMask = IPv4Address.MaskFromPrefixLength(parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 24);
                break;
            case "--gateway": settings.Gateway = Address("gateway"); break;
            case "--dns": settings.Dns = Address("DNS server"); break;
            case "--ntp": settings.Ntp = Address("NTP server"); break;
            case "--hostname": settings.HostName = Value(); break;
            case "--sessions": settings.Sessions = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--duration": duration = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-h" or "--help":
                Console.Write(Usage);
                return 0;
            default:
                throw new ArgumentException($"unknown argument: {args[i]} (try --help)");
        }
    }

    if (profile is null)
    {
        throw new ArgumentException("--board is required (rpi-enc28j60 or rpi-w5500)");
    }

    settings.CheckBudget(settings.StackOptions());
}
catch (Exception error) when (error is ArgumentException or FormatException)
{
    Console.Error.WriteLine("error: " + error.Message);
    return 2;
}

try
{
    using var gpio = new GpioController();
    using var pins = new LinuxBoardPins(gpio, profile);
    using var bus = LinuxSpiBus.Open(profile);
    pins.HardReset();
    var clock = new SystemClock();
    var mac = profile.MacFor(UniqueId());
    var board = BoardRuntime.Create(profile.Chip, bus, mac, clock, settings)
        ?? throw new IOException($"no {profile.Chip} answers on spidev{profile.SpiBus}.{profile.ChipSelectPin} (wiring, power, or the other chip?)");
    if (!board.Start())
    {
        throw new IOException("the firmware could not open its services");
    }

    Console.WriteLine($"{profile.Description}: MAC {mac}, SPI {profile.ClockHz / 1e6:0.#} MHz; serving echo 7, discard 9, chargen 19, HTTP 80");
    board.Log = new ConsoleLog();
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    long end = duration > 0 ? clock.NowMilliseconds + (long)(duration * 1000) : long.MaxValue;
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
