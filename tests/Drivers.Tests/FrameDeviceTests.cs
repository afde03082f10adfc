using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using Xunit.Abstractions;

namespace IoTStack.Drivers.Tests;

/// <summary>What every frame driver must do on its chip model; run once per chip.</summary>
public abstract class FrameDeviceTests(ITestOutputHelper output)
{
    protected abstract ChipBench Bench(MacAddress? mac = null);

    [Fact]
    public void Receives_every_frame_size_from_60_to_1514_byte_exact()
    {
        var bench = Bench();
        for (int length = 60; length <= 1514; length++)
        {
            var frame = bench.FrameToBoard(length, length);
            bench.Peer.Transmit(frame, 0, frame.Length);
            Assert.Equal(frame, bench.Receive());
        }

        Assert.Null(bench.Receive());
        Assert.Equal(1455, bench.DriverFramesReceived);
    }

    [Fact]
    public void Transmits_every_frame_size_from_60_to_1514_byte_exact()
    {
        var bench = Bench();
        var buffer = new byte[1600];
        for (int length = 60; length <= 1514; length++)
        {
            var frame = bench.FrameToBoard(length, length);
            EthernetFrame.WriteHeader(frame, 0, ChipBench.PeerMac, ChipBench.BoardMac, 0x88B5);
            Assert.True(bench.Driver.Transmit(frame, 0, frame.Length));
            int received = bench.Peer.Receive(buffer, 0, buffer.Length);
            Assert.Equal(frame, buffer[..received]);
        }
    }

    [Fact]
    public void Back_to_back_frames_wrap_around_the_receive_buffer_many_times()
    {
        var bench = Bench();
        var random = new Random(3);
        int sent = 0;
        var queue = new Queue<byte[]>();
        for (int round = 0; round < 200; round++)
        {
            int burst = random.Next(1, bench.FullFramesBuffered + 1);
            for (int i = 0; i < burst; i++)
            {
                var frame = bench.FrameToBoard(random.Next(60, 1515), sent++);
                queue.Enqueue(frame);
                bench.Peer.Transmit(frame, 0, frame.Length);
            }

            while (queue.Count > 0)
            {
                Assert.Equal(queue.Dequeue(), bench.Receive());
            }
        }

        Assert.Equal(sent, bench.DriverFramesReceived);
        Assert.Equal(0, bench.FramesDroppedByChip);
    }

    [Fact]
    public void After_minutes_of_receive_overflow_the_driver_keeps_receiving()
    {
        var bench = Bench();
        int sent = 0;
        for (int second = 0; second < 180; second++)
        {
            // The application reads one frame a second while twenty arrive: the chip's buffer overflows.
            for (int i = 0; i < 20; i++)
            {
                var frame = bench.FrameToBoard(1514, sent++);
                bench.Peer.Transmit(frame, 0, frame.Length);
            }

            bench.Driver.Receive(new byte[1518], 0, 1518);
            bench.Clock.Advance(1000);
        }

        Assert.True(bench.FramesDroppedByChip > 1000);
        while (bench.Receive() is not null)
        {
        }

        for (int i = 0; i < 50; i++)
        {
            var frame = bench.FrameToBoard(100 + i, 10_000 + i);
            bench.Peer.Transmit(frame, 0, frame.Length);
            Assert.Equal(frame, bench.Receive());
        }
    }

    [Fact]
    public void Link_loss_and_return_are_seen_within_a_quarter_second()
    {
        var bench = Bench();
        Assert.True(bench.Driver.IsLinkUp);
        bench.LinkUp = false;
        bench.Clock.Advance(250);
        Assert.False(bench.Driver.IsLinkUp);
        bench.LinkUp = true;
        bench.Clock.Advance(250);
        Assert.True(bench.Driver.IsLinkUp);
        var frame = bench.FrameToBoard(100, 1);
        EthernetFrame.WriteHeader(frame, 0, ChipBench.PeerMac, ChipBench.BoardMac, 0x88B5);
        Assert.True(bench.Driver.Transmit(frame, 0, frame.Length));
    }

    [Theory]
    [InlineData((byte)0xFF)]
    [InlineData((byte)0x00)]
    public void A_chip_that_stops_answering_is_reported_and_never_hangs_or_throws(byte stuck)
    {
        var bench = Bench();
        bench.StuckMiso = stuck;
        var buffer = new byte[1518];
        Assert.Equal(0, bench.Driver.Receive(buffer, 0, buffer.Length));
        bench.Clock.Advance(300);
        Assert.False(bench.Driver.IsLinkUp);
        Assert.False(bench.Initialise());
        Assert.Equal(0, bench.Driver.Receive(buffer, 0, buffer.Length));
        Assert.False(bench.Driver.Transmit(bench.FrameToBoard(100, 1), 0, 100));
        bench.StuckMiso = null;
        Assert.True(bench.Initialise());
    }

    [Fact]
    public void A_chip_that_reset_itself_is_noticed_and_set_up_again()
    {
        var bench = Bench();
        bench.ResetChip();
        bench.Clock.Advance(300);
        Assert.True(bench.Driver.IsLinkUp);
        Assert.Equal(1, bench.DriverReinitialisations);
        var frame = bench.FrameToBoard(300, 9);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Equal(frame, bench.Receive());
    }

