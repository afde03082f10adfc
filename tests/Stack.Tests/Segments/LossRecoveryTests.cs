using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Tail loss probes (RFC 8985 section 7) and the rescue retransmission (RFC 6675 section 4, NextSeg rule 4).</summary>
public class LossRecoveryTests
{
    /// <summary>Four 500-byte segments in flight to a peer that permits SACK.</summary>
    private static SegmentHarness FourInFlight() => FastRetransmitTests.FourInFlight(sack: true);

    [Fact]
    public void A_lost_tail_draws_a_probe_of_the_last_segment_two_round_trips_on_not_the_retransmission_timeout()
    {
        // The handshake's round trip is under a millisecond, so the probe waits its floor, 10 ms (max(2 * SRTT, 10 ms));
        // two segments stay in flight, so no delayed-ACK allowance. With no new data the probe is the last segment again.
        var h = FourInFlight();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1001));
        h.ExpectNothing();
        h.Advance(9);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1501, PeerIss + 1) { Data = Bytes(2000)[1500..] });
        h.ExpectNothing();
    }

    [Fact]
    public void A_probe_that_draws_sack_blocks_starts_recovery_of_the_hole_in_front_of_it()
    {
        var h = FourInFlight();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1001));
        h.Advance(10);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1501, PeerIss + 1) { Data = Bytes(2000)[1500..] });
        // Two milliseconds on, the peer reports holding the probe's segment but not the one before it: that one was sent
        // before the delivered one and more than RACK.rtt ago, so it is lost (RFC 8985 section 6.2) and goes at once. (A
        // report sooner than the least round trip would be the original's, not the probe's: no RACK sample from it.)
        h.Advance(2);
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1001) { Sack = [h.Iss + 1501, h.Iss + 2001] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1001, PeerIss + 1) { Data = Bytes(2000)[1000..1500] });
    }

    [Fact]
    public void With_nothing_else_to_send_recovery_sends_the_highest_unsacked_segment_once_more()
    {
        // Three segments above the first are SACKed: IsLost sends it again at once. The next ACK brings nothing new and
        // there is no new data: the one rescue retransmission of this recovery goes, so a lost retransmission does not
        // wait for the retransmission timer. A third ACK sends nothing more.
        var h = FourInFlight();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Sack = [h.Iss + 501, h.Iss + 2001] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(2000)[..500] });
        h.ExpectNothing();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Sack = [h.Iss + 501, h.Iss + 2001] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(2000)[..500] });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Sack = [h.Iss + 501, h.Iss + 2001] });
        h.ExpectNothing();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 2001));
        h.Advance(10_000);
        h.ExpectNothing();
    }
}
