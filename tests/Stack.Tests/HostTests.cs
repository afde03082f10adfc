using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>The blocking layer: a poll thread and calls that wait, with a real clock (bounded by short timeouts).</summary>
public sealed class HostTests : IDisposable
{
    private readonly NetHost _host;

    public HostTests()
    {
        var device = new LoopbackDevice(TestNetwork.Mac(2), 4);
        var stack = new NetStack(new NetStackOptions(), device, new SystemClock());
        stack.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        _host = new NetHost(stack);
        _host.Start();
    }

    public void Dispose() => _host.Stop();

    [Fact]
    public void A_blocking_receive_waits_for_a_datagram_from_another_thread()
    {
        Assert.Equal(SocketError.Success, _host.Open(SocketType.Datagram, IpProtocol.Udp, out int server));
        Assert.Equal(SocketError.Success, _host.Bind(server, IPv4Address.Loopback, 7));
        Assert.Equal(SocketError.Success, _host.Open(SocketType.Datagram, IpProtocol.Udp, out int client));
        var sender = new Thread(() =>
        {
            Thread.Sleep(50);
            _host.SendTo(client, [1, 2, 3, 4], 0, 4, IPv4Address.Loopback, 7, out _);
        });
        sender.Start();
        var buffer = new byte[16];
        Assert.Equal(SocketError.Success, _host.ReceiveFrom(server, buffer, 0, buffer.Length, 5_000, out int received, out var from));
        sender.Join();
        Assert.Equal(4, received);
        Assert.Equal(IPv4Address.Loopback, from.Address);
    }

    [Fact]
    public void A_blocking_receive_times_out()
    {
        _host.Open(SocketType.Datagram, IpProtocol.Udp, out int socket);
        _host.Bind(socket, IPv4Address.Any, 9);
        Assert.Equal(SocketError.TimedOut, _host.Receive(socket, new byte[8], 0, 8, 50, out _));
    }

    [Fact]
    public void A_blocking_ping_of_the_loopback_succeeds()
    {
        Assert.Equal(SocketError.Success, _host.Ping(IPv4Address.Loopback, 56, 5_000, out int roundTrip));
        Assert.InRange(roundTrip, 0, 5_000);
        Assert.Equal(SocketError.Success, _host.Ping(TestNetwork.Ip(2), 1000, 5_000, out _));
    }

    [Fact]
    public void Closing_from_one_thread_while_another_waits_ends_the_wait_with_not_socket()
    {
        _host.Open(SocketType.Datagram, IpProtocol.Udp, out int socket);
        _host.Bind(socket, IPv4Address.Any, 10);
        var closer = new Thread(() =>
        {
            Thread.Sleep(50);
            _host.Close(socket);
        });
        closer.Start();
        Assert.Equal(SocketError.NotSocket, _host.Receive(socket, new byte[8], 0, 8, 5_000, out _));
        closer.Join();
    }
}

/// <summary>Blocking TCP through the host: one thread serves, another connects, over loopback with a real clock.</summary>
public sealed class HostTcpTests : IDisposable
{
    private readonly NetHost _host;

    public HostTcpTests()
    {
        var stack = new NetStack(new NetStackOptions(), new LoopbackDevice(TestNetwork.Mac(2), 8), new SystemClock());
        stack.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        _host = new NetHost(stack);
        _host.Start();
    }

    public void Dispose() => _host.Stop();

    [Fact]
    public void An_echo_server_thread_and_a_client_thread_exchange_100_kilobytes()
    {
        _host.Open(SocketType.Stream, IpProtocol.Tcp, out int listener);
        _host.Bind(listener, IPv4Address.Loopback, 7);
        Assert.Equal(SocketError.Success, _host.Listen(listener, 2));
        var server = new Thread(() =>
        {
            if (_host.Accept(listener, 10_000, out int connection) != SocketError.Success)
            {
                return;
            }

            var buffer = new byte[1024];
            while (_host.Receive(connection, buffer, 0, buffer.Length, 10_000, out int n) == SocketError.Success && n > 0)
            {
                _host.SendAll(connection, buffer, 0, n, 10_000, out _);
            }

            _host.Close(connection);
        });
        server.Start();

        _host.Open(SocketType.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketError.Success, _host.Connect(client, IPv4Address.Loopback, 7, 10_000));
        var data = TcpHarness.RandomData(100_000, 7);
        var received = new MemoryStream();
        var sender = new Thread(() =>
        {
            _host.SendAll(client, data, 0, data.Length, 30_000, out _);
            _host.Shutdown(client, SocketShutdown.Send);
        });
        sender.Start();
        var buffer = new byte[4096];
        while (_host.Receive(client, buffer, 0, buffer.Length, 30_000, out int n) == SocketError.Success && n > 0)
        {
            received.Write(buffer, 0, n);
        }

        sender.Join();
        server.Join();
        Assert.Equal(TcpHarness.Hash(data), TcpHarness.Hash(received.ToArray()));
        _host.Close(client);
    }

    [Fact]
    public void A_blocking_connect_to_a_closed_port_is_refused_and_accept_times_out()
    {
        _host.Open(SocketType.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketError.ConnectionRefused, _host.Connect(client, IPv4Address.Loopback, 9, 5_000));
        _host.Open(SocketType.Stream, IpProtocol.Tcp, out int listener);
        _host.Bind(listener, IPv4Address.Any, 8);
        _host.Listen(listener, 1);
        Assert.Equal(SocketError.TimedOut, _host.Accept(listener, 50, out _));
    }
}
