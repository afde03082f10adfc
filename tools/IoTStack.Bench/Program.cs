using IoTStack.Boards;
using System.Diagnostics;
using System.Runtime.InteropServices;
using IoTStack.Bench;
using IoTStack.Net;

// The bench: every issue 9 figure beside its reference, as tools/IoTStack.Bench/report/report.md, report.json
// and plots. Run as root for the TAP and veth figures:  sudo dotnet run -c Release --project tools/IoTStack.Bench
// Options: --quick (smaller transfers, no BenchmarkDotNet), --out DIR.
bool quick = args.Contains("--quick");
string? only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault(); // one figure's number, for working on it
bool Wanted(string number) => only is null || only == number;
string root = FindRoot();
string output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine(root, "tools", "IoTStack.Bench", "report");
Directory.CreateDirectory(output);
var report = new Report { Commit = Commit(root), Machine = Machine() };
int megabytes = quick ? 20 : 100;

// 1 and 7: through real Linux.
var tap = report.Add("1", "Goodput over TAP between the emulated board and Linux, against Linux to Linux over veth",
    $"nc into the board's discard (board receives) and out of its chargen (board sends), {megabytes} MB each, per chip; the reference is nc between two namespaces over a veth pair in the same run. The emulator runs the chip model, driver, stack and firmware on one core of the desktop, so this is that core's bound, not a board's (figure 3 gives a board's).");
var latency = report.Add("7", "Latency: ping round trip through the emulator over TAP, against veth",
    "200 pings of 56 bytes, 5 ms apart; the average round trip.");
if (!Wanted("1"))
{
}
else if (Tap.Unavailable() is { } reason)
{
    tap.Notes.Add($"Not measured in this run: {reason}.");
    latency.Notes.Add($"Not measured in this run: {reason}.");
}
else
{
    latency.Notes.Add("Most of the emulator's round trip is its own loop: idle, it sleeps a millisecond at a time to give the core back (TapMode), so a ping waits half of that on average.");
    var veth = Tap.Veth(megabytes * 5);
    var bars = new List<(string, double)> { ("veth (Linux)", veth.BoardReceivesMBps) };
    foreach (var chip in new[] { ChipNames.Enc28j60, ChipNames.W5500, ChipNames.W5500Sockets })
    {
        var board = Tap.Emulator(chip, megabytes);
        foreach (var (direction, value, reference) in new[] { ("board receives", board.BoardReceivesMBps, veth.BoardReceivesMBps), ("board sends", board.BoardSendsMBps, veth.BoardSendsMBps) })
        {
            tap.Figures.Add(new Figure($"{chip}, {direction}", value, "MB/s") { Reference = reference, ReferenceName = "veth", Target = "at least half of veth", Met = value >= reference / 2 });
        }

        latency.Figures.Add(new Figure($"{chip} round trip", board.RoundTripMs, "ms") { Reference = veth.RoundTripMs, ReferenceName = "veth" });
        bars.Add(($"{chip} rx", board.BoardReceivesMBps));
        bars.Add(($"{chip} tx", board.BoardSendsMBps));
    }

    tap.Notes.Add("Missed by far, and it will stay so: veth moves memory between two kernel sockets at several GB/s, while every frame to the emulated board crosses /dev/net/tun, a virtual switch, a register-level chip model driven byte by byte over a modeled SPI bus, the driver and the stack, all on one core. The figure that matters for a board is figure 3's bus ceiling; this one shows the emulator is fast enough to test with.");
    tap.Plots.Add(Plots.Bars(output, "tap-goodput.png", "Goodput over TAP (MB/s)", "MB/s", bars));
}

// 2: in process.
var inProcess = report.Add("2", "In-process goodput between two stacks on a cable, and time per packet",
    $"Two NetStacks joined by a cable of preallocated frame buffers (no chip model, no switch), 32 KB TCP buffers; {megabytes * 5} MB one way in wall time. Time per full-size segment is what the sending stack's calls took (its send path) and what the receiving stack's calls took (its receive path, with the ACKs it sends), over the data segments. Small packets: 64-byte UDP datagrams.");
