using IoTStack.Emulator;
using IoTStack.Emulator.Pcap;

// Until the emulator runs the firmware over TAP (issue 6), the run command shows the stack at work: two
// stacks on the virtual switch (ping, UDP echo, a closed port), then, with --wire, the frames of a
// hand-built conversation read back through the wire layer. --pcap saves what crossed the wire.
string? pcapPath = null;
bool wire = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pcap" when i + 1 < args.Length:
            pcapPath = args[++i];
            break;
        case "--wire":
            wire = true;
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: IoTStack.Emulator [--pcap FILE] [--wire]");
            Console.WriteLine("  Runs two stacks on a virtual switch: a board (192.0.2.2) serving UDP echo and a client");
            Console.WriteLine("  (192.0.2.1) that pings it and talks to it. --pcap FILE saves every frame for Wireshark;");
            Console.WriteLine("  --wire prints a hand-built conversation decoded by the wire layer instead.");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument: {args[i]} (try --help)");
            return 2;
    }
}

using var pcap = pcapPath is null ? null : PcapWriter.Create(pcapPath);
bool ok = true;
if (wire)
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
    ok = new StackDemo(pcap).Run(Console.Out);
}

if (pcap is not null)
{
    Console.WriteLine($"wrote {pcap.FrameCount} frames to {pcapPath} (open it with wireshark or tshark -r)");
}

return ok ? 0 : 1;
