using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

public class ArpTests
{
    [Fact]
    public void Resolution_learns_both_ways_with_one_request_and_one_reply()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 8));
        Assert.True(a.TryGetNeighbour(TestNetwork.Ip(2), out var mac));
        Assert.Equal(TestNetwork.Mac(2), mac);
        Assert.True(b.TryGetNeighbour(TestNetwork.Ip(1), out mac));
        Assert.Equal(TestNetwork.Mac(1), mac);
        Assert.Equal(1, a.Counters[Counter.ArpRequestsSent]);
        Assert.Equal(1, b.Counters[Counter.ArpRepliesSent]);
        Assert.Equal(0, b.Counters[Counter.ArpRequestsSent]);
    }

    [Fact]
    public void Entries_age_out_after_their_lifetime_and_resolve_again()
    {
        var network = new TestNetwork();
        var options = new NetStackOptions { ArpEntryLifetimeMs = 5_000 };
        var a = network.Add(1, options);
        network.Add(2);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 8));
        network.Run(5_001);
        Assert.False(a.TryGetNeighbour(TestNetwork.Ip(2), out _));
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 8));
        Assert.Equal(2, a.Counters[Counter.ArpRequestsSent]);
    }

    [Fact]
    public void A_used_entry_is_refreshed_by_unicast_before_it_expires()
    {
        var network = new TestNetwork();
        var a = network.Add(1, new NetStackOptions { ArpEntryLifetimeMs = 4_000 });
        network.Add(2);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 8));
            network.Run(1_000);
        }

        Assert.True(a.TryGetNeighbour(TestNetwork.Ip(2), out _));
        Assert.Equal(0, a.Counters[Counter.ArpResolutionFailures]);
        Assert.True(a.Counters[Counter.ArpRequestsSent] >= 2);
    }

    [Fact]
    public void Resolution_retries_then_gives_up_and_drops_what_waited()
    {
        var network = new TestNetwork();
        var a = network.Add(1, new NetStackOptions { ArpRequestRetries = 3, ArpRequestIntervalMs = 1_000 });
        int socket = TestNetwork.OpenUdp(a);
        network.Frames.Clear();
        a.SendTo(socket, new byte[10], 0, 10, TestNetwork.Ip(99), 9, out _);
        a.SendTo(socket, new byte[10], 0, 10, TestNetwork.Ip(99), 9, out _);
        network.Run(10_000);
        Assert.Equal(3, a.Counters[Counter.ArpRequestsSent]);
        Assert.Equal(1, a.Counters[Counter.ArpResolutionFailures]);
        Assert.Equal(2, a.Counters[Counter.ArpQueuedFramesDropped]);
        Assert.Equal(3, network.Frames.Count);
    }

    [Fact]
    public void The_waiting_queue_is_bounded_and_counts_what_it_drops()
    {
        var network = new TestNetwork();
        var a = network.Add(1, new NetStackOptions { ArpQueueSize = 2 });
        var b = network.Add(2);
        int sender = TestNetwork.OpenUdp(a);
        int receiver = TestNetwork.OpenUdp(b, 9);
        for (int i = 0; i < 5; i++)
        {
            a.SendTo(sender, [(byte)i], 0, 1, TestNetwork.Ip(2), 9, out _);
        }

        network.Run(10);
        Assert.Equal(3, a.Counters[Counter.ArpQueueOverflows]);
        var buffer = new byte[4];
        Assert.Equal(Net.Sockets.SocketResult.Success, b.Receive(receiver, buffer, 0, 4, out _));
        Assert.Equal(0, buffer[0]);
        Assert.Equal(Net.Sockets.SocketResult.Success, b.Receive(receiver, buffer, 0, 4, out _));
        Assert.Equal(1, buffer[0]);
        Assert.Equal(Net.Sockets.SocketResult.WouldBlock, b.Receive(receiver, buffer, 0, 4, out _));
    }

    [Fact]
    public void The_least_recently_used_entry_makes_room()
    {
        var network = new TestNetwork();
        var a = network.Add(1, new NetStackOptions { ArpCacheSize = 2 });
        for (int host = 2; host <= 4; host++)
        {
            network.Add(host);
        }

        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 1));
        network.Run(10);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(3), 1));
        network.Run(10);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 1));
        network.Run(10);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(4), 1));
        Assert.True(a.TryGetNeighbour(TestNetwork.Ip(2), out _));
        Assert.False(a.TryGetNeighbour(TestNetwork.Ip(3), out _));
        Assert.True(a.TryGetNeighbour(TestNetwork.Ip(4), out _));
        Assert.True(a.Counters[Counter.ArpCacheEvictions] >= 1);
    }

    [Fact]
    public void A_new_address_is_announced_and_neighbours_update_their_caches()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var b = network.Add(2);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 1));
        Assert.True(a.Counters[Counter.ArpAnnouncementsSent] == 1);

        // b's address moves to a new board: the new board announces it and a learns the new MAC at once.
        var replacement = network.Add(12, configure: false);
        b.Configure(TestNetwork.Ip(22), TestNetwork.Mask, IPv4Address.Any);
        replacement.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        network.Settle();
        Assert.True(a.TryGetNeighbour(TestNetwork.Ip(2), out var mac));
        Assert.Equal(TestNetwork.Mac(12), mac);
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 1));
    }

    [Fact]
    public void Another_host_claiming_our_address_is_detected_and_defended_at_most_once_per_interval()
    {
        var network = new TestNetwork();
        var a = network.Add(1, new NetStackOptions { ArpDefendIntervalMs = 10_000 });
        var intruder = network.Add(9, configure: false);
        network.Settle();
        Assert.False(a.AddressConflictDetected);
        intruder.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        network.Settle();
        Assert.True(a.AddressConflictDetected);
        Assert.Equal(TestNetwork.Mac(9), a.ConflictingMacAddress);
        Assert.True(intruder.AddressConflictDetected);
        int announcements = a.Counters[Counter.ArpAnnouncementsSent];
        intruder.Configure(TestNetwork.Ip(50), TestNetwork.Mask, IPv4Address.Any);
        intruder.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        network.Settle();
        Assert.Equal(announcements, a.Counters[Counter.ArpAnnouncementsSent]);
        // a's claim, the intruder's own defence, and its claim again: three conflicts, one defence.
        Assert.Equal(3, a.Counters[Counter.ArpConflicts]);
    }

    [Fact]
    public void A_probe_for_our_address_is_answered_so_the_prober_backs_off()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        var frame = new byte[60];
        EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, TestNetwork.Mac(7), EtherType.Arp);
        ArpPacket.Write(frame, 14, ArpPacket.OperationRequest, TestNetwork.Mac(7), IPv4Address.Any, MacAddress.Zero, TestNetwork.Ip(1));
        ((Emulator.Network.VirtualPort)a.Device).Inject(frame);
        network.Frames.Clear();
        network.Settle();
        Assert.Equal(1, a.Counters[Counter.ArpRepliesSent]);
        Assert.False(a.TryGetNeighbour(IPv4Address.Any, out _));
        Assert.Equal(TestNetwork.Mac(7), MacAddress.Read(network.Frames.Single(), 0));
    }

    [Fact]
    public void Arp_from_a_multicast_sender_or_ourselves_is_ignored()
    {
        var network = new TestNetwork();
        var a = network.Add(1);
        foreach (var sender in new[] { MacAddress.Broadcast, TestNetwork.Mac(1) })
        {
            var frame = new byte[60];
            EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, TestNetwork.Mac(7), EtherType.Arp);
            ArpPacket.Write(frame, 14, ArpPacket.OperationRequest, sender, TestNetwork.Ip(5), MacAddress.Zero, TestNetwork.Ip(1));
            ((Emulator.Network.VirtualPort)a.Device).Inject(frame);
        }

        network.Settle();
        Assert.Equal(2, a.Counters[Counter.ArpIgnored]);
        Assert.False(a.TryGetNeighbour(TestNetwork.Ip(5), out _));
    }
}