if (Wanted("2"))
{
var bulk = InProcess.TcpBulk(megabytes * 5_000_000L);
inProcess.Figures.Add(new Figure("TCP goodput", bulk.MegabytesPerSecond * 8 / 1000, "Gbit/s") { Target = "at least 1 Gbit/s", Met = bulk.MegabytesPerSecond * 8 / 1000 >= 1 });
inProcess.Figures.Add(new Figure("full-size segment, send path", bulk.SendMicrosecondsPerSegment, "µs"));
inProcess.Figures.Add(new Figure("full-size segment, receive path", bulk.ReceiveMicrosecondsPerSegment, "µs"));
var small = InProcess.UdpSmall(quick ? 100_000 : 500_000);
inProcess.Figures.Add(new Figure("64-byte UDP packet, send path", small.SendMicrosecondsPerPacket, "µs"));
inProcess.Figures.Add(new Figure("64-byte UDP packet, receive path", small.ReceiveMicrosecondsPerPacket, "µs"));
inProcess.Figures.Add(new Figure("64-byte UDP packets", small.PacketsPerSecond, "packets/s"));
inProcess.Plots.Add(Plots.Bars(output, "in-process-time.png", "Time per packet in process (µs)", "µs",
    [("segment send", bulk.SendMicrosecondsPerSegment), ("segment receive", bulk.ReceiveMicrosecondsPerSegment), ("64 B send", small.SendMicrosecondsPerPacket), ("64 B receive", small.ReceiveMicrosecondsPerPacket)]));
}

// 3: the bus.
var bus = report.Add("3", "Bus cost per full-size frame, and the goodput ceiling it sets",
    "1,514-byte frames through each driver on its register-level model; SPI bytes clocked (commands, registers, pointers and the frame) per frame byte, from the model's bus meter. Bus time and ceiling at the datasheets' maximum clocks (ENC28J60 20 MHz; W5500 80 MHz theoretical, 33 MHz as WIZnet guarantees it), against the wire: 10BASE-T 1.187 MB/s for the ENC28J60, 100BASE-TX 11.87 MB/s for the W5500.");
var ceilings = new List<(string, double)>();
foreach (var cost in Wanted("3") ? BusCost.Measure(quick ? 200 : 1000) : [])
{
    bus.Figures.Add(new Figure($"{cost.Chip}, receive", cost.ReceiveBytesPerFrameByte, "SPI bytes per frame byte") { Target = "at most 1.03", Met = cost.ReceiveBytesPerFrameByte <= 1.03 });
    bus.Figures.Add(new Figure($"{cost.Chip}, send", cost.SendBytesPerFrameByte, "SPI bytes per frame byte") { Target = "at most 1.03", Met = cost.SendBytesPerFrameByte <= 1.03 });
    double wire = cost.Chip == ChipNames.Enc28j60 ? 1.187 : 11.87;
    foreach (var hz in cost.Chip == ChipNames.Enc28j60 ? new[] { 20e6 } : new[] { 80e6, 33e6 })
    {
        double worst = Math.Max(cost.ReceiveBytesPerFrameByte, cost.SendBytesPerFrameByte);
        double microseconds = 1514 * worst * 8 / hz * 1e6;
        double ceiling = hz / 8 / worst / 1e6;
        bus.Figures.Add(new Figure($"{cost.Chip} at {hz / 1e6:0} MHz: bus time per frame", microseconds, "µs"));
        bus.Figures.Add(new Figure($"{cost.Chip} at {hz / 1e6:0} MHz: goodput ceiling", ceiling, "MB/s") { Reference = wire, ReferenceName = cost.Chip == ChipNames.Enc28j60 ? "10BASE-T" : "100BASE-TX" });
        ceilings.Add(($"{cost.Chip} {hz / 1e6:0} MHz", ceiling));
    }
}

bus.Notes.Add("A ceiling above the wire's means the bus is not what limits a board; the MCU's time per packet (figure 2, on a desktop core; an ESP32 is roughly 50 to 100 times slower in nanoFramework's interpreter) is.");
bus.Plots.Add(Plots.Bars(output, "bus-ceiling.png", "Goodput ceiling the SPI bus sets (MB/s)", "MB/s", ceilings));

