using IoTStack.Drivers.Enc28j60;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Drivers.Tests;

/// <summary>The ENC28J60 driver against the register-level model, byte for byte on the modeled bus.</summary>
public class Enc28j60Tests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly MacAddress BoardMac = new(0x02, 0, 0, 0, 0, 0x28);
    private static readonly MacAddress PeerMac = new(0x02, 0, 0, 0, 0, 0x01);

    private sealed class Bench
    {
        public readonly VirtualClock Clock = new(1_000);
        public readonly VirtualSwitch Switch;
        public readonly VirtualPort Peer;
        public readonly Enc28j60Model Chip;
        public readonly Enc28j60Driver Driver;

        public Bench(bool fullDuplex = true)
        {
            Switch = new VirtualSwitch(Clock);
            Peer = Switch.AddPort(PeerMac);
            Chip = new Enc28j60Model(Switch.AddPort(BoardMac));
            Driver = new Enc28j60Driver(Chip, BoardMac, Clock, fullDuplex);
            Assert.True(Driver.Initialise());
        }

        public byte[] FrameToBoard(int length, int seed)
        {
            var frame = new byte[length];
            new Random(seed).NextBytes(frame);
            EthernetFrame.WriteHeader(frame, 0, BoardMac, PeerMac, 0x88B5); // IEEE 802 local experimental EtherType
            return frame;
        }

        public byte[]? Receive()
        {
            var buffer = new byte[1518];
            int length = Driver.Receive(buffer, 0, buffer.Length);
            return length == 0 ? null : buffer[..length];
        }
    }

    [Fact]
    public void Initialises_the_chip_as_the_datasheet_asks_and_reads_its_revision()
    {
        var bench = new Bench();
        Assert.Equal(0x06, bench.Driver.Revision);
        Assert.True(bench.Driver.IsLinkUp);
        Assert.True(new Bench(fullDuplex: false).Driver.IsLinkUp);
    }

    [Fact]
    public void Receives_every_frame_size_from_60_to_1514_byte_exact()
    {
        var bench = new Bench();
        for (int length = 60; length <= 1514; length++)
        {
            var frame = bench.FrameToBoard(length, length);
            bench.Peer.Transmit(frame, 0, frame.Length);
            Assert.Equal(frame, bench.Receive());
        }

        Assert.Null(bench.Receive());
        Assert.Equal(1455, bench.Driver.Counters.FramesReceived);
        Assert.Equal(0, bench.Driver.Counters.Overflows);
    }

    [Fact]
    public void Transmits_every_frame_size_from_60_to_1514_byte_exact()
    {
        var bench = new Bench();
        var buffer = new byte[1600];
        for (int length = 60; length <= 1514; length++)
        {
            var frame = bench.FrameToBoard(length, length);
            EthernetFrame.WriteHeader(frame, 0, PeerMac, BoardMac, 0x88B5);
            Assert.True(bench.Driver.Transmit(frame, 0, frame.Length));
            int received = bench.Peer.Receive(buffer, 0, buffer.Length);
            Assert.Equal(frame, buffer[..received]);
        }
    }

    [Fact]
    public void Back_to_back_frames_wrap_around_the_receive_buffer_many_times()
    {
        var bench = new Bench();
        var random = new Random(3);
        int sent = 0;
        var queue = new Queue<byte[]>();
        for (int round = 0; round < 200; round++)
        {
            int burst = random.Next(1, 5); // a few frames at once: at most 4 x 1518 fits the 6.5 KB buffer
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

        Assert.Equal(sent, bench.Driver.Counters.FramesReceived);
        Assert.Equal(0, bench.Driver.Counters.Overflows + bench.Driver.Counters.ReceiverResets);
        Assert.True(sent * 800 > 6656 * 20, "not enough traffic to wrap the buffer many times");
    }

    [Fact]
    public void After_minutes_of_receive_overflow_the_driver_keeps_receiving()
    {
        var bench = new Bench();
        int sent = 0;
        for (int second = 0; second < 180; second++)
        {
            // The application does not read for a while: frames pour in until the buffer overflows.
            for (int i = 0; i < 20; i++)
            {
                var frame = bench.FrameToBoard(1514, sent++);
                bench.Peer.Transmit(frame, 0, frame.Length);
            }

            bench.Driver.Receive(new byte[1518], 0, 1518); // one read a second: far too slow
            bench.Clock.Advance(1000);
        }

        Assert.True(bench.Chip.FramesDropped > 1000);
        Assert.True(bench.Driver.Counters.Overflows > 100);
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
    public void A_late_collision_is_retried_and_counted()
    {
        var bench = new Bench();
        bench.Chip.LateCollisions = 3;
        var frame = bench.FrameToBoard(200, 1);
        EthernetFrame.WriteHeader(frame, 0, PeerMac, BoardMac, 0x88B5);
        Assert.True(bench.Driver.Transmit(frame, 0, frame.Length));
        Assert.Equal(3, bench.Driver.Counters.TransmitRetries);
        bench.Chip.LateCollisions = 100;
        Assert.False(bench.Driver.Transmit(frame, 0, frame.Length));
        Assert.Equal(1, bench.Driver.Counters.TransmitFailures);
    }

    [Fact]
    public void Link_loss_and_return_are_seen_within_a_quarter_second()
    {
        var bench = new Bench();
        Assert.True(bench.Driver.IsLinkUp);
        bench.Chip.LinkUp = false;
        bench.Clock.Advance(250);
        Assert.False(bench.Driver.IsLinkUp);
        var frame = bench.FrameToBoard(100, 1);
        Assert.False(bench.Driver.Transmit(frame, 0, frame.Length));
        bench.Chip.LinkUp = true;
        bench.Clock.Advance(250);
        Assert.True(bench.Driver.IsLinkUp);
        Assert.True(bench.Driver.Transmit(frame, 0, frame.Length));
    }

    [Theory]
    [InlineData((byte)0xFF)]
    [InlineData((byte)0x00)]
    public void A_chip_that_stops_answering_is_reported_and_never_hangs_or_throws(byte stuck)
    {
        var bench = new Bench();
        bench.Chip.StuckMiso = stuck;
        var buffer = new byte[1518];
        Assert.Equal(0, bench.Driver.Receive(buffer, 0, buffer.Length));
        bench.Clock.Advance(300);
        Assert.False(bench.Driver.IsLinkUp);
        Assert.False(bench.Driver.Initialise());
        Assert.Equal(0, bench.Driver.Receive(buffer, 0, buffer.Length));
        Assert.False(bench.Driver.Transmit(bench.FrameToBoard(100, 1), 0, 100));
        bench.Chip.StuckMiso = null;
        Assert.True(bench.Driver.Initialise());
    }

    [Fact]
    public void A_chip_that_reset_itself_is_noticed_and_set_up_again()
    {
        var bench = new Bench();
        bench.Chip.Reset();
        bench.Clock.Advance(300);
        Assert.True(bench.Driver.IsLinkUp);
        Assert.Equal(1, bench.Driver.Counters.ChipReinitialisations);
        var frame = bench.FrameToBoard(300, 9);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Equal(frame, bench.Receive());
    }

    [Fact]
    public void Frames_for_other_stations_are_filtered_out_by_the_chip()
    {
        var bench = new Bench();
        var frame = bench.FrameToBoard(100, 1);
        EthernetFrame.WriteHeader(frame, 0, new MacAddress(0x02, 9, 9, 9, 9, 9), PeerMac, 0x88B5);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Null(bench.Receive());
        EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, PeerMac, 0x88B5);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Equal(frame, bench.Receive());
    }

    [Fact]
    public void The_bus_carries_at_most_3_percent_overhead_per_full_size_frame()
    {
        var bench = new Bench();
        var frame = bench.FrameToBoard(1514, 1);
        bench.Peer.Transmit(frame, 0, frame.Length);
        bench.Receive(); // the first read selects banks; measure the steady state
        bench.Peer.Transmit(frame, 0, frame.Length);
        long before = bench.Chip.BytesClocked;
        Assert.Equal(frame, bench.Receive());
        double receive = (bench.Chip.BytesClocked - before) / 1514.0;
        EthernetFrame.WriteHeader(frame, 0, PeerMac, BoardMac, 0x88B5);
        before = bench.Chip.BytesClocked;
        Assert.True(bench.Driver.Transmit(frame, 0, frame.Length));
        double transmit = (bench.Chip.BytesClocked - before) / 1514.0;
        output.WriteLine($"SPI bytes per frame byte, full-size frame: receive {receive:F4}, transmit {transmit:F4}");
        Assert.True(receive <= 1.03, $"receive: {receive:F4} SPI bytes per frame byte");
        Assert.True(transmit <= 1.03, $"transmit: {transmit:F4} SPI bytes per frame byte");
    }

    [Fact]
    public void Two_stacks_over_enc28j60_boards_ping_and_talk_tcp_and_udp()
    {
        var clock = new VirtualClock(1_000);
        var wire = new VirtualSwitch(clock);
        NetStack Board(byte host)
        {
            var mac = new MacAddress(0x02, 0, 0, 0, 0, host);
            var driver = new Enc28j60Driver(new Enc28j60Model(wire.AddPort(mac)), mac, clock, fullDuplex: true);
            Assert.True(driver.Initialise());
            var stack = new NetStack(new NetStackOptions { PingMaxDataLength = 3000 }, driver, clock);
            stack.Configure(new IPv4Address(192, 0, 2, host), IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
            return stack;
        }

        var a = Board(1);
        var b = Board(2);
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                while (a.Poll() | b.Poll())
                {
                }

                clock.Advance(1);
            }
        }

        Assert.Equal(SocketError.Success, a.StartPing(new IPv4Address(192, 0, 2, 2), 3000, 1000, out int ping));
        Run(50);
        Assert.Equal(PingStatus.Replied, a.GetPingStatus(ping, out _));

        b.Open(SocketType.Stream, IpProtocol.Tcp, out int listener);
        b.Bind(listener, IPv4Address.Any, 9);
        b.Listen(listener, 1);
        a.Open(SocketType.Stream, IpProtocol.Tcp, out int client);
        a.Connect(client, new IPv4Address(192, 0, 2, 2), 9);
        Run(50);
        Assert.Equal(SocketError.Success, b.Accept(listener, out int server));
        var data = new byte[50_000];
        new Random(1).NextBytes(data);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int offset = 0;
        for (int ms = 0; ms < 20_000 && received.Length < data.Length; ms++)
        {
            if (offset < data.Length && a.Send(client, data, offset, data.Length - offset, out int sent) == SocketError.Success)
            {
                offset += sent;
            }

            Run(1);
            while (b.Receive(server, buffer, 0, buffer.Length, out int n) == SocketError.Success && n > 0)
            {
                received.Write(buffer, 0, n);
            }
        }

        Assert.Equal(data, received.ToArray());

        a.Open(SocketType.Datagram, IpProtocol.Udp, out int udp);
        b.Open(SocketType.Datagram, IpProtocol.Udp, out int udpServer);
        b.Bind(udpServer, IPv4Address.Any, 7);
        a.SendTo(udp, data, 0, 1400, new IPv4Address(192, 0, 2, 2), 7, out _);
        Run(10);
        Assert.Equal(SocketError.Success, b.Receive(udpServer, buffer, 0, buffer.Length, out int length));
        Assert.Equal(data[..1400], buffer[..length]);
    }
}
