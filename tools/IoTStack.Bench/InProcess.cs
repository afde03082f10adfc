using System.Diagnostics;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Bench;

/// <summary>Two stacks in this process on a cable that allocates nothing (figures 2, 5 and 6).</summary>
public static class InProcess
{
    private static readonly IPv4Address A = new(192, 0, 2, 1);
    private static readonly IPv4Address B = new(192, 0, 2, 2);
    private static readonly IPv4Address Mask = IPv4Address.MaskFromPrefixLength(24);

    public static NetStackOptions BulkOptions() => new() { ReceiveBufferSize = 32 * 1024, TransmitBufferSize = 32 * 1024 };

    private static (NetStack Sender, NetStack Receiver) Cable(NetStackOptions options, IClock clock)
    {
        var left = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 1), 256);
        var right = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 2), 256) { Peer = left };
        left.Peer = right;
        var sender = new NetStack(options, left, clock);
        var receiver = new NetStack(options, right, clock);
        sender.Configure(A, Mask, IPv4Address.Any);
        receiver.Configure(B, Mask, IPv4Address.Any);
        return (sender, receiver);
    }

    /// <summary>A TCP connection from <paramref name="sender"/> to <paramref name="receiver"/> port 9; both descriptors.</summary>
    private static (int Client, int Server) Connect(NetStack sender, NetStack receiver, Action step)
    {
        receiver.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        receiver.Bind(listener, IPv4Address.Any, 9);
        receiver.Listen(listener, 1);
        sender.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        sender.Connect(client, B, 9);
        int server = -1;
        var watch = Stopwatch.StartNew();
        while (receiver.Accept(listener, out server) != SocketResult.Success)
        {
            if (watch.Elapsed.TotalSeconds > 10)
            {
                throw new InvalidOperationException("the connection did not come up within 10 s");
            }

            step();
        }

        return (client, server);
    }

    public sealed record Bulk(double MegabytesPerSecond, double SendMicrosecondsPerSegment, double ReceiveMicrosecondsPerSegment, long Segments);

    /// <summary>TCP bulk transfer in wall time; the time each stack spends is measured apart (its send path, the other's receive path).</summary>
    public static Bulk TcpBulk(long bytes)
    {
        var clock = new SystemClock();
        var (sender, receiver) = Cable(BulkOptions(), clock);
        var (client, server) = Connect(sender, receiver, () => { sender.Poll(); receiver.Poll(); });
        var data = new byte[16 * 1024];
        var sink = new byte[32 * 1024];
        long sent = 0, received = 0;
        var senderTime = new Stopwatch();
        var receiverTime = new Stopwatch();
        long segmentsBefore = sender.Counters[Counter.TcpSegmentsSent];
        var wall = Stopwatch.StartNew();
        while (received < bytes)
        {
            senderTime.Start();
            if (sent < bytes && sender.SendSome(client, data, 0, (int)Math.Min(data.Length, bytes - sent), out int n) == SocketResult.Success)
            {
                sent += n;
            }

            sender.Poll();
            senderTime.Stop();
            receiverTime.Start();
            receiver.Poll();
            while (receiver.Receive(server, sink, 0, sink.Length, out int got) == SocketResult.Success && got > 0)
            {
                received += got;
            }

            receiverTime.Stop();
        }

        wall.Stop();
        long segments = sender.Counters[Counter.TcpSegmentsSent] - segmentsBefore;
        long dataSegments = (bytes + 1459) / 1460;
        return new Bulk(bytes / 1e6 / wall.Elapsed.TotalSeconds, senderTime.Elapsed.TotalMicroseconds / dataSegments, receiverTime.Elapsed.TotalMicroseconds / dataSegments, segments);
    }

    public sealed record Small(double SendMicrosecondsPerPacket, double ReceiveMicrosecondsPerPacket, double PacketsPerSecond);

    /// <summary>64-byte UDP datagrams one way: the send path's and the receive path's time per packet.</summary>
    public static Small UdpSmall(int packets)
    {
        var clock = new SystemClock();
        var (sender, receiver) = Cable(new NetStackOptions(), clock);
        sender.Open(SocketKind.Datagram, IpProtocol.Udp, out int tx);
        receiver.Open(SocketKind.Datagram, IpProtocol.Udp, out int rx);
        receiver.Bind(rx, IPv4Address.Any, 7);
        var payload = new byte[64];
        var buffer = new byte[256];
        sender.SendTo(tx, payload, 0, payload.Length, B, 7, out _); // resolves the neighbour first
        for (int i = 0; i < 10; i++)
        {
            sender.Poll();
            receiver.Poll();
        }

        while (receiver.ReceiveFrom(rx, buffer, 0, buffer.Length, out _, out _) == SocketResult.Success)
        {
        }

        var sendTime = new Stopwatch();
        var receiveTime = new Stopwatch();
        int got = 0;
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < packets; i++)
        {
            sendTime.Start();
            sender.SendTo(tx, payload, 0, payload.Length, B, 7, out _);
            sendTime.Stop();
            receiveTime.Start();
            receiver.Poll();
            while (receiver.ReceiveFrom(rx, buffer, 0, buffer.Length, out _, out _) == SocketResult.Success)
            {
                got++;
            }

            receiveTime.Stop();
        }

        wall.Stop();
        return new Small(sendTime.Elapsed.TotalMicroseconds / packets, receiveTime.Elapsed.TotalMicroseconds / Math.Max(1, got), got / wall.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// TCP goodput on the virtual switch with <paramref name="loss"/> of the frames lost each way and 1 ms of delay, the
    /// switch's clock following the wall clock, so retransmission timers cost what they cost on a real link.
    /// </summary>
    public sealed record Lossy(double MegabytesPerSecond, int Timeouts, int FastRetransmits, int Retransmitted);

    public static Lossy LossyGoodput(double loss, long bytes, int seed)
    {
        var clock = new VirtualClock(0);
        var wire = new VirtualSwitch(clock, seed) { Faults = new LinkFaults { Loss = loss, DelayMs = 1 } };
        var options = BulkOptions();
        var sender = new NetStack(options, wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 1)), clock);
        var receiver = new NetStack(options, wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 2)), clock);
        sender.Configure(A, Mask, IPv4Address.Any);
        receiver.Configure(B, Mask, IPv4Address.Any);
        var watch = Stopwatch.StartNew();
        void Step()
        {
            long now = watch.ElapsedMilliseconds;
            if (now > clock.NowMilliseconds)
            {
                clock.Advance(now - clock.NowMilliseconds);
            }

            sender.Poll();
            receiver.Poll();
        }

        var (client, server) = Connect(sender, receiver, Step);
        var data = new byte[16 * 1024];
        var sink = new byte[32 * 1024];
        long sent = 0, received = 0;
        var start = watch.Elapsed;
        while (received < bytes && watch.Elapsed.TotalSeconds < 120)
        {
            if (sent < bytes && sender.SendSome(client, data, 0, (int)Math.Min(data.Length, bytes - sent), out int n) == SocketResult.Success)
            {
                sent += n;
            }

            Step();
            while (receiver.Receive(server, sink, 0, sink.Length, out int got) == SocketResult.Success && got > 0)
            {
                received += got;
            }
        }

        return new Lossy(received / 1e6 / (watch.Elapsed - start).TotalSeconds, sender.Counters[Counter.TcpRetransmissionTimeouts],
            sender.Counters[Counter.TcpFastRetransmits], sender.Counters[Counter.TcpRetransmittedSegments]);
    }

    /// <summary>Bytes allocated per packet on each path after start-up (figure 5): the gate the tests hold, measured again here.</summary>
    public static IEnumerable<(string Path, double BytesPerPacket)> Allocations(int packets)
    {
        var clock = new SystemClock();
        var (a, b) = Cable(new NetStackOptions(), clock);
        a.Open(SocketKind.Datagram, IpProtocol.Udp, out int udpA);
        b.Open(SocketKind.Datagram, IpProtocol.Udp, out int udpB);
        b.Bind(udpB, IPv4Address.Any, 7);
        var (client, server) = Connect(a, b, () => { a.Poll(); b.Poll(); });
        var payload = new byte[1460];
        var buffer = new byte[4096];
        var paths = new (string, Action)[]
        {
            ("UDP datagram, send and receive", () =>
            {
                a.SendTo(udpA, payload, 0, 64, B, 7, out _);
                b.Poll();
                b.ReceiveFrom(udpB, buffer, 0, buffer.Length, out _, out _);
            }),
            ("UDP to a closed port (ICMP unreachable back)", () =>
            {
                a.SendTo(udpA, payload, 0, 64, B, 9999, out _);
                b.Poll();
                a.Poll();
            }),
            ("ICMP echo, request and reply", () =>
            {
                a.StartPing(B, 56, 1000, out int ping);
                b.Poll();
                a.Poll();
                a.EndPing(ping);
            }),
            ("TCP full-size segment, each way with its ACK", () =>
            {
                a.SendSome(client, payload, 0, payload.Length, out _);
                b.SendSome(server, payload, 0, payload.Length, out _);
                a.Poll();
                b.Poll();
                a.Poll();
                b.Receive(server, buffer, 0, buffer.Length, out _);
                a.Receive(client, buffer, 0, buffer.Length, out _);
            }),
        };
        foreach (var (name, path) in paths)
        {
            for (int i = 0; i < 500; i++)
            {
                path(); // warm up
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < packets; i++)
            {
                path();
            }

            yield return (name, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)packets);
        }
    }
}
