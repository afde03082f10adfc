using IoTStack.Net.Services;
using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

/// <summary>The DHCP message view (RFC 2131 section 2, RFC 2132): emit, parse, and every malformation named by its WireError.</summary>
public class DhcpMessageTests
{
    private const uint Xid = 0x12345678;
    private static readonly IPv4Address Offered = new(192, 0, 2, 50);

    /// <summary>A BOOTREPLY as a server sends it, padded to BOOTP's 300 bytes; <paramref name="more"/> adds options before End.</summary>
    private static byte[] Reply(int type, Action<DhcpMessage, byte[]>? more = null, int capacity = 548)
    {
        var buffer = new byte[capacity];
        var message = new DhcpMessage();
        message.Begin(buffer, 0, buffer.Length, DhcpMessage.BootReply, Xid);
        message.YourAddressValue = Offered.Value;
        Frames.Board.Write(buffer, message.HardwareAddressOffset);
        message.AddByteOption(DhcpMessage.OptionMessageType, type);
        message.AddUInt32Option(DhcpMessage.OptionServerIdentifier, Frames.PeerIp.Value);
        more?.Invoke(message, buffer);
        int length = message.End(DhcpMessage.MinimumLength);
        Assert.True(length > 0);
        return buffer[..length];
    }

    [Fact]
    public void A_reply_round_trips_through_emit_and_parse()
    {
        var bytes = Reply(DhcpMessage.Ack, (m, buffer) =>
        {
            m.AddUInt32Option(DhcpMessage.OptionSubnetMask, 0xFFFFFF00);
            m.AddUInt32Option(DhcpMessage.OptionLeaseTime, 3600);
            int at = m.AddOption(DhcpMessage.OptionDnsServers, 8);
            Frames.PeerIp.Write(buffer, at);
            new IPv4Address(192, 0, 2, 3).Write(buffer, at + 4);
        });
        Assert.Equal(DhcpMessage.MinimumLength, bytes.Length);
        Assert.Equal(WireError.None, DhcpMessage.TryParse(bytes, 0, bytes.Length, out var message));
        Assert.Equal(DhcpMessage.BootReply, message.Op);
        Assert.Equal(DhcpMessage.HardwareEthernet, message.HardwareType);
        Assert.Equal(MacAddress.Length, message.HardwareLength);
        Assert.Equal(Xid, message.TransactionId);
        Assert.Equal(Offered.Value, message.YourAddressValue);
        Assert.Equal(0u, message.ClientAddressValue);
        Assert.True(Frames.Board.Equals(bytes, message.HardwareAddressOffset));
        Assert.Equal(DhcpMessage.Ack, message.MessageType);
        Assert.True(message.FindOption(DhcpMessage.OptionServerIdentifier));
        Assert.Equal(Frames.PeerIp, message.OptionAddress(0));
        Assert.True(message.FindOption(DhcpMessage.OptionLeaseTime));
        Assert.Equal(3600u, message.OptionUInt32(0));
        Assert.True(message.FindOption(DhcpMessage.OptionDnsServers));
        Assert.Equal(8, message.OptionLength);
        Assert.Equal(new IPv4Address(192, 0, 2, 3), message.OptionAddress(4));
        Assert.False(message.FindOption(DhcpMessage.OptionRouter));
        Assert.Equal(WireError.None, message.OptionError);
    }

    [Fact]
    public void A_client_request_round_trips_with_its_fixed_fields_and_options()
    {
        var buffer = new byte[1024];
        var message = new DhcpMessage();
        message.Begin(buffer, 0, buffer.Length, DhcpMessage.BootRequest, Xid);
        message.Seconds = 12;
        message.Flags = DhcpMessage.FlagBroadcast;
        message.ClientAddressValue = Frames.BoardIp.Value;
        Frames.Board.Write(buffer, message.HardwareAddressOffset);
        message.AddByteOption(DhcpMessage.OptionMessageType, DhcpMessage.Request);
        message.AddBytesOption(DhcpMessage.OptionHostName, "board"u8.ToArray(), 0, 5);
        message.AddUInt16Option(DhcpMessage.OptionMaximumSize, 1024);
        Assert.True(message.AddOption(DhcpMessage.OptionParameterList, 2) > 0);
        message.SetOptionByte(0, DhcpMessage.OptionSubnetMask);
        message.SetOptionByte(1, DhcpMessage.OptionRouter);
        int length = message.End(0);
        Assert.Equal(240 + 3 + 7 + 4 + 4 + 1, length);
        Assert.Equal(DhcpMessage.OptionEnd, buffer[length - 1]);

        Assert.Equal(WireError.None, DhcpMessage.TryParse(buffer, 0, length, out var parsed));
        Assert.Equal(DhcpMessage.BootRequest, parsed.Op);
        Assert.Equal(12, parsed.Seconds);
        Assert.Equal(DhcpMessage.FlagBroadcast, parsed.Flags);
        Assert.Equal(Frames.BoardIp.Value, parsed.ClientAddressValue);
        Assert.Equal(DhcpMessage.Request, parsed.MessageType);
        Assert.True(parsed.FindOption(DhcpMessage.OptionHostName));
        Assert.Equal("board"u8.ToArray(), buffer.AsSpan(parsed.OptionOffset, parsed.OptionLength).ToArray());
        Assert.True(parsed.FindOption(DhcpMessage.OptionMaximumSize));
        Assert.Equal(1024, parsed.OptionUInt16(0));
        Assert.True(parsed.FindOption(DhcpMessage.OptionParameterList));
        Assert.Equal(DhcpMessage.OptionRouter, parsed.OptionByte(1));
    }