    [Fact]
    public void Frames_for_other_stations_are_filtered_out_by_the_chip()
    {
        var bench = Bench();
        var frame = bench.FrameToBoard(100, 1);
        EthernetFrame.WriteHeader(frame, 0, new MacAddress(0x02, 9, 9, 9, 9, 9), ChipBench.PeerMac, 0x88B5);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Null(bench.Receive());
        EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, ChipBench.PeerMac, 0x88B5);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Equal(frame, bench.Receive());
    }

    [Fact]
    public void The_bus_carries_at_most_3_percent_overhead_per_full_size_frame()
    {
        var bench = Bench();
        var frame = bench.FrameToBoard(1514, 1);
        bench.Peer.Transmit(frame, 0, frame.Length);
        bench.Receive(); // the first read selects banks and the like; measure the steady state
        bench.Peer.Transmit(frame, 0, frame.Length);
        long before = bench.BytesClocked;
        Assert.Equal(frame, bench.Receive());
        double receive = (bench.BytesClocked - before) / 1514.0;
        EthernetFrame.WriteHeader(frame, 0, ChipBench.PeerMac, ChipBench.BoardMac, 0x88B5);
        before = bench.BytesClocked;
        Assert.True(bench.Driver.Transmit(frame, 0, frame.Length));
        double transmit = (bench.BytesClocked - before) / 1514.0;
        output.WriteLine($"{GetType().Name}: SPI bytes per frame byte, full-size frame: receive {receive:F4}, transmit {transmit:F4}");
        Assert.True(receive <= 1.03, $"receive: {receive:F4} SPI bytes per frame byte");
        Assert.True(transmit <= 1.03, $"transmit: {transmit:F4} SPI bytes per frame byte");
    }

    [Fact]
    public void Two_stacks_over_these_boards_ping_and_talk_tcp_and_udp()
    {
        var a = Bench(new MacAddress(0x02, 0, 0, 0, 0, 0x0A));
        var b = Bench(new MacAddress(0x02, 0, 0, 0, 0, 0x0B));
        // Two benches, one wire: join the second board's traffic to the first bench's switch through its peer port.
        var stackA = Stack(a, 1);
        var stackB = Stack(b, 2);
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                while (stackA.Poll() | stackB.Poll() | Bridge(a, b) | Bridge(b, a))
                {
                }

                a.Clock.Advance(1);
                b.Clock.Advance(1);
            }
        }

        Assert.Equal(SocketResult.Success, stackA.StartPing(new IPv4Address(192, 0, 2, 2), 3000, 1000, out int ping));
        Run(50);
        Assert.Equal(PingStatus.Replied, stackA.GetPingStatus(ping, out _));

        stackB.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        stackB.Bind(listener, IPv4Address.Any, 9);
        stackB.Listen(listener, 1);
        stackA.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        stackA.Connect(client, new IPv4Address(192, 0, 2, 2), 9);
        Run(50);
        Assert.Equal(SocketResult.Success, stackB.Accept(listener, out int server));
        var data = new byte[50_000];
        new Random(1).NextBytes(data);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int offset = 0;
        for (int ms = 0; ms < 20_000 && received.Length < data.Length; ms++)
        {
            if (offset < data.Length && stackA.SendSome(client, data, offset, data.Length - offset, out int sent) == SocketResult.Success)
            {
                offset += sent;
            }

            Run(1);
            while (stackB.Receive(server, buffer, 0, buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                received.Write(buffer, 0, n);
            }
        }

        Assert.Equal(data, received.ToArray());
        stackA.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp);
        stackB.Open(SocketKind.Datagram, IpProtocol.Udp, out int udpServer);
        stackB.Bind(udpServer, IPv4Address.Any, 7);
        stackA.SendTo(udp, data, 0, 1400, new IPv4Address(192, 0, 2, 2), 7, out _);
        Run(10);
        Assert.Equal(SocketResult.Success, stackB.Receive(udpServer, buffer, 0, buffer.Length, out int length));
        Assert.Equal(data[..1400], buffer[..length]);
    }

    private static NetStack Stack(ChipBench bench, byte host)
    {
        var stack = new NetStack(new NetStackOptions { PingMaxDataLength = 3000 }, bench.Driver, bench.Clock);
        stack.Configure(new IPv4Address(192, 0, 2, host), IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        return stack;
    }

    /// <summary>Frames the first bench's peer port hears go out of the second bench's peer port: a cable between the switches.</summary>
    private static bool Bridge(ChipBench from, ChipBench to)
    {
        var buffer = new byte[1600];
        bool moved = false;
        int length;
        while ((length = from.Peer.Receive(buffer, 0, buffer.Length)) > 0)
        {
            to.Peer.Transmit(buffer, 0, length);
            moved = true;
        }

        return moved;
    }
}

public sealed class Enc28j60FrameDeviceTests(ITestOutputHelper output) : FrameDeviceTests(output)
{
    protected override ChipBench Bench(MacAddress? mac = null) => new Enc28j60Bench(mac: mac);
}

public sealed class W5500MacRawFrameDeviceTests(ITestOutputHelper output) : FrameDeviceTests(output)
{
    protected override ChipBench Bench(MacAddress? mac = null) => new W5500Bench(mac);
}
