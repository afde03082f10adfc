using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

public class RawAndLoopbackTests
{
    [Fact]
    public void A_raw_icmp_socket_sees_every_echo_request_with_its_ip_header()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        Assert.Equal(SocketResult.Success, b.Open(SocketKind.Raw, IpProtocol.Icmp, out int raw));
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 32));
        var buffer = new byte[200];
        Assert.Equal(SocketResult.Success, b.ReceiveFrom(raw, buffer, 0, buffer.Length, out int received, out var from));
        Assert.Equal(TestNetwork.Ip(1), from.Address);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(buffer, 0, received, out var ip));
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(Icmpv4Message.TypeEchoRequest, buffer[ip.PayloadOffset]);
        Assert.Equal(20 + 8 + 32, received);
    }

    [Fact]
    public void Raw_sockets_carry_any_protocol_number_both_ways()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2, new NetStackOptions { RawSockets = 2 });
        a.Open(SocketKind.Raw, (IpProtocol)253, out int sender);
        b.Open(SocketKind.Raw, (IpProtocol)253, out int receiver);
        b.Open(SocketKind.Raw, (IpProtocol)254, out int otherProtocol);
        Assert.Equal(SocketResult.Success, a.SendTo(sender, [9, 8, 7], 0, 3, TestNetwork.Ip(2), 0, out _));
        network.Run(5);
        var buffer = new byte[100];
        Assert.Equal(SocketResult.Success, b.Receive(receiver, buffer, 0, 100, out int received));
        Assert.Equal(23, received);
        Assert.Equal(new byte[] { 9, 8, 7 }, buffer[20..23]);
        Assert.Equal(SocketResult.WouldBlock, b.Receive(otherProtocol, buffer, 0, 100, out _));
        Assert.Equal(0, b.Counters[Counter.IcmpErrorsSent]);
    }

    [Fact]
    public void Header_included_datagrams_are_checked_and_completed()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2, new NetStackOptions { RawSockets = 2 });
        a.Open(SocketKind.Raw, (IpProtocol)253, out int sender);
        b.Open(SocketKind.Raw, (IpProtocol)253, out int receiver);
        Assert.Equal(SocketResult.Success, a.SetOption(sender, SocketOption.HeaderIncluded, 1));
        var datagram = new byte[24];
        var ip = Ipv4Packet.Init(datagram, 0, 20);
        ip.Protocol = (IpProtocol)253;
        ip.TimeToLive = 9;
        ip.Destination = TestNetwork.Ip(2);
        datagram[20] = 0xAB;
        Assert.Equal(SocketResult.Success, a.SendSome(sender, datagram, 0, datagram.Length, out _));
        network.Run(5);
        var buffer = new byte[100];
        Assert.Equal(SocketResult.Success, b.Receive(receiver, buffer, 0, 100, out int received));
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(buffer, 0, received, out var arrived));
        Assert.Equal(TestNetwork.Ip(1), arrived.Source);
        Assert.Equal(9, arrived.TimeToLive);
        Assert.Equal(0xAB, buffer[20]);

        datagram[0] = 0x65;
        Assert.Equal(SocketResult.InvalidArgument, a.SendSome(sender, datagram, 0, datagram.Length, out _));
        datagram[0] = 0x47;
        Assert.Equal(SocketResult.InvalidArgument, a.SendSome(sender, datagram, 0, datagram.Length, out _));
        datagram[0] = 0x45;
        Assert.Equal(SocketResult.MessageSize, a.SendSome(sender, new byte[1600].Select((_, i) => i == 0 ? (byte)0x45 : (byte)0).ToArray(), 0, 1600, out _));
    }

    [Fact]
    public void Two_sockets_of_one_node_talk_over_loopback()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        int server = TestNetwork.OpenUdp(a, 7, IPv4Address.Loopback);
        int client = TestNetwork.OpenUdp(a);
        Assert.Equal(SocketResult.Success, a.SendTo(client, [1, 2, 3], 0, 3, IPv4Address.Loopback, 7, out _));
        network.Settle();
        var buffer = new byte[10];
        Assert.Equal(SocketResult.Success, a.ReceiveFrom(server, buffer, 0, 10, out int received, out var from));
        Assert.Equal(3, received);
        Assert.Equal(IPv4Address.Loopback, from.Address);
        Assert.Equal(SocketResult.Success, a.SendTo(server, buffer, 0, 3, from.Address, from.Port, out _));
        network.Settle();
        Assert.Equal(SocketResult.Success, a.Receive(client, buffer, 0, 10, out received));
        Assert.Equal(3, received);
        Assert.DoesNotContain(network.Frames, f => f[12] == 0x08 && f[13] == 0x00);
    }

    [Fact]
    public void The_node_reaches_its_own_address_and_any_127_address_by_ping()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        network.Frames.Clear();
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(1), 100));
        Assert.Equal(PingStatus.Replied, network.Ping(a, new IPv4Address(127, 0, 0, 1), 1400));
        Assert.Equal(PingStatus.Replied, network.Ping(a, new IPv4Address(127, 9, 9, 9), 0));
        Assert.Empty(network.Frames);
    }

    [Fact]
    public void Loopback_addresses_arriving_from_the_wire_are_martians()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        var frame = new byte[14 + 28];
        EthernetFrame.WriteHeader(frame, 0, TestNetwork.Mac(2), TestNetwork.Mac(1), EtherType.IPv4);
        Ipv4Packet.WriteHeader(frame, 14, TestNetwork.Ip(1), new IPv4Address(127, 0, 0, 1), IpProtocol.Icmp, 8, 1, 64, false);
        Icmpv4Message.WriteEcho(frame, 34, Icmpv4Message.TypeEchoRequest, 1, 1);
        Icmpv4Message.FillChecksum(frame, 34, 8);
        ((Emulator.Network.VirtualPort)b.Device).Inject(frame);
        var land = (byte[])frame.Clone(); // land attack: our own address as the source
        Ipv4Packet.WriteHeader(land, 14, TestNetwork.Ip(2), TestNetwork.Ip(2), IpProtocol.Icmp, 8, 1, 64, false);
        ((Emulator.Network.VirtualPort)b.Device).Inject(land);
        network.Settle();
        Assert.Equal(2, b.Counters[Counter.Ipv4Martians]);
        Assert.Equal(0, b.Counters[Counter.IcmpEchoRepliesSent]);
    }
}
