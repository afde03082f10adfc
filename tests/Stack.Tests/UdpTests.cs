using System.Text;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

public class UdpTests
{
    private static (SocketResult Result, string Text, SocketEndpoint From) Receive(NetStack stack, int socket, int size = 2048)
    {
        var buffer = new byte[size];
        var result = stack.ReceiveFrom(socket, buffer, 0, size, out int received, out var from);
        return (result, Encoding.ASCII.GetString(buffer, 0, received), from);
    }

    private static void Send(NetStack stack, int socket, string text, IPv4Address to, int port)
    {
        var data = Encoding.ASCII.GetBytes(text);
        Assert.Equal(SocketResult.Success, stack.SendTo(socket, data, 0, data.Length, to, port, out int sent));
        Assert.Equal(data.Length, sent);
    }

    [Fact]
    public void One_server_socket_serves_several_clients_with_each_senders_address()
    {
        var network = new TestNetwork();
        var server = network.Add(1);
        int serverSocket = TestNetwork.OpenUdp(server, 7);
        var clients = Enumerable.Range(2, 4).Select(host => network.Add(host)).ToList();
        var clientSockets = clients.Select(c => TestNetwork.OpenUdp(c)).ToList();
        for (int i = 0; i < clients.Count; i++)
        {
            Send(clients[i], clientSockets[i], $"hello from {i + 2}", TestNetwork.Ip(1), 7);
        }

        network.Run(5);
        for (int i = 0; i < clients.Count; i++)
        {
            var (result, text, from) = Receive(server, serverSocket);
            Assert.Equal(SocketResult.Success, result);
            clients[i].GetLocalAddress(clientSockets[i], out var clientAddress);
            Assert.Equal($"hello from {i + 2}", text);
            Assert.Equal(TestNetwork.Ip(i + 2), from.Address);
            Assert.Equal(clientAddress.Port, from.Port);
            Assert.Equal(IpProtocol.Udp, from.Protocol);
            Send(server, serverSocket, text.ToUpperInvariant(), from.Address, from.Port);
        }

        network.Run(5);
        for (int i = 0; i < clients.Count; i++)
        {
            var (result, text, from) = Receive(clients[i], clientSockets[i]);
            Assert.Equal(SocketResult.Success, result);
            Assert.Equal($"HELLO FROM {i + 2}", text);
            Assert.Equal(new SocketEndpoint(IpProtocol.Udp, TestNetwork.Ip(1), 7), from);
        }
    }

    [Fact]
    public void Datagram_boundaries_survive_the_queue()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        int sender = TestNetwork.OpenUdp(a);
        int receiver = TestNetwork.OpenUdp(b, 9);
        string[] messages = ["", "a", "bb", new string('c', 1000), "dddd"];
        network.Ping(a, TestNetwork.Ip(2), 0); // resolve first: five frames would overflow the 4-frame ARP queue
        foreach (var message in messages)
        {
            Send(a, sender, message, TestNetwork.Ip(2), 9);
        }

        network.Run(5);
        foreach (var message in messages)
        {
            var (result, text, _) = Receive(b, receiver);
            Assert.Equal(SocketResult.Success, result);
            Assert.Equal(message, text);
        }

