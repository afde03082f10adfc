using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

public class TcpSegmentTests
{
    private static TcpSegment Parse(byte[] packet)
    {
        Assert.Equal(WireError.None, TcpSegment.TryParse(packet, 20, packet.Length - 20, Frames.PeerIp, Frames.BoardIp, out var tcp));
        return tcp;
    }

    [Fact]
    public void Syn_with_linux_options_round_trips()
    {
        var tcp = Parse(Frames.TcpSyn(0xFFFFFFF0));
        Assert.Equal(40000, tcp.SourcePort);
        Assert.Equal(80, tcp.DestinationPort);
        Assert.Equal(0xFFFFFFF0u, tcp.SequenceNumber);
        Assert.Equal(0u, tcp.AcknowledgmentNumber);
        Assert.Equal(TcpFlags.Syn, tcp.Flags);
        Assert.True(tcp.Has(TcpFlags.Syn));
        Assert.False(tcp.Has(TcpFlags.Ack));
        Assert.Equal(64240, tcp.Window);
        Assert.Equal(40, tcp.HeaderLength);
        Assert.Equal(20, tcp.OptionsLength);
        Assert.Equal(0, tcp.PayloadLength);
        Assert.Equal(1, tcp.SequenceLength);
        Assert.Equal(0, tcp.ReservedBits);

        var options = tcp.ReadOptions();
        Assert.True(options.HasMaximumSegmentSize);
        Assert.Equal(1460, options.MaximumSegmentSize);
        Assert.True(options.SackPermitted);
        Assert.True(options.HasTimestamps);
        Assert.Equal(0x01020304u, options.TimestampValue);
        Assert.Equal(0u, options.TimestampEchoReply);
        Assert.True(options.HasWindowScale);
        Assert.Equal(7, options.WindowScale);
        Assert.Equal(0, options.SackBlockCount);
        Assert.Equal(0, options.IgnoredCount);
    }

    [Fact]
    public void Data_and_fin_count_in_the_sequence_length()
    {
        var packet = new byte[20 + 20 + 5];
        int length = TcpSegment.WriteHeader(packet, 20, 80, 40000, 100, 200, TcpFlags.Ack | TcpFlags.Fin | TcpFlags.Psh, 512, 0) + 5;
        "abcde"u8.ToArray().CopyTo(packet, 40);
        TcpSegment.FillChecksum(packet, 20, length, Frames.PeerIp, Frames.BoardIp);
        var tcp = Parse(packet);
        Assert.Equal(5, tcp.PayloadLength);
        Assert.Equal(40, tcp.PayloadOffset);
        Assert.Equal(6, tcp.SequenceLength);
        Assert.Equal(TcpFlags.Ack | TcpFlags.Fin | TcpFlags.Psh, tcp.Flags);
        Assert.Equal(200u, tcp.AcknowledgmentNumber);
    }

    [Fact]
    public void Sack_blocks_round_trip()
    {
        var packet = new byte[20 + 60];
        var writer = new TcpOptionWriter(packet, 40);
        Assert.True(writer.WriteNoOperation());
        Assert.True(writer.WriteNoOperation());
        Assert.True(writer.WriteSack([1000u, 2000u, 3000u, 4000u, 0xFFFFFF00u, 0x10u], 3));
        int optionsLength = writer.Finish();
        Assert.Equal(28, optionsLength);
        int length = TcpSegment.WriteHeader(packet, 20, 1, 2, 0, 0, TcpFlags.Ack, 100, optionsLength);
        TcpSegment.FillChecksum(packet, 20, length, Frames.PeerIp, Frames.BoardIp);
        Array.Resize(ref packet, 20 + length);
        var options = Parse(packet).ReadOptions();
        Assert.Equal(3, options.SackBlockCount);
        options.GetSackBlock(2, out uint left, out uint right);
        Assert.Equal(0xFFFFFF00u, left);
        Assert.Equal(0x10u, right);
        options.GetSackBlock(0, out left, out right);
        Assert.Equal((1000u, 2000u), (left, right));
    }

    [Fact]
    public void Option_writer_refuses_what_does_not_fit_in_40_bytes()
    {
        var buffer = new byte[60];
        var writer = new TcpOptionWriter(buffer, 0);
        Assert.True(writer.WriteTimestamps(1, 2));
        Assert.True(writer.WriteSack(new uint[6], 3));
        Assert.Equal(36, writer.Length);
        Assert.False(writer.WriteTimestamps(1, 2));
        Assert.False(writer.WriteSack(new uint[2], 1));
        Assert.True(writer.WriteSackPermitted());
        Assert.True(writer.WriteNoOperation());
        Assert.True(writer.WriteNoOperation());
        Assert.False(writer.WriteNoOperation());
        Assert.Equal(40, writer.Finish());
        Assert.False(new TcpOptionWriter(buffer, 0).WriteSack(new uint[10], 5));
        Assert.False(new TcpOptionWriter(buffer, 0).WriteSack(new uint[2], 0));
    }

