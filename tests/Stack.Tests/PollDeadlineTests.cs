using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.TcpHarness;

namespace IoTStack.Stack.Tests;

/// <summary>
/// <see cref="NetStack.PollDelay"/> (issue 15 item 6): an idle stack says when its next timer falls due, and a poll at
/// exactly that moment does the timer's work, one a millisecond earlier does not.
/// </summary>
public class PollDeadlineTests
{
    private readonly TestNetwork _network = new();

    private int FramesFrom(int host) => _network.Frames.Count(frame => MacAddress.Read(frame, 6) == TestNetwork.Mac(host));

    /// <summary>Moves the clock on by <paramref name="milliseconds"/> and polls <paramref name="stack"/> alone, once.</summary>
    private void PollAfter(NetStack stack, int milliseconds)
    {
        _network.Clock.Advance(milliseconds);
        stack.Poll();
    }

    [Fact]
    public void An_idle_stack_may_sleep_the_longest_delay()
    {
        var stack = _network.Add(1);
        _network.Run(10);
        Assert.Equal(NetStack.MaximumPollDelayMs, stack.PollDelay());
    }

    [Fact]
    public void A_send_asks_for_a_poll_now_and_the_poll_sends_it()
    {
        var client = _network.Add(1);
        var server = _network.Add(2);
        var (c, _) = Connect(_network, client, server, Listen(server, 9), TestNetwork.Ip(2), 9);
        _network.Run(100);
        Assert.Equal(SocketResult.Success, client.SendSome(c, new byte[10], 0, 10, out _));
        Assert.Equal(0, client.PollDelay()); // a Send is flushed at the end of the next poll
        int frames = FramesFrom(1);
        client.Poll();
        Assert.Equal(frames + 1, FramesFrom(1));
        Assert.True(client.PollDelay() > 0);
    }

    [Fact]
    public void Unacknowledged_data_reports_its_retransmission_timeout_and_is_resent_exactly_then()
    {
        var client = _network.Add(1, new NetStackOptions { TcpMinimumRtoMs = 200 });
        var server = _network.Add(2);
        var (c, _) = Connect(_network, client, server, Listen(server, 9), TestNetwork.Ip(2), 9);
        _network.Run(100);
        _network.Switch.Drop = frame => MacAddress.Read(frame, 6) == TestNetwork.Mac(1); // the client's segments are lost
        client.SendSome(c, new byte[100], 0, 100, out _);
        client.Poll();
        long timeouts = client.Counters[Counter.TcpRetransmissionTimeouts];

        // RFC 6298 section 2.3: after a handshake of about 0 ms, RTO = max(SRTT + 4 RTTVAR, 200 ms) = 200 ms.
        int delay = client.PollDelay();
        Assert.Equal(200, delay);
        PollAfter(client, delay - 1);
        Assert.Equal(timeouts, client.Counters[Counter.TcpRetransmissionTimeouts]);
        Assert.Equal(1, client.PollDelay());
        int frames = FramesFrom(1);
        PollAfter(client, 1);
        Assert.Equal(timeouts + 1, client.Counters[Counter.TcpRetransmissionTimeouts]);
        Assert.Equal(frames + 1, FramesFrom(1));

        // Section 5.5: the timer backs off to 400 ms, beyond the cap; polled at each reported delay, it fires at 400.
        long resentAt = _network.Clock.NowMilliseconds;
        while (client.Counters[Counter.TcpRetransmissionTimeouts] == timeouts + 1)
        {
            delay = client.PollDelay();
            Assert.InRange(delay, 1, NetStack.MaximumPollDelayMs);
            PollAfter(client, delay);
        }

        Assert.Equal(resentAt + 400, _network.Clock.NowMilliseconds);
    }

