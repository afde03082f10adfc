using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.TcpHarness;

namespace IoTStack.Stack.Tests;

/// <summary>Bulk transfers over a faulty wire, and the timers that carry TCP through loss.</summary>
public class TcpRecoveryTests
{
    private static readonly NetStackOptions Roomy = new() { ReceiveBufferSize = 8192, TransmitBufferSize = 8192 };

    [Theory]
    [InlineData(1, 0.01, 0.0, 0.0, 0.0, 0)]
    [InlineData(2, 0.05, 0.0, 0.0, 0.0, 0)]
    [InlineData(3, 0.02, 0.02, 0.02, 0.02, 2)]
    [InlineData(4, 0.05, 0.05, 0.05, 0.05, 5)]
    [InlineData(5, 0.10, 0.02, 0.10, 0.05, 1)]
    [InlineData(6, 0.0, 0.0, 0.3, 0.0, 0)]
    public void Every_byte_arrives_once_and_in_order_both_ways(int seed, double loss, double duplicate, double reorder, double corrupt, int delay)
    {
        var network = new TestNetwork(seed);
        var client = network.Add(1, Roomy);
        var server = network.Add(2, Roomy);
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        network.Switch.Faults = new LinkFaults { Loss = loss, Duplicate = duplicate, Reorder = reorder, Corrupt = corrupt, DelayMs = delay };
        var upload = RandomData(200_000, seed);
        Assert.Equal(Hash(upload), Hash(Transfer(network, client, c, server, s, upload)));
        var download = RandomData(200_000, seed + 100);
        Assert.Equal(Hash(download), Hash(Transfer(network, server, s, client, c, download)));
        if (loss > 0)
        {
            // The losses fall on data or on ACKs as the seed has it: somebody retransmitted.
            Assert.True(client.Counters[Counter.TcpRetransmittedSegments] + server.Counters[Counter.TcpRetransmittedSegments] > 0);
        }
    }

