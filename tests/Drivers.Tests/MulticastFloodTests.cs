using IoTStack.Emulator.Chips;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;
using Xunit.Abstractions;

namespace IoTStack.Drivers.Tests;

/// <summary>
/// Issue 20's flood: frames to multicast groups nobody joined arrive on the chip's wire while the driver polls, and the
/// chip's filter decides what crosses SPI. Each driver reaches its chip model through the device's bus path
/// (<see cref="DeviceSpiBus"/>: FullDuplexFrame and one raw transfer a chip select), whose byte counter
/// (<see cref="ChipModel.BytesClocked"/>) is the SPI figure; an idle run of as many polls is the baseline.
/// </summary>
public class MulticastFloodTests(ITestOutputHelper output)
{
    private const int Frames = 2_000;
    private const int FrameLength = 100;
    private static readonly uint Mdns = new IPv4Address(224, 0, 0, 251).Value;

    [Fact]
    public void A_w5500_with_no_group_joined_takes_no_flood_frame_and_moves_no_more_spi_bytes_than_idle()
    {
        var bench = new W5500Bench();
        bench.MacRaw.SetMulticastGroups([], 0);
        var figure = Flood(bench, Ipv4Groups(1));
        Assert.Equal(0, figure.Received);
        Assert.Equal(figure.IdleBytes, figure.FloodBytes);
    }

    [Fact]
    public void A_w5500_with_a_group_joined_lets_every_multicast_frame_cross_for_the_stack_to_filter()
    {
        var bench = new W5500Bench();
        bench.MacRaw.SetMulticastGroups([Mdns], 1);
        var figure = Flood(bench, Ipv4Groups(2));
        Assert.Equal(Frames, figure.Received); // MMB off: the W5500 has no group filter of its own
        Assert.True(figure.FloodBytes > figure.IdleBytes + Frames * FrameLength);
    }

    [Fact]
    public void A_w5500_blocks_an_ipv6_multicast_flood_even_with_a_group_joined()
    {
        var bench = new W5500Bench();
        bench.MacRaw.SetMulticastGroups([Mdns], 1);
        var figure = Flood(bench, Ipv6Groups(3));
        Assert.Equal(0, figure.Received); // MIP6B
        Assert.Equal(figure.IdleBytes, figure.FloodBytes);
    }

    [Fact]
    public void An_enc28j60_without_the_hash_filter_takes_every_flood_frame()
    {
        var bench = new Enc28j60Bench(); // ERXFCON.MCEN until the stack hands over its groups
        var figure = Flood(bench, Ipv4Groups(4));
        Assert.Equal(Frames, figure.Received);
    }

    [Fact]
    public void An_enc28j60_hash_filter_lets_through_only_the_flood_frames_in_the_joined_groups_buckets()
    {
        var bench = new Enc28j60Bench();
        bench.Enc.SetMulticastGroups([Mdns], 1);
        var flood = Ipv4Groups(5);
        var buckets = new HashSet<int> { Bucket(Mdns), Bucket(0xE0000001) }; // all-hosts comes with any group
        int expected = flood.Count(frame => buckets.Contains(Enc28j60Model.HashTableBit(frame)));
        var figure = Flood(bench, flood);
        Assert.Equal(expected, figure.Received);
        Assert.InRange(figure.Received, 0, Frames * buckets.Count / 64 * 2); // about buckets/64 of the flood
    }

    [Fact]
    public void An_enc28j60_with_no_group_joined_takes_no_flood_frame()
    {
        var bench = new Enc28j60Bench();
        bench.Enc.SetMulticastGroups([], 0);
        var figure = Flood(bench, Ipv4Groups(6));
        Assert.Equal(0, figure.Received);
        Assert.Equal(figure.IdleBytes, figure.FloodBytes);
    }

    private static int Bucket(uint group)
    {
        var mac = new byte[6];
        MacAddress.WriteIPv4Multicast(mac, 0, group);
        return Enc28j60Model.HashTableBit(mac);
    }

    /// <summary>Frames to random IPv4 groups' MAC addresses (01:00:5E plus 23 random bits), none to mDNS or all-hosts.</summary>
    private static List<byte[]> Ipv4Groups(int seed)
    {
        var random = new Random(seed);
        var frames = new List<byte[]>();
        while (frames.Count < Frames)
        {
            uint group = 0xE0000000 | (uint)random.Next(0x800000);
            if ((group & 0x7FFFFF) is 0x0000FB or 0x000001)
            {
                continue;
            }

            frames.Add(Frame(random, mac => MacAddress.WriteIPv4Multicast(mac, 0, group), EtherType.IPv4));
        }

        return frames;
    }

    /// <summary>Frames to random IPv6 multicast MAC addresses (RFC 2464 section 7: 33:33 and 32 bits).</summary>
    private static List<byte[]> Ipv6Groups(int seed)
    {
        var random = new Random(seed);
        var frames = new List<byte[]>();
        for (int i = 0; i < Frames; i++)
        {
            uint low = (uint)random.NextInt64(0x1_0000_0000);
            frames.Add(Frame(random, mac =>
            {
                mac[0] = 0x33;
                mac[1] = 0x33;
                NetworkOrder.WriteUInt32(mac, 2, low);
            }, 0x86DD));
        }

        return frames;
    }

    private static byte[] Frame(Random random, Action<byte[]> destination, int etherType)
    {
        var frame = new byte[FrameLength];
        random.NextBytes(frame);
        destination(frame);
        ChipBench.PeerMac.Write(frame, 6);
        NetworkOrder.WriteUInt16(frame, 12, etherType);
        return frame;
    }

    private readonly record struct Figure(long Received, long FloodBytes, long IdleBytes);

    /// <summary>
    /// Each frame onto the wire, then the board's receive loop (Receive until it returns 0); then as many polls with nothing
    /// sent, for the idle baseline.
    /// </summary>
    private Figure Flood(ChipBench bench, List<byte[]> frames)
    {
        var buffer = new byte[1518];
        long receivedBefore = bench.DriverFramesReceived;
        long start = bench.BytesClocked;
        foreach (var frame in frames)
        {
            bench.Peer.Transmit(frame, 0, frame.Length);
            while (bench.Driver.Receive(buffer, 0, buffer.Length) > 0)
            {
            }
        }

        long flood = bench.BytesClocked - start;
        long received = bench.DriverFramesReceived - receivedBefore;
        start = bench.BytesClocked;
        for (int i = 0; i < frames.Count; i++)
        {
            while (bench.Driver.Receive(buffer, 0, buffer.Length) > 0)
            {
            }
        }

        long idle = bench.BytesClocked - start;
        output.WriteLine($"{bench.GetType().Name}: {frames.Count} flood frames, {received} crossed SPI; SPI bytes {flood:N0} flooded vs {idle:N0} idle ({flood - idle:N0} more)");
        Assert.Equal(0, bench.FramesDroppedByChip);
        return new Figure(received, flood, idle);
    }
}
