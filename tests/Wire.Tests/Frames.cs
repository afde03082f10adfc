using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

/// <summary>Builds whole frames with the wire layer, for the tests.</summary>
public static class Frames
{
    public static readonly MacAddress Board = new(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
    public static readonly MacAddress Peer = new(0x02, 0x00, 0x00, 0x00, 0x00, 0x01);
    public static readonly IPv4Address BoardIp = new(192, 0, 2, 2);
    public static readonly IPv4Address PeerIp = new(192, 0, 2, 1);

    public static byte[] Udp(int sourcePort, int destinationPort, byte[] payload)
    {
        var frame = new byte[14 + 20 + 8 + payload.Length];
        EthernetFrame.WriteHeader(frame, 0, Board, Peer, EtherType.IPv4);
        Ipv4Packet.WriteHeader(frame, 14, PeerIp, BoardIp, IpProtocol.Udp, 8 + payload.Length, 0x1234, 64, true);
        UdpDatagram.WriteHeader(frame, 34, sourcePort, destinationPort, payload.Length);
        payload.CopyTo(frame, 42);
        UdpDatagram.FillChecksum(frame, 34, PeerIp, BoardIp);
        return frame;
    }

    /// <summary>A TCP segment in an IPv4 packet (no Ethernet header), with the options a Linux SYN carries.</summary>
    public static byte[] TcpSyn(uint sequence, byte[]? payload = null)
    {
        payload ??= [];
        var packet = new byte[20 + 60 + payload.Length];
        var options = new TcpOptionWriter(packet, 40);
        options.WriteMaximumSegmentSize(1460);
        options.WriteSackPermitted();
        options.WriteTimestamps(0x01020304, 0);
        options.WriteNoOperation();
        options.WriteWindowScale(7);
        int optionsLength = options.Finish();
        int tcpLength = TcpSegment.WriteHeader(packet, 20, 40000, 80, sequence, 0, TcpFlags.Syn, 64240, optionsLength) + payload.Length;
        payload.CopyTo(packet, 20 + 20 + optionsLength);
        TcpSegment.FillChecksum(packet, 20, tcpLength, PeerIp, BoardIp);
        Ipv4Packet.WriteHeader(packet, 0, PeerIp, BoardIp, IpProtocol.Tcp, tcpLength, 1, 64, true);
        Array.Resize(ref packet, 20 + tcpLength);
        return packet;
    }
}
