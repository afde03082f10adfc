using IoTStack.Net;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>
/// The blocking host on every engine (issue 16 item 2): the same application code on IoTStack over an ENC28J60, over a
/// W5500 in MACRAW mode, and on the W5500's hardware sockets, against a peer on a virtual wire, in virtual time.
/// </summary>
public sealed class HostBoardTests
{
    private const int Long = 30_000;

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void A_client_connects_and_a_listener_accepts_and_both_get_their_bytes_echoed(string kind)
    {
        using var board = new HostBoard(kind);
        NetHost host = board.Host;
        Assert.Equal(SocketResult.Success, host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client));
        Assert.Equal(SocketResult.Success, host.Connect(client, HostBoard.PeerIp, 7, Long));
        Assert.Equal(SocketResult.Success, host.GetRemoteAddress(client, out SocketEndpoint remote));
        Assert.Equal(new SocketEndpoint(IpProtocol.Tcp, HostBoard.PeerIp, 7), remote);
        Assert.Equal(SocketResult.Success, host.GetLocalAddress(client, out SocketEndpoint local));
        Assert.Equal(HostBoard.BoardIp, local.Address);
        Assert.Equal(SocketResult.Success, host.SendAll(client, "hello"u8.ToArray(), 0, 5, Long, out int sent));
        Assert.Equal(5, sent);
        Assert.Equal("hello", ReceiveText(host, client, 5));

