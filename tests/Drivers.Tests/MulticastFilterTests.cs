using IoTStack.Drivers.Enc28j60;
using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Drivers.Tests;

/// <summary>The chips' multicast filters as the stack programs them (<see cref="Net.Link.IMulticastFilter"/>).</summary>
public class MulticastFilterTests
{
    private static readonly uint Mdns = new IPv4Address(224, 0, 0, 251).Value;

    [Theory]
    [InlineData(new byte[] { 0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB }, 62)] // mDNS 224.0.0.251
    [InlineData(new byte[] { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, 51)] // IPv6 all-nodes
    public void The_enc28j60_models_hash_worked_out_from_the_frame_check_crc_agrees_with_the_driver(byte[] address, int bit)
    {
        Assert.Equal(bit, Enc28j60Model.HashTableBit(address));
        var random = new Random(20);
        var other = new byte[6];
        for (int i = 0; i < 1_000; i++)
        {
            random.NextBytes(other);
            Assert.Equal(Enc28j60Registers.HashBit(other, 0), Enc28j60Model.HashTableBit(other));
        }
    }

    [Fact]
    public void Leaving_a_group_clears_its_enc28j60_bucket_and_keeps_the_others()
    {
        var bench = new Enc28j60Bench();
        var (left, kept) = TwoGroupsInTheirOwnBuckets();
        bench.Enc.SetMulticastGroups([left, kept], 2);
        Assert.True(Arrives(bench, left));
        Assert.True(Arrives(bench, kept));
        bench.Enc.SetMulticastGroups([kept], 1);
        Assert.False(Arrives(bench, left));
        Assert.True(Arrives(bench, kept));
        Assert.True(Arrives(bench, 0xE0000001)); // all-hosts while any group is joined
        bench.Enc.SetMulticastGroups([], 0);
        Assert.False(Arrives(bench, kept));
        Assert.False(Arrives(bench, 0xE0000001));
        Assert.NotNull(Deliver(bench, bench.FrameToBoard(100, 3))); // unicast and broadcast are not the hash's business
        var broadcast = bench.FrameToBoard(100, 4);
        MacAddress.Broadcast.Write(broadcast, 0);
        Assert.NotNull(Deliver(bench, broadcast));
    }

    [Fact]
    public void An_enc28j60_that_reset_itself_gets_its_hash_table_back()
    {
        var bench = new Enc28j60Bench();
        var (left, kept) = TwoGroupsInTheirOwnBuckets();
        bench.Enc.SetMulticastGroups([kept], 1);
        bench.ResetChip();
        bench.Clock.Advance(1_000);
        Assert.True(bench.Enc.IsLinkUp);
        Assert.Equal(1, bench.Enc.Counters.ChipReinitialisations);
        Assert.True(Arrives(bench, kept));
        Assert.False(Arrives(bench, left));
    }

    [Fact]
    public void The_w5500_blocks_multicast_while_no_group_is_joined_and_keeps_unicast_broadcast_and_sending_across_reopens()
    {
        var bench = new W5500Bench();
        Assert.True(Arrives(bench, 0xEF010203)); // until the stack hands over its groups, multicast is not blocked
        bench.MacRaw.SetMulticastGroups([], 0);
        Assert.False(Arrives(bench, 0xEF010203));
        Assert.False(Arrives(bench, Mdns));
        Assert.NotNull(Deliver(bench, bench.FrameToBoard(100, 1)));
        bench.MacRaw.SetMulticastGroups([Mdns], 1);
        Assert.True(Arrives(bench, Mdns));
        Assert.True(Arrives(bench, 0xEF010203)); // no hash on the W5500: the stack filters the rest
        var broadcast = bench.FrameToBoard(100, 2);
        MacAddress.Broadcast.Write(broadcast, 0);
        Assert.NotNull(Deliver(bench, broadcast));
        var outbound = new byte[60];
        ChipBench.PeerMac.Write(outbound, 0);
        bench.Mac.Write(outbound, 6);
        NetworkOrder.WriteUInt16(outbound, 12, 0x88B5);
        Assert.True(bench.MacRaw.Transmit(outbound, 0, outbound.Length));
        Assert.Equal(1, bench.Peer.Pending);
        bench.MacRaw.SetMulticastGroups([], 0);
        Assert.NotNull(Deliver(bench, bench.FrameToBoard(100, 3)));
        Assert.Equal(0, bench.MacRaw.Counters.ReceiveResyncs);
    }

    [Fact]
    public void The_w5500_models_macraw_filter_bits_act_from_open_not_from_the_write()
    {
        var bench = new W5500Bench();
        WriteSocket0Mode(bench.Chip, W5500Registers.ModeMacRaw | W5500Registers.ModeMacFilter | W5500Registers.ModeMulticastBlock | W5500Registers.ModeBroadcastBlock);
        Assert.True(Arrives(bench, Mdns));
        bench.Chip.Exchange([0, W5500Registers.SnCR, (byte)(W5500Registers.SocketBlock(0) << 3 | W5500Registers.ControlWrite)], 0, 3,
            [W5500Registers.CommandOpen], 0, 1, SpiDataDirection.Write);
        Assert.False(Arrives(bench, Mdns));
        var broadcast = bench.FrameToBoard(100, 2);
        MacAddress.Broadcast.Write(broadcast, 0);
        Assert.Null(Deliver(bench, broadcast)); // BCASTB
        var ipv6 = bench.FrameToBoard(100, 3);
        NetworkOrder.WriteUInt16(ipv6, 12, 0x86DD);
        Assert.Null(Deliver(bench, ipv6)); // MIP6B, which the driver always sets
        Assert.NotNull(Deliver(bench, bench.FrameToBoard(100, 4)));
    }

    private static void WriteSocket0Mode(W5500Model chip, int mode) =>
        chip.Exchange([0, W5500Registers.SnMR, (byte)(W5500Registers.SocketBlock(0) << 3 | W5500Registers.ControlWrite)], 0, 3, [(byte)mode], 0, 1, SpiDataDirection.Write);

    /// <summary>Two groups whose buckets differ from each other's and from all-hosts'.</summary>
    private static (uint Left, uint Kept) TwoGroupsInTheirOwnBuckets()
    {
        int allHosts = Bucket(0xE0000001);
        uint left = 0xEF000001;
        while (Bucket(left) == allHosts)
        {
            left++;
        }

        uint kept = left + 1;
        while (Bucket(kept) == allHosts || Bucket(kept) == Bucket(left))
        {
            kept++;
        }

        return (left, kept);
    }

    private static int Bucket(uint group)
    {
        var mac = new byte[6];
        MacAddress.WriteIPv4Multicast(mac, 0, group);
        return Enc28j60Model.HashTableBit(mac);
    }

    private static bool Arrives(ChipBench bench, uint group)
    {
        var frame = bench.FrameToBoard(100, (int)group);
        MacAddress.WriteIPv4Multicast(frame, 0, group);
        return Deliver(bench, frame) is not null;
    }

    private static byte[]? Deliver(ChipBench bench, byte[] frame)
    {
        bench.Peer.Transmit(frame, 0, frame.Length);
        return bench.Receive();
    }
}

/// <summary>UDP multicast on the W5500's own sockets: one group a hardware socket, the chip's IGMP, TTL and loopback options.</summary>
public class W5500SocketMulticastTests
{
    private static readonly IPv4Address BoardIp = new(192, 0, 2, 2);
    private static readonly IPv4Address PeerIp = new(192, 0, 2, 1);
    private static readonly IPv4Address Mask = IPv4Address.MaskFromPrefixLength(24);
    private static readonly IPv4Address Group = new(239, 1, 2, 3);
    private readonly VirtualClock _clock = new(1_000);
    private readonly List<byte[]> _wire = [];
    private readonly W5500SocketEngine _engine;
    private readonly NetStack _peer;

