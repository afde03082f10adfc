using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>One line per frame, in the spirit of tcpdump, read back through the wire layer's parsers.</summary>
public static class FrameDescription
{
    public static string Describe(byte[] frame, int length)
    {
        var error = EthernetFrame.TryParse(frame, 0, length, out var ethernet);
        if (error != WireError.None)
        {
            return $"bad frame: {error}";
        }

        return ethernet.EtherType switch
        {
            EtherType.Arp => DescribeArp(ethernet),
            EtherType.IPv4 => DescribeIpv4(ethernet),
            _ => $"{ethernet.Source} > {ethernet.Destination} ethertype 0x{ethernet.EtherType:x4}, {ethernet.PayloadLength} bytes",
        };
    }

    private static string DescribeArp(EthernetFrame ethernet)
    {
        var error = ArpPacket.TryParse(ethernet.Buffer, ethernet.PayloadOffset, ethernet.PayloadLength, out var arp);
        if (error != WireError.None)
        {
            return $"ARP, bad packet: {error}";
        }

        return arp.Operation == ArpPacket.OperationRequest
            ? $"ARP, Request who-has {arp.TargetProtocolAddress} tell {arp.SenderProtocolAddress}"
            : $"ARP, Reply {arp.SenderProtocolAddress} is-at {arp.SenderHardwareAddress}";
    }

    private static string DescribeIpv4(EthernetFrame ethernet)
    {
        var error = Ipv4Packet.TryParse(ethernet.Buffer, ethernet.PayloadOffset, ethernet.PayloadLength, out var ip);
        if (error != WireError.None)
        {
            return $"IP, bad packet: {error}";
        }

        string head = $"IP {ip.Source} > {ip.Destination}: ";
        var buffer = ip.Buffer;
        switch (ip.Protocol)
        {
            case IpProtocol.Icmp:
                error = Icmpv4Message.TryParse(buffer, ip.PayloadOffset, ip.PayloadLength, out var icmp);
                return head + (error != WireError.None ? $"ICMP, bad message: {error}" : icmp.Type switch
                {
                    Icmpv4Message.TypeEchoRequest => $"ICMP echo request, id {icmp.Identifier}, seq {icmp.SequenceNumber}, length {icmp.Length}",
                    Icmpv4Message.TypeEchoReply => $"ICMP echo reply, id {icmp.Identifier}, seq {icmp.SequenceNumber}, length {icmp.Length}",
                    Icmpv4Message.TypeDestinationUnreachable => $"ICMP destination unreachable, code {icmp.Code}, length {icmp.Length}",
                    _ => $"ICMP type {icmp.Type}, code {icmp.Code}, length {icmp.Length}",
                });
            case IpProtocol.Udp:
                error = UdpDatagram.TryParse(buffer, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var udp);
                return head + (error != WireError.None ? $"UDP, bad datagram: {error}" : $"UDP {udp.SourcePort} > {udp.DestinationPort}, length {udp.PayloadLength}");
            case IpProtocol.Tcp:
                error = TcpSegment.TryParse(buffer, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var tcp);
                return head + (error != WireError.None ? $"TCP, bad segment: {error}" : DescribeTcp(tcp));
            default:
                return head + $"protocol {(int)ip.Protocol}, length {ip.PayloadLength}";
        }
    }

    private static string DescribeTcp(TcpSegment tcp)
    {
        var options = tcp.ReadOptions();
        var text = $"TCP {tcp.SourcePort} > {tcp.DestinationPort} [{tcp.Flags}] seq {tcp.SequenceNumber}, ack {tcp.AcknowledgmentNumber}, win {tcp.Window}";
        var parts = new List<string>();
        if (options.HasMaximumSegmentSize) parts.Add($"mss {options.MaximumSegmentSize}");
        if (options.SackPermitted) parts.Add("sackOK");
        if (options.HasTimestamps) parts.Add($"TS val {options.TimestampValue} ecr {options.TimestampEchoReply}");
        if (options.HasWindowScale) parts.Add($"wscale {options.WindowScale}");
        for (int i = 0; i < options.SackBlockCount; i++)
        {
            options.GetSackBlock(i, out uint left, out uint right);
            parts.Add($"sack {left}:{right}");
        }

        if (parts.Count > 0) text += ", options [" + string.Join(",", parts) + "]";
        return text + $", length {tcp.PayloadLength}";
    }
}
