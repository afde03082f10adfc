using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

public class AddressTests
{
    [Theory]
    [InlineData("02:00:5e:10:00:01")]
    [InlineData("ff:ff:ff:ff:ff:ff")]
    [InlineData("00:00:00:00:00:00")]
    public void Mac_address_text_round_trips(string text)
    {
        Assert.True(MacAddress.TryParse(text, out var mac));
        Assert.Equal(text, mac.ToString());
    }

    [Fact]
    public void Mac_address_accepts_dashes_and_upper_case()
    {
        Assert.True(MacAddress.TryParse("02-AB-cd-EF-00-01", out var mac));
        Assert.Equal("02:ab:cd:ef:00:01", mac.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("02:00:5e:10:00")]
    [InlineData("02:00:5e:10:00:0g")]
    [InlineData("02:00-5e:10:00:01")]
    [InlineData("02:00:5e:10:00:011")]
    public void Mac_address_rejects_malformed_text(string? text)
    {
        Assert.False(MacAddress.TryParse(text!, out _));
    }

    [Fact]
    public void Mac_address_reads_and_writes_six_octets_in_order()
    {
        byte[] buffer = [9, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 9];
        var mac = MacAddress.Read(buffer, 1);
        Assert.Equal(new MacAddress(0x02, 0x11, 0x22, 0x33, 0x44, 0x55), mac);
        Assert.Equal(0x44, mac[4]);
        var copy = new byte[8];
        mac.Write(copy, 1);
        Assert.Equal(buffer[1..7], copy[1..7]);
    }

    [Fact]
    public void Mac_address_classifies_group_and_local_bits()
    {
        Assert.True(MacAddress.Broadcast.IsBroadcast);
        Assert.True(MacAddress.Broadcast.IsMulticast);
        Assert.True(new MacAddress(0x01, 0x00, 0x5e, 0, 0, 0xfb).IsMulticast);
        Assert.False(new MacAddress(0x02, 0, 0, 0, 0, 1).IsMulticast);
        Assert.True(new MacAddress(0x02, 0, 0, 0, 0, 1).IsLocallyAdministered);
        Assert.True(MacAddress.Zero.IsZero);
    }

    [Fact]
    public void Multicast_group_maps_to_01_00_5e_and_low_23_bits()
    {
        Assert.Equal("01:00:5e:00:00:fb", MacAddress.FromIPv4Multicast(new IPv4Address(224, 0, 0, 251)).ToString());
        Assert.Equal("01:00:5e:7f:01:02", MacAddress.FromIPv4Multicast(new IPv4Address(239, 255, 1, 2)).ToString());
    }

    [Theory]
    [InlineData("192.0.2.1", 0xC0000201u)]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData("10.0.0.10", 0x0A00000Au)]
    public void IPv4_address_parses_dotted_decimal(string text, uint value)
    {
        Assert.True(IPv4Address.TryParse(text, out var address));
        Assert.Equal(value, address.Value);
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("192.0.2")]
    [InlineData("192.0.2.1.")]
    [InlineData("192.0.2.256")]
    [InlineData("192.0.2.01")]
    [InlineData("192.0.2.1 ")]
    [InlineData(" 192.0.2.1")]
    [InlineData("192..2.1")]
    [InlineData("192.0.2.1.5")]
    [InlineData("1234.0.2.1")]
    [InlineData("a.b.c.d")]
    public void IPv4_address_rejects_malformed_text(string? text)
    {
        Assert.False(IPv4Address.TryParse(text!, out _));
    }

    [Fact]
    public void IPv4_address_classifies_special_ranges()
    {
        Assert.True(IPv4Address.Loopback.IsLoopback);
        Assert.True(new IPv4Address(127, 1, 2, 3).IsLoopback);
        Assert.True(new IPv4Address(224, 0, 0, 251).IsMulticast);
        Assert.True(new IPv4Address(239, 255, 255, 255).IsMulticast);
        Assert.False(new IPv4Address(240, 0, 0, 1).IsMulticast);
        Assert.True(new IPv4Address(169, 254, 1, 1).IsLinkLocal);
        Assert.True(IPv4Address.Broadcast.IsBroadcast);
        Assert.True(IPv4Address.Any.IsAny);
    }

    [Theory]
    [InlineData(0, 0x00000000u)]
    [InlineData(8, 0xFF000000u)]
    [InlineData(24, 0xFFFFFF00u)]
    [InlineData(31, 0xFFFFFFFEu)]
    [InlineData(32, 0xFFFFFFFFu)]
    public void Mask_from_prefix_length(int prefix, uint mask)
    {
        Assert.Equal(mask, IPv4Address.MaskFromPrefixLength(prefix).Value);
    }

    [Fact]
    public void Subnet_membership_and_directed_broadcast()
    {
        var mask = IPv4Address.MaskFromPrefixLength(24);
        var board = new IPv4Address(192, 0, 2, 2);
        Assert.True(board.IsInSameSubnet(new IPv4Address(192, 0, 2, 200), mask));
        Assert.False(board.IsInSameSubnet(new IPv4Address(192, 0, 3, 2), mask));
        Assert.Equal(new IPv4Address(192, 0, 2, 255), board.DirectedBroadcast(mask));
    }

    [Fact]
    public void Socket_address_is_the_triad_of_protocol_address_and_port()
    {
        var a = new SocketEndpoint(IpProtocol.Tcp, new IPv4Address(192, 0, 2, 2), 80);
        var b = new SocketEndpoint(IpProtocol.Tcp, new IPv4Address(192, 0, 2, 2), 80);
        var udp = new SocketEndpoint(IpProtocol.Udp, new IPv4Address(192, 0, 2, 2), 80);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.NotEqual(a, udp);
        Assert.True(a != udp);
        Assert.Equal("tcp 192.0.2.2:80", a.ToString());
        Assert.Equal("udp 192.0.2.2:80", udp.ToString());
        Assert.Equal("ip89 0.0.0.0:0", new SocketEndpoint((IpProtocol)89, IPv4Address.Any, 0).ToString());
        Assert.Equal(65535, new SocketEndpoint(IpProtocol.Udp, IPv4Address.Any, 65535).Port);
    }
}
