using System.Globalization;
using IoTStack.Emulator;
using IoTStack.Emulator.Network;
using IoTStack.Emulator.Pcap;
using IoTStack.Net.Wire;

// The emulator. With --tap NAME the firmware runs on an emulated board (chip model, driver, stack) bridged
// to a Linux TAP device, so ping, curl, nc, nmap and Wireshark are its peers. Without --tap it shows the
// stack at work on a virtual switch (ping, UDP echo, a closed port); --wire prints a hand-built
// conversation read back through the wire layer. --pcap saves what crossed the wire.
const string Usage = """
usage: IoTStack.Emulator [options]
  --tap NAME            bridge the board to Linux TAP device NAME (attached if it exists, else created; needs root)
  --board NAME          start as that board's image: its chip, MAC and shipped settings (esp32-devkitc-w5500 is
                        the ESP32 image: W5500, DHCP as iotstack, 4 sessions, 1 KB rings); other options then change them
  --chip CHIP           enc28j60 (default), w5500 (MACRAW under IoTStack) or w5500-sockets (the chip's TCP/IP)
  --ip A.B.C.D/N        the board's address (default 192.0.2.2/24)
  --gateway A.B.C.D     default gateway (default none)
  --dhcp                take the address, gateway, DNS and NTP servers by DHCP instead of --ip
  --hostname NAME       the board's name: sent to DHCP (option 12) and answered by mDNS as NAME.local
  --dns A.B.C.D         a DNS server for the board's resolver (GET /resolve?name=...)
  --ntp A.B.C.D         an NTP server to set the board's clock from (SNTP)
  --mac XX:XX:XX:XX:XX:XX  the board's MAC (default 02:00:00:00:00:02)
  --sessions N          connections the firmware serves at once (default 8; the stack gets 2 more, its listeners
                        and the UDP sockets the services need)
  --rx-buffer BYTES --tx-buffer BYTES   each TCP connection's rings (default 8192, 8192)
  --spi-hz HZ           the modeled SPI clock for bus-time figures (default: the chip's maximum, 20 or 80 MHz)
  --loss P --duplicate P --reorder P --corrupt P --delay MS --seed N   faults on the board's wire
  --duration S          stop after S seconds (default: run until Ctrl-C)
  --pcap FILE           every frame on the board's wire, for Wireshark or tshark -r
                        (without --tap the demo writes one anyway, to the temporary directory)
  --wire                without --tap: print a hand-built conversation decoded by the wire layer
Without --tap: the firmware on an emulated board (192.0.2.2, --chip) and a client stack (192.0.2.1) on a
virtual switch, in virtual time: pings, UDP and TCP echo, a closed port, HTTP downloads, with a live socket
table and counters on a terminal; exits 0 if every step worked.
""";

