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
        Assert.Equal(SocketResult.Success, _host.Open(SocketKind.Datagram, IpProtocol.Udp, out int server));
        Assert.Equal(SocketResult.Success, _host.Bind(server, IPv4Address.Loopback, 7));
        Assert.Equal(SocketResult.Success, _host.Open(SocketKind.Datagram, IpProtocol.Udp, out int client));
        var sender = new Thread(() =>
        {
            Thread.Sleep(50);
            _host.SendTo(client, [1, 2, 3, 4], 0, 4, IPv4Address.Loopback, 7, out _);
        });
        sender.Start();
        var buffer = new byte[16];
        Assert.Equal(SocketResult.Success, _host.ReceiveFrom(server, buffer, 0, buffer.Length, 5_000, out int received, out var from));
        sender.Join();
        Assert.Equal(4, received);
        Assert.Equal(IPv4Address.Loopback, from.Address);
    }

    [Fact]
    public void A_blocking_receive_times_out()
    {
        _host.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        _host.Bind(socket, IPv4Address.Any, 9);
        Assert.Equal(SocketResult.TimedOut, _host.Receive(socket, new byte[8], 0, 8, 50, out _));
    }

    [Fact]
    public void A_blocking_ping_of_the_loopback_succeeds()
    {
        Assert.Equal(SocketResult.Success, _host.Ping(IPv4Address.Loopback, 56, 5_000, out int roundTrip));
        Assert.InRange(roundTrip, 0, 5_000);
        Assert.Equal(SocketResult.Success, _host.Ping(TestNetwork.Ip(2), 1000, 5_000, out _));
    }

    [Fact]
    public void Closing_from_one_thread_while_another_waits_ends_the_wait_with_not_socket()
    {
        _host.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        _host.Bind(socket, IPv4Address.Any, 10);
        var closer = new Thread(() =>
        {
            Thread.Sleep(50);
            _host.Close(socket);
        });
        closer.Start();
        Assert.Equal(SocketResult.NotSocket, _host.Receive(socket, new byte[8], 0, 8, 5_000, out _));
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
        _host.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        _host.Bind(listener, IPv4Address.Loopback, 7);
        Assert.Equal(SocketResult.Success, _host.Listen(listener, 2));
        var server = new Thread(() =>
        {
            if (_host.Accept(listener, 10_000, out int connection) != SocketResult.Success)
            {
                return;
            }

            var buffer = new byte[1024];
            while (_host.Receive(connection, buffer, 0, buffer.Length, 10_000, out int n) == SocketResult.Success && n > 0)
            {
                _host.SendAll(connection, buffer, 0, n, 10_000, out _);
            }

            _host.Close(connection);
        });
        server.Start();

        _host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketResult.Success, _host.Connect(client, IPv4Address.Loopback, 7, 10_000));
        var data = TcpHarness.RandomData(100_000, 7);
        var received = new MemoryStream();
        var sender = new Thread(() =>
        {
            _host.SendAll(client, data, 0, data.Length, 30_000, out _);
            _host.Shutdown(client, ShutdownDirection.Send);
        });
        sender.Start();
        var buffer = new byte[4096];
        while (_host.Receive(client, buffer, 0, buffer.Length, 30_000, out int n) == SocketResult.Success && n > 0)
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
        _host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketResult.ConnectionRefused, _host.Connect(client, IPv4Address.Loopback, 9, 5_000));
        _host.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        _host.Bind(listener, IPv4Address.Any, 8);
        _host.Listen(listener, 1);
        Assert.Equal(SocketResult.TimedOut, _host.Accept(listener, 50, out _));
    }
}

/// <summary>
/// The host as a board with its chip's interrupt wired to <see cref="NetHost.Wake"/> runs it: no fixed receive interval, so
/// the poll thread sleeps until the stack's deadline unless a call queues work.
/// </summary>
public sealed class HostSleepTests : IDisposable
{
    private readonly CountingDevice _device = new(new LoopbackDevice(TestNetwork.Mac(2), 8));
    private readonly NetHost _host;

    public HostSleepTests()
    {
        var stack = new NetStack(new NetStackOptions(), _device, new SystemClock());
        stack.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        _host = new NetHost(stack) { ReceivePollIntervalMs = Timeout.Infinite };
        _running.Start();
        _host.Start();
    }

    private readonly System.Diagnostics.Stopwatch _running = new();

    public void Dispose() => _host.Stop();

    [Fact]
    public void An_idle_host_polls_at_the_stacks_deadline_not_every_millisecond()
    {
        Thread.Sleep(600);
        int polls = _device.Receives;
        // One poll per 250 ms (NetStack.MaximumPollDelayMs), plus the first two (the gratuitous ARP of Configure comes back
        // through the loopback device); counted against the time that really passed, so a slow machine cannot fail it.
        Assert.InRange(polls, 0, 3 + (int)(_running.ElapsedMilliseconds / NetStack.MaximumPollDelayMs));
    }

    [Fact]
    public void Calls_that_queue_work_wake_the_poll_thread_so_a_tcp_exchange_completes()
    {
        _host.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        _host.Bind(listener, IPv4Address.Loopback, 7);
        Assert.Equal(SocketResult.Success, _host.Listen(listener, 1));
        _host.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Assert.Equal(SocketResult.Success, _host.Connect(client, IPv4Address.Loopback, 7, 10_000));
        Assert.Equal(SocketResult.Success, _host.Accept(listener, 10_000, out int server));
        var data = TcpHarness.RandomData(20_000, 3);
        var sender = new Thread(() => _host.SendAll(client, data, 0, data.Length, 30_000, out _));
        sender.Start();
        var received = new MemoryStream();
        var buffer = new byte[1024];
        while (received.Length < data.Length && _host.Receive(server, buffer, 0, buffer.Length, 30_000, out int n) == SocketResult.Success && n > 0)
        {
            received.Write(buffer, 0, n);
        }

        sender.Join();
        Assert.Equal(TcpHarness.Hash(data), TcpHarness.Hash(received.ToArray()));
    }

    /// <summary>A frame device that counts the stack's receive calls: one per poll.</summary>
    private sealed class CountingDevice(LoopbackDevice inner) : IFrameDevice
    {
        private int _receives;

        public int Receives => Volatile.Read(ref _receives);

        public MacAddress MacAddress => inner.MacAddress;

        public bool IsLinkUp => inner.IsLinkUp;

        public int Receive(byte[] buffer, int offset, int capacity)
        {
            Interlocked.Increment(ref _receives);
            return inner.Receive(buffer, offset, capacity);
        }

        public bool Transmit(byte[] buffer, int offset, int length) => inner.Transmit(buffer, offset, length);
    }
}
