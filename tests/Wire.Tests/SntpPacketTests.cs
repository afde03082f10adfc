using IoTStack.Net.Services;
using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

/// <summary>The SNTP packet view (RFC 4330): the client's request, a server's answer, and each check of section 5 by its WireError.</summary>
public class SntpPacketTests
{
    private const uint NonceHigh = 0xDEADBEEF;
    private const uint NonceLow = 0x01020304;

    /// <summary>A server's answer (mode 4, stratum 2) to the request whose transmit timestamp was the nonce.</summary>
    private static byte[] Answer(Action<SntpPacket>? tamper = null)
    {
        var bytes = new byte[SntpPacket.Length];
        var packet = new SntpPacket();
        packet.Begin(bytes, 0);
        packet.LeapIndicator = 0;
        packet.VersionNumber = 4;
        packet.Mode = SntpPacket.ModeServer;
        packet.Stratum = 2;
        packet.Poll = 6;
        packet.Precision = -20;
        packet.RootDelay = 0x00000123;
        packet.RootDispersion = 0x00000456;
        packet.ReferenceIdentifier = 0xC0000201;
        packet.SetReferenceTimestamp(0xEB000000, 0);
        packet.SetOriginateTimestamp(NonceHigh, NonceLow);
        packet.SetReceiveTimestamp(0xEB000001, 0x80000000);
        packet.SetTransmitTimestamp(0xEB000001, 0xC0000000);
        tamper?.Invoke(packet);
        return bytes;
    }

    [Fact]
    public void The_client_request_is_version_4_mode_3_with_only_the_nonce_set()
    {
        var bytes = Enumerable.Repeat((byte)0xAA, 60).ToArray();
        var packet = new SntpPacket();
        Assert.Equal(48, packet.WriteClientRequest(bytes, 4, NonceHigh, NonceLow));
        Assert.Equal(0x23, bytes[4]); // LI 0, VN 4, mode 3
        Assert.Equal(0, packet.LeapIndicator);
        Assert.Equal(4, packet.VersionNumber);
        Assert.Equal(SntpPacket.ModeClient, packet.Mode);
        Assert.Equal(NonceHigh, packet.TransmitSeconds);
        Assert.Equal(NonceLow, packet.TransmitFraction);
        Assert.All(bytes[5..44], b => Assert.Equal(0, b));
        Assert.Equal(0xAA, bytes[3]);
        Assert.Equal(0xAA, bytes[52]);
        // A request is not an answer: its mode is the client's.
        Assert.Equal(WireError.BadOperation, SntpPacket.TryParse(bytes, 4, 48, out _));
    }

    [Fact]
    public void An_answer_round_trips_through_emit_and_parse()
    {
        var bytes = Answer();
        Assert.Equal(WireError.None, SntpPacket.TryParse(bytes, 0, bytes.Length, out var packet));
        Assert.Equal(0, packet.LeapIndicator);
        Assert.Equal(4, packet.VersionNumber);
        Assert.Equal(SntpPacket.ModeServer, packet.Mode);
        Assert.Equal(2, packet.Stratum);
        Assert.Equal(6, packet.Poll);
        Assert.Equal(-20, packet.Precision);
        Assert.Equal(0x123u, packet.RootDelay);
        Assert.Equal(0x456u, packet.RootDispersion);
        Assert.Equal(0xC0000201u, packet.ReferenceIdentifier);
        Assert.Equal(0u, packet.KissCode);
        Assert.Equal(0xEB000000u, packet.ReferenceSeconds);
        Assert.Equal(0u, packet.ReferenceFraction);
        Assert.Equal(NonceHigh, packet.OriginateSeconds);
        Assert.Equal(NonceLow, packet.OriginateFraction);
        Assert.Equal(0xEB000001u, packet.ReceiveSeconds);
        Assert.Equal(0x80000000u, packet.ReceiveFraction);
        Assert.Equal(0xC0000000u, packet.TransmitFraction);
        Assert.True(packet.IsAnswerTo(NonceHigh, NonceLow));
        Assert.False(packet.IsAnswerTo(NonceHigh, NonceLow ^ 1));
        Assert.Equal(250, SntpPacket.ToUnixMilliseconds(packet.TransmitSeconds, packet.TransmitFraction) - SntpPacket.ToUnixMilliseconds(packet.ReceiveSeconds, packet.ReceiveFraction));
    }

