using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.TcpHarness;

namespace IoTStack.Stack.Tests;

/// <summary>Cases a review of the TCP code found wanting.</summary>
public class TcpRegressionTests
{
    private static IEnumerable<TcpSegment> Segments(TestNetwork network, int fromHost)
    {
        foreach (var frame in network.Frames.Where(f => f[23] == 6 && MacAddress.Read(f, 6) == TestNetwork.Mac(fromHost)))
        {
            Ipv4Packet.TryParse(frame, 14, frame.Length - 14, out var ip);
            TcpSegment.TryParse(frame, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var tcp);
            yield return tcp;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void An_active_opener_never_advertises_more_window_than_its_receive_buffer(int seed)
    {
        var network = new TestNetwork(seed);
        network.Clock.Advance(seed * 7919); // different initial sequence numbers each time
        var client = network.Add(1, new NetStackOptions { ReceiveBufferSize = 1024 });
        var server = network.Add(2);
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        var data = RandomData(20_000, seed);
        Assert.Equal(Hash(data), Hash(Transfer(network, server, s, client, c, data)));
        Assert.All(Segments(network, 1), tcp => Assert.InRange((int)tcp.Window, 0, 1024));
        Assert.Equal(0, client.Counters[Counter.TcpOutOfOrderDropped]);
    }

    [Fact]
    public void A_fin_rewound_by_a_timeout_is_still_recognised_when_acknowledged()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        network.Switch.Faults = new LinkFaults { DelayMs = 300 }; // ACKs come back after the 200 ms RTO fired
        client.SendSome(c, new byte[2000], 0, 2000, out _);
        client.Close(c);
        var buffer = new byte[4096];
        Assert.True(network.RunUntil(() =>
        {
            server.Receive(s, buffer, 0, buffer.Length, out int n);
            return n == 0 && server.PollSocket(s).HasFlag(SocketEvents.Readable) && TcpHarness.Info(server, s).State == SocketState.CloseWait;
        }, 20_000));
        server.Close(s);
        network.Run(20_000);
        Assert.Equal(0, Used(client));
        Assert.Equal(0, client.Counters[Counter.TcpAborts]);
        Assert.True(client.Counters[Counter.TcpRetransmissionTimeouts] > 0);
    }

    [Fact]
    public void Two_time_wait_entries_facing_each_other_do_not_ack_forever()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        int listener = Listen(b, 9);
        var (c, s) = Connect(network, a, b, listener, TestNetwork.Ip(2), 9);
        a.Close(c);
        b.Close(s); // simultaneous close: both end in TIME-WAIT, in their tables
        network.Run(100);
        network.Frames.Clear();
        network.Run(1000);
        Assert.True(network.Frames.Count < 4, $"{network.Frames.Count} frames after both closed");
    }

    [Fact]
    public void Data_after_a_lost_handshake_ack_completes_the_connection_instead_of_a_reset()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        int listener = Listen(server, 9);
        network.Ping(client, TestNetwork.Ip(2), 1);
        int fromClient = 0;
        network.Switch.Observer = frame =>
        {
            // Lose the client's second and third TCP segments: the handshake's ACK and the first data.
            if (frame[23] == 6 && MacAddress.Read(frame, 6) == TestNetwork.Mac(1))
            {
                fromClient++;
                network.Switch.Ports[1].IsLinkUp = fromClient is not (2 or 3);
            }
        };
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c);
        client.Connect(c, TestNetwork.Ip(2), 9);
        network.Settle();
        client.SetOption(c, SocketOption.NoDelay, 1);
        client.SendSome(c, "first"u8.ToArray(), 0, 5, out _);
        network.Settle();
        client.SendSome(c, "second"u8.ToArray(), 0, 6, out _);
        network.Settle();
        network.Switch.Ports[1].IsLinkUp = true;
        int s = 0;
        Assert.True(network.RunUntil(() => server.Accept(listener, out s) == SocketResult.Success, 5_000));
        var buffer = new byte[64];
        var text = new System.Text.StringBuilder();
        Assert.True(network.RunUntil(() =>
        {
            if (server.Receive(s, buffer, 0, buffer.Length, out int n) == SocketResult.Success)
            {
                text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
            }

            return text.ToString() == "firstsecond";
        }, 5_000));
        Assert.Equal(0, server.Counters[Counter.TcpResetsSent]);
    }
}
