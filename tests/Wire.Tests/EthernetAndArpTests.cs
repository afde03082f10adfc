using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

public class EthernetAndArpTests
{
    [Fact]
    public void Ethernet_header_round_trips()
    {
        var frame = new byte[60];
        Assert.Equal(14, EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, Frames.Board, EtherType.Arp));
        Assert.Equal(WireError.None, EthernetFrame.TryParse(frame, 0, 60, out var view));
        Assert.True(view.Destination.IsBroadcast);
        Assert.Equal(Frames.Board, view.Source);
        Assert.Equal(EtherType.Arp, view.EtherType);
        Assert.Equal(14, view.PayloadOffset);
        Assert.Equal(46, view.PayloadLength);
    }

    [Fact]
    public void Ethernet_view_setters_write_in_place()
    {
        var frame = new byte[20];
        var view = EthernetFrame.Wrap(frame, 2, 18);
        view.Destination = Frames.Peer;
        view.Source = Frames.Board;
        view.EtherType = EtherType.IPv6;
        Assert.Equal(WireError.None, EthernetFrame.TryParse(frame, 2, 18, out var parsed));
        Assert.Equal(Frames.Peer, parsed.Destination);
        Assert.Equal(EtherType.IPv6, parsed.EtherType);
    }

    [Theory]
    [InlineData(13, WireError.Truncated)]
    [InlineData(1519, WireError.FrameTooLong)]
    public void Ethernet_rejects_bad_sizes(int length, WireError expected)
    {
        var frame = new byte[1600];
        EthernetFrame.WriteHeader(frame, 0, Frames.Board, Frames.Peer, EtherType.IPv4);
        Assert.Equal(expected, EthernetFrame.TryParse(frame, 0, length, out _));
    }

    [Fact]
    public void Ethernet_rejects_an_802_3_length_field()
    {
        var frame = new byte[60];
        EthernetFrame.WriteHeader(frame, 0, Frames.Board, Frames.Peer, 46);
        Assert.Equal(WireError.NotEthernetII, EthernetFrame.TryParse(frame, 0, 60, out _));
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(0, 61)]
    [InlineData(50, 11)]
    [InlineData(0, -1)]
    public void Parsers_refuse_ranges_outside_the_buffer(int offset, int length)
    {
        var frame = new byte[60];
        Assert.Equal(WireError.OutOfBuffer, EthernetFrame.TryParse(frame, offset, length, out _));
        Assert.Equal(WireError.OutOfBuffer, ArpPacket.TryParse(frame, offset, length, out _));
        Assert.Equal(WireError.OutOfBuffer, Ipv4Packet.TryParse(frame, offset, length, out _));
        Assert.Equal(WireError.OutOfBuffer, Icmpv4Message.TryParse(frame, offset, length, out _));
        Assert.Equal(WireError.OutOfBuffer, UdpDatagram.TryParse(frame, offset, length, Frames.PeerIp, Frames.BoardIp, out _));
        Assert.Equal(WireError.OutOfBuffer, TcpSegment.TryParse(frame, offset, length, Frames.PeerIp, Frames.BoardIp, out _));
        Assert.Equal(WireError.OutOfBuffer, EthernetFrame.TryParse(null!, 0, 0, out _));
    }

    [Fact]
    public void Padding_zero_fills_up_to_the_minimum_frame()
    {
        var frame = Enumerable.Repeat((byte)0xAA, 64).ToArray();
        Assert.Equal(60, EthernetFrame.Pad(frame, 0, 42));
        Assert.All(frame[42..60], b => Assert.Equal(0, b));
        Assert.Equal(0xAA, frame[60]);
        Assert.Equal(100, EthernetFrame.Pad(new byte[100], 0, 100));
    }

    [Fact]
    public void Arp_request_round_trips()
    {
        var packet = new byte[46];
        int length = ArpPacket.Write(packet, 0, ArpPacket.OperationRequest, Frames.Board, Frames.BoardIp, MacAddress.Zero, Frames.PeerIp);
        Assert.Equal(28, length);
        Assert.Equal(WireError.None, ArpPacket.TryParse(packet, 0, 46, out var arp));
        Assert.Equal(ArpPacket.OperationRequest, arp.Operation);
        Assert.Equal(Frames.Board, arp.SenderHardwareAddress);
        Assert.Equal(Frames.BoardIp, arp.SenderProtocolAddress);
        Assert.Equal(MacAddress.Zero, arp.TargetHardwareAddress);
        Assert.Equal(Frames.PeerIp, arp.TargetProtocolAddress);
        Assert.False(arp.IsGratuitous);
        Assert.False(arp.IsProbe);
    }

    [Fact]
    public void Arp_recognises_gratuitous_and_probe_requests()
    {
        var packet = new byte[28];
        ArpPacket.Write(packet, 0, ArpPacket.OperationRequest, Frames.Board, Frames.BoardIp, MacAddress.Zero, Frames.BoardIp);
        ArpPacket.TryParse(packet, 0, 28, out var announcement);
        Assert.True(announcement.IsGratuitous);
        ArpPacket.Write(packet, 0, ArpPacket.OperationRequest, Frames.Board, IPv4Address.Any, MacAddress.Zero, Frames.BoardIp);
        ArpPacket.TryParse(packet, 0, 28, out var probe);
        Assert.True(probe.IsProbe);
    }

    [Theory]
    [InlineData(0, 0x00, WireError.UnsupportedHardwareType)]  // hardware type 0
    [InlineData(4, 0x08, WireError.UnsupportedHardwareType)]  // hardware length 8
    [InlineData(2, 0x86, WireError.UnsupportedProtocolType)]  // protocol type 0x86xx
    [InlineData(5, 0x10, WireError.UnsupportedProtocolType)]  // protocol length 16
    [InlineData(7, 0x03, WireError.BadOperation)]             // operation 3 (RARP)
    public void Arp_rejects_what_is_not_ethernet_ipv4(int at, byte value, WireError expected)
    {
        var packet = new byte[28];
        ArpPacket.Write(packet, 0, ArpPacket.OperationReply, Frames.Board, Frames.BoardIp, Frames.Peer, Frames.PeerIp);
        packet[at] = value;
        if (at == 0)
        {
            packet[1] = 0;
        }

        Assert.Equal(expected, ArpPacket.TryParse(packet, 0, 28, out _));
    }

    [Fact]
    public void Arp_rejects_a_truncated_packet()
    {
        var packet = new byte[28];
        ArpPacket.Write(packet, 0, ArpPacket.OperationReply, Frames.Board, Frames.BoardIp, Frames.Peer, Frames.PeerIp);
        Assert.Equal(WireError.Truncated, ArpPacket.TryParse(packet, 0, 27, out _));
    }
}