    [Fact]
    public void The_walk_skips_pad_and_visits_options_in_order()
    {
        var bytes = Reply(DhcpMessage.Offer);
        bytes[242] = 0; // the message type option's three bytes become pads... (code, length, value)
        bytes[241] = 0;
        bytes[240] = 0;
        Assert.Equal(WireError.None, DhcpMessage.TryParse(bytes, 0, bytes.Length, out var message));
        message.StartOptions();
        Assert.True(message.NextOption());
        Assert.Equal(DhcpMessage.OptionServerIdentifier, message.OptionCode);
        Assert.False(message.NextOption());
        Assert.False(message.NextOption()); // stays at the end
        Assert.Equal(WireError.None, message.OptionError);
        Assert.Equal(0, message.MessageType);
    }

    [Fact]
    public void Options_after_end_are_not_read()
    {
        var bytes = Reply(DhcpMessage.Offer);
        int end = Array.IndexOf(bytes, (byte)DhcpMessage.OptionEnd, 240);
        bytes[end + 1] = DhcpMessage.OptionRouter;
        bytes[end + 2] = 4;
        Assert.Equal(WireError.None, DhcpMessage.TryParse(bytes, 0, bytes.Length, out var message));
        Assert.False(message.FindOption(DhcpMessage.OptionRouter));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(235)]
    [InlineData(236)] // the fixed fields but no magic cookie
    [InlineData(239)]
    public void A_message_shorter_than_its_fixed_fields_and_cookie_is_truncated(int length)
    {
        var bytes = Reply(DhcpMessage.Offer);
        Assert.Equal(WireError.Truncated, DhcpMessage.TryParse(bytes, 0, length, out _));
    }