    [Fact]
    public void A_delayed_ack_is_reported_and_sent_at_its_deadline()
    {
        var client = _network.Add(1);
        var server = _network.Add(2, new NetStackOptions { TcpDelayedAckMs = 40 });
        var (c, _) = Connect(_network, client, server, Listen(server, 9), TestNetwork.Ip(2), 9);
        _network.Run(100);
        client.SendSome(c, new byte[10], 0, 10, out _);
        client.Poll();
        server.Poll(); // one segment in: its ACK may wait (RFC 9293 section 3.8.6.3)
        Assert.Equal(40, server.PollDelay());
        int frames = FramesFrom(2);
        PollAfter(server, 39);
        Assert.Equal(frames, FramesFrom(2));
        PollAfter(server, 1);
        Assert.Equal(frames + 1, FramesFrom(2));
    }

    [Fact]
    public void Arp_retries_and_a_ping_timeout_are_deadlines()
    {
        var stack = _network.Add(1, new NetStackOptions { ArpRequestIntervalMs = 100 });
        _network.Run(10);
        Assert.Equal(SocketResult.Success, stack.StartPing(TestNetwork.Ip(99), 8, 150, out int ping)); // nobody has .99
        int requests = FramesFrom(1);
        Assert.Equal(100, stack.PollDelay()); // the next ARP request (RFC 1122 section 2.3.2.1)
        PollAfter(stack, 99);
        Assert.Equal(requests, FramesFrom(1));
        PollAfter(stack, 1);
        Assert.Equal(requests + 1, FramesFrom(1));
        Assert.Equal(50, stack.PollDelay()); // now the ping's timeout comes first
        PollAfter(stack, 49);
        Assert.Equal(PingStatus.Pending, stack.GetPingStatus(ping, out _));
        PollAfter(stack, 1);
        Assert.Equal(PingStatus.TimedOut, stack.GetPingStatus(ping, out _));
    }

    [Fact]
    public void A_half_open_connection_and_time_wait_are_deadlines()
    {
        var client = _network.Add(1, new NetStackOptions { TcpTimeWaitMs = 120 });
        var server = _network.Add(2, new NetStackOptions { TcpMinimumRtoMs = 100, TcpInitialRtoMs = 150 });
        int listener = Listen(server, 9);
        Assert.Equal(PingStatus.Replied, _network.Ping(client, TestNetwork.Ip(2), 8)); // both know each other's MAC

        // The server's SYN-ACK is lost: the half-open entry in its SYN queue says when to send it again.
        _network.Switch.Drop = frame => MacAddress.Read(frame, 6) == TestNetwork.Mac(2);
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
        client.Connect(socket, TestNetwork.Ip(2), 9);
        client.Poll();
        server.Poll();
        Assert.Equal(150, server.PollDelay());
        _network.Switch.Drop = null;
        Assert.True(_network.RunUntil(() => server.Accept(listener, out _) == SocketResult.Success, 2_000));
        Assert.True(_network.RunUntil(() => client.Connect(socket, TestNetwork.Ip(2), 9) == SocketResult.IsConnected));

        // The client closes first, so it waits in TIME-WAIT (RFC 9293 section 3.6), here 120 ms, and nothing after.
        client.Close(socket);
        Assert.True(_network.RunUntil(() => CloseWaitClosed(server)));
        _network.Settle();
        int delay = client.PollDelay();
        Assert.InRange(delay, 1, 120);
        PollAfter(client, delay - 1);
        Assert.Equal(1, client.PollDelay());
        PollAfter(client, 1);
        Assert.Equal(NetStack.MaximumPollDelayMs, client.PollDelay());
    }

    /// <summary>Closes the server's side once the client's FIN came; true when it has.</summary>
    private static bool CloseWaitClosed(NetStack server)
    {
        for (int i = 0; i < server.SocketCount; i++)
        {
            if (server.GetSocketInfo(i, out SocketInfo info) == SocketResult.Success && info.State == SocketState.CloseWait)
            {
                server.Close(info.Descriptor);
                return true;
            }
        }

        return false;
    }
}