// 4: memory.
var memory = report.Add("4", "Memory the stack holds after construction",
    "Bytes allocated by `new NetStack(options, ...)` (desktop .NET, object headers included), against the buffers the options ask for: socket rings, frame and packet buffers (ARP and loopback queues, receive and transmit frames, TCP segment, ping), reassembly. The rest, tables and control blocks, is the overhead.");
foreach (var (name, options) in !Wanted("4") ? [] : new[] { ("default (4 TCP connections of 2 KB + 2 KB, 2 listeners, 4 UDP and 1 raw socket of 2 KB)", new NetStackOptions()), ("small (4 TCP connections of 1 KB + 1 KB, 1 listener, 2 UDP sockets of 1 KB, NetStackOptions.Small())", NetStackOptions.Small()) })
{
    var footprint = IoTStack.Emulator.StackFootprint.Measure(options);
    bool isSmall = name.StartsWith("small", StringComparison.Ordinal);
    memory.Figures.Add(new Figure($"{name}: total", footprint.Total / 1024.0, "KB") { Reference = footprint.Requested / 1024.0, ReferenceName = "buffers asked for" });
    memory.Figures.Add(new Figure($"{name}: socket rings", footprint.SocketRings / 1024.0, "KB"));
    memory.Figures.Add(new Figure($"{name}: frame and packet buffers", footprint.FrameAndPacketBuffers / 1024.0, "KB"));
    memory.Figures.Add(new Figure($"{name}: reassembly", footprint.Reassembly / 1024.0, "KB"));
    double overhead = 100.0 * footprint.Overhead / footprint.Requested;
    memory.Figures.Add(new Figure($"{name}: tables and control blocks", footprint.Overhead / 1024.0, "KB") { Note = $"{overhead:0.0}% over the buffers", Target = isSmall ? "within 15%" : null, Met = isSmall ? overhead <= 15 : null });
}

// 5: allocation.
var allocation = report.Add("5", "Bytes allocated per packet after start-up",
    "Each path run 500 times to warm up, then 20,000 times, GC.GetAllocatedBytesForCurrentThread around them. The test suite holds the same gate (tests/Stack.Tests AllocationTests, TcpAllocationTests, FirmwareTests, the services' tests).");
foreach (var (path, bytes) in Wanted("5") ? InProcess.Allocations(20_000) : [])
{
    allocation.Figures.Add(new Figure(path, bytes, "bytes per packet") { Target = "0", Met = bytes == 0 });
}

// 6: loss.
int lossMegabytes = quick ? 10 : 20;
var loss = report.Add("6", "Goodput with loss on the virtual wire, against lossless",
    $"TCP, {lossMegabytes} MB one way between two stacks on the virtual switch with 1 ms of delay each way, its clock following the wall clock (so retransmission timers cost real time); each loss rate applies to every frame, both directions; three seeds each, the median.");
if (Wanted("6"))
{
InProcess.Lossy Median(double rate) => new[] { 1, 2, 3 }.Select(seed => InProcess.LossyGoodput(rate, lossMegabytes * 1_000_000L, seed)).OrderBy(r => r.MegabytesPerSecond).ElementAt(1);
double lossless = Median(0).MegabytesPerSecond;
var lossBars = new List<(string, double)> { ("0%", lossless) };
loss.Figures.Add(new Figure("lossless", lossless, "MB/s"));
foreach (var rate in new[] { 0.01, 0.05 })
{
    var run = Median(rate);
    double goodput = run.MegabytesPerSecond;
    loss.Notes.Add($"{rate:P0} loss: {run.Timeouts} retransmission timeouts, {run.FastRetransmits} fast retransmits, {run.Retransmitted} segments sent again.");
    loss.Figures.Add(new Figure($"{rate:P0} loss", goodput, "MB/s") { Reference = lossless, ReferenceName = "lossless", Target = rate == 0.01 ? "at least 70% of lossless" : null, Met = rate == 0.01 ? goodput >= 0.7 * lossless : null });
    lossBars.Add(($"{rate:P0}", goodput));
}

loss.Plots.Add(Plots.Bars(output, "loss.png", "TCP goodput on the virtual wire by loss (MB/s)", "MB/s", lossBars));
}