    [Fact]
    public void Finish_pads_with_end_of_list_then_zeros()
    {
        var buffer = Enumerable.Repeat((byte)0xEE, 60).ToArray();
        var writer = new TcpOptionWriter(buffer, 0);
        writer.WriteWindowScale(14);
        Assert.Equal(4, writer.Finish());
        Assert.Equal(new byte[] { 3, 3, 14, 0 }, buffer[..4]);
        Assert.Equal(0xEE, buffer[4]);
    }

    [Fact]
    public void Unknown_options_are_skipped_by_their_length()
    {
        byte[] options = [0xFD, 0x06, 0xAA, 0xBB, 0xCC, 0xDD, 0x02, 0x04, 0x05, 0xB4, 0x01, 0x00];
        var read = TcpOptions.Read(options, 0, options.Length);
        Assert.True(read.HasMaximumSegmentSize);
        Assert.Equal(1460, read.MaximumSegmentSize);
        Assert.Equal(0, read.IgnoredCount);
    }

    [Fact]
    public void Known_options_with_wrong_lengths_are_ignored_and_counted()
    {
        // MSS of length 3, window scale of length 4, SACK of length 7, timestamps of length 6.
        byte[] options = [0x02, 0x03, 0x05, 0x03, 0x04, 0x07, 0x00, 0x05, 0x07, 1, 2, 3, 4, 5, 0x08, 0x06, 1, 2, 3, 4];
        Assert.Equal(WireError.None, OptionIterator.Validate(options, 0, options.Length));
        var read = TcpOptions.Read(options, 0, options.Length);
        Assert.False(read.HasMaximumSegmentSize);
        Assert.False(read.HasWindowScale);
        Assert.Equal(0, read.SackBlockCount);
        Assert.False(read.HasTimestamps);
        Assert.Equal(4, read.IgnoredCount);
    }

    [Fact]
    public void Options_after_end_of_list_are_not_read()
    {
        byte[] options = [0x00, 0x02, 0x04, 0x05, 0xB4];
        Assert.False(TcpOptions.Read(options, 0, options.Length).HasMaximumSegmentSize);
    }

    [Fact]
    public void Rejects_fewer_than_20_bytes()
    {
        var packet = Frames.TcpSyn(1);
        Assert.Equal(WireError.Truncated, TcpSegment.TryParse(packet, 20, 19, Frames.PeerIp, Frames.BoardIp, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Rejects_a_data_offset_below_5(int dataOffset)
    {
        var packet = Frames.TcpSyn(1);
        packet[32] = (byte)(dataOffset << 4);
        Assert.Equal(WireError.BadDataOffset, TcpSegment.TryParse(packet, 20, packet.Length - 20, Frames.PeerIp, Frames.BoardIp, out _));
    }

    [Fact]
    public void Rejects_a_data_offset_beyond_the_segment()
    {
        var packet = Frames.TcpSyn(1);
        Assert.Equal(WireError.Truncated, TcpSegment.TryParse(packet, 20, 39, Frames.PeerIp, Frames.BoardIp, out _));
    }

    [Fact]
    public void Rejects_a_bad_checksum_and_the_wrong_pseudo_header()
    {
        var packet = Frames.TcpSyn(1, [1, 2, 3]);
        Assert.Equal(WireError.BadChecksum, TcpSegment.TryParse(packet, 20, packet.Length - 20, Frames.PeerIp, new IPv4Address(192, 0, 2, 9), out _));
        packet[packet.Length - 1] ^= 0x80;
        Assert.Equal(WireError.BadChecksum, TcpSegment.TryParse(packet, 20, packet.Length - 20, Frames.PeerIp, Frames.BoardIp, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0x00, 0x01, 0x01 }, WireError.BadOptionLength)]
    [InlineData(new byte[] { 0x02, 0x01, 0x01, 0x01 }, WireError.BadOptionLength)]
    [InlineData(new byte[] { 0x01, 0x01, 0x08, 0x0A }, WireError.OptionOverrun)]
    [InlineData(new byte[] { 0x01, 0x01, 0x01, 0x02 }, WireError.OptionOverrun)]
    public void Rejects_malformed_option_lists(byte[] options, WireError expected)
    {
        var packet = new byte[20 + 24];
        options.CopyTo(packet, 40);
        int length = TcpSegment.WriteHeader(packet, 20, 1, 2, 3, 4, TcpFlags.Ack, 5, 4);
        TcpSegment.FillChecksum(packet, 20, length, Frames.PeerIp, Frames.BoardIp);
        Assert.Equal(expected, TcpSegment.TryParse(packet, 20, length, Frames.PeerIp, Frames.BoardIp, out _));
    }
}
