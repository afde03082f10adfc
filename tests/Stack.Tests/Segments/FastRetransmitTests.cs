using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Fast retransmit (RFC 5681 section 3.2) and its SACK-based start (RFC 6675 section 5).</summary>
public class FastRetransmitTests
{
    /// <summary>Four 500-byte segments in flight (the peer's MSS is 500; 2,000 bytes fit the initial window).</summary>
    internal static SegmentHarness FourInFlight(bool sack = false)
    {
        var h = new SegmentHarness(o => o.TcpSelectiveAcknowledgments = sack).Established(mss: 500, sackPermitted: sack);
        h.Write(Bytes(2000));
        for (int i = 0; i < 4; i++)
        {
            h.ExpectSegment(new Seg(i == 3 ? Ack | Psh : Ack, h.Iss + 1 + (uint)(500 * i), PeerIss + 1) { Data = Bytes(2000)[(500 * i)..(500 * i + 500)] });
        }

        h.ExpectNothing();
        return h;
    }

    [Fact]
    public void Third_duplicate_ack_retransmits_the_first_unacknowledged_segment()
    {
        var h = FourInFlight();
        for (int i = 0; i < 2; i++)
        {
            h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
            h.ExpectNothing(); // RFC 3042 limited transmit would send new data; there is none
        }

        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(2000)[..500] });
        h.ExpectNothing();
    }

    [Fact]
    public void Duplicate_acks_after_a_partial_ack_retransmit_the_next_hole()
    {
        var h = FourInFlight();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 501));
        for (int i = 0; i < 3; i++)
        {
            h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 501));
        }

        h.ExpectSegment(new Seg(Ack, h.Iss + 501, PeerIss + 1) { Data = Bytes(2000)[500..1000] });
    }

    [Fact]
    public void Acks_that_change_the_window_are_not_duplicates()
    {
        var h = FourInFlight();
        foreach (int window in new[] { 8000, 7000, 6000, 5000 })
        {
            h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Window = window });
        }

        h.ExpectNothing(); // RFC 5681 section 2, DUPLICATE ACKNOWLEDGMENT (e): the advertised window is unchanged
    }

    [Fact]
    public void Acks_carrying_data_are_not_duplicates()
    {
        var h = FourInFlight();
        for (int i = 0; i < 3; i++)
        {
            h.Send(new Seg(Ack | Psh, PeerIss + 1 + (uint)(10 * i), h.Iss + 1) { Data = Bytes(10) });
            // RFC 5681 section 2 (b): "the incoming acknowledgment carries no data"; ours acknowledges the data.
            h.ExpectSegment(new Seg(Ack, h.Iss + 2001, PeerIss + 11 + (uint)(10 * i)) { Window = h.DefaultWindow - 10 * (i + 1) });
        }

        h.ExpectNothing();
    }

    [Fact]
    public void Sack_blocks_covering_three_segments_start_recovery_at_the_first_duplicate()
    {
        var h = FourInFlight(sack: true);
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Sack = [h.Iss + 501, h.Iss + 2001] });
        // RFC 6675 section 5: IsLost(SND.UNA) once three segments above it are SACKed; retransmit it.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(2000)[..500] });
    }

    [Fact]
    public void Recovery_ends_with_the_ack_of_everything()
    {
        var h = FourInFlight();
        for (int i = 0; i < 3; i++)
        {
            h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        }

        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(2000)[..500] });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 2001));
        h.Advance(10_000);
        h.ExpectNothing();
    }
}
