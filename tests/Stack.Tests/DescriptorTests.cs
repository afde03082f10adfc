using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

public class DescriptorTests
{
    private static NetStack Stack(int udp = 4, int raw = 1, int connections = 2, int listeners = 1)
    {
        var network = new TestNetwork();
        return network.Add(2, new NetStackOptions { UdpSockets = udp, RawSockets = raw, TcpConnections = connections, TcpListeners = listeners });
    }

    [Fact]
    public void A_stale_descriptor_after_close_is_refused_and_never_reaches_the_new_owner()
    {
        var stack = Stack(udp: 1);
        int first = TestNetwork.OpenUdp(stack, 5000);
        Assert.Equal(SocketResult.Success, stack.Close(first));
        int second = TestNetwork.OpenUdp(stack, 6000);
        Assert.NotEqual(first, second);
        Assert.Equal(first & 0xFF, second & 0xFF); // the same slot, a new generation

        Assert.Equal(SocketResult.NotSocket, stack.Close(first));
        Assert.Equal(SocketResult.NotSocket, stack.SendTo(first, new byte[1], 0, 1, TestNetwork.Ip(1), 7, out _));
        Assert.Equal(SocketResult.NotSocket, stack.Receive(first, new byte[8], 0, 8, out _));
        Assert.Equal(SocketResult.NotSocket, stack.Bind(first, IPv4Address.Any, 1));
        Assert.Equal(SocketEvents.Invalid, stack.PollSocket(first));
        Assert.Equal(SocketResult.NotSocket, stack.GetLocalAddress(first, out _));
        Assert.Equal(SocketResult.Success, stack.GetLocalAddress(second, out var local));
        Assert.Equal(6000, local.Port);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(0x7FFFFFFF)]
    [InlineData(0x105)]
    public void Made_up_descriptors_are_refused(int descriptor)
    {
        var stack = Stack();
        TestNetwork.OpenUdp(stack);
        Assert.Equal(SocketResult.NotSocket, stack.Close(descriptor));
    }

