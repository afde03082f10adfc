using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

public class IcmpTests
{
    private static readonly NetStackOptions Big = new() { PingMaxDataLength = 4472, ReassemblyBufferSize = 4480 };

    [Fact]
    public void Ping_of_every_size_up_to_the_reassembly_limit_is_answered()
    {
        var network = new TestNetwork();
        var a = network.Add(1, Big);
        var b = network.Add(2, Big);
        var sizes = Enumerable.Range(0, 1501).Concat(Enumerable.Range(0, 31).Select(i => 1501 + i * 97)).Append(4472);
        foreach (int size in sizes)
        {
            Assert.True(network.Ping(a, TestNetwork.Ip(2), size) == PingStatus.Replied, $"no reply to {size} bytes");
        }

        Assert.Equal(0, b.Counters[Counter.ReassemblyTimeouts]);
        Assert.True(b.Counters[Counter.ReassemblyCompleted] > 0);
        Assert.True(a.Counters[Counter.ReassemblyCompleted] > 0);
        Assert.Equal(0, a.Counters[Counter.PingRepliesCorrupt]);
    }

    [Fact]
    public void A_datagram_beyond_the_reassembly_limit_is_dropped_and_counted()
    {
        var network = new TestNetwork();
        var a = network.Add(1, new NetStackOptions { PingMaxDataLength = 6000 });
        var b = network.Add(2, new NetStackOptions { ReassemblyBufferSize = 4000 });
        Assert.Equal(PingStatus.TimedOut, network.Ping(a, TestNetwork.Ip(2), 5000, 1000));
        Assert.True(b.Counters[Counter.ReassemblyTooLarge] >= 1);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 3000));
    }

    [Fact]
    public void Ping_to_a_silent_address_times_out()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        Assert.Equal(PingStatus.TimedOut, network.Ping(a, TestNetwork.Ip(77), 8, 5_000));
        Assert.Equal(PingStatus.Invalid, a.GetPingStatus(12345, out _));
    }

    [Fact]
    public void Ping_slots_are_bounded()
    {
        var network = new TestNetwork();
        var a = network.Add(1, new NetStackOptions { PingSlots = 1 });
        network.Add(2);
        Assert.Equal(SocketResult.Success, a.StartPing(TestNetwork.Ip(2), 8, 1000, out int first));
        Assert.Equal(SocketResult.NoBufferSpaceAvailable, a.StartPing(TestNetwork.Ip(2), 8, 1000, out _));
        Assert.Equal(SocketResult.InvalidArgument, a.StartPing(TestNetwork.Ip(2), 5000, 1000, out _));
        a.EndPing(first);
        Assert.Equal(PingStatus.Invalid, a.GetPingStatus(first, out _));
        Assert.Equal(SocketResult.Success, a.StartPing(TestNetwork.Ip(2), 8, 1000, out _));
    }

    [Fact]
    public void Round_trip_time_is_measured_in_virtual_time()
    {
        var network = new TestNetwork();
        network.Switch.Faults = new Emulator.Network.LinkFaults { DelayMs = 5 };
        var a = network.Add(1);
        network.Add(2);
        network.Ping(a, TestNetwork.Ip(2), 8); // resolves ARP first
        Assert.Equal(SocketResult.Success, a.StartPing(TestNetwork.Ip(2), 8, 1000, out int ping));
        network.RunUntil(() => a.GetPingStatus(ping, out _) != PingStatus.Pending);
        Assert.Equal(PingStatus.Replied, a.GetPingStatus(ping, out int rtt));
        Assert.Equal(10, rtt);
    }

    [Fact]
    public void Udp_to_a_closed_port_gets_port_unreachable_and_a_connected_sender_hears_it()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        int socket = TestNetwork.OpenUdp(a);
        Assert.Equal(SocketResult.Success, a.Connect(socket, TestNetwork.Ip(2), 9999));
        Assert.Equal(SocketResult.Success, a.SendSome(socket, [1, 2, 3], 0, 3, out _));
        network.Run(5);
        Assert.Equal(1, b.Counters[Counter.UdpNoPort]);
        Assert.Equal(1, b.Counters[Counter.IcmpErrorsSent]);
        Assert.Equal(1, a.Counters[Counter.IcmpErrorsReceived]);
        Assert.True(a.PollSocket(socket).HasFlag(SocketEvents.Error));
        Assert.Equal(SocketResult.ConnectionRefused, a.Receive(socket, new byte[8], 0, 8, out _));
        Assert.Equal(SocketResult.WouldBlock, a.Receive(socket, new byte[8], 0, 8, out _));
    }

    [Fact]
    public void Icmp_errors_are_rate_limited()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2, new NetStackOptions { IcmpErrorBurst = 3, IcmpErrorIntervalMs = 1000 });
        int socket = TestNetwork.OpenUdp(a);
        for (int i = 0; i < 10; i++)
        {
            a.SendTo(socket, [1], 0, 1, TestNetwork.Ip(2), 1000 + i, out _);
            network.Run(1);
        }

        Assert.Equal(3, b.Counters[Counter.IcmpErrorsSent]);
        Assert.Equal(7, b.Counters[Counter.IcmpErrorsRateLimited]);
        network.Run(1000);
        a.SendTo(socket, [1], 0, 1, TestNetwork.Ip(2), 999, out _);
        network.Run(1);
        Assert.Equal(4, b.Counters[Counter.IcmpErrorsSent]);
    }

    [Fact]
    public void Broadcast_pings_are_ignored()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        Assert.Equal(PingStatus.TimedOut, network.Ping(a, IPv4Address.Broadcast, 8, 500));
        Assert.Equal(PingStatus.TimedOut, network.Ping(a, new IPv4Address(192, 0, 2, 255), 8, 500));
        Assert.Equal(2, b.Counters[Counter.IcmpEchoBroadcastIgnored]);
        Assert.Equal(0, b.Counters[Counter.IcmpEchoRepliesSent]);
    }

    [Fact]
    public void An_unknown_protocol_gets_protocol_unreachable()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        a.Open(SocketKind.Raw, (IpProtocol)253, out int raw);
        a.SendTo(raw, [1, 2, 3, 4], 0, 4, TestNetwork.Ip(2), 0, out _);
        network.Run(5);
        Assert.Equal(1, b.Counters[Counter.Ipv4UnknownProtocol]);
        Assert.Equal(1, b.Counters[Counter.IcmpErrorsSent]);
        var buffer = new byte[100];
        // The raw socket on a sees nothing of protocol 253; an ICMP raw socket would.
        Assert.Equal(SocketResult.WouldBlock, a.Receive(raw, buffer, 0, 100, out _));
    }

    [Fact]
    public void Reassembly_times_out_and_tells_the_sender()
    {
        var network = new TestNetwork();
        var a = network.Add(1, Big);
        var b = network.Add(2, new NetStackOptions { ReassemblyTimeoutMs = 2_000 });
        network.Ping(a, TestNetwork.Ip(2), 1);
        network.Switch.Faults = new Emulator.Network.LinkFaults();
        int sent = 0;
        network.Switch.Observer = frame =>
        {
            if (++sent == 2) // lose the second fragment of the next ping
            {
                network.Switch.Ports[1].IsLinkUp = false;
            }
        };
        Assert.Equal(SocketResult.Success, a.StartPing(TestNetwork.Ip(2), 3000, 10_000, out _));
        network.Switch.Ports[1].IsLinkUp = true;
        network.Run(2_100);
        Assert.Equal(1, b.Counters[Counter.ReassemblyTimeouts]);
        Assert.Equal(1, b.Counters[Counter.IcmpErrorsSent]);
        Assert.Equal(1, a.Counters[Counter.IcmpErrorsReceived]);
    }
}
