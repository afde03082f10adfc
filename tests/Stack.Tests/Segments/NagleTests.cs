using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Nagle's algorithm (RFC 1122 section 4.2.3.4, RFC 9293 section 3.7.4), in Minshall's form as Linux has it.</summary>
public class NagleTests
{
    [Fact]
    public void First_small_segment_goes_at_once()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
    }

    [Fact]
    public void Second_small_segment_waits_for_the_ack_of_the_first()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Write(Bytes(10, 10));
        h.ExpectNothing(); // "if there is unacknowledged data, the user data is buffered until ... ACK"
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 11));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 11, PeerIss + 1) { Data = Bytes(10, 10) });
    }

    [Fact]
    public void Held_writes_coalesce_into_one_segment()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Write(Bytes(10, 10));
        h.Write(Bytes(10, 20));
        h.ExpectNothing();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 11));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 11, PeerIss + 1) { Data = Bytes(20, 10) });
    }

    [Fact]
    public void No_delay_sends_small_segments_at_once()
    {
        var h = new SegmentHarness().Established();
        h.SetOption(SocketOption.NoDelay, 1);
        h.Write(Bytes(10));
        h.Write(Bytes(10, 10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 11, PeerIss + 1) { Data = Bytes(10, 10) });
    }

    [Fact]
    public void Turning_no_delay_on_sends_what_nagle_held()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Write(Bytes(10, 10));
        h.ExpectNothing();
        h.SetOption(SocketOption.NoDelay, 1);
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 11, PeerIss + 1) { Data = Bytes(10, 10) });
    }

    [Fact]
    public void Full_sized_segments_are_not_held_and_only_a_small_tail_waits()
    {
        var h = new SegmentHarness().Established(mss: 500);
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        var more = Bytes(1010, 10);
        h.Write(more);
        h.ExpectSegment(new Seg(Ack, h.Iss + 11, PeerIss + 1) { Data = more[..500] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 511, PeerIss + 1) { Data = more[500..1000] });
        h.ExpectNothing();
        // Minshall: the small tail waits only while an earlier small segment is unacknowledged.
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 11));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1011, PeerIss + 1) { Data = more[1000..] });
    }
}