    [Fact]
    public void Each_pool_runs_out_on_its_own_with_too_many_open_sockets_and_comes_back_on_close()
    {
        var stack = Stack(udp: 3, raw: 1);
        var sockets = Enumerable.Range(0, 3).Select(_ => TestNetwork.OpenUdp(stack)).ToList();
        Assert.Equal(SocketResult.TooManyOpenSockets, stack.Open(SocketKind.Datagram, IpProtocol.Udp, out _));
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Raw, IpProtocol.Icmp, out _)); // raw sockets are not UDP's
        Assert.Equal(SocketResult.TooManyOpenSockets, stack.Open(SocketKind.Raw, IpProtocol.Icmp, out _));
        stack.Close(sockets[1]);
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Datagram, IpProtocol.Udp, out _));
    }

    [Fact]
    public void Listeners_and_connections_have_their_own_counts()
    {
        var network = new TestNetwork();
        var stack = network.Add(2, new NetStackOptions { TcpConnections = 1, TcpListeners = 1, UdpSockets = 0, RawSockets = 0 });
        network.Add(1);
        int listener = TcpHarness.Listen(stack, 80, backlog: 1);
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int second));
        Assert.Equal(SocketResult.Success, stack.Bind(second, IPv4Address.Any, 81));
        Assert.Equal(SocketResult.TooManyOpenSockets, stack.Listen(second, 1)); // one listener was asked for
        Assert.Equal(SocketResult.WouldBlock, stack.Connect(second, TestNetwork.Ip(1), 7)); // takes the one connection
        Assert.Equal(SocketResult.TooManyOpenSockets, stack.Open(SocketKind.Stream, IpProtocol.Tcp, out _)); // 1 + 1 stream slots
        stack.Close(listener);
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int third));
        Assert.Equal(SocketResult.NoBufferSpaceAvailable, stack.Connect(third, TestNetwork.Ip(1), 8)); // no connection left
        Assert.Equal(SocketResult.TooManyOpenSockets, stack.Open(SocketKind.Datagram, IpProtocol.Udp, out _)); // no UDP asked for
    }

    [Fact]
    public void Closing_a_thousand_times_keeps_descriptors_unique()
    {
        var stack = Stack(udp: 1);
        var seen = new HashSet<int>();
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket));
            Assert.True(seen.Add(socket));
            Assert.True(socket > 0);
            stack.Close(socket);
        }
    }

    [Fact]
    public void Open_checks_type_and_protocol()
    {
        var stack = Stack();
        Assert.Equal(SocketResult.ProtocolNotSupported, stack.Open(SocketKind.Datagram, IpProtocol.Tcp, out _));
        Assert.Equal(SocketResult.ProtocolNotSupported, stack.Open(SocketKind.Raw, IpProtocol.None, out _));
        Assert.Equal(SocketResult.SocketNotSupported, stack.Open((SocketKind)9, IpProtocol.Udp, out _));
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Datagram, IpProtocol.None, out int udp));
        Assert.Equal(SocketResult.Success, stack.GetLocalAddress(udp, out var local));
        Assert.Equal(IpProtocol.Udp, local.Protocol);
    }

    [Fact]
    public void Bind_refuses_taken_ports_foreign_addresses_and_rebinding()
    {
        var stack = Stack();
        int a = TestNetwork.OpenUdp(stack, 53);
        stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int b);
        Assert.Equal(SocketResult.AddressInUse, stack.Bind(b, IPv4Address.Any, 53));
        Assert.Equal(SocketResult.AddressInUse, stack.Bind(b, TestNetwork.Ip(2), 53));
        Assert.Equal(SocketResult.AddressNotAvailable, stack.Bind(b, TestNetwork.Ip(9), 54));
        Assert.Equal(SocketResult.InvalidArgument, stack.Bind(b, IPv4Address.Any, 70000));
        Assert.Equal(SocketResult.Success, stack.Bind(b, TestNetwork.Ip(2), 54));
        Assert.Equal(SocketResult.InvalidArgument, stack.Bind(b, TestNetwork.Ip(2), 55));
        Assert.Equal(SocketResult.InvalidArgument, stack.Bind(a, IPv4Address.Any, 56));
    }

    [Fact]
    public void Reuse_address_lets_two_sockets_share_a_port_when_both_ask()
    {
        var stack = Stack();
        stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int a);
        stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int b);
        stack.SetOption(a, SocketOption.ReuseAddress, 1);
        Assert.Equal(SocketResult.Success, stack.Bind(a, IPv4Address.Any, 67));
        Assert.Equal(SocketResult.AddressInUse, stack.Bind(b, IPv4Address.Any, 67));
        stack.SetOption(b, SocketOption.ReuseAddress, 1);
        Assert.Equal(SocketResult.Success, stack.Bind(b, IPv4Address.Any, 67));
    }

    [Fact]
    public void Ephemeral_ports_come_from_the_configured_range_and_differ()
    {
        var stack = Stack(udp: 8);
        var ports = new HashSet<int>();
        for (int i = 0; i < 8; i++)
        {
            int socket = TestNetwork.OpenUdp(stack);
            stack.GetLocalAddress(socket, out var local);
            Assert.InRange(local.Port, 49152, 65535);
            Assert.True(ports.Add(local.Port));
        }
    }

    [Fact]
    public void Options_round_trip_and_reject_bad_values()
    {
        var stack = Stack();
        int udp = TestNetwork.OpenUdp(stack);
        Assert.Equal(SocketResult.Success, stack.SetOption(udp, SocketOption.TimeToLive, 7));
        Assert.Equal(SocketResult.Success, stack.GetOption(udp, SocketOption.TimeToLive, out int ttl));
        Assert.Equal(7, ttl);
        Assert.Equal(SocketResult.InvalidArgument, stack.SetOption(udp, SocketOption.TimeToLive, 0));
        Assert.Equal(SocketResult.ProtocolOption, stack.SetOption(udp, SocketOption.HeaderIncluded, 1));
        Assert.Equal(SocketResult.ProtocolOption, stack.SetOption(udp, SocketOption.ReceiveQueued, 1));
        Assert.Equal(SocketResult.Success, stack.SetOption(udp, SocketOption.Broadcast, 1));
        Assert.Equal(SocketResult.Success, stack.GetOption(udp, SocketOption.Broadcast, out int broadcast));
        Assert.Equal(1, broadcast);
    }

    private static int OpenOfKind(NetStack stack, SocketKind kind)
    {
        IpProtocol protocol = kind == SocketKind.Stream ? IpProtocol.Tcp : kind == SocketKind.Datagram ? IpProtocol.Udp : IpProtocol.Icmp;
        Assert.Equal(SocketResult.Success, stack.Open(kind, protocol, out int socket));
        return socket;
    }

    // Options that mean nothing for a kind of socket are refused on Get and Set alike, with ProtocolOption (ENOPROTOOPT):
    // before issue 16 item 5, GetOption(NoDelay) on a UDP socket answered Success and Broadcast on TCP was stored and ignored.
    [Theory]
    [InlineData(SocketKind.Datagram, SocketOption.NoDelay)]
    [InlineData(SocketKind.Datagram, SocketOption.KeepAlive)]
    [InlineData(SocketKind.Datagram, SocketOption.Linger)]
    [InlineData(SocketKind.Datagram, SocketOption.UserTimeout)]
    [InlineData(SocketKind.Datagram, SocketOption.HeaderIncluded)]
    [InlineData(SocketKind.Raw, SocketOption.NoDelay)]
    [InlineData(SocketKind.Raw, SocketOption.KeepAlive)]
    [InlineData(SocketKind.Raw, SocketOption.Linger)]
    [InlineData(SocketKind.Raw, SocketOption.UserTimeout)]
    [InlineData(SocketKind.Raw, SocketOption.ReuseAddress)]
    [InlineData(SocketKind.Stream, SocketOption.Broadcast)]
    [InlineData(SocketKind.Stream, SocketOption.DontFragment)]
    [InlineData(SocketKind.Stream, SocketOption.TimeToLive)]
    [InlineData(SocketKind.Stream, SocketOption.HeaderIncluded)]
    [InlineData(SocketKind.Stream, SocketOption.ReceiveDropped)]
    [InlineData(SocketKind.Stream, (SocketOption)99)]
    public void An_option_of_another_kind_of_socket_is_refused_on_get_and_set(SocketKind kind, SocketOption option)
    {
        var stack = Stack();
        int socket = OpenOfKind(stack, kind);
        Assert.Equal(SocketResult.ProtocolOption, stack.SetOption(socket, option, 1));
        Assert.Equal(SocketResult.ProtocolOption, stack.GetOption(socket, option, out int value));
        Assert.Equal(0, value);
    }

    [Theory]
    [InlineData(SocketKind.Datagram, SocketOption.Broadcast, 1)]
    [InlineData(SocketKind.Datagram, SocketOption.ReuseAddress, 1)]
    [InlineData(SocketKind.Datagram, SocketOption.DontFragment, 1)]
    [InlineData(SocketKind.Datagram, SocketOption.TimeToLive, 9)]
    [InlineData(SocketKind.Raw, SocketOption.Broadcast, 1)]
    [InlineData(SocketKind.Raw, SocketOption.DontFragment, 1)]
    [InlineData(SocketKind.Raw, SocketOption.TimeToLive, 9)]
    [InlineData(SocketKind.Raw, SocketOption.HeaderIncluded, 1)]
    [InlineData(SocketKind.Stream, SocketOption.ReuseAddress, 1)]
    [InlineData(SocketKind.Stream, SocketOption.NoDelay, 1)]
    [InlineData(SocketKind.Stream, SocketOption.KeepAlive, 1)]
    [InlineData(SocketKind.Stream, SocketOption.Linger, 0)]
    [InlineData(SocketKind.Stream, SocketOption.UserTimeout, 5000)]
    public void An_option_of_the_socket_s_kind_round_trips(SocketKind kind, SocketOption option, int value)
    {
        var stack = Stack();
        int socket = OpenOfKind(stack, kind);
        Assert.Equal(SocketResult.Success, stack.SetOption(socket, option, value));
        Assert.Equal(SocketResult.Success, stack.GetOption(socket, option, out int read));
        Assert.Equal(value, read);
    }

    [Theory]
    [InlineData(SocketKind.Stream)]
    [InlineData(SocketKind.Datagram)]
    [InlineData(SocketKind.Raw)]
    public void Read_only_options_read_on_every_kind_and_refuse_a_set(SocketKind kind)
    {
        var stack = Stack();
        int socket = OpenOfKind(stack, kind);
        Assert.Equal(SocketResult.Success, stack.GetOption(socket, SocketOption.ReceiveQueued, out _));
        Assert.Equal(SocketResult.Success, stack.GetOption(socket, SocketOption.Error, out _));
        Assert.Equal(SocketResult.ProtocolOption, stack.SetOption(socket, SocketOption.ReceiveQueued, 1));
        Assert.Equal(SocketResult.ProtocolOption, stack.SetOption(socket, SocketOption.Error, 1));
    }

    [Fact]
    public void Netstat_lists_every_open_slot()
    {
        var stack = Stack(udp: 2, raw: 1, connections: 1, listeners: 0);
        int udp = TestNetwork.OpenUdp(stack, 7);
        stack.Open(SocketKind.Raw, IpProtocol.Icmp, out int raw);
        var lines = Enumerable.Range(0, stack.SocketCount)
            .Select(i => stack.GetSocketInfo(i, out var info) == SocketResult.Success ? info : (SocketInfo?)null)
            .Where(i => i.HasValue).Select(i => i!.Value).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => l.Descriptor == udp && l.Type == SocketKind.Datagram && l.State == SocketState.Bound && l.Local.ToString() == "udp 0.0.0.0:7");
        Assert.Contains(lines, l => l.Descriptor == raw && l.Type == SocketKind.Raw && l.State == SocketState.Open);
        Assert.Equal(4, stack.SocketCount);
        Assert.Equal(SocketResult.InvalidArgument, stack.GetSocketInfo(4, out _));
    }

    [Fact]
    public void Options_are_validated_with_clear_messages()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetStackOptions { TcpConnections = 0, TcpListeners = 0, UdpSockets = 0, RawSockets = 0 }.Validate());
        Assert.Contains("TcpConnections + TcpListeners + UdpSockets + RawSockets", error.Message);
        Assert.Contains("UdpSockets", Assert.Throws<ArgumentException>(() => new NetStackOptions { UdpSockets = -1 }.Validate()).Message);
        Assert.Contains("DatagramBufferSize", Assert.Throws<ArgumentException>(() => new NetStackOptions { DatagramBufferSize = 8 }.Validate()).Message);
        Assert.Throws<ArgumentException>(() => new NetStackOptions { ReassemblyBufferSize = 100 }.Validate());
        Assert.Throws<ArgumentException>(() => new NetStackOptions { EphemeralPortFirst = 60000, EphemeralPortLast = 50000 }.Validate());
        Assert.Throws<ArgumentNullException>(() => new NetStack(new NetStackOptions(), null!, new Net.Link.VirtualClock(0)));
        new NetStackOptions().Validate();
    }
}
