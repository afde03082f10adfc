using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.TcpHarness;

namespace IoTStack.Stack.Tests;

/// <summary>RFC 5961 blind attacks, slot reclaiming, and option negotiation.</summary>
public class TcpSecurityTests
{
    private sealed class Connection
    {
        public required TestNetwork Network;
        public required NetStack Client;
        public required NetStack Server;
        public int C;
        public int S;
        public uint ClientNext; // the client's next sequence number, learned from the wire
        public uint ServerNext;
        public int ClientPort;
    }

    private static Connection Open()
    {
        var network = new TestNetwork();
        var client = network.Add(1, new NetStackOptions { TcpTimestamps = false });
        var server = network.Add(2, new NetStackOptions { TcpTimestamps = false });
        int listener = Listen(server, 80);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 80);
        var connection = new Connection { Network = network, Client = client, Server = server, C = c, S = s, ClientPort = Info(client, c).Local.Port };
        foreach (var frame in network.Frames.Where(f => f[23] == 6))
        {
            bool fromClient = MacAddress.Read(frame, 6) == TestNetwork.Mac(1);
            Ipv4Packet.TryParse(frame, 14, frame.Length - 14, out var ip);
            TcpSegment.TryParse(frame, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var tcp);
            uint next = tcp.SequenceNumber + (uint)tcp.SequenceLength;
            if (fromClient) connection.ClientNext = next; else connection.ServerNext = next;
        }

