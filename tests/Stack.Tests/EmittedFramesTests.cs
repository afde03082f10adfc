using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using PacketDotNet;

namespace IoTStack.Stack.Tests;

/// <summary>Every frame the stack puts on the wire must parse in PacketDotNet, an implementation nobody here wrote.</summary>
public class EmittedFramesTests
{
    [Fact]
    public void Every_frame_of_a_busy_exchange_parses_in_packetdotnet_with_valid_checksums()
    {
        var options = new NetStackOptions { PingMaxDataLength = 4000, ReassemblyBufferSize = 4008 };
        var network = new TestNetwork();
        var a = network.Add(1, options);
        var b = network.Add(2, options);
        foreach (int size in new[] { 0, 1, 56, 1472, 1473, 3000, 4000 })
        {
            Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), size));
        }

        int client = TestNetwork.OpenUdp(a);
        int server = TestNetwork.OpenUdp(b, 7);
        a.SetOption(client, SocketOption.Broadcast, 1);
        foreach (int size in new[] { 0, 1, 100, 1472, 1473, 3500 })
        {
            a.SendTo(client, new byte[size], 0, size, TestNetwork.Ip(2), 7, out _);
        }

        a.SendTo(client, [1], 0, 1, IPv4Address.Broadcast, 7, out _);
        a.SendTo(client, [1], 0, 1, TestNetwork.Ip(2), 9, out _); // port unreachable back
        a.Open(SocketKind.Raw, (IpProtocol)253, out int raw);
        a.SendTo(raw, [1, 2, 3], 0, 3, TestNetwork.Ip(2), 0, out _); // protocol unreachable back
        network.Run(10);
        while (b.ReceiveFrom(server, new byte[4000], 0, 4000, out int n, out var from) == SocketResult.Success)
        {
            b.SendTo(server, new byte[n], 0, n, from.Address, from.Port, out _);
        }

        network.Run(10);
        int listener = TcpHarness.Listen(b, 80);
        var (c, sc) = TcpHarness.Connect(network, a, b, listener, TestNetwork.Ip(2), 80);
        var data = TcpHarness.RandomData(20_000, 3);
        network.Switch.Faults = new Emulator.Network.LinkFaults { Loss = 0.05, Reorder = 0.05 };
        TcpHarness.Transfer(network, a, c, b, sc, data);
        TcpHarness.Transfer(network, b, sc, a, c, data);
        network.Switch.Faults = new Emulator.Network.LinkFaults();
        a.Close(c);
        network.Run(10);
        b.Close(sc);
        network.Run(10);
        a.Open(SocketKind.Stream, IpProtocol.Tcp, out int refused);
        a.Connect(refused, TestNetwork.Ip(2), 81);
        network.Run(10);
        var kinds = new HashSet<string>();
        foreach (var frame in network.Frames)
        {
            Assert.True(frame.Length >= 60, "frames are padded to the Ethernet minimum");
            var ethernet = (EthernetPacket)Packet.ParsePacket(LinkLayers.Ethernet, frame);
            if (ethernet.Type == EthernetType.Arp)
            {
                var arp = ethernet.Extract<PacketDotNet.ArpPacket>();
                Assert.NotNull(arp);
                kinds.Add("arp " + arp.Operation);
                continue;
            }

            var ip = ethernet.Extract<IPv4Packet>();
            Assert.NotNull(ip);
            Assert.True(ip.ValidIPChecksum, "IP header checksum");
            bool fragment = (ip.FragmentFlags & 1) != 0 || ip.FragmentOffset != 0;
            if (fragment)
            {
                kinds.Add("fragment");
                continue;
            }

            switch (ip.Protocol)
            {
                case ProtocolType.Icmp:
                    var icmp = ip.Extract<IcmpV4Packet>();
                    Assert.True(icmp.ValidIcmpChecksum, "ICMP checksum");
                    kinds.Add("icmp " + icmp.TypeCode);
                    break;
                case ProtocolType.Udp:
                    var udp = ip.Extract<UdpPacket>();
                    Assert.True(udp.ValidUdpChecksum, "UDP checksum");
                    kinds.Add("udp");
                    break;
                case ProtocolType.Tcp:
                    var tcp = ip.Extract<TcpPacket>();
                    Assert.True(tcp.ValidTcpChecksum, "TCP checksum");
                    Assert.True(ip.TotalLength <= 1500);
                    kinds.Add(tcp.Synchronize ? (tcp.Acknowledgment ? "tcp syn-ack" : "tcp syn") : tcp.Reset ? "tcp rst" : tcp.Finished ? "tcp fin" : "tcp");
                    break;
                default:
                    kinds.Add("ip " + (int)ip.Protocol);
                    break;
            }
        }

        string[] expected = ["arp Request", "arp Response", "fragment", "icmp EchoRequest", "icmp EchoReply", "udp", "icmp UnreachablePort", "icmp UnreachableProtocol", "ip 253",
            "tcp syn", "tcp syn-ack", "tcp", "tcp fin", "tcp rst"];
        Assert.Empty(expected.Except(kinds));
    }
}
