using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>
/// A short conversation between a peer and the board, every frame built with the wire layer: ARP,
/// ping, UDP echo with a port unreachable, and the start of an HTTP request over TCP. Until the
/// emulator runs a stack, this is what the run command shows, and what the pcap tests hand to tshark.
/// </summary>
public static class WireDemo
{
    public static readonly MacAddress PeerMac = new(0x02, 0x00, 0x00, 0x00, 0x00, 0x01);
    public static readonly MacAddress BoardMac = new(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
    public static readonly IPv4Address PeerIp = new(192, 0, 2, 1);
    public static readonly IPv4Address BoardIp = new(192, 0, 2, 2);

    public static IReadOnlyList<byte[]> Conversation()
    {
        var frames = new List<byte[]>
        {
            Arp(ArpPacket.OperationRequest, PeerMac, PeerIp, MacAddress.Zero, BoardIp, MacAddress.Broadcast),
            Arp(ArpPacket.OperationReply, BoardMac, BoardIp, PeerMac, PeerIp, PeerMac),
            Echo(Icmpv4Message.TypeEchoRequest, toBoard: true),
            Echo(Icmpv4Message.TypeEchoReply, toBoard: false),
            Udp(toBoard: true, 40001, 7, "hello, board"u8),
            Udp(toBoard: false, 7, 40001, "hello, board"u8),
        };
        var unreachable = Udp(toBoard: true, 40002, 9999, "anyone?"u8);
        frames.Add(unreachable);
        frames.Add(PortUnreachable(unreachable));

        const uint peerIsn = 0x1F2E3D4C, boardIsn = 0x0A0B0C0D;
        frames.Add(Tcp(toBoard: true, peerIsn, 0, TcpFlags.Syn, handshake: true, []));
        frames.Add(Tcp(toBoard: false, boardIsn, peerIsn + 1, TcpFlags.Syn | TcpFlags.Ack, handshake: true, []));
        frames.Add(Tcp(toBoard: true, peerIsn + 1, boardIsn + 1, TcpFlags.Ack, handshake: false, []));
        frames.Add(Tcp(toBoard: true, peerIsn + 1, boardIsn + 1, TcpFlags.Psh | TcpFlags.Ack, handshake: false, "GET / HTTP/1.1\r\nHost: 192.0.2.2\r\n\r\n"u8));
        return frames;
    }

    private static byte[] Arp(ushort operation, MacAddress senderMac, IPv4Address senderIp, MacAddress targetMac, IPv4Address targetIp, MacAddress destination)
    {
        var frame = new byte[EthernetFrame.MinimumLength];
        EthernetFrame.WriteHeader(frame, 0, destination, senderMac, EtherType.Arp);
        ArpPacket.Write(frame, EthernetFrame.HeaderLength, operation, senderMac, senderIp, targetMac, targetIp);
        return frame;
    }

    /// <summary>Starts an IPv4 frame between peer and board and returns the offset of its payload.</summary>
    private static int Ipv4(byte[] frame, bool toBoard, IpProtocol protocol, int payloadLength, ushort id)
    {
        EthernetFrame.WriteHeader(frame, 0, toBoard ? BoardMac : PeerMac, toBoard ? PeerMac : BoardMac, EtherType.IPv4);
        Ipv4Packet.WriteHeader(frame, EthernetFrame.HeaderLength, toBoard ? PeerIp : BoardIp, toBoard ? BoardIp : PeerIp, protocol, payloadLength, id, Ipv4Packet.DefaultTimeToLive, true);
        return EthernetFrame.HeaderLength + Ipv4Packet.MinimumHeaderLength;
    }

    private static byte[] Sized(int ipPayloadLength) => new byte[Math.Max(EthernetFrame.MinimumLength, 34 + ipPayloadLength)];

    private static byte[] Echo(byte type, bool toBoard)
    {
        const int dataLength = 56; // what ping sends by default
        var frame = Sized(Icmpv4Message.HeaderLength + dataLength);
        int at = Ipv4(frame, toBoard, IpProtocol.Icmp, Icmpv4Message.HeaderLength + dataLength, 1);
        Icmpv4Message.WriteEcho(frame, at, type, 0x0101, 1);
        for (int i = 0; i < dataLength; i++)
        {
            frame[at + Icmpv4Message.HeaderLength + i] = (byte)(0x10 + i);
        }

        Icmpv4Message.FillChecksum(frame, at, Icmpv4Message.HeaderLength + dataLength);
        return frame;
    }

    private static byte[] Udp(bool toBoard, int sourcePort, int destinationPort, ReadOnlySpan<byte> data)
    {
        var frame = Sized(UdpDatagram.HeaderLength + data.Length);
        int at = Ipv4(frame, toBoard, IpProtocol.Udp, UdpDatagram.HeaderLength + data.Length, 2);
        UdpDatagram.WriteHeader(frame, at, sourcePort, destinationPort, data.Length);
        data.CopyTo(frame.AsSpan(at + UdpDatagram.HeaderLength));
        UdpDatagram.FillChecksum(frame, at, toBoard ? PeerIp : BoardIp, toBoard ? BoardIp : PeerIp);
        return frame;
    }

    private static byte[] PortUnreachable(byte[] offending)
    {
        // RFC 792: quote the offending datagram's IP header and the first 8 bytes of its data.
        const int quote = Ipv4Packet.MinimumHeaderLength + 8;
        var frame = Sized(Icmpv4Message.HeaderLength + quote);
        int at = Ipv4(frame, toBoard: false, IpProtocol.Icmp, Icmpv4Message.HeaderLength + quote, 3);
        Icmpv4Message.WriteError(frame, at, Icmpv4Message.TypeDestinationUnreachable, Icmpv4Message.CodePortUnreachable, 0, offending, EthernetFrame.HeaderLength, quote);
        return frame;
    }

    private static byte[] Tcp(bool toBoard, uint sequence, uint acknowledgment, TcpFlags flags, bool handshake, ReadOnlySpan<byte> data)
    {
        var frame = new byte[EthernetFrame.MaximumLength];
        int at = EthernetFrame.HeaderLength + Ipv4Packet.MinimumHeaderLength;
        var options = new TcpOptionWriter(frame, at + TcpSegment.MinimumHeaderLength);
        if (handshake)
        {
            options.WriteMaximumSegmentSize(1460);
            options.WriteSackPermitted();
            options.WriteTimestamps(toBoard ? 1000u : 5000u, toBoard ? 0u : 1000u);
            options.WriteNoOperation();
            options.WriteWindowScale(toBoard ? 7 : 2);
        }

        int optionsLength = options.Finish();
        int length = TcpSegment.WriteHeader(frame, at, toBoard ? 40000 : 80, toBoard ? 80 : 40000, sequence, acknowledgment, flags, 64240, optionsLength) + data.Length;
        data.CopyTo(frame.AsSpan(at + length - data.Length));
        TcpSegment.FillChecksum(frame, at, length, toBoard ? PeerIp : BoardIp, toBoard ? BoardIp : PeerIp);
        Ipv4(frame, toBoard, IpProtocol.Tcp, length, 4);
        return frame[..Math.Max(EthernetFrame.MinimumLength, at + length)];
    }
}