    public W5500SocketMulticastTests()
    {
        var network = new VirtualSwitch(_clock) { Observer = frame => _wire.Add(frame.ToArray()) };
        _peer = new NetStack(new NetStackOptions(), network.AddPort(new MacAddress(2, 0, 0, 0, 0, 1)), _clock);
        _peer.Configure(PeerIp, Mask, IPv4Address.Any);
        var mac = new MacAddress(2, 0, 0, 0, 0, 2);
        var model = new W5500Model(network.AddPort(mac), _clock);
        _engine = new W5500SocketEngine(model.Bus, mac, _clock);
        Assert.True(_engine.Initialise(BoardIp, Mask, IPv4Address.Any));
    }

    [Fact]
    public void Joining_sends_the_chips_igmpv2_report_and_leaving_its_leave_to_all_routers()
    {
        _engine.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        Assert.Equal(SocketResult.Success, _engine.Bind(socket, IPv4Address.Any, 5000));
        Assert.Equal(SocketResult.Success, _engine.SetOption(socket, SocketOption.AddMembership, unchecked((int)Group.Value)));
        var report = Assert.Single(Igmp());
        AssertIgmp(report, 0x16, Group.Value, Group.Value);
        _wire.Clear();
        Assert.Equal(SocketResult.Success, _engine.SetOption(socket, SocketOption.DropMembership, unchecked((int)Group.Value)));
        var leave = Assert.Single(Igmp());
        AssertIgmp(leave, 0x17, Group.Value, new IPv4Address(224, 0, 0, 2).Value);
    }

