using IoTStack.Emulator;
using IoTStack.Emulator.Pcap;

// Until the emulator runs a stack (issue 6), the run command shows the wire layer at work:
// it builds a short conversation, reads every frame back through the parsers, and can save it as pcap.
string? pcapPath = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pcap" when i + 1 < args.Length:
            pcapPath = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: IoTStack.Emulator [--pcap FILE]");
            Console.WriteLine("  Builds a conversation between a peer (192.0.2.1) and the board (192.0.2.2) with the");
            Console.WriteLine("  wire layer, prints each frame as read back by its parsers, and writes FILE as pcap.");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument: {args[i]} (try --help)");
            return 2;
    }
}

var frames = WireDemo.Conversation();
using var pcap = pcapPath is null ? null : PcapWriter.Create(pcapPath);
long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
for (int i = 0; i < frames.Count; i++)
{
    Console.WriteLine($"{i + 1,3}  {frames[i].Length,4} bytes  {FrameDescription.Describe(frames[i], frames[i].Length)}");
    pcap?.WriteFrame(frames[i], timestamp + i * 1000L);
}

if (pcapPath is not null)
{
    Console.WriteLine($"wrote {frames.Count} frames to {pcapPath} (open it with wireshark or tshark -r)");
}

return 0;
