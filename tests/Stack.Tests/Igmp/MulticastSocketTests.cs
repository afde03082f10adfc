using System.Text;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.IgmpMessage;
using static IoTStack.Stack.Tests.Igmp.IgmpHarness;

namespace IoTStack.Stack.Tests.Igmp;

/// <summary>
/// Group membership per UDP socket, as Linux's IP_ADD_MEMBERSHIP family: the interface's table by reference, a closed
/// socket's groups left, delivery by port; IP_MULTICAST_TTL and IP_MULTICAST_LOOP.
/// </summary>
public class MulticastSocketTests
{
    private const int Port = 5353;

    private static (SocketResult Result, string Text) Receive(NetStack stack, int socket)
    {
        var buffer = new byte[256];
        var result = stack.ReceiveFrom(socket, buffer, 0, buffer.Length, out int received, out uint _, out int _);
        return (result, Encoding.ASCII.GetString(buffer, 0, received));
    }

    private static void SendTo(NetStack stack, int socket, string text, uint group, int port = Port)
    {
        var data = Encoding.ASCII.GetBytes(text);
        Assert.Equal(SocketResult.Success, stack.SendTo(socket, data, 0, data.Length, group, port, out _));
    }

    [Fact]
    public void Two_sockets_share_a_group_reported_once_and_left_only_when_both_drop_it()
    {
        var h = new IgmpHarness();
        h.Sent();
        int first = h.OpenUdp(Port);
        int second = h.OpenUdp(Port + 1);
        Assert.Equal(SocketResult.Success, h.Join(first, GroupA));
        Assert.Equal(SocketResult.Success, h.Join(second, GroupA));
        Assert.Equal(2, h.SentWithin(5_000).Count); // one join's two reports
        Assert.Equal(SocketResult.Success, h.Drop(first, GroupA));
        Assert.Empty(h.SentWithin(5_000));
        Assert.Equal([GroupA], h.Device.Filters[^1]);
        Assert.Equal(SocketResult.Success, h.Drop(second, GroupA));
        var sent = h.SentWithin(5_000);
        Assert.Equal(2, sent.Count);
        AssertV3(sent[0], (ChangeToIncludeMode, GroupA));
    }

    [Fact]
    public void A_socket_holds_several_groups_and_its_errors_are_linuxs()
    {
        var h = new IgmpHarness();
        int socket = h.OpenUdp(Port);
        Assert.Equal(SocketResult.Success, h.Join(socket, GroupA));
        Assert.Equal(SocketResult.Success, h.Join(socket, GroupB));
        Assert.Equal(SocketResult.AddressInUse, h.Join(socket, GroupA)); // EADDRINUSE
        Assert.Equal(SocketResult.AddressNotAvailable, h.Drop(socket, GroupC)); // EADDRNOTAVAIL
        Assert.Equal(SocketResult.InvalidArgument, h.Join(socket, 0xC0000201));
        Assert.Equal([GroupA, GroupB], h.Device.Filters[^1]);
    }

    [Fact]
    public void A_full_table_refuses_another_group()
    {
        var h = new IgmpHarness(o => o.MulticastGroups = 2);
        int socket = h.OpenUdp(Port);
        Assert.Equal(SocketResult.Success, h.Join(socket, GroupA));
        Assert.Equal(SocketResult.Success, h.Join(socket, GroupB));
        Assert.Equal(SocketResult.NoBufferSpaceAvailable, h.Join(socket, GroupC)); // ENOBUFS
        Assert.False(h.Stack.JoinGroup(new IPv4Address(GroupC)));
        Assert.True(h.Stack.JoinGroup(new IPv4Address(GroupA))); // the stack shares A
    }

