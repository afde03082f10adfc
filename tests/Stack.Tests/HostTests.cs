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
