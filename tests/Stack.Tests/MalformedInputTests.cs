using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>Every malformed case of the wire layer, fed to a running stack: dropped, counted by reason, and the stack keeps working.</summary>
public class MalformedInputTests
{
    private static readonly IPv4Address Peer = TestNetwork.Ip(1);
    private static readonly IPv4Address Board = TestNetwork.Ip(2);

    private static byte[] Ethernet(ushort etherType, byte[] payload)
    {
        var frame = new byte[Math.Max(60, 14 + payload.Length)];
        EthernetFrame.WriteHeader(frame, 0, TestNetwork.Mac(2), TestNetwork.Mac(1), etherType);
        payload.CopyTo(frame, 14);
        return frame;
    }

    private static byte[] Ipv4(IpProtocol protocol, byte[] payload, Action<byte[]>? spoil = null, int optionsLength = 0)
    {
        var packet = new byte[20 + optionsLength + payload.Length];
        var ip = Ipv4Packet.Init(packet, 0, 20 + optionsLength);
        ip.TotalLength = packet.Length;
        ip.TimeToLive = 64;
        ip.Protocol = protocol;
        ip.Source = Peer;
        ip.Destination = Board;
        for (int i = 20; i < 20 + optionsLength; i++)
        {
            packet[i] = OptionIterator.NoOperation;
        }

        payload.CopyTo(packet, 20 + optionsLength);
        spoil?.Invoke(packet);
        Ipv4Packet.Wrap(packet, 0).FillChecksum();
        return packet;
    }

    private static byte[] Udp(int length, Action<byte[]>? spoil = null)
    {
        var datagram = new byte[length];
        UdpDatagram.WriteHeader(datagram, 0, 4000, 7, length - 8);
        UdpDatagram.FillChecksum(datagram, 0, Peer, Board);
        spoil?.Invoke(datagram);
        return datagram;
    }

    private static byte[] Echo(Action<byte[]>? spoil = null)
    {
        var message = new byte[16];
        Icmpv4Message.WriteEcho(message, 0, Icmpv4Message.TypeEchoRequest, 1, 1);
        Icmpv4Message.FillChecksum(message, 0, 16);
        spoil?.Invoke(message);
        return message;
    }

