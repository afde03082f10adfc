using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Delayed ACKs (RFC 1122 section 4.2.3.2, RFC 5681 section 4.2), 40 ms here.</summary>
public class DelayedAckTests
{
    private static SegmentHarness Delayed() => new SegmentHarness(o => o.TcpDelayedAckMs = 40).Established();

    [Fact]
    public void Single_small_segment_is_acknowledged_after_the_delay()
    {
        var h = Delayed();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectNothing();
        h.Advance(39);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        h.Advance(1000);
        h.ExpectNothing();
    }

    [Fact]
    public void Second_full_sized_segment_is_acknowledged_at_once()
    {
        var h = Delayed();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(600) });
        h.ExpectNothing();
        h.Send(new Seg(Ack, PeerIss + 601, h.Iss + 1) { Data = Bytes(600, 600) });
        // "an ACK SHOULD be generated for at least every second full-sized segment".
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1201) { Window = h.DefaultWindow - 1200 });
    }

    [Fact]
    public void Out_of_order_segment_is_acknowledged_at_once()
    {
        var h = Delayed();
        h.Send(new Seg(Ack | Psh, PeerIss + 11, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1)); // RFC 5681 section 4.2: immediate duplicate ACK
    }

    [Fact]
    public void Segment_filling_a_hole_is_acknowledged_at_once()
    {
        var h = Delayed();
        h.Send(new Seg(Ack | Psh, PeerIss + 11, h.Iss + 1) { Data = Bytes(10, 10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        // RFC 5681 section 4.2: "an immediate ACK when the incoming segment fills in all or part of a gap".
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 21) { Window = h.DefaultWindow - 20 });
    }

    [Fact]
    public void Fin_is_acknowledged_at_once()
    {
        var h = Delayed();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
    }

    [Fact]
    public void Delayed_ack_rides_on_the_reply()
    {
        var h = Delayed();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectNothing();
        h.Advance(20);
        h.Write(Bytes(5, 3));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 11) { Data = Bytes(5, 3), Window = h.DefaultWindow - 10 });
        h.Advance(40);
        h.ExpectNothing(); // the ACK went with the data
    }

    [Fact]
    public void Out_of_window_segment_is_acknowledged_at_once()
    {
        var h = Delayed();
        h.Send(new Seg(Ack | Psh, PeerIss - 100, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
    }
}
