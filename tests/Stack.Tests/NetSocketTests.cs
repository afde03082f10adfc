using System.Net.Sockets;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>
/// NetSocket (issue 16 item 4), the Socket-shaped class, on both paths and every engine: over a bare engine it never waits
/// and throws WouldBlock; over a NetHost it blocks with its timeouts. Errors carry System.Net's SocketError numbers, which
/// these tests take from System.Net.Sockets itself.
/// </summary>
public sealed class NetSocketTests
{
    private const int Long = 30_000;

    [Fact]
    public void Every_socket_result_maps_to_the_system_net_error_of_the_same_name()
    {
        foreach (SocketResult result in Enum.GetValues<SocketResult>())
        {
            string name = result == SocketResult.AddressInUse ? nameof(SocketError.AddressAlreadyInUse) : result.ToString();
            Assert.True(Enum.TryParse(name, out SocketError expected), $"SocketError has no {name}");
            Assert.Equal((int)expected, NetSocketException.ErrorCodeOf(result));
        }

        Assert.Equal((int)SocketError.WouldBlock, NetSocketException.ErrorCodeOf(SocketResult.WouldBlock));
        Assert.Equal((int)SocketError.TimedOut, NetSocketException.ErrorCodeOf(SocketResult.TimedOut));
        Assert.Equal((int)SocketError.ConnectionRefused, NetSocketException.ErrorCodeOf(SocketResult.ConnectionRefused));
        Assert.Equal((int)SocketError.AddressAlreadyInUse, NetSocketException.ErrorCodeOf(SocketResult.AddressInUse));
        Assert.Equal((int)SocketError.SocketError, NetSocketException.ErrorCodeOf((SocketResult)999));
        var e = new NetSocketException(SocketResult.ConnectionReset);
        Assert.Equal((int)SocketError.ConnectionReset, e.ErrorCode);
        Assert.Equal(SocketResult.ConnectionReset, e.Result);
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void Without_a_host_calls_that_would_wait_throw_would_block_and_the_callers_loop_drives_them(string kind)
    {
        using var board = new HostBoard(kind);
        using var client = new NetSocket(board.Engine, SocketKind.Stream, IpProtocol.Tcp);
        Assert.False(client.Blocking);
        Assert.Equal((int)SocketError.WouldBlock, Throws(() => client.Connect(HostBoard.PeerIp, 7)).ErrorCode);
        Assert.True(board.Run(() => client.Poll(0, SocketPollMode.Write), 5_000));
        Assert.Equal(new SocketEndpoint(IpProtocol.Tcp, HostBoard.PeerIp, 7), client.RemoteEndPoint);
        var buffer = new byte[64];
        var e = Throws(() => client.Receive(buffer, 0, buffer.Length));
        Assert.Equal((int)SocketError.WouldBlock, e.ErrorCode);
        Assert.Equal(SocketResult.WouldBlock, e.Result);
        Assert.Equal(5, client.Send("hello"u8.ToArray(), 0, 5));
        Assert.True(board.Run(() => client.Poll(0, SocketPollMode.Read), 5_000));
        Assert.Equal(5, client.Available);
        Assert.Equal(5, client.Receive(buffer, 0, buffer.Length));
        Assert.Equal("hello"u8.ToArray(), buffer[..5]);

        using var listener = new NetSocket(board.Engine, SocketKind.Stream, IpProtocol.Tcp);
        listener.Bind(IPv4Address.Any, 80);
        listener.Listen(2);
        Assert.Equal((int)SocketError.WouldBlock, Throws(() => listener.Accept()).ErrorCode);
        board.Peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int outgoing);
        board.Wire.Echo(outgoing);
        board.Peer.Connect(outgoing, HostBoard.BoardIp, 80);
        Assert.True(board.Run(() => listener.Poll(0, SocketPollMode.Read), 5_000));
        using NetSocket server = listener.Accept();
        Assert.Equal(80, server.LocalEndPoint.Port);
        Assert.Equal(3, server.Send("abc"u8.ToArray(), 0, 3));
        int received = 0;
        Assert.True(board.Run(() => server.Poll(0, SocketPollMode.Read) && (received = server.Receive(buffer, 0, 64)) > 0, 5_000));
        Assert.Equal(3, received);

        client.Close();
        client.Close();
        Assert.Equal(0, client.Handle);
        Assert.Equal((int)SocketError.NotSocket, Throws(() => client.Send(buffer, 0, 1)).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void Without_a_host_a_datagram_goes_out_and_its_echo_comes_back_with_its_sender(string kind)
    {
        using var board = new HostBoard(kind);
        using var udp = new NetSocket(board.Engine, SocketKind.Datagram, IpProtocol.Udp);
        udp.Bind(IPv4Address.Any, 5000);
        var buffer = new byte[64];
        Assert.Equal((int)SocketError.WouldBlock, Throws(() => udp.ReceiveFrom(buffer, 0, 64, out uint _, out int _)).ErrorCode);
        Assert.Equal(4, udp.SendTo("ping"u8.ToArray(), 0, 4, new SocketEndpoint(IpProtocol.Udp, HostBoard.PeerIp, 7)));
        Assert.True(board.Run(() => udp.Poll(0, SocketPollMode.Read), 5_000));
        Assert.Equal(4, udp.ReceiveFrom(buffer, 0, 64, out SocketEndpoint from));
        Assert.Equal(new SocketEndpoint(IpProtocol.Udp, HostBoard.PeerIp, 7), from);
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void On_a_host_calls_block_send_sends_everything_and_timeouts_throw_timed_out(string kind)
    {
        using var board = new HostBoard(kind);
        using var client = new NetSocket(board.Host, SocketKind.Stream, IpProtocol.Tcp) { ReceiveTimeout = Long, SendTimeout = Long };
        Assert.True(client.Blocking);
        client.Connect(HostBoard.PeerIp, 7);
        byte[] data = TcpHarness.RandomData(30_000, 5);
        var echoed = new MemoryStream();
        var reader = new Thread(() =>
        {
            var buffer = new byte[1500];
            int n;
            while (echoed.Length < data.Length && (n = client.Receive(buffer, 0, buffer.Length)) > 0)
            {
                echoed.Write(buffer, 0, n);
            }
        });
        reader.Start();
        Assert.Equal(data.Length, client.Send(data, 0, data.Length));
        reader.Join();
        Assert.Equal(TcpHarness.Hash(data), TcpHarness.Hash(echoed.ToArray()));

        client.ReceiveTimeout = 100;
        long start = board.Clock.NowMilliseconds;
        var e = Throws(() => client.Receive(new byte[8], 0, 8));
        Assert.Equal((int)SocketError.TimedOut, e.ErrorCode);
        Assert.True(board.Clock.NowMilliseconds - start >= 100);
        Assert.False(client.Poll(50_000, SocketPollMode.Read));
        Assert.True(client.Poll(50_000, SocketPollMode.Write));

        client.Shutdown(ShutdownDirection.Send);
        client.ReceiveTimeout = Long;
        Assert.Equal(0, client.Receive(new byte[8], 0, 8)); // the peer closes after the end of the stream
    }

    [Theory]
    [MemberData(nameof(HostBoard.Kinds), MemberType = typeof(HostBoard))]
    public void On_a_host_accept_waits_for_a_connection_and_refusals_and_datagrams_work(string kind)
    {
        using var board = new HostBoard(kind);
        using var listener = new NetSocket(board.Host, SocketKind.Stream, IpProtocol.Tcp) { ReceiveTimeout = 100 };
        listener.Bind(IPv4Address.Any, 80);
        listener.Listen(2);
        Assert.Equal((int)SocketError.TimedOut, Throws(() => listener.Accept()).ErrorCode);
        board.AtPeer(peer =>
        {
            peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int outgoing);
            board.Wire.Echo(outgoing);
            return peer.Connect(outgoing, HostBoard.BoardIp, 80);
        });
        Assert.True(listener.Poll(-1, SocketPollMode.Read));
        using NetSocket server = listener.Accept();
        Assert.Equal(100, server.ReceiveTimeout);
        Assert.Equal(HostBoard.PeerIp, server.RemoteEndPoint.Address);
        server.ReceiveTimeout = Long;
        Assert.Equal(2, server.Send("hi"u8.ToArray(), 0, 2));
        var buffer = new byte[8];
        Assert.Equal(2, server.Receive(buffer, 0, 8));

        using var refused = new NetSocket(board.Host, SocketKind.Stream, IpProtocol.Tcp) { SendTimeout = Long };
        Assert.Equal((int)SocketError.ConnectionRefused, Throws(() => refused.Connect(HostBoard.PeerIp, 81)).ErrorCode);

        using var udp = new NetSocket(board.Host, SocketKind.Datagram, IpProtocol.Udp) { ReceiveTimeout = Long, SendTimeout = Long };
        udp.Bind(IPv4Address.Any, 5000);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(3, udp.SendTo("udp"u8.ToArray(), 0, 3, HostBoard.PeerIp.Value, 7));
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(3, udp.ReceiveFrom(buffer, 0, 8, out uint address, out int port));
            Assert.Equal((HostBoard.PeerIp.Value, 7), (address, port));
        }
    }

    [Fact]
    public void The_success_path_allocates_nothing()
    {
        var stack = new NetStack(new NetStackOptions(), new LoopbackDevice(TestNetwork.Mac(2), 8), new VirtualClock(1_000));
        stack.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        var server = new NetSocket(stack, SocketKind.Datagram, IpProtocol.Udp);
        server.Bind(IPv4Address.Loopback, 7);
        var client = new NetSocket(stack, SocketKind.Datagram, IpProtocol.Udp);
        var data = new byte[64];
        var buffer = new byte[64];
        uint loopback = IPv4Address.Loopback.Value;
        long total = 0;
        long before = 0;
        for (int i = 0; i < 200; i++)
        {
            if (i == 100)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
            }

            client.SendTo(data, 0, data.Length, loopback, 7);
            while (stack.Poll())
            {
            }

            if (server.Poll(0, SocketPollMode.Read) && server.Available > 0)
            {
                total += server.ReceiveFrom(buffer, 0, buffer.Length, out uint _, out int _);
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(200 * 64, total);
        Assert.Equal(0, allocated);
    }

    private static NetSocketException Throws(Action call) => Assert.Throws<NetSocketException>(call);

    private static NetSocketException Throws<T>(Func<T> call) => Assert.Throws<NetSocketException>(() => call());
}
