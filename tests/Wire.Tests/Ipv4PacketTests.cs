using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

public class Ipv4PacketTests
{
    private static byte[] Packet(int payloadLength = 8, int headerLength = 20)
    {
        var buffer = new byte[headerLength + payloadLength];
        var ip = Ipv4Packet.Init(buffer, 0, headerLength);
        ip.TotalLength = buffer.Length;
        ip.Identification = 0xBEEF;
        ip.TimeToLive = 64;
        ip.Protocol = IpProtocol.Udp;
        ip.Source = Frames.PeerIp;
        ip.Destination = Frames.BoardIp;
        for (int i = 20; i < headerLength; i++)
        {
            buffer[i] = OptionIterator.NoOperation;
        }

        ip.FillChecksum();
        return buffer;
    }

    [Fact]
    public void Header_round_trips_every_field()
    {
        var buffer = new byte[40];
        var ip = Ipv4Packet.Init(buffer, 0, 24);
        ip.DifferentiatedServices = 0xB8;
        ip.TotalLength = 40;
        ip.Identification = 0xBEEF;
        ip.MoreFragments = true;
        ip.FragmentOffset = 1480;
        ip.TimeToLive = 3;
        ip.Protocol = IpProtocol.Tcp;
        ip.Source = Frames.PeerIp;
        ip.Destination = Frames.BoardIp;
        buffer[20] = 0x94; // Router Alert (RFC 2113): type, length 4, value 0
        buffer[21] = 4;
        ip.FillChecksum();

        Assert.Equal(WireError.None, Ipv4Packet.TryParse(buffer, 0, 40, out var parsed));
        Assert.Equal(4, parsed.Version);
        Assert.Equal(24, parsed.HeaderLength);
        Assert.Equal(0xB8, parsed.DifferentiatedServices);
        Assert.Equal(40, parsed.TotalLength);
        Assert.Equal(0xBEEF, parsed.Identification);
        Assert.False(parsed.DontFragment);
        Assert.True(parsed.MoreFragments);
        Assert.False(parsed.ReservedFlag);
        Assert.Equal(1480, parsed.FragmentOffset);
        Assert.True(parsed.IsFragment);
        Assert.Equal(3, parsed.TimeToLive);
        Assert.Equal(IpProtocol.Tcp, parsed.Protocol);
        Assert.Equal(Frames.PeerIp, parsed.Source);
        Assert.Equal(Frames.BoardIp, parsed.Destination);
        Assert.Equal(20, parsed.OptionsOffset);
        Assert.Equal(4, parsed.OptionsLength);
        Assert.Equal(24, parsed.PayloadOffset);
        Assert.Equal(16, parsed.PayloadLength);
    }

    [Fact]
    public void Flags_are_independent_of_the_fragment_offset()
    {
        var buffer = Packet();
        var ip = Ipv4Packet.Init(buffer, 0, 20);
        ip.FragmentOffset = 8 * 0x1FFF;
        ip.DontFragment = true;
        ip.MoreFragments = true;
        ip.MoreFragments = false;
        Assert.True(ip.DontFragment);
        Assert.False(ip.MoreFragments);
        Assert.Equal(8 * 0x1FFF, ip.FragmentOffset);
        Assert.True(ip.IsFragment);
    }

    [Fact]
    public void Write_header_gives_a_valid_unfragmented_header()
    {
        var buffer = new byte[28];
        Assert.Equal(20, Ipv4Packet.WriteHeader(buffer, 0, Frames.BoardIp, Frames.PeerIp, IpProtocol.Icmp, 8, 7, 64, true));
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(buffer, 0, 28, out var ip));
        Assert.True(ip.DontFragment);
        Assert.False(ip.IsFragment);
        Assert.Equal(0, InternetChecksum.Compute(buffer, 0, 20));
    }

    [Fact]
    public void Trailing_link_padding_is_not_part_of_the_datagram()
    {
        var buffer = Packet(payloadLength: 8);
        Array.Resize(ref buffer, 46);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(buffer, 0, 46, out var ip));
        Assert.Equal(28, ip.TotalLength);
        Assert.Equal(8, ip.PayloadLength);
    }

    [Fact]
    public void Rejects_fewer_than_20_bytes()
    {
        Assert.Equal(WireError.Truncated, Ipv4Packet.TryParse(Packet(), 0, 19, out _));
    }

    [Fact]
    public void Rejects_a_version_other_than_4()
    {
        var buffer = Packet();
        buffer[0] = 0x65;
        Assert.Equal(WireError.BadVersion, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Rejects_an_ihl_below_5(int ihl)
    {
        var buffer = Packet();
        buffer[0] = (byte)(0x40 | ihl);
        Assert.Equal(WireError.BadHeaderLength, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out _));
    }

    [Fact]
    public void Rejects_an_ihl_beyond_the_bytes_received()
    {
        var buffer = Packet(payloadLength: 0);
        buffer[0] = 0x4F;
        Assert.Equal(WireError.Truncated, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out _));
    }

    [Fact]
    public void Rejects_a_total_length_below_the_header()
    {
        var ip = Ipv4Packet.Init(Packet(), 0, 20);
        ip.TotalLength = 19;
        ip.FillChecksum();
        Assert.Equal(WireError.LengthTooShort, Ipv4Packet.TryParse(ip.Buffer, 0, ip.Buffer.Length, out _));
    }

    [Fact]
    public void Rejects_a_total_length_beyond_the_buffer()
    {
        var buffer = Packet(payloadLength: 8);
        Assert.Equal(WireError.LengthBeyondBuffer, Ipv4Packet.TryParse(buffer, 0, buffer.Length - 1, out _));
    }

    [Fact]
    public void Rejects_a_bad_header_checksum()
    {
        var buffer = Packet();
        buffer[8] ^= 1;
        Assert.Equal(WireError.BadChecksum, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x07, 0x00, 0x01, 0x01 }, WireError.BadOptionLength)]   // length 0
    [InlineData(new byte[] { 0x07, 0x01, 0x01, 0x01 }, WireError.BadOptionLength)]   // length 1
    [InlineData(new byte[] { 0x01, 0x01, 0x07, 0x03 }, WireError.OptionOverrun)]     // runs past the header
    [InlineData(new byte[] { 0x01, 0x01, 0x01, 0x44 }, WireError.OptionOverrun)]     // no room for the length byte
    public void Rejects_malformed_options(byte[] options, WireError expected)
    {
        var buffer = Packet(headerLength: 24);
        var ip = Ipv4Packet.Init(buffer, 0, 24);
        options.CopyTo(buffer, 20);
        ip.TotalLength = buffer.Length;
        ip.FillChecksum();
        Assert.Equal(expected, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out _));
    }

    [Fact]
    public void Accepts_options_that_end_with_end_of_list_and_padding()
    {
        var buffer = Packet(headerLength: 28);
        var ip = Ipv4Packet.Init(buffer, 0, 28);
        ip.TotalLength = buffer.Length;
        byte[] options = [0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00]; // Record Route with one empty slot, then EOL
        options.CopyTo(buffer, 20);
        ip.FillChecksum();
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out var parsed));
        Assert.Equal(8, parsed.OptionsLength);
    }

    [Fact]
    public void Rejects_a_fragment_that_would_end_beyond_65535_bytes()
    {
        var buffer = Packet(payloadLength: 16);
        var ip = Ipv4Packet.Init(buffer, 0, 20);
        ip.TotalLength = buffer.Length;
        ip.FragmentOffset = 65528; // the last possible offset, plus 16 bytes of data, passes 65535
        ip.FillChecksum();
        Assert.Equal(WireError.BadFragmentOffset, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out _));
    }
}