string? pcapPath = null;
string? tapName = null;
bool wire = false;
double duration = 0;
int seed = 1;
var board = new BoardOptions();
var faults = new LinkFaults();
try
{
    // --board first, wherever it stands: the other options change the profile's settings.
    int boardAt = Array.IndexOf(args, "--board");
    if (boardAt >= 0)
    {
        string profileName = boardAt + 1 < args.Length ? args[boardAt + 1] : throw new ArgumentException("--board needs a value");
        board.UseProfile(IoTStack.Boards.BoardProfiles.Find(profileName) ?? throw new ArgumentException(
            $"unknown board '{profileName}' (one of {string.Join(", ", IoTStack.Boards.BoardProfiles.All.Select(p => p.Name))})"));
    }

    for (int i = 0; i < args.Length; i++)
    {
        string Value()
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value");
            }

            return args[++i];
        }

        string name = args[i];
        switch (name)
        {
            case "--pcap": pcapPath = Value(); break;
            case "--wire": wire = true; break;
            case "--tap": tapName = Value(); break;
            case "--board": Value(); break;
            case "--chip":
                board.Chip = Value();
                if (Array.IndexOf(BoardOptions.Chips, board.Chip) < 0)
                {
                    throw new ArgumentException($"unknown chip '{board.Chip}' (one of {string.Join(", ", BoardOptions.Chips)})");
                }

                break;
            case "--ip":
            {
                string text = Value();
                string[] parts = text.Split('/');
                if (!IPv4Address.TryParse(parts[0], out var address) || parts.Length > 2
                    || (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix < 1 || prefix > 30)))
                {
                    throw new ArgumentException($"bad address '{text}' (want A.B.C.D/N, N from 1 to 30)");
                }

                board.Settings.Address = address;
                board.Settings.SubnetMask = IPv4Address.MaskFromPrefixLength(parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 24);
                break;
            }

            case "--gateway":
            {
                string text = Value();
                board.Settings.Gateway = IPv4Address.TryParse(text, out var gateway) ? gateway : throw new ArgumentException($"bad gateway '{text}'");
                break;
            }

            case "--dhcp": board.Settings.Dhcp = true; break;
            case "--hostname":
            {
                string text = Value();
                board.Settings.HostName = text.Length is > 0 and <= 57 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && text[0] != '-' && text[^1] != '-'
                    ? text
                    : throw new ArgumentException($"bad host name '{text}' (1 to 57 letters, digits and inner hyphens)");
                break;
            }

            case "--dns":
            {
                string text = Value();
                board.Settings.Dns = IPv4Address.TryParse(text, out var dns) ? dns : throw new ArgumentException($"bad DNS server '{text}'");
                break;
            }

            case "--ntp":
            {
                string text = Value();
                board.Settings.Ntp = IPv4Address.TryParse(text, out var ntp) ? ntp : throw new ArgumentException($"bad NTP server '{text}'");
                break;
            }

            case "--mac":
            {
                string text = Value();
                board.Mac = MacAddress.TryParse(text, out var mac) && !mac.IsMulticast ? mac : throw new ArgumentException($"bad MAC '{text}' (want a unicast XX:XX:XX:XX:XX:XX)");
                break;
            }

            case "--sessions": board.Settings.Sessions = Integer(name, Value()); break;
            case "--rx-buffer": board.Settings.TcpReceiveBufferSize = Integer(name, Value()); break;
            case "--tx-buffer": board.Settings.TcpTransmitBufferSize = Integer(name, Value()); break;
            case "--loss": faults.Loss = Probability(name, Value()); break;
            case "--duplicate": faults.Duplicate = Probability(name, Value()); break;
            case "--reorder": faults.Reorder = Probability(name, Value()); break;
            case "--corrupt": faults.Corrupt = Probability(name, Value()); break;
            case "--delay": faults.DelayMs = Integer(name, Value()); break;
            case "--seed": seed = Integer(name, Value()); break;
            case "--spi-hz":
                board.SpiHz = Integer(name, Value());
                if (board.SpiHz < 1000)
                {
                    throw new ArgumentException($"--spi-hz wants at least 1000 Hz, not {board.SpiHz}");
                }

                break;
            case "--duration": duration = Integer(name, Value()); break;
            case "-h" or "--help":
                Console.Write(Usage);
                return 0;
            default:
                throw new ArgumentException($"unknown argument: {name} (try --help)");
        }
    }

    // The stack's own rules for its sizes and the budget of the settings, checked before anything starts.
    board.Settings.CheckBudget(Board.StackOptions(board));
}
catch (ArgumentException error)
{
    Console.Error.WriteLine("error: " + error.Message);
    return 2;
}

if (tapName is null && !wire && pcapPath is null)
{
    pcapPath = Path.Combine(Path.GetTempPath(), "iotstack-demo.pcap"); // the demo always leaves its capture behind
}

using var pcap = pcapPath is null ? null : PcapWriter.Create(pcapPath);
bool ok = true;
if (tapName is not null)
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    // SIGTERM (kill, systemd, a script's background job, which ignores SIGINT) stops as cleanly as Ctrl-C.
    using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });
    try
    {
        ok = new TapMode(board, tapName, faults, seed).Run(pcap, duration, Console.Out, stop.Token) == 0;
    }
    catch (Exception error) when (error is IOException or ArgumentException or InvalidOperationException)
    {
        Console.Error.WriteLine("error: " + error.Message);
        return 1;
    }
}
else if (wire)
{
    var frames = WireDemo.Conversation();
    long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    for (int i = 0; i < frames.Count; i++)
    {
        Console.WriteLine($"{i + 1,3}  {frames[i].Length,4} bytes  {FrameDescription.Describe(frames[i], frames[i].Length)}");
        pcap?.WriteFrame(frames[i], timestamp + i * 1000L);
    }
}
else
{
    var demo = new StackDemo(pcap, board.Chip, board.SpiHz);
    if (Console.IsOutputRedirected || Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive == false)
    {
        ok = demo.Run(Console.Out);
    }
    else
    {
        ok = LiveDemo.Run(demo, Spectre.Console.AnsiConsole.Console);
        Console.WriteLine(ok ? "every step worked" : "a step FAILED");
    }
}

if (pcap is not null)
{
    Console.WriteLine($"wrote {pcap.FrameCount} frames to {pcapPath} (open it with wireshark or tshark -r)");
}

return ok ? 0 : 1;

static int Integer(string name, string text) =>
    int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : throw new ArgumentException($"{name} wants a whole number, not '{text}'");

static double Probability(string name, string text) =>
    double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0 && value <= 1
        ? value
        : throw new ArgumentException($"{name} wants a probability from 0 to 1, not '{text}'");