    public static TheoryData<string, ProtocolLayer, WireError, byte[]> Cases()
    {
        var arp = new byte[28];
        ArpPacket.Write(arp, 0, ArpPacket.OperationRequest, TestNetwork.Mac(1), Peer, MacAddress.Zero, Board);
        byte[] Spoilt(byte[] source, Action<byte[]> spoil)
        {
            var copy = (byte[])source.Clone();
            spoil(copy);
            return copy;
        }

        var validIp = Ipv4(IpProtocol.Udp, Udp(12));
        return new TheoryData<string, ProtocolLayer, WireError, byte[]>
        {
            { "ethernet 13 bytes", ProtocolLayer.Ethernet, WireError.Truncated, Ethernet(EtherType.IPv4, [])[..13] },
            { "ethernet 802.3 length", ProtocolLayer.Ethernet, WireError.NotEthernetII, Ethernet(46, new byte[46]) },
            { "arp truncated", ProtocolLayer.Arp, WireError.Truncated, Ethernet(EtherType.Arp, arp)[..(14 + 27)] },
            { "arp hardware type", ProtocolLayer.Arp, WireError.UnsupportedHardwareType, Ethernet(EtherType.Arp, Spoilt(arp, a => a[1] = 6)) },
            { "arp protocol type", ProtocolLayer.Arp, WireError.UnsupportedProtocolType, Ethernet(EtherType.Arp, Spoilt(arp, a => a[2] = 0x86)) },
            { "arp operation", ProtocolLayer.Arp, WireError.BadOperation, Ethernet(EtherType.Arp, Spoilt(arp, a => a[7] = 9)) },
            { "ip truncated", ProtocolLayer.Ipv4, WireError.Truncated, Ethernet(EtherType.IPv4, validIp)[..(14 + 19)] },
            { "ip version 6", ProtocolLayer.Ipv4, WireError.BadVersion, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12), p => p[0] = 0x65)) },
            { "ip ihl 4", ProtocolLayer.Ipv4, WireError.BadHeaderLength, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12), p => p[0] = 0x44)) },
            { "ip total length 19", ProtocolLayer.Ipv4, WireError.LengthTooShort, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12), p => p[3] = 19)) },
            { "ip total length past the frame", ProtocolLayer.Ipv4, WireError.LengthBeyondBuffer, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12), p => p[3] = 200)) },
            { "ip checksum", ProtocolLayer.Ipv4, WireError.BadChecksum, Ethernet(EtherType.IPv4, Spoilt(validIp, p => p[8] ^= 1)) },
            { "ip option length 0", ProtocolLayer.Ipv4, WireError.BadOptionLength, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12), p => { p[20] = 7; p[21] = 0; }, 4)) },
            { "ip option overrun", ProtocolLayer.Ipv4, WireError.OptionOverrun, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12), p => { p[20] = 7; p[21] = 9; }, 4)) },
            { "ip fragment past 65535", ProtocolLayer.Ipv4, WireError.BadFragmentOffset, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(16), p => { p[6] = 0x1F; p[7] = 0xFF; })) },
            { "icmp truncated", ProtocolLayer.Icmp, WireError.Truncated, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Icmp, Echo()[..7])) },
            { "icmp checksum", ProtocolLayer.Icmp, WireError.BadChecksum, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Icmp, Echo(m => m[9] ^= 4))) },
            { "udp truncated", ProtocolLayer.Udp, WireError.Truncated, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12)[..7])) },
            { "udp length 7", ProtocolLayer.Udp, WireError.LengthTooShort, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12, d => d[5] = 7))) },
            { "udp length past the datagram", ProtocolLayer.Udp, WireError.LengthBeyondBuffer, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12, d => d[5] = 13))) },
            { "udp checksum", ProtocolLayer.Udp, WireError.BadChecksum, Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(12, d => d[10] ^= 0x20))) },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_dropped_counted_and_harmless(string name, ProtocolLayer layer, WireError reason, byte[] frame)
    {
        var network = new TestNetwork();
        var peer = network.Add(1);
        var board = network.Add(2);
        int echo = TestNetwork.OpenUdp(board, 7);
        ((VirtualPort)board.Device).Inject(frame);
        network.Settle();
        Assert.True(board.Counters.Dropped(layer, reason) == 1, $"{name}: not counted as {layer} {reason}");
        Assert.Equal(1, Enum.GetValues<ProtocolLayer>().Sum(l => board.Counters.Dropped(l)));
        Assert.Equal(Net.Sockets.SocketResult.WouldBlock, board.Receive(echo, new byte[64], 0, 64, out _));
        Assert.Equal(PingStatus.Replied, network.Ping(peer, Board, 56));
    }

    [Fact]
    public void A_thousand_random_frames_leave_the_stack_answering()
    {
        var network = new TestNetwork();
        var peer = network.Add(1);
        var board = network.Add(2);
        TestNetwork.OpenUdp(board, 7);
        board.Open(Net.Sockets.SocketKind.Raw, IpProtocol.Icmp, out _);
        var random = new Random(42);
        var valid = Ethernet(EtherType.IPv4, Ipv4(IpProtocol.Udp, Udp(40)));
        for (int i = 0; i < 1000; i++)
        {
            var frame = (byte[])valid.Clone();
            int flips = random.Next(1, 6);
            for (int f = 0; f < flips; f++)
            {
                frame[random.Next(12, frame.Length)] = (byte)random.Next(256);
            }

            ((VirtualPort)board.Device).Inject(frame[..random.Next(0, frame.Length + 1)]);
            network.Settle();
        }

        Assert.Equal(PingStatus.Replied, network.Ping(peer, Board, 100));
        Assert.True(board.Counters.Dropped(ProtocolLayer.Ipv4) + board.Counters.Dropped(ProtocolLayer.Udp) > 500);
    }
}
