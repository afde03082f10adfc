using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>The retransmission timer (RFC 6298, RFC 9293 section 3.8.1) and giving up (section 3.8.3).</summary>
public class RetransmissionTests
{
    [Fact]
    public void Unacknowledged_data_is_retransmitted_after_the_rto_with_exponential_backoff()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(100));
        var data = new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) };
        h.ExpectSegment(data);
        // The handshake's ~0 ms round trip puts the RTO at its 200 ms floor; RFC 6298 section 5.5 doubles it per timeout.
        foreach (int rto in new[] { 200, 400, 800, 1600 })
        {
            h.Advance(rto - 1);
            h.ExpectNothing();
            h.Advance(1);
            h.ExpectSegment(data);
        }
    }

    [Fact]
    public void Rto_comes_from_the_measured_round_trip()
    {
        var h = new SegmentHarness().SynReceived();
        h.Advance(300);
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.Accept();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        // RFC 6298 section 2.2: SRTT = R = 300, RTTVAR = R/2 = 150, RTO = SRTT + 4 * RTTVAR = 900 ms.
        h.Advance(899);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
    }

    [Fact]
    public void Ack_of_all_data_stops_the_timer()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(100));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) });
        h.Advance(200);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 101));
        h.Advance(60_000); // RFC 6298 section 5.2: all outstanding data acknowledged, turn off the timer
        h.ExpectNothing();
    }

    [Fact]
    public void Timeout_retransmits_the_first_unacknowledged_segment()
    {
        var h = new SegmentHarness().Established(mss: 500);
        h.Write(Bytes(1000));
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(1000)[..500] });
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 501, PeerIss + 1) { Data = Bytes(1000)[500..] });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 501));
        // RFC 6298 section 5.3 restarts the timer on the ACK; on expiry, section 5.4: the earliest unacknowledged segment.
        h.Advance(199);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 501, PeerIss + 1) { Data = Bytes(1000)[500..] });
    }

    [Fact]
    public void Retransmission_gives_up_after_the_limit_and_resets()
    {
        var h = new SegmentHarness(o => { o.TcpMaximumRetransmissions = 2; o.TcpUserTimeoutMs = 0; }).Established();
        h.Write(Bytes(10));
        var data = new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) };
        h.ExpectSegment(data);
        h.Advance(200);
        h.ExpectSegment(data);
        h.Advance(400);
        h.ExpectSegment(data);
        h.Advance(800);
        // RFC 9293 section 3.8.3: past R2 the connection is closed; the peer gets a reset.
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 11, PeerIss + 1) { Window = 0 });
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.TimedOut, h.ReadResult(out _));
    }

    [Fact]
    public void User_timeout_ends_a_connection_whose_data_stays_unacknowledged()
    {
        var h = new SegmentHarness(o => o.TcpUserTimeoutMs = 500).Established();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Advance(200);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Advance(299);
        h.ExpectNothing();
        h.Advance(1);
        // RFC 9293 section 3.8.3 / RFC 5482: the user timeout, then a reset.
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 11, PeerIss + 1) { Window = 0 });
        Assert.Equal(SocketResult.TimedOut, h.ReadResult(out _));
    }

    [Fact]
    public void Retransmission_carries_the_current_ack_and_window()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(5) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 11, PeerIss + 6) { Window = h.DefaultWindow - 5 });
        h.Advance(200);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 6) { Data = Bytes(10), Window = h.DefaultWindow - 5 });
    }
}
