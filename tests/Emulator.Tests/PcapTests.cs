using System.Buffers.Binary;
using IoTStack.Emulator.Pcap;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator.Tests;

public sealed class PcapTests : IDisposable
{
    // Wireshark's expert severities (epan/proto.h): PI_NOTE 0x00400000, PI_WARN 0x00600000, PI_ERROR 0x00800000.
    private const int ExpertWarning = 0x00600000;

    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-pcap-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(IReadOnlyList<byte[]> frames)
    {
        string path = Path.Combine(_directory, "capture.pcap");
        using var writer = PcapWriter.Create(path);
        for (int i = 0; i < frames.Count; i++)
        {
            writer.WriteFrame(frames[i], 1_700_000_000_000_000L + i * 1500);
        }

        return path;
    }

    [Fact]
    public void File_header_is_classic_libpcap_for_ethernet_with_microseconds()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            writer.WriteFrame(new byte[60], 3_000_000_250);
        }

        var bytes = stream.ToArray();
        Assert.Equal(24 + 16 + 60, bytes.Length);
        Assert.Equal(0xA1B2C3D4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal((ushort)2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal((ushort)4, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal(65535u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)));
        Assert.Equal(3000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(250u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal(60u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(60u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(36)));
    }

    [Fact]
    public void Frames_beyond_the_snap_length_keep_their_original_length()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            writer.WriteFrame(new byte[70000], 0);
        }

        var bytes = stream.ToArray();
        Assert.Equal(65535u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(32)));
        Assert.Equal(70000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(36)));
        Assert.Equal(24 + 16 + 65535, bytes.Length);
    }

    [Fact]
    public void Tshark_reads_our_frames_with_good_checksums_and_no_expert_warnings()
    {
        var frames = WireDemo.Conversation();
        var rows = Tshark.Fields(Write(frames), "frame.number", "frame.len", "_ws.malformed", "_ws.expert.severity",
            "ip.checksum.status", "icmp.checksum.status", "udp.checksum.status", "tcp.checksum.status");

        Assert.Equal(frames.Count, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            Assert.Equal(frames[i].Length.ToString(), row[1]);
            Assert.True(row[2].Length == 0, $"frame {i + 1} is malformed to tshark");
            var severities = row[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);
            Assert.True(severities.All(s => s < ExpertWarning), $"frame {i + 1} has expert severity {row[3]}");
            foreach (var status in row[4..].SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                // 0 is bad; 2 (unverified) is only the UDP header quoted, cut short, inside the ICMP error.
                Assert.True(status != "0", $"frame {i + 1} has a bad checksum: {string.Join(" ", row)}");
            }
        }

        Assert.Equal(10, rows.Count(r => r[4].Split(',').Contains("1")));
        Assert.Equal(4, rows.Count(r => r[7] == "1"));
    }

    [Fact]
    public void Tshark_reads_our_field_values()
    {
        var rows = Tshark.Fields(Write(WireDemo.Conversation()), "arp.opcode", "ip.src", "ip.dst", "ip.ttl", "ip.flags.df",
            "icmp.type", "icmp.code", "udp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.timestamp.tsval", "tcp.len");
        Assert.Equal(["1", "", "", "", "", "", "", "", "", "", "", "", "", ""], rows[0]);
        Assert.Equal("2", rows[1][0]);
        Assert.Equal(["", "192.0.2.1", "192.0.2.2", "64", "1", "8", "0"], rows[2][..7]);
        Assert.Equal(["0", "0"], rows[3][5..7]);
        Assert.Equal("7", rows[4][7]);
        Assert.Equal(["3", "3"], rows[7][5..7]);
        Assert.Equal(["1", "0", "1460", "7", "1000", "0"], rows[8][8..]);
        Assert.Equal(["1", "1", "1460", "2", "5000", "0"], rows[9][8..]);
        Assert.Equal("35", rows[11][13]);
    }

    [Fact]
    public void Tshark_flags_a_frame_whose_tcp_checksum_we_broke()
    {
        // The control case: the checks above can fail.
        var frames = WireDemo.Conversation().Select(f => (byte[])f.Clone()).ToList();
        var syn = frames[8];
        syn[14 + 20 + 16] ^= 0x55;
        var rows = Tshark.Fields(Write(frames), "tcp.checksum.status", "_ws.expert.severity");
        Assert.Equal("0", rows[8][0]);
        Assert.Contains(rows[8][1].Split(','), s => int.Parse(s) >= ExpertWarning);
        Assert.Equal(WireError.BadChecksum, TcpSegment.TryParse(syn, 34, syn.Length - 34, WireDemo.PeerIp, WireDemo.BoardIp, out _));
    }
}