    [Fact]
    public void A_longer_answer_with_a_key_and_digest_is_read_as_its_first_48_bytes()
    {
        var bytes = Answer();
        Array.Resize(ref bytes, 68);
        Assert.Equal(WireError.None, SntpPacket.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(47)]
    public void An_answer_shorter_than_48_bytes_is_truncated(int length)
    {
        Assert.Equal(WireError.Truncated, SntpPacket.TryParse(Answer(), 0, length, out _));
    }

    [Fact]
    public void Bytes_outside_the_buffer_are_out_of_buffer()
    {
        Assert.Equal(WireError.OutOfBuffer, SntpPacket.TryParse(Answer(), 1, 48, out _));
        Assert.Equal(WireError.OutOfBuffer, SntpPacket.TryParse(null!, 0, 48, out _));
    }

    [Theory]
    [InlineData(0, WireError.BadOperation)] // reserved
    [InlineData(1, WireError.BadOperation)] // symmetric active
    [InlineData(3, WireError.BadOperation)] // client
    [InlineData(6, WireError.BadOperation)] // control
    [InlineData(7, WireError.BadOperation)]
    [InlineData(4, WireError.None)] // server
    [InlineData(5, WireError.None)] // broadcast
    public void Only_a_server_or_broadcast_mode_is_an_answer(int mode, WireError expected)
    {
        var bytes = Answer(p => p.Mode = mode);
        Assert.Equal(expected, SntpPacket.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Theory]
    [InlineData(0, WireError.BadVersion)]
    [InlineData(5, WireError.BadVersion)]
    [InlineData(7, WireError.BadVersion)]
    [InlineData(1, WireError.None)]
    [InlineData(3, WireError.None)]
    public void Versions_1_to_4_are_taken(int version, WireError expected)
    {
        var bytes = Answer(p => p.VersionNumber = version);
        Assert.Equal(expected, SntpPacket.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Fact]
    public void Stratum_0_is_a_kiss_of_death_whose_code_and_originate_can_be_read()
    {
        // As RFC 4330 section 8 sends it: LI 3, stratum 0, the code in the reference identifier.
        var bytes = Answer(p =>
        {
            p.LeapIndicator = SntpPacket.LeapUnsynchronized;
            p.Stratum = 0;
            p.ReferenceIdentifier = SntpPacket.KissRate;
        });
        Assert.Equal(WireError.KissOfDeath, SntpPacket.TryParse(bytes, 0, bytes.Length, out var packet));
        Assert.Equal(SntpPacket.KissRate, packet.KissCode);
        Assert.True(packet.IsAnswerTo(NonceHigh, NonceLow));
    }

    [Fact]
    public void Leap_indicator_3_is_unsynchronised()
    {
        var bytes = Answer(p => p.LeapIndicator = SntpPacket.LeapUnsynchronized);
        Assert.Equal(WireError.Unsynchronized, SntpPacket.TryParse(bytes, 0, bytes.Length, out var packet));
        Assert.True(packet.IsAnswerTo(NonceHigh, NonceLow));
        Assert.Equal(WireError.None, SntpPacket.TryParse(Answer(p => p.LeapIndicator = 1), 0, 48, out _)); // a leap second coming
    }

    [Theory]
    [InlineData(16)]
    [InlineData(255)]
    public void A_stratum_above_15_is_unsynchronised(int stratum)
    {
        var bytes = Answer(p => p.Stratum = stratum);
        Assert.Equal(WireError.Unsynchronized, SntpPacket.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Fact]
    public void A_zero_transmit_timestamp_is_a_bad_timestamp()
    {
        var bytes = Answer(p => p.SetTransmitTimestamp(0, 0));
        Assert.Equal(WireError.BadTimestamp, SntpPacket.TryParse(bytes, 0, bytes.Length, out _));
        bytes = Answer(p => p.SetTransmitTimestamp(0, 1));
        Assert.Equal(WireError.None, SntpPacket.TryParse(bytes, 0, bytes.Length, out _));
    }

    [Fact]
    public void Timestamps_with_the_top_bit_clear_are_in_era_1()
    {
        long y2040 = new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        uint seconds = (uint)((y2040 / 1000 + SntpPacket.UnixEpochInNtpSeconds) & 0xFFFFFFFF);
        Assert.Equal(0u, seconds & 0x80000000u);
        Assert.Equal(y2040 + 500, SntpPacket.ToUnixMilliseconds(seconds, 0x80000000));
        Assert.Equal(0, SntpPacket.ToUnixMilliseconds((uint)SntpPacket.UnixEpochInNtpSeconds, 0));
    }

    [Fact]
    public void Setters_change_only_their_own_bits()
    {
        var bytes = new byte[48];
        var packet = new SntpPacket();
        packet.Begin(bytes, 0);
        packet.Mode = 4;
        packet.VersionNumber = 3;
        packet.LeapIndicator = 2;
        Assert.Equal((2 << 6) | (3 << 3) | 4, bytes[0]);
        packet.Mode = 5;
        Assert.Equal(2, packet.LeapIndicator);
        Assert.Equal(3, packet.VersionNumber);
        Assert.Equal(5, packet.Mode);
    }

    [Fact]
    public void Every_prefix_and_random_corruption_parses_to_a_reason_never_an_exception()
    {
        var bytes = Answer();
        var packet = new SntpPacket();
        for (int length = 0; length < 48; length++)
        {
            Assert.Equal(WireError.Truncated, packet.Parse(bytes, 0, length));
        }

        var random = new Random(4330);
        for (int i = 0; i < 5_000; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[random.Next(4)] = (byte)random.Next(256);
            copy[random.Next(48)] = (byte)random.Next(256);
            var error = packet.Parse(copy, 0, 48);
            if (error == WireError.None)
            {
                Assert.InRange(packet.Stratum, 1, 15);
                Assert.NotEqual(3, packet.LeapIndicator);
                Assert.InRange(packet.Mode, 4, 5);
                Assert.InRange(packet.VersionNumber, 1, 4);
            }
        }
    }
}
