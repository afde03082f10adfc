using IoTStack.Firmware;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using Xunit.Abstractions;

namespace IoTStack.Stack.Tests;

/// <summary>
/// Issue 10's long runs, in virtual time and seeded, so a failure replays: sequence numbers across 2^32, and
/// a stretch of mixed traffic over a faulty wire (an hour here; IOTSTACK_SOAK_HOURS=24 for the day,
/// tools/soak.sh) after which nothing is left held: slots, TIME-WAIT, neighbours.
/// </summary>
public class LongRunTests(ITestOutputHelper output)
{
    private static uint SynSequence(TestNetwork net, int fromHost, bool ack, int skip = 0)
    {
        foreach (var frame in net.Frames.Skip(skip))
        {
            if (frame.Length > 54 && frame[12] == 0x08 && frame[13] == 0 && frame[23] == 6 && frame[11] == fromHost)
            {
                int tcp = 14 + (frame[14] & 0xF) * 4;
                byte flags = frame[tcp + 13];
                if ((flags & 0x02) != 0 && ((flags & 0x10) != 0) == ack)
                {
                    return NetworkOrder.ReadUInt32(frame, tcp + 4);
                }
            }
        }

        throw new InvalidOperationException("no SYN seen");
    }

    [Theory]
    [InlineData(false)] // the server's sequence numbers cross 2^32
    [InlineData(true)]  // the client's do
    public void Sequence_numbers_crossing_two_to_the_32_keep_the_bytes_exact(bool client)
    {
        var net = new TestNetwork(seed: 4);
        var a = net.Add(1);
        var b = net.Add(2);
        int listener = TcpHarness.Listen(b, 7000);
        // A first connection from a fixed port shows where this 4-tuple's initial sequence number lies; RFC 6528's
        // clock part moves it 250 a millisecond, so waiting the right time puts the next one just below 2^32.
        a.Open(SocketKind.Stream, IpProtocol.Tcp, out int first);
        a.Bind(first, IPv4Address.Any, 40000);
        net.Settle();
        long synAt = net.Clock.NowMilliseconds;
        a.Connect(first, TestNetwork.Ip(2), 7000);
        int accepted = 0;
        Assert.True(net.RunUntil(() => b.Accept(listener, out accepted) == SocketResult.Success));
        uint isn = SynSequence(net, client ? 1 : 2, ack: !client);
        a.Close(first);
        b.Close(accepted);
        net.Run(100);
        // Milliseconds from the first SYN until this 4-tuple's number is 20,000 below 2^32; a whole turn of the
        // space more (2^32 / 250 ms, about 4.8 hours) when that is too soon for TIME-WAIT to be over.
        long wait = (long)((0x1_0000_0000UL - 20_000UL - isn) % 0x1_0000_0000UL) / 250;
        if (wait < 61_000)
        {
            wait += 17_179_869;
        }

        net.Clock.Advance(synAt + wait - net.Clock.NowMilliseconds);
        net.Settle();

        int framesBefore = net.Frames.Count;
        a.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
        a.Bind(socket, IPv4Address.Any, 40000);
        a.Connect(socket, TestNetwork.Ip(2), 7000);
        int server = 0;
        Assert.True(net.RunUntil(() => b.Accept(listener, out server) == SocketResult.Success));
        Assert.True(net.RunUntil(() => a.PollSocket(socket).HasFlag(SocketEvents.Writable)));
        uint start = SynSequence(net, client ? 1 : 2, ack: !client, framesBefore);
        output.WriteLine($"initial sequence number {start:X8}");
        Assert.InRange(start, 0xFFFF0000u, 0xFFFFFF00u); // close enough below 2^32 that 64 KB crosses it

        var data = TcpHarness.RandomData(64 * 1024, 9);
        var arrived = client ? TcpHarness.Transfer(net, a, socket, b, server, data) : TcpHarness.Transfer(net, b, server, a, socket, data);
        Assert.Equal(TcpHarness.Hash(data), TcpHarness.Hash(arrived));
        var back = client ? TcpHarness.Transfer(net, b, server, a, socket, data) : TcpHarness.Transfer(net, a, socket, b, server, data);
        Assert.Equal(TcpHarness.Hash(data), TcpHarness.Hash(back));
    }

