using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.TcpHarness;

namespace IoTStack.Stack.Tests;

public class TcpTests
{
    [Fact]
    public void Handshake_data_both_ways_and_an_orderly_close()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        int listener = Listen(server, 80);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 80);
        Assert.Equal(SocketState.Established, Info(client, c).State);
        Assert.Equal(SocketState.Established, Info(server, s).State);
        Assert.Equal(new SocketEndpoint(IpProtocol.Tcp, TestNetwork.Ip(1), Info(client, c).Local.Port), Info(server, s).Remote);
        Assert.Equal(new SocketEndpoint(IpProtocol.Tcp, TestNetwork.Ip(2), 80), Info(client, c).Remote);

        var request = "GET / HTTP/1.1\r\n\r\n"u8.ToArray();
        Assert.Equal(request, Transfer(network, client, c, server, s, request));
        var response = RandomData(10_000, 1);
        Assert.Equal(Hash(response), Hash(Transfer(network, server, s, client, c, response)));

        Assert.Equal(SocketResult.Success, client.Close(c));
        network.Run(10);
        Assert.Equal(SocketState.CloseWait, Info(server, s).State);
        Assert.Equal(SocketResult.Success, server.Receive(s, new byte[10], 0, 10, out int eof));
        Assert.Equal(0, eof);
        Assert.Equal(SocketResult.Success, server.Close(s));
        network.Run(10);
        Assert.Equal(1, Used(server)); // only the listener
        Assert.Equal(0, Used(client)); // the client's TIME-WAIT holds no slot
        Assert.Equal(0, client.Counters[Counter.TcpRetransmissionTimeouts] + server.Counters[Counter.TcpRetransmissionTimeouts]);
    }

    [Fact]
    public void Connecting_to_a_closed_port_is_refused()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c);
        Assert.Equal(SocketResult.WouldBlock, client.Connect(c, TestNetwork.Ip(2), 81));
        network.Run(10);
        Assert.True(client.PollSocket(c).HasFlag(SocketEvents.Error));
        Assert.Equal(SocketResult.ConnectionRefused, client.Connect(c, TestNetwork.Ip(2), 81));
        Assert.Equal(1, server.Counters[Counter.TcpNoListener]);
        Assert.Equal(1, server.Counters[Counter.TcpResetsSent]);
    }

    [Fact]
    public void Connecting_to_a_silent_host_times_out_after_the_syn_retries()
    {
        var network = new TestNetwork();
        var client = network.Add(1, new NetStackOptions { TcpSynRetries = 3, ArpRequestRetries = 100 });
        var server = network.Add(2);
        network.Ping(client, TestNetwork.Ip(2), 1);
        network.Switch.Ports[1].IsLinkUp = false;
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c);
        client.Connect(c, TestNetwork.Ip(2), 80);
        network.Run(16_000);
        Assert.Equal(SocketResult.TimedOut, client.Connect(c, TestNetwork.Ip(2), 80));
        // RFC 6298: 1 s, then doubling: retries at 1, 3, 7 s; given up at 15 s.
        Assert.Equal(4, client.Counters[Counter.TcpRetransmissionTimeouts]);
        Assert.Equal(3, client.Counters[Counter.TcpRetransmittedSegments]);
    }

    [Fact]
    public void One_port_serves_several_clients_each_told_apart_by_its_four_tuple()
    {
        var network = new TestNetwork();
        var server = network.Add(10);
        int listener = Listen(server, 80, backlog: 4);
        var clients = Enumerable.Range(1, 3).Select(h => network.Add(h)).ToList();
        var pairs = clients.Select(client => Connect(network, client, server, listener, TestNetwork.Ip(10), 80)).ToList();
        var second = Connect(network, clients[0], server, listener, TestNetwork.Ip(10), 80); // two from one host
        pairs.Add(second);
        var owners = clients.Append(clients[0]).ToList();
        var remotes = pairs.Select(p => Info(server, p.Server).Remote).ToList();
        Assert.Equal(4, remotes.Distinct().Count());
        for (int i = 0; i < pairs.Count; i++)
        {
            var data = RandomData(3000 + i, i);
            Assert.Equal(Hash(data), Hash(Transfer(network, owners[i], pairs[i].Client, server, pairs[i].Server, data)));
            var back = RandomData(2000 + i, 100 + i);
            Assert.Equal(Hash(back), Hash(Transfer(network, server, pairs[i].Server, owners[i], pairs[i].Client, back)));
        }
    }

    [Fact]
    public void A_full_backlog_drops_new_syns_and_lets_the_client_in_once_one_is_accepted()
    {
        var network = new TestNetwork();
        var server = network.Add(10);
        int listener = Listen(server, 80, backlog: 2);
        var client = network.Add(1);
        var sockets = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c);
            client.Connect(c, TestNetwork.Ip(10), 80);
            network.Run(5);
            sockets.Add(c);
        }

        Assert.True(client.PollSocket(sockets[0]).HasFlag(SocketEvents.Writable));
        Assert.True(client.PollSocket(sockets[1]).HasFlag(SocketEvents.Writable));
        // The third SYN found the backlog full and was dropped, not refused: the client is still connecting.
        Assert.Equal(SocketResult.WouldBlock, client.Connect(sockets[2], TestNetwork.Ip(10), 80));
        Assert.Equal(1, server.Counters[Counter.TcpBacklogDrops]);
        Assert.Equal(0, server.Counters[Counter.TcpConnectionsRefused]);
        Assert.Equal(SocketResult.Success, server.Accept(listener, out int first));
        var data = RandomData(500, 3);
        Assert.Equal(data, Transfer(network, client, sockets[0], server, first, data));
        // Room in the backlog: the client's retransmitted SYN (its RTO) gets in.
        network.Run(3_000);
        Assert.Equal(SocketResult.IsConnected, client.Connect(sockets[2], TestNetwork.Ip(10), 80));
    }

    [Fact]
    public void When_slots_run_out_syns_are_refused_cleanly_or_dropped_as_configured()
    {
        foreach (bool reset in new[] { true, false })
        {
            var network = new TestNetwork();
            var server = network.Add(10, new NetStackOptions { TcpConnections = 1, TcpListeners = 1, TcpRefuseWithReset = reset });
            int listener = Listen(server, 80, backlog: 8);
            var client = network.Add(1);
            var (c1, s1) = Connect(network, client, server, listener, TestNetwork.Ip(10), 80);
            client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c2);
            client.Connect(c2, TestNetwork.Ip(10), 80);
            network.Run(50);
            Assert.Equal(reset ? SocketResult.ConnectionRefused : SocketResult.WouldBlock, client.Connect(c2, TestNetwork.Ip(10), 80));
            Assert.True(server.Counters[Counter.TcpConnectionsRefused] >= 1);
            var data = RandomData(100, 1);
            Assert.Equal(data, Transfer(network, client, c1, server, s1, data));
        }
    }

    [Fact]
    public void Time_wait_holds_no_slot_and_the_oldest_entry_goes_when_the_table_is_full()
    {
        var network = new TestNetwork();
        var client = network.Add(1, new NetStackOptions { TcpConnections = 2, TcpTimeWaitEntries = 2 });
        var server = network.Add(2);
        int listener = Listen(server, 80);
        for (int i = 0; i < 5; i++)
        {
            var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 80);
            client.Close(c);
            network.Run(5);
            server.Close(s);
            network.Run(5);
            Assert.Equal(0, Used(client));
        }

        Assert.Equal(3, client.Counters[Counter.TcpTimeWaitEvictions]);
    }

    [Fact]
    public void Simultaneous_open_and_simultaneous_close()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        network.Ping(a, TestNetwork.Ip(2), 1);
        a.Open(SocketKind.Stream, IpProtocol.Tcp, out int sa);
        b.Open(SocketKind.Stream, IpProtocol.Tcp, out int sb);
        a.Bind(sa, IPv4Address.Any, 5000);
        b.Bind(sb, IPv4Address.Any, 6000);
        Assert.Equal(SocketResult.WouldBlock, a.Connect(sa, TestNetwork.Ip(2), 6000));
        Assert.Equal(SocketResult.WouldBlock, b.Connect(sb, TestNetwork.Ip(1), 5000));
        network.Run(10);
        Assert.Equal(SocketState.Established, Info(a, sa).State);
        Assert.Equal(SocketState.Established, Info(b, sb).State);
        var data = RandomData(3000, 9);
        Assert.Equal(data, Transfer(network, a, sa, b, sb, data));

        a.Shutdown(sa, ShutdownDirection.Send);
        b.Shutdown(sb, ShutdownDirection.Send);
        network.Settle();
        network.Run(5);
        Assert.Equal(SocketState.TimeWait, Info(a, sa).State);
        Assert.Equal(SocketState.TimeWait, Info(b, sb).State);
        a.Close(sa);
        b.Close(sb);
        Assert.Equal(0, Used(a) + Used(b));
    }

    [Fact]
    public void Half_close_lets_the_other_side_keep_sending()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        int listener = Listen(server, 7);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 7);
        var request = RandomData(1000, 1);
        Assert.Equal(request, Transfer(network, client, c, server, s, request, closeAfter: true));
        network.Run(5);
        Assert.Equal(SocketState.FinWait2, Info(client, c).State);
        Assert.Equal(SocketResult.Success, server.Receive(s, new byte[1], 0, 1, out int eof));
        Assert.Equal(0, eof);
        Assert.Equal(SocketResult.Shutdown, client.SendSome(c, new byte[1], 0, 1, out _));
        var reply = RandomData(5000, 2);
        Assert.Equal(Hash(reply), Hash(Transfer(network, server, s, client, c, reply)));
        server.Close(s);
        network.Run(5);
        Assert.Equal(SocketState.TimeWait, Info(client, c).State);
    }

    [Fact]
    public void Linger_zero_aborts_with_a_reset_the_peer_sees()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        int listener = Listen(server, 7);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 7);
        Assert.Equal(SocketResult.Success, client.SetOption(c, SocketOption.Linger, 0));
        client.Close(c);
        network.Run(5);
        Assert.Equal(SocketResult.ConnectionReset, server.Receive(s, new byte[10], 0, 10, out _));
        Assert.True(server.PollSocket(s).HasFlag(SocketEvents.HangUp));
        Assert.Equal(0, Used(client));
    }

    [Fact]
    public void Closing_with_unread_data_resets()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        int listener = Listen(server, 7);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 7);
        client.SendSome(c, new byte[100], 0, 100, out _);
        network.Run(5);
        server.Close(s);
        network.Run(5);
        Assert.Equal(SocketResult.ConnectionReset, client.Receive(c, new byte[10], 0, 10, out _));
    }

    [Fact]
    public void Tcp_and_udp_port_53_are_different_sockets()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        Listen(a, 53);
        TestNetwork.OpenUdp(a, 53);
        a.Open(SocketKind.Stream, IpProtocol.Tcp, out int second);
        Assert.Equal(SocketResult.AddressInUse, a.Bind(second, IPv4Address.Any, 53));
    }

    [Fact]
    public void Stale_descriptors_of_closed_connections_are_refused()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        int listener = Listen(server, 7);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 7);
        client.Close(c);
        Assert.Equal(SocketResult.NotSocket, client.SendSome(c, new byte[1], 0, 1, out _));
        Assert.Equal(SocketEvents.Invalid, client.PollSocket(c));
        network.Run(5);
        server.Close(s);
        server.Close(listener);
        Assert.Equal(SocketResult.NotSocket, server.Accept(listener, out _));
    }
}

