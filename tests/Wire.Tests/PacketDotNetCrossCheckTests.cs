using System.Net;
using System.Net.NetworkInformation;
using IoTStack.Net.Wire;
using PacketDotNet;
using PacketDotNet.Tcp;
using PacketDotNet.Utils;
using OurArp = IoTStack.Net.Wire.ArpPacket;

namespace IoTStack.Wire.Tests;

/// <summary>
/// Frames we emit must read the same in PacketDotNet (an implementation nobody here wrote), checksums
/// included; frames PacketDotNet builds must read the same in ours.
/// </summary>
public class PacketDotNetCrossCheckTests
{
    private static readonly PhysicalAddress BoardMac = PhysicalAddress.Parse("02-00-00-00-00-02");
    private static readonly PhysicalAddress PeerMac = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly IPAddress BoardIp = IPAddress.Parse("192.0.2.2");
    private static readonly IPAddress PeerIp = IPAddress.Parse("192.0.2.1");

    private static T Extract<T>(byte[] frame) where T : Packet
    {
        var packet = Packet.ParsePacket(LinkLayers.Ethernet, frame);
        return packet.Extract<T>() ?? throw new Xunit.Sdk.XunitException($"PacketDotNet found no {typeof(T).Name}");
    }

    [Fact]
    public void Our_arp_reads_the_same_in_packetdotnet()
    {
        var frame = new byte[60];
        EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, Frames.Board, EtherType.Arp);
        OurArp.Write(frame, 14, OurArp.OperationRequest, Frames.Board, Frames.BoardIp, MacAddress.Zero, Frames.PeerIp);
        var arp = Extract<PacketDotNet.ArpPacket>(frame);
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(BoardMac, arp.SenderHardwareAddress);
        Assert.Equal(BoardIp, arp.SenderProtocolAddress);
        Assert.Equal(PeerIp, arp.TargetProtocolAddress);
        var ethernet = Extract<EthernetPacket>(frame);
        Assert.Equal(PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF"), ethernet.DestinationHardwareAddress);
        Assert.Equal(EthernetType.Arp, ethernet.Type);
    }

    [Fact]
    public void Packetdotnet_arp_reads_the_same_in_ours()
    {
        var arp = new PacketDotNet.ArpPacket(ArpOperation.Response, BoardMac, BoardIp, PeerMac, PeerIp);
        var ethernet = new EthernetPacket(PeerMac, BoardMac, EthernetType.Arp) { PayloadPacket = arp };
        var frame = ethernet.Bytes;
        Assert.Equal(WireError.None, EthernetFrame.TryParse(frame, 0, frame.Length, out var eth));
        Assert.Equal(EtherType.Arp, eth.EtherType);
        Assert.Equal(WireError.None, OurArp.TryParse(frame, eth.PayloadOffset, eth.PayloadLength, out var ours));
        Assert.Equal(OurArp.OperationReply, ours.Operation);
        Assert.Equal(Frames.Peer, ours.SenderHardwareAddress);
        Assert.Equal(Frames.PeerIp, ours.SenderProtocolAddress);
        Assert.Equal(Frames.Board, ours.TargetHardwareAddress);
        Assert.Equal(Frames.BoardIp, ours.TargetProtocolAddress);
    }

    [Fact]
    public void Our_udp_reads_the_same_in_packetdotnet_with_valid_checksums()
    {
        var frame = Frames.Udp(5353, 7, "IoTStack"u8.ToArray());
        var ip = Extract<IPv4Packet>(frame);
        Assert.True(ip.ValidIPChecksum);
        Assert.Equal(PeerIp, ip.SourceAddress);
        Assert.Equal(BoardIp, ip.DestinationAddress);
        Assert.Equal(64, ip.TimeToLive);
        Assert.Equal(0x1234, ip.Id);
        Assert.Equal(ProtocolType.Udp, ip.Protocol);
        var udp = Extract<UdpPacket>(frame);
        Assert.True(udp.ValidUdpChecksum);
        Assert.Equal(5353, udp.SourcePort);
        Assert.Equal(7, udp.DestinationPort);
        Assert.Equal("IoTStack"u8.ToArray(), udp.PayloadData);
    }

    [Fact]
    public void Our_tcp_syn_reads_the_same_in_packetdotnet_with_valid_checksums()
    {
        var packet = Frames.TcpSyn(0xDEADBEEF, [9, 8, 7]);
        var frame = new byte[14 + packet.Length];
        EthernetFrame.WriteHeader(frame, 0, Frames.Board, Frames.Peer, EtherType.IPv4);
        packet.CopyTo(frame, 14);
        var tcp = Extract<TcpPacket>(frame);
        Assert.True(tcp.ValidTcpChecksum);
        Assert.True(tcp.Synchronize);
        Assert.False(tcp.Acknowledgment);
        Assert.Equal(0xDEADBEEFu, tcp.SequenceNumber);
        Assert.Equal(64240, tcp.WindowSize);
        Assert.Equal(new byte[] { 9, 8, 7 }, tcp.PayloadData);
        var options = tcp.OptionsCollection;
        Assert.Equal(1460, options.OfType<MaximumSegmentSizeOption>().Single().Value);
        Assert.Single(options.OfType<SelectiveAcknowledgmentPermittedOption>());
        Assert.Equal(0x01020304u, options.OfType<TimeStampOption>().Single().Value);
        Assert.Equal(7, options.OfType<WindowScaleFactorOption>().Single().ScaleFactor);
    }