// 9: MQTT.
if (Wanted("9"))
{
    var mqtt = report.Add("9", "MQTT messages per second in process",
        "The MQTT client (5.0, in-flight window 8, 32-byte payloads to one topic) publishing as fast as it may to a broker that takes every message, two stacks on a cable in wall time; the desktop's rate. On a board the cost per message is the cost model's (tools/IoTStack.CostModel): IL per QoS 0 and QoS 1 echo, with TCP/IP and the chip, in its report and tests/CostModel.Tests.");
    foreach (int qos in new[] { 0, 1, 2 })
    {
        var rate = MqttBench.Publish(qos, quick ? 20_000 : 100_000);
        mqtt.Figures.Add(new Figure($"QoS {qos} publish", rate.MessagesPerSecond, "messages/s") { Note = $"{rate.Messages:N0} messages in {rate.Seconds:F2} s" });
    }
}

// 10: TLS.
if (Wanted("10") && !OperatingSystem.IsWindows())
{
    var tls = report.Add("10", "TLS client: handshake time, record throughput and memory per connection",
        "The TLS 1.3 client with the device's own crypto (X25519 and P-256 key exchange, X.509 chain and CertificateVerify through CertificateAuthenticator and its SignatureVerifier, SHA-256, HKDF, AES-128-GCM, ChaCha20-Poly1305) on one desktop core. A handshake replays a server flight recorded from .NET's SslStream in memory for a client whose ClientHello a seed fixes, so the time is the client's alone (the median of several, after 40 to warm the JIT up); the server sends one certificate signed by the trusted CA. Records: 4,096-byte records through TlsClient.Write, and the AEAD alone sealing and opening them. Memory: one client per RecordSize x HandshakeBufferSize, bytes its construction allocates on CoreCLR and its object graph by nanoCLR's layout (NanoClrHeap). A board's cost is the cost model's (tools/IoTStack.CostModel, chip \"tls\"): IL per handshake and per record.");
    foreach (var time in TlsBench.Handshakes(quick ? 5 : 25))
    {
        tls.Figures.Add(new Figure($"{time.Case.HandshakeName}: client handshake", time.MedianMilliseconds, "ms") { Note = $"median of {time.Runs}" });
    }

    foreach (var rate in TlsBench.Records(quick ? 8 : 40))
    {
        tls.Figures.Add(new Figure(rate.Name, rate.MegabytesPerSecond, "MB/s"));
    }

    foreach (var footprint in TlsBench.Footprints())
    {
        string profile = $"RecordSize {footprint.RecordSize}, HandshakeBufferSize {footprint.HandshakeBufferSize}: one client";
        tls.Figures.Add(new Figure(profile + ", CoreCLR", footprint.CoreClrBytes, "bytes"));
        tls.Figures.Add(new Figure(profile + ", nanoCLR heap", footprint.NanoClrBytes, "bytes"));
    }

    tls.Notes.Add($"Once per board, not per connection: the X25519 and P-256 key exchanges, the signature verifier and a certificate validator for chains of 4 take {TlsBench.SharedNanoClrBytes():N0} bytes of nanoCLR heap; the static tables of the TLS and crypto assemblies {TlsBench.StaticNanoClrBytes():N0} bytes.");
}

if (!quick && Wanted("8"))
{
    var micro = report.Add("8", "Micro-benchmarks (BenchmarkDotNet, short run)", "Per-packet work on its own: the Internet checksum and parsing a full-size frame's headers with its checksum check.");
    foreach (var (name, nanoseconds, allocated) in WireBenchmarks.Run())
    {
        micro.Figures.Add(new Figure(name, nanoseconds, "ns") { Note = $"{allocated} bytes allocated" });
    }
}

report.Write(output);
Console.WriteLine(report.Markdown());
Console.WriteLine($"wrote {Path.Combine(output, "report.md")}, report.json and the plots");
return 0;

static string FindRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "IoTStack.sln")))
        {
            return directory.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

static string Commit(string root)
{
    try
    {
        var start = new ProcessStartInfo("git", "describe --always --dirty") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var git = Process.Start(start)!;
        string commit = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return commit.Length > 0 ? commit : "unknown";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown";
    }
}

static string Machine()
{
    string cpu = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";
    return $"{cpu}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
}