    [Fact]
    public void Bytes_outside_the_buffer_are_out_of_buffer()
    {
        var bytes = Reply(DhcpMessage.Offer);
        Assert.Equal(WireError.OutOfBuffer, DhcpMessage.TryParse(bytes, 0, bytes.Length + 1, out _));
        Assert.Equal(WireError.OutOfBuffer, DhcpMessage.TryParse(bytes, -1, 10, out _));
        Assert.Equal(WireError.OutOfBuffer, DhcpMessage.TryParse(null!, 0, 0, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void An_op_other_than_request_or_reply_is_a_bad_operation(byte op)
    {
        var bytes = Reply(DhcpMessage.Offer);
        bytes[0] = op;
        Assert.Equal(WireError.BadOperation, DhcpMessage.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Theory]
    [InlineData(1, 6, WireError.None)]
    [InlineData(6, 6, WireError.UnsupportedHardwareType)] // IEEE 802 networks
    [InlineData(0, 6, WireError.UnsupportedHardwareType)]
    [InlineData(1, 16, WireError.UnsupportedHardwareType)]
    [InlineData(1, 0, WireError.UnsupportedHardwareType)]
    public void Only_ethernet_hardware_is_taken(byte htype, byte hlen, WireError expected)
    {
        var bytes = Reply(DhcpMessage.Offer);
        bytes[1] = htype;
        bytes[2] = hlen;
        Assert.Equal(expected, DhcpMessage.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Fact]
    public void A_wrong_magic_cookie_is_rejected()
    {
        var bytes = Reply(DhcpMessage.Offer);
        bytes[239] ^= 1;
        Assert.Equal(WireError.BadMagicCookie, DhcpMessage.TryParse(bytes, 0, bytes.Length, out _));
        NetworkOrder.WriteUInt32(bytes, 236, 0); // a plain BOOTP reply without vendor extensions
        Assert.Equal(WireError.BadMagicCookie, DhcpMessage.TryParse(bytes, 0, bytes.Length, out _));
    }

    // Reply's options: message type at 240, server identifier at 243, End at 249, then pads to 300.

    [Fact]
    public void An_option_whose_length_runs_past_the_end_is_an_overrun()
    {
        var bytes = Reply(DhcpMessage.Offer);
        // As the test server's malformed offer: a router option claiming 200 bytes where the message ends.
        bytes[249] = DhcpMessage.OptionRouter;
        bytes[250] = 200;
        Assert.Equal(WireError.OptionOverrun, DhcpMessage.TryParse(bytes, 0, 251, out _));
        Assert.Equal(WireError.OptionOverrun, DhcpMessage.TryParse(bytes, 0, 300, out _));
        Assert.Equal(WireError.OptionOverrun, DhcpMessage.TryParse(bytes, 0, 247, out _)); // the server identifier cut short
    }

    [Fact]
    public void An_option_code_in_the_last_byte_without_its_length_is_an_overrun()
    {
        var bytes = Reply(DhcpMessage.Offer);
        bytes[249] = DhcpMessage.OptionRouter;
        Assert.Equal(WireError.OptionOverrun, DhcpMessage.TryParse(bytes, 0, 250, out _));
    }

    [Fact]
    public void Options_without_end_are_truncated()
    {
        var bytes = Reply(DhcpMessage.Offer);
        Assert.Equal(WireError.Truncated, DhcpMessage.TryParse(bytes, 0, 249, out _)); // cut just before End
        bytes[249] = DhcpMessage.OptionPad;
        Assert.Equal(WireError.Truncated, DhcpMessage.TryParse(bytes, 0, 300, out _)); // pads to the end, no End
        Assert.Equal(WireError.Truncated, DhcpMessage.TryParse(bytes, 0, 240, out _)); // no options at all
    }

    [Fact]
    public void A_zero_length_option_is_well_formed()
    {
        var bytes = Reply(DhcpMessage.Offer, (m, _) => m.AddOption(80, 0)); // rapid commit (RFC 4039) carries no data
        Assert.Equal(WireError.None, DhcpMessage.TryParse(bytes, 0, bytes.Length, out var message));
        Assert.True(message.FindOption(80));
        Assert.Equal(0, message.OptionLength);
    }

    /// <summary>Options field: type, server, overload(value), End; file (108..236) and sname (44..108) as given.</summary>
    private static byte[] Overloaded(int value, byte[] file, byte[] sname)
    {
        var bytes = Reply(DhcpMessage.Ack, (m, _) => m.AddByteOption(DhcpMessage.OptionOverload, value));
        file.CopyTo(bytes, 108);
        sname.CopyTo(bytes, 44);
        return bytes;
    }

    [Fact]
    public void Overloaded_file_and_sname_fields_are_walked_after_the_options_field()
    {
        var bytes = Overloaded(3, [DhcpMessage.OptionLeaseTime, 4, 0, 0, 0x0E, 0x10, DhcpMessage.OptionEnd], [DhcpMessage.OptionPad, DhcpMessage.OptionRouter, 4, 192, 0, 2, 1, DhcpMessage.OptionEnd]);
        Assert.Equal(WireError.None, DhcpMessage.TryParse(bytes, 0, bytes.Length, out var message));
        var codes = new List<int>();
        message.StartOptions();
        while (message.NextOption())
        {
            codes.Add(message.OptionCode);
        }

        Assert.Equal(new[] { DhcpMessage.OptionMessageType, DhcpMessage.OptionServerIdentifier, DhcpMessage.OptionOverload, DhcpMessage.OptionLeaseTime, DhcpMessage.OptionRouter }, codes);
        Assert.Equal(3, message.Overload);
        Assert.True(message.FindOption(DhcpMessage.OptionLeaseTime));
        Assert.Equal(3600u, message.OptionUInt32(0));
        Assert.True(message.FindOption(DhcpMessage.OptionRouter));
        Assert.Equal(new IPv4Address(192, 0, 2, 1), message.OptionAddress(0));
    }

    [Fact]
    public void Fields_not_overloaded_are_not_read_as_options()
    {
        var bytes = Overloaded(2, [DhcpMessage.OptionLeaseTime, 4, 0, 0, 0x0E, 0x10, DhcpMessage.OptionEnd], [DhcpMessage.OptionEnd]);
        Assert.Equal(WireError.None, DhcpMessage.TryParse(bytes, 0, bytes.Length, out var message));
        Assert.False(message.FindOption(DhcpMessage.OptionLeaseTime));
        var plain = Reply(DhcpMessage.Ack);
        plain[108] = 0xFF; // a boot file name is not options when nothing says so
        plain[109] = 0x42;
        Assert.Equal(WireError.None, DhcpMessage.TryParse(plain, 0, plain.Length, out _));
    }

    [Fact]
    public void An_overloaded_field_must_end_with_end_and_hold_its_options_whole()
    {
        var noEnd = Overloaded(1, Enumerable.Repeat((byte)DhcpMessage.OptionPad, 128).ToArray(), []);
        Assert.Equal(WireError.Truncated, DhcpMessage.TryParse(noEnd, 0, noEnd.Length, out _));
        var split = Overloaded(2, [], [.. Enumerable.Repeat((byte)DhcpMessage.OptionPad, 60), DhcpMessage.OptionRouter, 8, 1, 2]);
        Assert.Equal(WireError.OptionOverrun, DhcpMessage.TryParse(split, 0, split.Length, out _)); // runs from sname into file
    }

    [Fact]
    public void Option_overload_must_be_one_byte_long()
    {
        var bytes = Reply(DhcpMessage.Ack, (m, _) => m.AddUInt16Option(DhcpMessage.OptionOverload, 1));
        Assert.Equal(WireError.BadOptionLength, DhcpMessage.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Fact]
    public void Option_overload_in_an_overloaded_field_is_not_followed()
    {
        // The file field says "sname too", but only the options field may (RFC 2132 section 9.3); sname holds garbage.
        var bytes = Overloaded(1, [DhcpMessage.OptionOverload, 1, 3, DhcpMessage.OptionEnd], [DhcpMessage.OptionRouter, 200]);
        Assert.Equal(WireError.None, DhcpMessage.TryParse(bytes, 0, bytes.Length, out var message));
        Assert.Equal(1, message.Overload);
    }

    [Fact]
    public void Emitting_more_than_fits_fails_at_end()
    {
        var buffer = new byte[250];
        var message = new DhcpMessage();
        message.Begin(buffer, 0, buffer.Length, DhcpMessage.BootRequest, Xid);
        message.AddByteOption(DhcpMessage.OptionMessageType, DhcpMessage.Discover);
        Assert.Equal(-1, message.AddOption(DhcpMessage.OptionHostName, 10)); // 243 + 12 + End > 250
        Assert.Equal(-1, message.End(DhcpMessage.MinimumLength));
        message.Begin(buffer, 0, buffer.Length, DhcpMessage.BootRequest, Xid);
        Assert.Equal(-1, message.AddOption(DhcpMessage.OptionHostName, 256));
        message.Begin(buffer, 0, buffer.Length, DhcpMessage.BootRequest, Xid);
        Assert.Equal(250, message.End(DhcpMessage.MinimumLength)); // padded only as far as the buffer goes
        Assert.Throws<ArgumentOutOfRangeException>(() => message.Begin(buffer, 0, 240, DhcpMessage.BootRequest, Xid));
    }

    [Fact]
    public void Every_prefix_and_random_corruption_parses_to_a_reason_never_an_exception()
    {
        var bytes = Overloaded(3, [DhcpMessage.OptionLeaseTime, 4, 0, 0, 0x0E, 0x10, DhcpMessage.OptionEnd], [DhcpMessage.OptionEnd]);
        var message = new DhcpMessage();
        for (int length = 0; length <= bytes.Length; length++)
        {
            var error = message.Parse(bytes, 0, length);
            Assert.True(length >= 253 ? error == WireError.None : error != WireError.None, $"length {length}: {error}"); // End is at 252
        }

        var random = new Random(2131);
        for (int i = 0; i < 5_000; i++)
        {
            var copy = (byte[])bytes.Clone();
            for (int flips = random.Next(1, 8); flips > 0; flips--)
            {
                int at = i % 3 == 0 ? random.Next(copy.Length) : 236 + random.Next(copy.Length - 236);
                copy[at] = (byte)random.Next(256);
            }

            if (message.Parse(copy, 0, random.Next(copy.Length + 1)) == WireError.None)
            {
                message.StartOptions();
                while (message.NextOption())
                {
                    Assert.InRange(message.OptionOffset + message.OptionLength, 0, copy.Length);
                }

                Assert.Equal(WireError.None, message.OptionError);
            }
        }
    }
}