public class TcpTimingTests
{
    [Fact]
    public void A_lone_small_segment_is_acknowledged_after_the_delayed_ack_time_and_a_second_at_once()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2, new NetStackOptions { TcpDelayedAckMs = 40 });
        int listener = TcpHarness.Listen(server, 9);
        var (c, _) = TcpHarness.Connect(network, client, server, listener, TestNetwork.Ip(2), 9);
        client.SetOption(c, SocketOption.NoDelay, 1);
        long start = network.Clock.NowMilliseconds;
        var acks = new List<long>();
        network.Switch.Observer = frame =>
        {
            if (frame[23] == 6 && MacAddress.Read(frame, 6) == TestNetwork.Mac(2))
            {
                acks.Add(network.Clock.NowMilliseconds - start);
            }
        };
        client.SendSome(c, [1], 0, 1, out _);
        network.Run(100);
        Assert.Equal([40L], acks);
        acks.Clear();
        start = network.Clock.NowMilliseconds;
        client.SendSome(c, new byte[1000], 0, 1000, out _);
        network.Settle();
        client.SendSome(c, new byte[1000], 0, 1000, out _);
        network.Settle();
        Assert.Equal([0L], acks); // every second segment is acknowledged at once (RFC 1122 section 4.2.3.2)
    }

    [Fact]
    public void Initial_sequence_numbers_differ_per_connection_and_advance_with_time()
    {
        var network = new TestNetwork();
        var client = network.Add(1);
        var server = network.Add(2);
        TcpHarness.Listen(server, 9);
        var isns = new List<uint>();
        network.Switch.Observer = frame =>
        {
            if (frame[23] == 6 && MacAddress.Read(frame, 6) == TestNetwork.Mac(1) && (frame[47] & 0x02) != 0)
            {
                isns.Add(NetworkOrder.ReadUInt32(frame, 38));
            }
        };
        for (int i = 0; i < 4; i++)
        {
            client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c);
            client.Connect(c, TestNetwork.Ip(2), 9);
            network.Run(10);
        }

        Assert.Equal(4, isns.Distinct().Count());
        Assert.True(isns.Zip(isns.Skip(1)).Any(p => Math.Abs((int)(p.Second - p.First)) > 100_000), "ISNs look sequential");
    }

    [Fact]
    public void Time_wait_lasts_the_configured_2msl_and_a_newer_syn_may_reuse_its_four_tuple()
    {
        var network = new TestNetwork();
        var client = network.Add(1, new NetStackOptions { TcpTimeWaitMs = 5_000 });
        var server = network.Add(2);
        int listener = TcpHarness.Listen(server, 9);
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c);
        client.Bind(c, IPv4Address.Any, 4444);
        client.Connect(c, TestNetwork.Ip(2), 9);
        network.RunUntil(() => server.Accept(listener, out _) == SocketResult.Success);
        client.Close(c);
        network.Run(10);
        for (int i = 0; i < server.SocketCount; i++)
        {
            if (server.GetSocketInfo(i, out var info) == SocketResult.Success && info.State == SocketState.CloseWait)
            {
                server.Close(info.Descriptor);
            }
        }

        network.Run(10);
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int again);
        client.Bind(again, IPv4Address.Any, 4444);
        Assert.Equal(SocketResult.AddressInUse, client.Connect(again, TestNetwork.Ip(2), 9)); // our own TIME-WAIT holds the 4-tuple
        network.Run(5_000);
        Assert.Equal(SocketResult.WouldBlock, client.Connect(again, TestNetwork.Ip(2), 9));
        network.Run(10);
        Assert.Equal(SocketState.Established, TcpHarness.Info(client, again).State);
    }
}