    [Fact]
    public void Closing_a_socket_leaves_its_groups()
    {
        var h = new IgmpHarness();
        int socket = h.OpenUdp(Port);
        h.Join(socket, GroupA);
        h.Join(socket, GroupB);
        h.SentWithin(5_000);
        Assert.Equal(SocketResult.Success, h.Stack.Close(socket));
        var sent = h.SentWithin(5_000);
        Assert.Equal(4, sent.Count);
        Assert.Equal(2, sent.Count(s => s.Records.SequenceEqual([(ChangeToIncludeMode, GroupA)])));
        Assert.Equal(2, sent.Count(s => s.Records.SequenceEqual([(ChangeToIncludeMode, GroupB)])));
        Assert.Empty(h.Device.Filters[^1]);
        // The slot's next owner holds nothing: its drop is refused.
        int next = h.OpenUdp(Port);
        Assert.Equal(SocketResult.AddressNotAvailable, h.Drop(next, GroupA));
    }

    [Fact]
    public void The_stacks_own_membership_outlives_a_sockets()
    {
        var h = new IgmpHarness();
        Assert.True(h.Stack.JoinGroup(new IPv4Address(GroupA)));
        Assert.True(h.Stack.JoinGroup(new IPv4Address(GroupA))); // joining again is no error for the stack
        int socket = h.OpenUdp(Port);
        h.Join(socket, GroupA);
        h.SentWithin(5_000);
        h.Stack.Close(socket);
        Assert.Empty(h.SentWithin(5_000));
        Assert.Equal([GroupA], h.Device.Filters[^1]);
    }

    [Fact]
    public void Datagrams_to_a_joined_group_reach_every_socket_bound_to_the_port()
    {
        var network = new TestNetwork();
        var sender = network.Add(1);
        var board = network.Add(2);
        int OpenShared()
        {
            Assert.Equal(SocketResult.Success, board.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket));
            Assert.Equal(SocketResult.Success, board.SetOption(socket, SocketOption.ReuseAddress, 1));
            Assert.Equal(SocketResult.Success, board.Bind(socket, IPv4Address.Any, Port));
            return socket;
        }

