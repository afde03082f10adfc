using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

public class IcmpAndUdpTests
{
    private static byte[] Echo(byte type, int dataLength)
    {
        var message = new byte[8 + dataLength];
        Icmpv4Message.WriteEcho(message, 0, type, 0x1234, 7);
        for (int i = 0; i < dataLength; i++)
        {
            message[8 + i] = (byte)i;
        }

        Icmpv4Message.FillChecksum(message, 0, message.Length);
        return message;
    }

    [Fact]
    public void Echo_request_round_trips()
    {
        var message = Echo(Icmpv4Message.TypeEchoRequest, 56);
        Assert.Equal(WireError.None, Icmpv4Message.TryParse(message, 0, message.Length, out var icmp));
        Assert.Equal(Icmpv4Message.TypeEchoRequest, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x1234, icmp.Identifier);
        Assert.Equal(7, icmp.SequenceNumber);
        Assert.Equal(56, icmp.PayloadLength);
        Assert.Equal(8, icmp.PayloadOffset);
        Assert.False(icmp.IsError);
    }

    [Fact]
    public void Echo_with_odd_data_length_verifies()
    {
        var message = Echo(Icmpv4Message.TypeEchoReply, 57);
        Assert.Equal(WireError.None, Icmpv4Message.TryParse(message, 0, message.Length, out _));
    }

    [Fact]
    public void Icmp_rejects_truncation_and_bad_checksum()
    {
        var message = Echo(Icmpv4Message.TypeEchoRequest, 4);
        Assert.Equal(WireError.Truncated, Icmpv4Message.TryParse(message, 0, 7, out _));
        message[10] ^= 0x40;
        Assert.Equal(WireError.BadChecksum, Icmpv4Message.TryParse(message, 0, message.Length, out _));
    }

    [Fact]
    public void Port_unreachable_quotes_the_ip_header_and_8_bytes()
    {
        var original = Frames.Udp(5000, 9, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        var message = new byte[64];
        int length = Icmpv4Message.WriteError(message, 0, Icmpv4Message.TypeDestinationUnreachable, Icmpv4Message.CodePortUnreachable, 0, original, 14, 28);
        Assert.Equal(36, length);
        Assert.Equal(WireError.None, Icmpv4Message.TryParse(message, 0, length, out var icmp));
        Assert.True(icmp.IsError);
        Assert.Equal(Icmpv4Message.CodePortUnreachable, icmp.Code);
        // The quote is a cut-off datagram: its header still says 38 bytes.
        Assert.Equal(WireError.LengthBeyondBuffer, Ipv4Packet.TryParse(message, icmp.PayloadOffset, icmp.PayloadLength, out _));
        Assert.Equal(original[14..42], message[8..36]);
    }

    [Fact]
    public void Fragmentation_needed_carries_the_next_hop_mtu()
    {
        var message = new byte[36];
        var original = Frames.Udp(1, 2, new byte[8]);
        Icmpv4Message.WriteError(message, 0, Icmpv4Message.TypeDestinationUnreachable, Icmpv4Message.CodeFragmentationNeeded, 1400, original, 14, 28);
        Icmpv4Message.TryParse(message, 0, 36, out var icmp);
        Assert.Equal(1400, icmp.NextHopMtu);
        Icmpv4Message.WriteError(message, 0, Icmpv4Message.TypeParameterProblem, 0, 0x0C000000, original, 14, 28);
        Icmpv4Message.TryParse(message, 0, 36, out var problem);
        Assert.Equal(12, problem.Pointer);
        Assert.Equal(0x0C000000u, problem.RestOfHeader);
    }

    [Fact]
    public void Udp_round_trips_with_checksum()
    {
        var frame = Frames.Udp(5353, 7, "hello"u8.ToArray());
        Assert.Equal(WireError.None, UdpDatagram.TryParse(frame, 34, frame.Length - 34, Frames.PeerIp, Frames.BoardIp, out var udp));
        Assert.Equal(5353, udp.SourcePort);
        Assert.Equal(7, udp.DestinationPort);
        Assert.Equal(13, udp.Length);
        Assert.Equal(5, udp.PayloadLength);
        Assert.Equal("hello"u8.ToArray(), frame[udp.PayloadOffset..(udp.PayloadOffset + 5)]);
        Assert.NotEqual(0, udp.Checksum);
    }

    [Fact]
    public void Udp_checksum_zero_means_none()
    {
        var frame = Frames.Udp(5353, 7, "hello"u8.ToArray());
        frame[40] = frame[41] = 0;
        frame[42] ^= 0xFF; // would fail a checksum, but there is none
        Assert.Equal(WireError.None, UdpDatagram.TryParse(frame, 34, frame.Length - 34, Frames.PeerIp, Frames.BoardIp, out _));
    }

    [Fact]
    public void Udp_sends_a_computed_zero_checksum_as_all_ones()
    {
        // Find a payload whose checksum computes to zero, then check it is sent as 0xFFFF and still verifies.
        var payload = new byte[2];
        var frame = Frames.Udp(1, 2, payload);
        UdpDatagram.TryParse(frame, 34, 10, Frames.PeerIp, Frames.BoardIp, out var first);
        ushort word = first.Checksum; // the sum S plus ~S as data is 0xFFFF, whose complement is zero
        payload[0] = (byte)(word >> 8);
        payload[1] = (byte)word;
        frame = Frames.Udp(1, 2, payload);
        Assert.Equal(WireError.None, UdpDatagram.TryParse(frame, 34, 10, Frames.PeerIp, Frames.BoardIp, out var udp));
        Assert.Equal(0xFFFF, udp.Checksum);
    }

    [Fact]
    public void Udp_checksum_covers_the_pseudo_header()
    {
        var frame = Frames.Udp(5353, 7, "hello"u8.ToArray());
        Assert.Equal(WireError.BadChecksum, UdpDatagram.TryParse(frame, 34, frame.Length - 34, Frames.PeerIp, new IPv4Address(192, 0, 2, 3), out _));
    }

    [Fact]
    public void Udp_rejects_bad_lengths_and_checksum()
    {
        var frame = Frames.Udp(5353, 7, "hello"u8.ToArray());
        Assert.Equal(WireError.Truncated, UdpDatagram.TryParse(frame, 34, 7, Frames.PeerIp, Frames.BoardIp, out _));
        Assert.Equal(WireError.LengthBeyondBuffer, UdpDatagram.TryParse(frame, 34, 12, Frames.PeerIp, Frames.BoardIp, out _));
        var corrupt = (byte[])frame.Clone();
        corrupt[44] ^= 1;
        Assert.Equal(WireError.BadChecksum, UdpDatagram.TryParse(corrupt, 34, 13, Frames.PeerIp, Frames.BoardIp, out _));
        var short_ = (byte[])frame.Clone();
        NetworkOrder.WriteUInt16(short_, 38, 7);
        Assert.Equal(WireError.LengthTooShort, UdpDatagram.TryParse(short_, 34, 13, Frames.PeerIp, Frames.BoardIp, out _));
    }
}