    [Fact]
    public void A_second_group_on_one_socket_is_refused_and_a_socket_of_its_own_takes_it()
    {
        _engine.Open(SocketKind.Datagram, IpProtocol.Udp, out int first);
        _engine.Bind(first, IPv4Address.Any, 5000);
        Assert.Equal(SocketResult.Success, _engine.SetOption(first, SocketOption.AddMembership, unchecked((int)Group.Value)));
        Assert.Equal(SocketResult.NoBufferSpaceAvailable, _engine.SetOption(first, SocketOption.AddMembership, unchecked((int)0xEF010204u)));
        _engine.Open(SocketKind.Datagram, IpProtocol.Udp, out int second);
        _engine.Bind(second, IPv4Address.Any, 5000);
        Assert.Equal(SocketResult.Success, _engine.SetOption(second, SocketOption.AddMembership, unchecked((int)0xEF010204u)));
    }

    [Fact]
    public void Datagrams_to_a_group_carry_the_multicast_ttl_and_others_the_unicast_ttl()
    {
        _engine.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        _engine.Bind(socket, IPv4Address.Any, 5000);
        Assert.Equal(SocketResult.Success, _engine.GetOption(socket, SocketOption.MulticastTimeToLive, out int ttl));
        Assert.Equal(1, ttl); // RFC 1112 section 6.1, Linux's default
        Assert.Equal(1, SendAndReadTtl(socket, Group));
        Assert.Equal(0x80, SendAndReadTtl(socket, PeerIp));
        Assert.Equal(SocketResult.Success, _engine.SetOption(socket, SocketOption.MulticastTimeToLive, 5));
        Assert.Equal(SocketResult.Success, _engine.SetOption(socket, SocketOption.TimeToLive, 64));
        Assert.Equal(5, SendAndReadTtl(socket, Group));
        Assert.Equal(64, SendAndReadTtl(socket, PeerIp));
        Assert.Equal(5, SendAndReadTtl(socket, Group));
        Assert.Equal(SocketResult.InvalidArgument, _engine.SetOption(socket, SocketOption.MulticastTimeToLive, 0));
    }

    [Fact]
    public void Multicast_loopback_reads_off_and_only_off_can_be_set()
    {
        _engine.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        _engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int stream);
        Assert.Equal(SocketResult.Success, _engine.GetOption(socket, SocketOption.MulticastLoopback, out int loop));
        Assert.Equal(0, loop);
        Assert.Equal(SocketResult.Success, _engine.SetOption(socket, SocketOption.MulticastLoopback, 0));
        Assert.Equal(SocketResult.OperationNotSupported, _engine.SetOption(socket, SocketOption.MulticastLoopback, 1));
        Assert.Equal(SocketResult.ProtocolOption, _engine.SetOption(stream, SocketOption.MulticastLoopback, 0));
        Assert.Equal(SocketResult.ProtocolOption, _engine.SetOption(stream, SocketOption.MulticastTimeToLive, 2));
    }

    private int SendAndReadTtl(int socket, IPv4Address to)
    {
        _wire.Clear();
        for (int i = 0; i < 2_000; i++)
        {
            var result = _engine.SendTo(socket, "ttl"u8.ToArray(), 0, 3, to, 6000, out _);
            Pump();
            if (result == SocketResult.Success)
            {
                break;
            }
        }

        for (int i = 0; i < 200 && !_wire.Any(IsUdp); i++)
        {
            Pump();
        }

        return _wire.First(IsUdp)[EthernetFrame.HeaderLength + 8];
    }

    private void Pump()
    {
        while (_engine.Poll() | _peer.Poll())
        {
        }

        _clock.Advance(1);
    }

    private static bool IsUdp(byte[] frame) =>
        NetworkOrder.ReadUInt16(frame, 12) == EtherType.IPv4 && frame[EthernetFrame.HeaderLength + 9] == (byte)IpProtocol.Udp;

    private IEnumerable<byte[]> Igmp() =>
        _wire.Where(frame => NetworkOrder.ReadUInt16(frame, 12) == EtherType.IPv4 && frame[EthernetFrame.HeaderLength + 9] == (byte)IpProtocol.Igmp);

    private static void AssertIgmp(byte[] frame, byte type, uint group, uint destination)
    {
        const int ip = EthernetFrame.HeaderLength;
        int header = (frame[ip] & 0x0F) * 4;
        Assert.Equal(0, InternetChecksum.Compute(frame, ip, header));
        Assert.Equal(1, frame[ip + 8]); // TTL 1 (RFC 2236 section 2)
        Assert.Equal(destination, NetworkOrder.ReadUInt32(frame, ip + 16));
        Assert.Equal(BoardIp.Value, NetworkOrder.ReadUInt32(frame, ip + 12));
        var mac = new byte[6];
        MacAddress.WriteIPv4Multicast(mac, 0, destination);
        Assert.Equal(mac, frame[..6]);
        Assert.Equal(type, frame[ip + header]);
        Assert.Equal(group, NetworkOrder.ReadUInt32(frame, ip + header + 4));
        Assert.Equal(0, InternetChecksum.Compute(frame, ip + header, 8));
    }
}