    [Fact]
    public void A_single_lost_segment_is_repaired_by_fast_retransmit_not_by_timeout()
    {
        var network = new TestNetwork();
        var client = network.Add(1, Roomy);
        var server = network.Add(2, Roomy);
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        int tcpFrames = 0;
        // Lose the third data segment from the client on its way to the server, and only that one.
        network.Switch.Drop = frame => frame[23] == 6 && frame.Length > 100 && MacAddress.Read(frame, 6) == TestNetwork.Mac(1) && ++tcpFrames == 3;
        var data = RandomData(8192, 1);
        client.SendSome(c, data, 0, data.Length, out int sent);
        Assert.Equal(8192, sent);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        Assert.True(network.RunUntil(() =>
        {
            while (server.Receive(s, buffer, 0, buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                received.Write(buffer, 0, n);
            }

            return received.Length == data.Length;
        }, 5_000));
        Assert.Equal(data, received.ToArray());
        Assert.True(client.Counters[Counter.TcpFastRetransmits] == 1, $"fast retransmits {client.Counters[Counter.TcpFastRetransmits]}, timeouts {client.Counters[Counter.TcpRetransmissionTimeouts]}, retransmitted {client.Counters[Counter.TcpRetransmittedSegments]}, frames {tcpFrames}, out of order {server.Counters[Counter.TcpOutOfOrderSegments]}");
        Assert.Equal(0, client.Counters[Counter.TcpRetransmissionTimeouts]);
        Assert.True(server.Counters[Counter.TcpOutOfOrderSegments] >= 2);
    }

    [Fact]
    public void The_retransmission_timer_follows_rfc6298_when_the_peer_goes_silent()
    {
        var network = new TestNetwork();
        var options = new NetStackOptions { TcpMinimumRtoMs = 200, TcpMaximumRetransmissions = 4, TcpUserTimeoutMs = 0 };
        var client = network.Add(1, options);
        var server = network.Add(2);
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        // The handshake measured a round trip of about 0 ms: RTO = max(SRTT + 4 RTTVAR, 200 ms) = 200 ms.
        var sentAt = new List<long>();
        network.Switch.Ports[1].IsLinkUp = false;
        network.Switch.Observer = frame =>
        {
            if (frame[23] == 6 && MacAddress.Read(frame, 6) == TestNetwork.Mac(1) && frame.Length > 66)
            {
                sentAt.Add(network.Clock.NowMilliseconds);
            }
        };
        long start = network.Clock.NowMilliseconds;
        client.SendSome(c, new byte[100], 0, 100, out _);
        network.Run(10_000);
        // The first send, then retransmissions after 200, 400, 800, 1600 ms (doubling, section 5.5); then it gives up.
        Assert.Equal(new long[] { 0, 200, 600, 1400, 3000 }, sentAt.Select(t => t - start).ToArray());
        Assert.Equal(SocketResult.TimedOut, client.SendSome(c, new byte[1], 0, 1, out _));
        Assert.Equal(5, client.Counters[Counter.TcpRetransmissionTimeouts]);
    }

    [Fact]
    public void The_user_timeout_aborts_a_connection_whose_data_goes_unacknowledged()
    {
        var network = new TestNetwork();
        var client = network.Add(1, new NetStackOptions { TcpMaximumRetransmissions = 100 });
        var server = network.Add(2);
        int listener = Listen(server, 9);
        var (c, _) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        Assert.Equal(SocketResult.Success, client.SetOption(c, SocketOption.UserTimeout, 5_000));
        network.Switch.Ports[1].IsLinkUp = false;
        client.SendSome(c, new byte[10], 0, 10, out _);
        network.Run(4_900);
        Assert.Equal(SocketState.Established, Info(client, c).State);
        network.Run(200);
        Assert.Equal(SocketResult.TimedOut, client.Receive(c, new byte[10], 0, 10, out _));
        Assert.Equal(1, client.Counters[Counter.TcpAborts]);
    }

    [Fact]
    public void A_zero_window_is_probed_until_the_reader_makes_room()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2, new NetStackOptions { ReceiveBufferSize = 1024 });
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        var data = RandomData(2048, 5);
        client.SendSome(c, data, 0, data.Length, out int sent);
        Assert.Equal(2048, sent);
        network.Run(30_000); // the server application does not read
        Assert.Equal(1024, Info(server, s).ReceiveQueued);
        Assert.True(client.Counters[Counter.TcpWindowProbes] >= 3);
        Assert.Equal(SocketState.Established, Info(client, c).State); // probes answered: never aborted
        var received = new MemoryStream();
        var buffer = new byte[512];
        Assert.True(network.RunUntil(() =>
        {
            while (server.Receive(s, buffer, 0, buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                received.Write(buffer, 0, n);
            }

            return received.Length == data.Length;
        }, 120_000));
        Assert.Equal(data, received.ToArray());
    }

    [Fact]
    public void Keepalive_finds_a_vanished_peer_and_leaves_a_live_one_alone()
    {
        var options = new NetStackOptions { TcpKeepAliveIdleMs = 10_000, TcpKeepAliveIntervalMs = 1_000, TcpKeepAliveProbes = 3 };
        var network = new TestNetwork();
        var client = network.Add(1, options);
        var server = network.Add(2);
        int listener = Listen(server, 9);
        var (c, _) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        Assert.Equal(SocketResult.Success, client.SetOption(c, SocketOption.KeepAlive, 1));
        network.Run(30_000);
        Assert.Equal(SocketState.Established, Info(client, c).State);
        Assert.True(client.Counters[Counter.TcpKeepAliveProbes] >= 2);
        network.Switch.Ports[1].IsLinkUp = false;
        network.Run(15_000);
        Assert.Equal(SocketResult.TimedOut, client.Receive(c, new byte[1], 0, 1, out _));
    }

    [Fact]
    public void Nagle_holds_small_segments_while_data_is_unacknowledged_unless_turned_off()
    {
        foreach (bool noDelay in new[] { false, true })
        {
            var network = new TestNetwork();
            network.Switch.Faults = new LinkFaults { DelayMs = 10 };
            var client = network.Add(1);
            var server = network.Add(2);
            int listener = Listen(server, 9);
            var (c, _) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
            client.SetOption(c, SocketOption.NoDelay, noDelay ? 1 : 0);
            long before = client.Counters[Counter.TcpSegmentsSent];
            for (int i = 0; i < 5; i++)
            {
                client.SendSome(c, [(byte)i], 0, 1, out _);
                network.Settle();
            }

            Assert.Equal(noDelay ? 5 : 1, client.Counters[Counter.TcpSegmentsSent] - before);
        }
    }
}
