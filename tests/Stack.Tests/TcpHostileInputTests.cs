using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.TcpHarness;

namespace IoTStack.Stack.Tests;

/// <summary>Random, well-checksummed TCP segments thrown at a listener and a live connection: nothing throws, and data still flows.</summary>
public class TcpHostileInputTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Thousands_of_random_segments_never_throw_and_a_live_connection_survives_or_is_cleanly_reset(int seed)
    {
        var network = new TestNetwork(seed);
        var client = network.Add(1);
        var server = network.Add(2, new NetStackOptions { TcpConnections = 5, TcpListeners = 1 });
        int listener = Listen(server, 80, backlog: 4);
        var (c, s) = Connect(network, client, server, listener, TestNetwork.Ip(2), 80);
        int clientPort = Info(client, c).Local.Port;
        var random = new Random(seed);
        var port = (VirtualPort)server.Device;
        for (int i = 0; i < 5000; i++)
        {
            var payload = new byte[random.Next(0, 3) == 0 ? random.Next(0, 1400) : 0];
            random.NextBytes(payload);
            int optionsLength = random.Next(0, 11) * 4;
            var frame = new byte[Math.Max(60, 54 + optionsLength + payload.Length)];
            EthernetFrame.WriteHeader(frame, 0, TestNetwork.Mac(2), TestNetwork.Mac(1), EtherType.IPv4);
            int sourcePort = random.Next(4) == 0 ? random.Next(1, 65536) : clientPort;
            int destinationPort = random.Next(4) == 0 ? random.Next(1, 65536) : 80;
            int length = TcpSegment.WriteHeader(frame, 34, sourcePort, destinationPort, (uint)random.NextInt64(), (uint)random.NextInt64(),
                (TcpFlags)random.Next(256), random.Next(65536), optionsLength);
            for (int o = 0; o < optionsLength; o++)
            {
                frame[54 + o] = (byte)(random.Next(3) == 0 ? random.Next(256) : random.Next(0, 9));
            }

            payload.CopyTo(frame, 34 + length);
            length += payload.Length;
            TcpSegment.FillChecksum(frame, 34, length, TestNetwork.Ip(1), TestNetwork.Ip(2));
            Ipv4Packet.WriteHeader(frame, 14, TestNetwork.Ip(1), TestNetwork.Ip(2), IpProtocol.Tcp, length, (ushort)i, 64, false);
            port.Inject(frame);
            network.Settle();
            if (i % 50 == 0)
            {
                network.Clock.Advance(10);
            }
        }

        network.Run(2000);
        var state = Info(server, s).State;
        if (state == SocketState.Established)
        {
            var data = RandomData(5000, seed);
            Assert.Equal(Hash(data), Hash(Transfer(network, client, c, server, s, data)));
        }
        else
        {
            Assert.Equal(SocketState.Closed, state); // a lucky exact RST: the owner is told
            Assert.Equal(SocketResult.ConnectionReset, server.Receive(s, new byte[1], 0, 1, out _));
        }

        // The listener still serves new clients, and nothing leaked: half-open entries time out.
        network.Run(70_000);
        var (c2, s2) = Connect(network, client, server, listener, TestNetwork.Ip(2), 80);
        var more = RandomData(3000, seed + 1);
        Assert.Equal(Hash(more), Hash(Transfer(network, client, c2, server, s2, more)));
    }
}

public class TcpSynFloodTests
{
    [Fact]
    public void A_syn_flood_takes_no_slot_and_real_clients_connect_during_and_after_it()
    {
        var network = new TestNetwork();
        var server = network.Add(2, new NetStackOptions { TcpConnections = 3, TcpListeners = 1, TcpSynQueueSize = 8 });
        int listener = TcpHarness.Listen(server, 80, backlog: 2);
        var client = network.Add(1);
        var random = new Random(5);
        void Flood(int count) => TcpHarness.SynFlood(network, server, random, count);

        server.Configure(TestNetwork.Ip(2), TestNetwork.Mask, TestNetwork.Ip(254)); // a gateway that never answers ARP
        Flood(2000);
        Assert.Equal(1, TcpHarness.Used(server)); // the flood holds no slot
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int during);
        client.Connect(during, TestNetwork.Ip(2), 80);
        Flood(10); // more of it while the handshake is under way
        int accepted = 0;
        Assert.True(network.RunUntil(() => server.Accept(listener, out accepted) == SocketResult.Success, 5_000));
        var data = TcpHarness.RandomData(4000, 1);
        Assert.Equal(data, TcpHarness.Transfer(network, client, during, server, accepted, data));
        // The queue filled at once; every later SYN got a cookie, and the real client came in on one (RFC 4987 section 3.6).
        Assert.True(server.Counters[Counter.TcpSynCookiesSent] > 1900);
        Assert.Equal(1, server.Counters[Counter.TcpSynCookiesValid]);
        Assert.Equal(0, server.Counters[Counter.TcpSynQueueEvictions]);
        Assert.Equal(0, server.Counters[Counter.TcpBacklogDrops]);
    }
}
