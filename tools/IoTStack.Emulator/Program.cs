using System.Globalization;
using IoTStack.Boards;
using IoTStack.Boards.CommandLine;
using IoTStack.Emulator;
using IoTStack.Emulator.Network;
using IoTStack.Emulator.Pcap;

// The emulator. With --tap NAME the firmware runs on an emulated board (chip model, driver, stack) bridged
// to a Linux TAP device, so ping, curl, nc, nmap and Wireshark are its peers. Without --tap it shows the
// stack at work on a virtual switch (ping, UDP echo, a closed port); --wire prints a hand-built
// conversation read back through the wire layer. --pcap saves what crossed the wire.
const string Usage = """
usage: IoTStack.Emulator [options]
  --tap NAME            bridge the board to Linux TAP device NAME (attached if it exists, else created; needs root)
  --pcap FILE           every frame on the board's wire, for Wireshark or tshark -r
                        (without --tap the demo writes one anyway, to the temporary directory)
  --wire                without --tap: print a hand-built conversation decoded by the wire layer
  --loss P --duplicate P --reorder P --corrupt P --delay MS --seed N   faults on the board's wire
With --tap, lines on standard input change the running board: "join GROUP" and "leave GROUP" make the UDP
echo join or leave a multicast group (as --join does at start).
The board (the same options as the Linux board's, parsed by IoTStack.Boards.CommandLine):
""" + "\n" + BoardCommandLine.OptionsHelp + """
The emulator's own board: --chip enc28j60, 192.0.2.2/24, 8 sessions over 8192-byte rings, the chip's maximum SPI
clock for the bus-time figures. --board esp32-devkitc-w5500 is the ESP32 image: W5500, DHCP as iotstack,
3 sessions, 1 KB rings.
Without --tap: the firmware on an emulated board (192.0.2.2, --chip) and a client stack (192.0.2.1) on a
virtual switch, in virtual time: pings, UDP and TCP echo, a closed port, HTTP downloads, with a live socket
table and counters on a terminal; exits 0 if every step worked.
""" + "\n";

string? pcapPath = null;
string? tapName = null;
bool wire = false;
int seed = 1;
BoardCommandLine board;
var faults = new LinkFaults();
try
{
    board = BoardCommandLine.Parse(args, profile => BoardProfiles.ShippedSettings(profile ?? BoardProfiles.EmulatedEnc28j60), programOption: (name, value) =>
    {
        switch (name)
        {
            case "--pcap": pcapPath = value(); return true;
            case "--wire": wire = true; return true;
            case "--tap": tapName = value(); return true;
            case "--loss": faults.Loss = BoardCommandLine.Probability(name, value()); return true;
            case "--duplicate": faults.Duplicate = BoardCommandLine.Probability(name, value()); return true;
            case "--reorder": faults.Reorder = BoardCommandLine.Probability(name, value()); return true;
            case "--corrupt": faults.Corrupt = BoardCommandLine.Probability(name, value()); return true;
            case "--delay": faults.DelayMs = BoardCommandLine.Integer(name, value()); return true;
            case "--seed": seed = BoardCommandLine.Integer(name, value()); return true;
            default: return false;
        }
    });
    if (board.Help)
    {
        Console.Write(Usage);
        return 0;
    }

    // The stack's own rules for its sizes and the budget of the settings, checked before anything starts.
    board.Settings.CheckBudget(Board.StackOptions(board));
    Board.MqttTransport(board.Settings); // --cert and --key refused here, before anything starts, while this build cannot sign
}
catch (ArgumentException error)
{
    Console.Error.WriteLine("error: " + error.Message);
    return 2;
}

double duration = board.DurationSeconds;
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
        ok = new TapMode(board, tapName, faults, seed).Run(pcap, duration, Console.In, Console.Out, stop.Token) == 0;
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
    var demo = new StackDemo(pcap, board.Settings.Chip, board.Settings.SpiClockHz);
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
