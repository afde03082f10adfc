using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using IoTStack.Net;
using IoTStack.Net.Wire;

namespace IoTStack.Bench;

/// <summary>Micro-benchmarks of the per-packet work (BenchmarkDotNet, short runs): checksum and header parsing.</summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private readonly byte[] _segment = new byte[14 + 20 + 32 + 1448]; // a full-size frame: TCP with timestamps, 1,448 bytes of data
    private readonly IPv4Address _source = new(192, 0, 2, 1);
    private readonly IPv4Address _destination = new(192, 0, 2, 2);

    public WireBenchmarks()
    {
        new Random(1).NextBytes(_segment);
        EthernetFrame.WriteHeader(_segment, 0, new MacAddress(2, 0, 0, 0, 0, 2), new MacAddress(2, 0, 0, 0, 0, 1), EtherType.IPv4);
        Ipv4Packet.WriteHeader(_segment, 14, _source, _destination, IpProtocol.Tcp, 32 + 1448, 1, 64, dontFragment: true);
        TcpSegment.WriteHeader(_segment, 34, 40000, 80, 1000, 2000, TcpFlags.Ack, 65535, 12);
        _segment[34 + 20] = 1; // NOP NOP, timestamps (RFC 7323)
        _segment[34 + 21] = 1;
        _segment[34 + 22] = 8;
        _segment[34 + 23] = 10;
        TcpSegment.FillChecksum(_segment, 34, 32 + 1448, _source, _destination);
    }

    [Benchmark(Description = "Internet checksum, 1,460 bytes")]
    public ushort Checksum() => InternetChecksum.Complement(InternetChecksum.Add(0, _segment, 54, 1460));

    // The views the stack's layers reuse for every packet (TryParse would make new ones each time).
    private readonly EthernetFrame _frame = new();
    private readonly Ipv4Packet _ip = new();
    private readonly TcpSegment _tcp = new();

    [Benchmark(Description = "Ethernet + IPv4 + TCP parse and checksum check, full-size segment")]
    public int ParseSegment()
    {
        _frame.Parse(_segment, 0, _segment.Length);
        _ip.Parse(_segment, _frame.PayloadOffset, _frame.PayloadLength);
        _tcp.Parse(_segment, _ip.PayloadOffset, _ip.PayloadLength, _ip.SourceValue, _ip.DestinationValue);
        return _tcp.PayloadLength;
    }

    public static IEnumerable<(string Name, double Nanoseconds, long AllocatedBytes)> Run()
    {
        var config = ManualConfig.CreateMinimumViable().AddJob(Job.ShortRun).WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<WireBenchmarks>(config);
        foreach (var report in summary.Reports)
        {
            var mean = report.ResultStatistics?.Mean ?? double.NaN;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            yield return (report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo, mean, allocated);
        }
    }
}