    [Fact]
    public void Our_icmp_echo_reads_the_same_in_packetdotnet()
    {
        var frame = new byte[14 + 20 + 8 + 32];
        EthernetFrame.WriteHeader(frame, 0, Frames.Peer, Frames.Board, EtherType.IPv4);
        Ipv4Packet.WriteHeader(frame, 14, Frames.BoardIp, Frames.PeerIp, IpProtocol.Icmp, 40, 9, 64, false);
        Icmpv4Message.WriteEcho(frame, 34, Icmpv4Message.TypeEchoReply, 0x4242, 3);
        Icmpv4Message.FillChecksum(frame, 34, 40);
        var icmp = Extract<IcmpV4Packet>(frame);
        Assert.True(icmp.ValidIcmpChecksum);
        Assert.Equal(IcmpV4TypeCode.EchoReply, icmp.TypeCode);
        Assert.Equal(0x4242, icmp.Id);
        Assert.Equal(3, icmp.Sequence);
    }

    [Fact]
    public void Packetdotnet_udp_reads_the_same_in_ours()
    {
        var udp = new UdpPacket(4444, 53) { PayloadData = "query"u8.ToArray() };
        var ip = new IPv4Packet(PeerIp, BoardIp) { PayloadPacket = udp, TimeToLive = 17 };
        var ethernet = new EthernetPacket(PeerMac, BoardMac, EthernetType.IPv4) { PayloadPacket = ip };
        udp.UpdateCalculatedValues();
        ip.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        ip.UpdateIPChecksum();
        var frame = ethernet.Bytes;

        EthernetFrame.TryParse(frame, 0, frame.Length, out var eth);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(frame, eth.PayloadOffset, eth.PayloadLength, out var ours));
        Assert.Equal(17, ours.TimeToLive);
        Assert.Equal(Frames.PeerIp, ours.Source);
        Assert.Equal(IpProtocol.Udp, ours.Protocol);
        Assert.Equal(WireError.None, UdpDatagram.TryParse(frame, ours.PayloadOffset, ours.PayloadLength, ours.Source, ours.Destination, out var datagram));
        Assert.Equal(4444, datagram.SourcePort);
        Assert.Equal(53, datagram.DestinationPort);
        Assert.Equal(5, datagram.PayloadLength);
    }

    [Fact]
    public void Packetdotnet_tcp_reads_the_same_in_ours()
    {
        var tcp = new TcpPacket(80, 40000)
        {
            SequenceNumber = 1000,
            AcknowledgmentNumber = 0xFFFFFFFF,
            Synchronize = true,
            Acknowledgment = true,
            WindowSize = 2048,
            PayloadData = [1, 2, 3, 4, 5],
        };
        var ip = new IPv4Packet(BoardIp, PeerIp) { PayloadPacket = tcp };
        var ethernet = new EthernetPacket(BoardMac, PeerMac, EthernetType.IPv4) { PayloadPacket = ip };
        ip.UpdateCalculatedValues();
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        var frame = ethernet.Bytes;

        Assert.Equal(WireError.None, Ipv4Packet.TryParse(frame, 14, frame.Length - 14, out var ours));
        Assert.Equal(WireError.None, TcpSegment.TryParse(frame, ours.PayloadOffset, ours.PayloadLength, ours.Source, ours.Destination, out var segment));
        Assert.Equal(80, segment.SourcePort);
        Assert.Equal(40000, segment.DestinationPort);
        Assert.Equal(1000u, segment.SequenceNumber);
        Assert.Equal(0xFFFFFFFFu, segment.AcknowledgmentNumber);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, segment.Flags);
        Assert.Equal(2048, segment.Window);
        Assert.Equal(5, segment.PayloadLength);
    }

    [Fact]
    public void Packetdotnet_icmp_echo_reads_the_same_in_ours()
    {
        var bytes = new byte[8 + 4];
        var icmp = new IcmpV4Packet(new ByteArraySegment(bytes)) { TypeCode = IcmpV4TypeCode.EchoRequest, Id = 77, Sequence = 1, Data = [0xA, 0xB, 0xC, 0xD] };
        icmp.UpdateIcmpChecksum();
        var message = icmp.Bytes;
        Assert.Equal(WireError.None, Icmpv4Message.TryParse(message, 0, message.Length, out var ours));
        Assert.Equal(Icmpv4Message.TypeEchoRequest, ours.Type);
        Assert.Equal(77, ours.Identifier);
        Assert.Equal(1, ours.SequenceNumber);
        Assert.Equal(4, ours.PayloadLength);
    }
}