        Assert.Equal(SocketResult.WouldBlock, Receive(b, receiver).Result);
    }

    [Fact]
    public void A_short_receive_buffer_truncates_and_says_so()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        int sender = TestNetwork.OpenUdp(a);
        int receiver = TestNetwork.OpenUdp(b, 9);
        Send(a, sender, "0123456789", TestNetwork.Ip(2), 9);
        Send(a, sender, "next", TestNetwork.Ip(2), 9);
        network.Run(5);
        var (result, text, _) = Receive(b, receiver, 4);
        Assert.Equal(SocketResult.MessageSize, result);
        Assert.Equal("0123", text);
        Assert.Equal("next", Receive(b, receiver).Text);
    }

    [Fact]
    public void A_datagram_larger_than_the_free_receive_space_is_dropped_and_counted()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2, new NetStackOptions { DatagramBufferSize = 1024 });
        int sender = TestNetwork.OpenUdp(a);
        int receiver = TestNetwork.OpenUdp(b, 9);
        Send(a, sender, new string('x', 1100), TestNetwork.Ip(2), 9);
        Send(a, sender, new string('y', 600), TestNetwork.Ip(2), 9);
        Send(a, sender, new string('z', 600), TestNetwork.Ip(2), 9);
        network.Run(5);
        Assert.Equal(2, b.Counters[Counter.UdpReceiveQueueFull]);
        Assert.Equal(SocketResult.Success, b.GetOption(receiver, SocketOption.ReceiveDropped, out int dropped));
        Assert.Equal(2, dropped);
        Assert.Equal(new string('y', 600), Receive(b, receiver).Text);
        Assert.Equal(SocketResult.WouldBlock, Receive(b, receiver).Result);
    }

    [Fact]
    public void Broadcast_needs_the_option_to_send_and_reaches_every_socket_bound_to_any()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        var c = network.Add(3);
        int sender = TestNetwork.OpenUdp(a);
        int onB = TestNetwork.OpenUdp(b, 6000);
        int onC = TestNetwork.OpenUdp(c, 6000);
        int specific = TestNetwork.OpenUdp(c, 6001, TestNetwork.Ip(3));
        var data = new byte[] { 42 };
        Assert.Equal(SocketResult.AccessDenied, a.SendTo(sender, data, 0, 1, IPv4Address.Broadcast, 6000, out _));
        Assert.Equal(SocketResult.AccessDenied, a.SendTo(sender, data, 0, 1, new IPv4Address(192, 0, 2, 255), 6000, out _));
        a.SetOption(sender, SocketOption.Broadcast, 1);
        Send(a, sender, "limited", IPv4Address.Broadcast, 6000);
        Send(a, sender, "directed", new IPv4Address(192, 0, 2, 255), 6000);
        Send(a, sender, "not for a specific binding", IPv4Address.Broadcast, 6001);
        network.Run(5);
        foreach (var (stack, socket) in new[] { (b, onB), (c, onC) })
        {
            Assert.Equal("limited", Receive(stack, socket).Text);
            Assert.Equal("directed", Receive(stack, socket).Text);
        }

        Assert.Equal(SocketResult.WouldBlock, Receive(c, specific).Result);
        Assert.Equal(0, b.Counters[Counter.IcmpErrorsSent] + c.Counters[Counter.IcmpErrorsSent]);
    }

    [Fact]
    public void A_connected_socket_hears_only_its_peer_and_sends_without_an_address()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        var c = network.Add(3);
        int onA = TestNetwork.OpenUdp(a, 5000);
        int fromB = TestNetwork.OpenUdp(b, 5001);
        int fromC = TestNetwork.OpenUdp(c, 5001);
        Assert.Equal(SocketResult.NotConnected, a.SendSome(onA, [1], 0, 1, out _));
        Assert.Equal(SocketResult.Success, a.Connect(onA, TestNetwork.Ip(2), 5001));
        Assert.Equal(SocketResult.Success, a.GetRemoteAddress(onA, out var remote));
        Assert.Equal("udp 192.0.2.2:5001", remote.ToString());
        Send(c, fromC, "intruder", TestNetwork.Ip(1), 5000);
        Send(b, fromB, "peer", TestNetwork.Ip(1), 5000);
        network.Run(5);
        var (result, text, _) = Receive(a, onA);
        Assert.Equal(SocketResult.Success, result);
        Assert.Equal("peer", text);
        Assert.Equal(SocketResult.WouldBlock, Receive(a, onA).Result);
        Assert.Equal(1, c.Counters[Counter.IcmpErrorsReceived]);

        var data = Encoding.ASCII.GetBytes("reply");
        Assert.Equal(SocketResult.Success, a.SendSome(onA, data, 0, data.Length, out _));
        network.Run(5);
        Assert.Equal("reply", Receive(b, fromB).Text);

        Assert.Equal(SocketResult.Success, a.Connect(onA, IPv4Address.Any, 0));
        Assert.Equal(SocketResult.NotConnected, a.GetRemoteAddress(onA, out _));
    }

    [Fact]
    public void The_most_specific_socket_wins()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        int any = TestNetwork.OpenUdp(b, 53);
        b.Open(SocketKind.Datagram, IpProtocol.Udp, out int connected);
        b.SetOption(any, SocketOption.ReuseAddress, 1);
        b.SetOption(connected, SocketOption.ReuseAddress, 1);
        Assert.Equal(SocketResult.Success, b.Bind(connected, TestNetwork.Ip(2), 53));
        int client = TestNetwork.OpenUdp(a, 4000);
        b.Connect(connected, TestNetwork.Ip(1), 4000);
        Send(a, client, "to the connected socket", TestNetwork.Ip(2), 53);
        int other = TestNetwork.OpenUdp(a, 4001);
        Send(a, other, "to the wildcard", TestNetwork.Ip(2), 53);
        network.Run(5);
        Assert.Equal("to the connected socket", Receive(b, connected).Text);
        Assert.Equal("to the wildcard", Receive(b, any).Text);
    }

    [Fact]
    public void Large_datagrams_are_fragmented_unless_dont_fragment_is_set()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2, new NetStackOptions { DatagramBufferSize = 8192 });
        int sender = TestNetwork.OpenUdp(a);
        int receiver = TestNetwork.OpenUdp(b, 9);
        var data = Enumerable.Range(0, 4000).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(SocketResult.Success, a.SendTo(sender, data, 0, data.Length, TestNetwork.Ip(2), 9, out _));
        network.Run(5);
        var buffer = new byte[5000];
        Assert.Equal(SocketResult.Success, b.Receive(receiver, buffer, 0, buffer.Length, out int received));
        Assert.Equal(data, buffer[..received]);
        Assert.Equal(3, a.Counters[Counter.Ipv4FragmentsSent]);

        a.SetOption(sender, SocketOption.DontFragment, 1);
        Assert.Equal(SocketResult.MessageSize, a.SendTo(sender, data, 0, data.Length, TestNetwork.Ip(2), 9, out _));
        Assert.Equal(SocketResult.Success, a.SendTo(sender, data, 0, 1472, TestNetwork.Ip(2), 9, out _));
        Assert.Equal(SocketResult.MessageSize, a.SendTo(sender, new byte[65508], 0, 65508, TestNetwork.Ip(2), 9, out _));
    }

    [Fact]
    public void Sending_without_a_route_fails_cleanly()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        int socket = TestNetwork.OpenUdp(a);
        Assert.Equal(SocketResult.NetworkUnreachable, a.SendTo(socket, [1], 0, 1, new IPv4Address(198, 51, 100, 1), 9, out _));
        Assert.Equal(SocketResult.DestinationAddressRequired, a.SendTo(socket, [1], 0, 1, IPv4Address.Any, 9, out _));
        Assert.Equal(SocketResult.InvalidArgument, a.SendTo(socket, [1], 0, 1, TestNetwork.Ip(2), 0, out _));
        Assert.Equal(SocketResult.InvalidArgument, a.SendTo(socket, [1], 0, 2, TestNetwork.Ip(2), 9, out _));
        Assert.Equal(1, a.Counters[Counter.Ipv4NoRoute]);
        var unconfigured = network.Add(5, configure: false);
        int other = TestNetwork.OpenUdp(unconfigured);
        Assert.Equal(SocketResult.NetworkUnreachable, unconfigured.SendTo(other, [1], 0, 1, TestNetwork.Ip(1), 9, out _));
    }

    [Fact]
    public void Off_subnet_traffic_goes_through_the_default_gateway()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var router = network.Add(254);
        a.Configure(TestNetwork.Ip(1), TestNetwork.Mask, TestNetwork.Ip(254));
        router.Configure(TestNetwork.Ip(254), TestNetwork.Mask, IPv4Address.Any);
        router.Open(SocketKind.Raw, IpProtocol.Udp, out int tap);
        int socket = TestNetwork.OpenUdp(a);
        Send(a, socket, "far away", new IPv4Address(198, 51, 100, 1), 9);
        network.Run(5);
        Assert.True(a.TryGetNeighbour(TestNetwork.Ip(254), out _));
        // The router's stack is a host, not a router: the datagram reaches its interface and is not for it.
        Assert.Equal(1, router.Counters[Counter.Ipv4NotForUs]);
        Assert.Equal(SocketResult.WouldBlock, router.Receive(tap, new byte[100], 0, 100, out _));
    }
}