        host.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        Assert.Equal(SocketResult.Success, host.Bind(listener, IPv4Address.Any, 80));
        Assert.Equal(SocketResult.Success, host.Listen(listener, 2));
        Assert.Equal(SocketResult.WouldBlock, host.Accept(listener, out _));
        board.AtPeer(peer =>
        {
            peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int outgoing);
            board.Wire.Echo(outgoing);
            return peer.Connect(outgoing, HostBoard.BoardIp, 80);
        });
        Assert.Equal(SocketResult.Success, host.Accept(listener, Long, out int server));
        Assert.Equal(SocketResult.Success, host.GetRemoteAddress(server, out remote));
        Assert.Equal(HostBoard.PeerIp, remote.Address);
        host.SendAll(server, "world"u8.ToArray(), 0, 5, Long, out _);
        Assert.Equal("world", ReceiveText(host, server, 5));
        Assert.Equal(SocketResult.Success, host.Close(server));
        Assert.Equal(SocketResult.Success, host.Close(client));
        Assert.Equal(SocketResult.Success, host.Close(listener));
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void Send_all_waits_for_room_until_far_more_than_the_ring_holds_is_sent(string kind)
    {
        using var board = new HostBoard(kind);
        NetHost host = board.Host;
        host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketResult.Success, host.Connect(client, HostBoard.PeerIp, 7, Long));
        byte[] data = TcpHarness.RandomData(40_000, 11); // the rings hold 2 KB (the W5500's socket buffers 2 KB too)
        var received = new MemoryStream();
        var reader = new Thread(() =>
        {
            var buffer = new byte[1500];
            while (received.Length < data.Length && host.Receive(client, buffer, 0, buffer.Length, Long, out int n) == SocketResult.Success && n > 0)
            {
                received.Write(buffer, 0, n);
            }
        });
        reader.Start();
        Assert.Equal(SocketResult.Success, host.SendAll(client, data, 0, data.Length, 10 * Long, out int sent));
        Assert.Equal(data.Length, sent);
        reader.Join();
        Assert.Equal(TcpHarness.Hash(data), TcpHarness.Hash(received.ToArray()));
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void A_receive_with_nothing_coming_times_out_after_its_virtual_time(string kind)
    {
        using var board = new HostBoard(kind);
        NetHost host = board.Host;
        host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketResult.Success, host.Connect(client, HostBoard.PeerIp, 7, Long));
        long start = board.Clock.NowMilliseconds;
        Assert.Equal(SocketResult.TimedOut, host.Receive(client, new byte[16], 0, 16, 200, out int received));
        Assert.Equal(0, received);
        Assert.True(board.Clock.NowMilliseconds - start >= 200);
        host.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp);
        host.Bind(udp, IPv4Address.Any, 5000);
        Assert.Equal(SocketResult.TimedOut, host.ReceiveFrom(udp, new byte[16], 0, 16, 100, out _, out uint _, out int _));
        Assert.Equal(SocketResult.TimedOut, host.Accept(ListenOn(host, 81), 100, out _));
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void Datagrams_sent_back_to_back_come_back_with_their_sender(string kind)
    {
        using var board = new HostBoard(kind);
        NetHost host = board.Host;
        host.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp);
        Assert.Equal(SocketResult.Success, host.Bind(udp, IPv4Address.Any, 5000));
        var buffer = new byte[600];
        for (int i = 1; i <= 5; i++)
        {
            byte[] datagram = TcpHarness.RandomData(100 * i, i);
            // Back to back: the W5500 takes one SEND at a time, so the blocking SendTo waits for the last to go.
            Assert.Equal(SocketResult.Success, host.SendTo(udp, datagram, 0, datagram.Length, HostBoard.PeerIp.Value, 7, Long, out int sent));
            Assert.Equal(datagram.Length, sent);
            if (i % 2 == 0)
            {
                Assert.Equal(SocketResult.Success, host.ReceiveFrom(udp, buffer, 0, buffer.Length, Long, out int n, out SocketEndpoint from));
                Assert.Equal(new SocketEndpoint(IpProtocol.Udp, HostBoard.PeerIp, 7), from);
                Assert.Equal(TcpHarness.Hash(datagram), TcpHarness.Hash(buffer[..n]));
            }
            else
            {
                Assert.Equal(SocketResult.Success, host.ReceiveFrom(udp, buffer, 0, buffer.Length, Long, out int n, out uint address, out int port));
                Assert.Equal((HostBoard.PeerIp.Value, 7), (address, port));
                Assert.Equal(TcpHarness.Hash(datagram), TcpHarness.Hash(buffer[..n]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void Readiness_polling_waits_for_a_connection_then_for_data(string kind)
    {
        using var board = new HostBoard(kind);
        NetHost host = board.Host;
        int listener = ListenOn(host, 80);
        Assert.Equal(SocketEvents.None, host.PollSocket(listener) & SocketEvents.Readable);
        Assert.Equal(SocketEvents.None, host.PollSocket(listener, SocketEvents.Readable, 50));
        int outgoing = board.AtPeer(peer =>
        {
            peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
            peer.Connect(socket, HostBoard.BoardIp, 80);
            return socket;
        });
        Assert.True((host.PollSocket(listener, SocketEvents.Readable, Long) & SocketEvents.Readable) != 0);
        Assert.Equal(SocketResult.Success, host.Accept(listener, out int server));
        Assert.True((host.PollSocket(server, SocketEvents.Writable, Long) & SocketEvents.Writable) != 0);
        Assert.Equal(SocketEvents.None, host.PollSocket(server, SocketEvents.Readable, 50));
        Assert.True(board.AtPeer(peer => peer.SendSome(outgoing, "ping"u8.ToArray(), 0, 4, out _)) == SocketResult.Success);
        Assert.True((host.PollSocket(server, SocketEvents.Readable, Long) & SocketEvents.Readable) != 0);
        Assert.Equal(SocketResult.Success, host.GetOption(server, SocketOption.ReceiveQueued, out int queued));
        Assert.Equal(4, queued);
        Assert.Equal("ping", ReceiveText(host, server, 4));
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void Close_ends_the_peers_stream_and_kills_the_descriptor(string kind)
    {
        using var board = new HostBoard(kind);
        NetHost host = board.Host;
        host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketResult.Success, host.Connect(client, HostBoard.PeerIp, 7, Long));
        host.SendAll(client, "bye"u8.ToArray(), 0, 3, Long, out _);
        Assert.Equal("bye", ReceiveText(host, client, 3));
        Assert.Equal(SocketResult.Success, host.Shutdown(client, ShutdownDirection.Send));
        // The peer echoes the end of stream by closing: the board reads 0.
        Assert.Equal(SocketResult.Success, host.Receive(client, new byte[8], 0, 8, Long, out int received));
        Assert.Equal(0, received);
        Assert.Equal(SocketResult.Success, host.Close(client));
        Assert.Equal(1, board.AtPeer(_ => board.Wire.Ended));
        Assert.Equal(SocketResult.NotSocket, host.SendAll(client, new byte[1], 0, 1, 100, out _));
        Assert.Equal(SocketEvents.Invalid, host.PollSocket(client, SocketEvents.Readable, 100));
        Assert.Equal(SocketResult.NotSocket, host.Close(client));
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void A_connect_to_a_port_nobody_serves_is_refused(string kind)
    {
        using var board = new HostBoard(kind);
        NetHost host = board.Host;
        host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketResult.ConnectionRefused, host.Connect(client, HostBoard.PeerIp, 81, Long));
    }

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    public void The_services_run_on_the_hosts_poll_thread_and_are_called_under_its_lock(string kind)
    {
        using var board = new HostBoard(kind);
        var services = new NetServices(board.Engine, (NetStack)board.Engine, null, dhcp: false);
        services.Dns.TimeoutMs = 50;
        services.Dns.Rounds = 1;
        services.Dns.SetServers(HostBoard.PeerIp, IPv4Address.Any, IPv4Address.Any); // the peer serves no DNS
        NetHost host = board.StartHost(services);
        int query;
        lock (host.SyncRoot)
        {
            Assert.Equal(SocketResult.Success, services.Dns.Resolve("printer.example", out query));
        }

        // Only the poll thread runs the resolver's timers: the query ends because the host polls the services.
        DnsStatus status = DnsStatus.Pending;
        for (int i = 0; i < 5_000 && status == DnsStatus.Pending; i++)
        {
            Thread.Sleep(1);
            lock (host.SyncRoot)
            {
                status = services.Dns.GetStatus(query, out _);
            }
        }

        Assert.Equal(DnsStatus.TimedOut, status);
        Assert.True(services.Dns.QueriesSent >= 1);
    }

    private static int ListenOn(NetHost host, int port)
    {
        host.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        Assert.Equal(SocketResult.Success, host.Bind(listener, IPv4Address.Any, port));
        Assert.Equal(SocketResult.Success, host.Listen(listener, 2));
        return listener;
    }

    private static string ReceiveText(NetHost host, int socket, int length)
    {
        var buffer = new byte[length];
        int got = 0;
        while (got < length)
        {
            Assert.Equal(SocketResult.Success, host.Receive(socket, buffer, got, length - got, Long, out int n));
            Assert.True(n > 0, "the stream ended early");
            got += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer);
    }
}