        return connection;
    }

    /// <summary>A segment that claims to come from the client, injected into the server's port.</summary>
    private static void Inject(Connection k, uint sequence, uint acknowledgment, TcpFlags flags, byte[]? data = null)
    {
        data ??= [];
        var frame = new byte[Math.Max(60, 54 + data.Length)];
        EthernetFrame.WriteHeader(frame, 0, TestNetwork.Mac(2), TestNetwork.Mac(1), EtherType.IPv4);
        int length = TcpSegment.WriteHeader(frame, 34, k.ClientPort, 80, sequence, acknowledgment, flags, 8192, 0) + data.Length;
        data.CopyTo(frame, 54);
        TcpSegment.FillChecksum(frame, 34, length, TestNetwork.Ip(1), TestNetwork.Ip(2));
        Ipv4Packet.WriteHeader(frame, 14, TestNetwork.Ip(1), TestNetwork.Ip(2), IpProtocol.Tcp, length, 999, 64, true);
        ((VirtualPort)k.Server.Device).Inject(frame);
        k.Network.Settle();
    }

    [Fact]
    public void A_blind_reset_in_the_window_but_off_the_exact_sequence_gets_a_challenge_ack_and_changes_nothing()
    {
        var k = Open();
        Inject(k, k.ClientNext + 100, 0, TcpFlags.Rst);
        Assert.Equal(1, k.Server.Counters[Counter.TcpChallengeAcks]);
        Assert.Equal(SocketState.Established, Info(k.Server, k.S).State);
        Inject(k, k.ClientNext + 1_000_000, 0, TcpFlags.Rst); // outside the window: silently dropped
        Assert.Equal(1, k.Server.Counters[Counter.TcpChallengeAcks]);
        Assert.Equal(SocketState.Established, Info(k.Server, k.S).State);
        var data = RandomData(1000, 1);
        Assert.Equal(data, Transfer(k.Network, k.Client, k.C, k.Server, k.S, data));
    }

    [Theory]
    [InlineData("CloseWait")]
    [InlineData("LastAck")]
    [InlineData("FinWait1")]
    [InlineData("FinWait2")]
    [InlineData("Closing")]
    public void An_exact_reset_ends_the_connection_in_every_synchronized_state(string state)
    {
        var k = Open();
        uint next = k.ClientNext;
        var toClient = k.Network.Switch.Ports[0];
        switch (state)
        {
            case "CloseWait":
                k.Client.Shutdown(k.C, ShutdownDirection.Send);
                k.Network.Settle();
                next++;
                break;
            case "LastAck":
                k.Client.Shutdown(k.C, ShutdownDirection.Send);
                k.Network.Settle();
                next++;
                toClient.IsLinkUp = false;
                k.Server.Shutdown(k.S, ShutdownDirection.Send);
                break;
            case "FinWait1":
                toClient.IsLinkUp = false;
                k.Server.Shutdown(k.S, ShutdownDirection.Send);
                break;
            case "FinWait2":
                k.Server.Shutdown(k.S, ShutdownDirection.Send);
                k.Network.Settle();
                break;
            case "Closing":
                toClient.IsLinkUp = false;
                k.Server.Shutdown(k.S, ShutdownDirection.Send);
                Inject(k, next, k.ServerNext, TcpFlags.Fin | TcpFlags.Ack); // the peer's FIN crosses ours
                next++;
                break;
        }

        Assert.Equal(state, Info(k.Server, k.S).State.ToString());
        Inject(k, next, 0, TcpFlags.Rst);
        Assert.Equal(SocketState.Closed, Info(k.Server, k.S).State);
        Assert.Equal(1, k.Server.Counters[Counter.TcpResetsReceived]);
    }

    [Fact]
    public void A_reset_in_time_wait_is_ignored_as_rfc1337_asks()
    {
        var k = Open();
        k.Server.Shutdown(k.S, ShutdownDirection.Send);
        k.Network.Settle();
        k.Client.Shutdown(k.C, ShutdownDirection.Send);
        k.Network.Settle();
        Assert.Equal(SocketState.TimeWait, Info(k.Server, k.S).State);
        Inject(k, k.ClientNext + 1, 0, TcpFlags.Rst);
        Assert.Equal(SocketState.TimeWait, Info(k.Server, k.S).State);
    }

    [Fact]
    public void An_exact_reset_removes_a_half_open_connection()
    {
        var k = Open();
        k.ClientPort = 40000;
        Inject(k, 5000, 0, TcpFlags.Syn);
        Inject(k, 5001, 0, TcpFlags.Rst);
        Assert.Equal(1, k.Server.Counters[Counter.TcpResetsReceived]);
        int resets = k.Server.Counters[Counter.TcpResetsSent];
        Inject(k, 5001, 12345, TcpFlags.Ack); // the half-open entry is gone: the listener answers a stray ACK with RST
        Assert.Equal(resets + 1, k.Server.Counters[Counter.TcpResetsSent]);
        Assert.Equal(1, k.Server.Counters[Counter.TcpPassiveOpens]); // only the original connection
        Assert.Equal(2, TcpHarness.Used(k.Server)); // the listener and the original connection
    }

    [Fact]
    public void A_reset_at_exactly_the_next_sequence_number_resets()
    {
        var k = Open();
        Inject(k, k.ClientNext, 0, TcpFlags.Rst);
        Assert.Equal(SocketResult.ConnectionReset, k.Server.Receive(k.S, new byte[1], 0, 1, out _));
    }

    [Fact]
    public void A_blind_syn_in_a_synchronized_state_gets_a_challenge_ack()
    {
        var k = Open();
        Inject(k, k.ClientNext + 5, 0, TcpFlags.Syn);
        Assert.Equal(1, k.Server.Counters[Counter.TcpChallengeAcks]);
        Assert.Equal(SocketState.Established, Info(k.Server, k.S).State);
    }

    [Fact]
    public void Blind_data_with_an_unacceptable_ack_is_not_delivered()
    {
        var k = Open();
        Inject(k, k.ClientNext, k.ServerNext + 100_000, TcpFlags.Ack | TcpFlags.Psh, "evil"u8.ToArray()); // ACK beyond SND.NXT
        Inject(k, k.ClientNext, k.ServerNext - 1_000_000, TcpFlags.Ack | TcpFlags.Psh, "evil"u8.ToArray()); // ACK far too old
        Assert.Equal(2, k.Server.Counters[Counter.TcpBadAcks]);
        Assert.Equal(SocketResult.WouldBlock, k.Server.Receive(k.S, new byte[10], 0, 10, out _));
    }

    [Fact]
    public void Challenge_acks_are_rate_limited()
    {
        var k = Open();
        for (int i = 0; i < 150; i++)
        {
            Inject(k, k.ClientNext + 10 + (uint)i, 0, TcpFlags.Rst);
        }

        Assert.Equal(100, k.Server.Counters[Counter.TcpChallengeAcks]);
        Assert.Equal(50, k.Server.Counters[Counter.TcpChallengeAcksLimited]);
    }

    [Fact]
    public void A_new_connection_may_reclaim_the_longest_idle_slot_when_the_option_is_on()
    {
        var network = new TestNetwork();
        var server = network.Add(10, new NetStackOptions { TcpConnections = 2, TcpListeners = 1, TcpReclaimIdleConnections = true });
        int listener = Listen(server, 80, backlog: 3);
        var client = network.Add(1);
        var (c1, s1) = Connect(network, client, server, listener, TestNetwork.Ip(10), 80);
        network.Run(1000);
        var (c2, s2) = Connect(network, client, server, listener, TestNetwork.Ip(10), 80);
        network.Run(1000);
        Transfer(network, client, c1, server, s1, [1]); // c1 is now the most recently active
        var (c3, _) = Connect(network, client, server, listener, TestNetwork.Ip(10), 80);
        Assert.Equal(1, server.Counters[Counter.TcpSlotsReclaimed]);
        Assert.Equal(SocketResult.ConnectionReset, client.Receive(c2, new byte[1], 0, 1, out _));
        Assert.Equal(SocketState.Established, Info(client, c1).State);
        Assert.Equal(SocketState.Established, Info(client, c3).State);
        Assert.Equal(SocketResult.NotSocket, server.Receive(s2, new byte[1], 0, 1, out _)); // its descriptor is stale
    }

    [Fact]
    public void Window_scaling_is_used_when_both_sides_offer_it_and_big_buffers_fill_the_pipe()
    {
        var options = new NetStackOptions { ReceiveBufferSize = 200_000, TransmitBufferSize = 200_000 };
        var network = new TestNetwork();
        var client = network.Add(1, options);
        var server = network.Add(2, options);
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        var syn = network.Frames.First(f => f[23] == 6);
        Ipv4Packet.TryParse(syn, 14, syn.Length - 14, out var ip);
        TcpSegment.TryParse(syn, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var tcp);
        var offered = tcp.ReadOptions();
        Assert.True(offered.HasWindowScale);
        Assert.Equal(2, offered.WindowScale); // 200000 >> 2 fits 16 bits
        Assert.True(offered.HasTimestamps);
        Assert.True(offered.SackPermitted);
        network.Switch.Faults = new LinkFaults { DelayMs = 5 };
        var data = RandomData(500_000, 4);
        Assert.Equal(Hash(data), Hash(Transfer(network, client, c, server, s, data)));
        var last = network.Frames.Last(f => f[23] == 6 && MacAddress.Read(f, 6) == TestNetwork.Mac(2));
        Ipv4Packet.TryParse(last, 14, last.Length - 14, out ip);
        TcpSegment.TryParse(last, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out tcp);
        Assert.True(tcp.Window << 2 > 65535); // the scaled window passes what 16 bits can say
    }

    [Fact]
    public void Without_options_offered_the_connection_falls_back_to_plain_tcp()
    {
        var plain = new NetStackOptions { TcpWindowScaling = false, TcpTimestamps = false, TcpSelectiveAcknowledgments = false };
        var network = new TestNetwork();
        var client = network.Add(1, plain);
        var server = network.Add(2);
        int listener = Listen(server, 9);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        foreach (var frame in network.Frames.Where(f => f[23] == 6 && MacAddress.Read(f, 6) == TestNetwork.Mac(2)))
        {
            Ipv4Packet.TryParse(frame, 14, frame.Length - 14, out var ip);
            TcpSegment.TryParse(frame, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var tcp);
            var options = tcp.ReadOptions();
            Assert.False(options.HasTimestamps || options.HasWindowScale || options.SackPermitted);
        }

        network.Switch.Faults = new LinkFaults { Loss = 0.05 };
        var data = RandomData(50_000, 8);
        Assert.Equal(Hash(data), Hash(Transfer(network, client, c, server, s, data)));
    }
}