        int joined = OpenShared();
        int other = OpenShared();
        int from = TestNetwork.OpenUdp(sender);
        SendTo(sender, from, "before", GroupA);
        network.Run(5);
        Assert.Equal(SocketResult.WouldBlock, Receive(board, joined).Result);
        Assert.Equal(SocketResult.Success, board.SetOption(joined, SocketOption.AddMembership, unchecked((int)GroupA)));
        SendTo(sender, from, "after", GroupA);
        network.Run(5);
        Assert.Equal((SocketResult.Success, "after"), Receive(board, joined));
        Assert.Equal((SocketResult.Success, "after"), Receive(board, other)); // IP_MULTICAST_ALL: by port
        board.SetOption(joined, SocketOption.DropMembership, unchecked((int)GroupA));
        SendTo(sender, from, "left", GroupA);
        network.Run(5);
        Assert.Equal(SocketResult.WouldBlock, Receive(board, joined).Result);
    }

    [Fact]
    public void Multicast_ttl_is_one_by_default_settable_and_apart_from_the_unicast_ttl()
    {
        var network = new TestNetwork();
        var board = network.Add(2);
        network.Add(1);
        int socket = TestNetwork.OpenUdp(board);
        Assert.Equal(SocketResult.Success, board.GetOption(socket, SocketOption.MulticastTimeToLive, out int ttl));
        Assert.Equal(1, ttl);
        Assert.Equal(SocketResult.Success, board.GetOption(socket, SocketOption.MulticastLoopback, out int loop));
        Assert.Equal(1, loop);
        Assert.Equal(SocketResult.InvalidArgument, board.SetOption(socket, SocketOption.MulticastTimeToLive, 256));
        SendTo(board, socket, "one", GroupA);
        Assert.Equal(SocketResult.Success, board.SetOption(socket, SocketOption.MulticastTimeToLive, 32));
        SendTo(board, socket, "two", GroupA);
        SendTo(board, socket, "unicast", TestNetwork.Ip(1).Value);
        network.Run(5);
        var ttls = network.Frames.Select(Udp).Where(f => f.HasValue).Select(f => (f!.Value.Destination, f.Value.Ttl)).ToList();
        Assert.Equal([(GroupA, 1), (GroupA, 32), (TestNetwork.Ip(1).Value, 64)], ttls);
        Assert.Equal(SocketResult.Success, board.GetOption(socket, SocketOption.TimeToLive, out ttl));
        Assert.Equal(64, ttl);
        Assert.Equal(SocketResult.Success, board.Open(SocketKind.Stream, IpProtocol.Tcp, out int tcp));
        Assert.Equal(SocketResult.ProtocolOption, board.SetOption(tcp, SocketOption.MulticastTimeToLive, 2));
    }

    private static (uint Destination, int Ttl)? Udp(byte[] frame)
    {
        if (EthernetFrame.TryParse(frame, 0, frame.Length, out var ethernet) != WireError.None || ethernet.EtherType != EtherType.IPv4
            || Ipv4Packet.TryParse(frame, ethernet.PayloadOffset, ethernet.PayloadLength, out var ip) != WireError.None || ip.Protocol != IpProtocol.Udp)
        {
            return null;
        }

        return (ip.DestinationValue, ip.TimeToLive);
    }

    [Fact]
    public void Multicast_loopback_delivers_to_local_members_unless_turned_off()
    {
        var h = new IgmpHarness();
        int receiver = h.OpenUdp(Port);
        Assert.Equal(SocketResult.Success, h.Join(receiver, GroupA));
        int sender = h.OpenUdp(0);
        SendTo(h.Stack, sender, "looped", GroupA);
        h.Poll();
        Assert.Equal((SocketResult.Success, "looped"), Receive(h.Stack, receiver));
        Assert.Equal(SocketResult.Success, h.Stack.SetOption(sender, SocketOption.MulticastLoopback, 0));
        Assert.Equal(SocketResult.Success, h.Stack.GetOption(sender, SocketOption.MulticastLoopback, out int loop));
        Assert.Equal(0, loop);
        SendTo(h.Stack, sender, "not looped", GroupA);
        SendTo(h.Stack, sender, "not joined", GroupB);
        h.Poll();
        Assert.Equal(SocketResult.WouldBlock, Receive(h.Stack, receiver).Result);
        // Each went out on the wire all the same.
        int onWire = 0;
        while (h.Device.Outbound.TryDequeue(out var frame))
        {
            onWire += Udp(frame).HasValue ? 1 : 0;
        }

        Assert.Equal(3, onWire);
    }

    [Fact]
    public void A_query_and_report_cycle_allocates_nothing()
    {
        var clock = new VirtualClock(1_000);
        var device = new ScriptedDevice(TestNetwork.Mac(2));
        var stack = new NetStack(new NetStackOptions(), device, clock);
        stack.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        Assert.True(stack.JoinGroup(new IPv4Address(GroupA)));
        stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        stack.SetOption(socket, SocketOption.AddMembership, unchecked((int)GroupB));
        ushort id = 1;
        byte[][] general = [Frame(V3Query(0, 10, 2, 125), AllSystems, TestNetwork.Ip(1).Value, ref id)];
        byte[][] specific = [Frame(V3Query(GroupB, 10, 2, 125), GroupB, TestNetwork.Ip(1).Value, ref id)];
        byte[][] v2 = [Frame(Message(b => IgmpMessage.Write(b, 0, TypeMembershipQuery, 10, 0)), AllSystems, TestNetwork.Ip(1).Value, ref id)];
        void Cycle(byte[][] query)
        {
            device.Load(query);
            stack.Poll();
            for (int i = 0; i < 12; i++)
            {
                clock.Advance(100);
                stack.Poll();
            }
        }

        for (int i = 0; i < 50; i++)
        {
            Cycle(general);
            Cycle(specific);
        }

        long reports = stack.Counters[Counter.IgmpReportsSent];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            Cycle(general);
            Cycle(specific);
            if (i == 250)
            {
                Cycle(v2); // into IGMPv2 compatibility for a while, and the way back
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(stack.Counters[Counter.IgmpReportsSent] - reports >= 1_000, "every query answered");
        Assert.Equal(0, allocated);
    }
}