    [Fact]
    public void Hours_of_mixed_traffic_over_a_faulty_wire_leave_nothing_held()
    {
        int hours = int.TryParse(Environment.GetEnvironmentVariable("IOTSTACK_SOAK_HOURS"), out int h) && h > 0 ? h : 1;
        // The clock starts at 2^40 ms: anything that keeps time in 32 bits breaks here, not on a board after 49 days.
        var net = new TestNetwork(seed: 11, startMs: 1L << 40);
        net.Switch.Faults = new LinkFaults { Loss = 0.01, Duplicate = 0.005, Reorder = 0.01, Corrupt = 0.001 };
        var client = net.Add(1);
        var board = net.Add(2, new NetStackOptions { TcpConnections = 8, TcpListeners = 4 });
        var firmware = new Firmware.Firmware(board, board, net.Clock, new FirmwareSettings { Sessions = 6 });
        Assert.True(firmware.Start(4));
        net.Services.Add(firmware.Poll);
        var visitors = new List<NetStack>();
        int echoed = 0, pings = 0, minutes = hours * 60;
        for (int minute = 0; minute < minutes; minute++)
        {
            // A TCP echo of 4 KB on a new connection, a UDP datagram, a ping.
            client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
            client.Connect(socket, TestNetwork.Ip(2), 7);
            if (net.RunUntil(() => client.PollSocket(socket).HasFlag(SocketEvents.Writable), 30_000))
            {
                var data = TcpHarness.RandomData(4096, minute);
                var back = new MemoryStream();
                var buffer = new byte[4096];
                int sent = 0;
                for (int ms = 0; ms < 60_000 && back.Length < data.Length; ms++)
                {
                    if (sent < data.Length && client.SendSome(socket, data, sent, data.Length - sent, out int n) == SocketResult.Success)
                    {
                        sent += n;
                    }

                    net.Run(1);
                    while (client.Receive(socket, buffer, 0, buffer.Length, out int got) == SocketResult.Success && got > 0)
                    {
                        back.Write(buffer, 0, got);
                    }
                }

                Assert.Equal(TcpHarness.Hash(data), TcpHarness.Hash(back.ToArray()));
                echoed++;
            }

            client.Close(socket);
            int udp = TestNetwork.OpenUdp(client);
            client.SendTo(udp, new byte[100], 0, 100, TestNetwork.Ip(2), 7, out _);
            net.Run(20);
            client.Close(udp);
            pings += net.Ping(client, TestNetwork.Ip(2), 56) == Net.Ip.PingStatus.Replied ? 1 : 0;
            if (minute % 10 == 5)
            {
                // A newcomer turns up, talks, and goes: neighbour entries come and must go.
                var visitor = net.Add(10 + visitors.Count % 40);
                visitors.Add(visitor);
                net.Ping(visitor, TestNetwork.Ip(2), 56);
                net.Stacks.Remove(visitor);
            }

            for (int step = 0; step < 300; step++)
            {
                net.Clock.Advance(100); // the rest of the minute, idle but for timers, in 100 ms steps
                net.Settle();
            }
        }

        for (int step = 0; step < 4_000; step++)
        {
            net.Clock.Advance(100); // over six minutes of quiet: TIME-WAIT (60 s) and neighbour lifetimes (300 s) run out
            net.Settle();
        }

        output.WriteLine($"{hours} h: {echoed} of {minutes} TCP echoes, {pings} pings, wire lost {net.Switch.FramesLost}, counters {board.Counters[Counter.TcpRetransmittedSegments]} retransmissions");
        Assert.Equal(minutes, echoed); // TCP recovers every loss: each minute's echo came back exact
        Assert.True(pings > minutes * 9 / 10, $"only {pings} pings answered");
        var held = Enumerable.Range(0, board.SocketCount)
            .Select(i => board.GetSocketInfo(i, out var info) == SocketResult.Success ? info : (SocketInfo?)null)
            .Where(info => info is { Type: SocketKind.Stream } i && i.State != SocketState.Listen).Select(info => info!.Value).ToArray();
        Assert.True(held.Length == 0, "slots still held: " + string.Join(", ", held.Select(i => i.State)));
        Assert.Equal(0, TcpHarness.Used(client));
        foreach (var visitor in visitors)
        {
            Assert.False(board.TryGetNeighbour(TestNetwork.Ip(10 + visitors.IndexOf(visitor) % 40), out _), "a visitor's neighbour entry outlived its lifetime");
        }
    }
}
