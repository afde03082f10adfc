using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Timestamps and PAWS (RFC 7323 sections 3 to 5).</summary>
public class TimestampTests
{
    /// <summary>ESTABLISHED with timestamps: the peer's SYN says TSval 1000, its ACK 1001; TS.Recent is 1001.</summary>
    private static SegmentHarness Stamped()
    {
        var h = new SegmentHarness(o => o.TcpTimestamps = true).SynReceived(new Seg(Syn, PeerIss) { Mss = 1460, TsVal = 1000 });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { TsVal = 1001, TsEcr = (uint)h.Now });
        h.Accept();
        h.ExpectNothing();
        return h;
    }

    [Fact]
    public void Syn_ack_echoes_the_peer_tsval()
    {
        var h = new SegmentHarness(o => o.TcpTimestamps = true).Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460, TsVal = 777 });
        // Section 3.2: TSval our clock, TSecr the SYN's TSval.
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460, TsVal = (uint)h.Now, TsEcr = 777 });
    }

    [Fact]
    public void Every_segment_carries_our_clock_and_echoes_ts_recent()
    {
        var h = Stamped();
        h.Advance(5);
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10), TsVal = 1010, TsEcr = 1 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10, TsVal = (uint)h.Now, TsEcr = 1010 });
        h.Write(Bytes(3));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 11) { Data = Bytes(3), Window = h.DefaultWindow - 10, TsVal = (uint)h.Now, TsEcr = 1010 });
    }

    [Fact]
    public void Paws_drops_a_segment_with_an_old_timestamp_and_acknowledges()
    {
        var h = Stamped();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10), TsVal = 900 });
        // Section 5.3 R1: SEG.TSval < TS.Recent: not acceptable; send an ACK and drop the segment.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 1001 });
        Assert.Empty(h.Read());
    }

    [Fact]
    public void Paws_does_not_apply_to_a_reset()
    {
        var h = Stamped();
        h.Send(new Seg(Rst, PeerIss + 1) { TsVal = 5 });
        // Section 3.2: "RST segments ... be acceptable regardless of their timestamp".
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Ts_recent_is_not_taken_from_an_out_of_order_segment()
    {
        var h = Stamped();
        h.Send(new Seg(Ack | Psh, PeerIss + 21, h.Iss + 1) { Data = Bytes(10), TsVal = 1500 });
        // Section 4.3: TS.Recent is updated only from a segment at or below Last.ACK.sent.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 1001 });
    }

    [Fact]
    public void Equal_timestamp_is_accepted()
    {
        var h = Stamped();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10), TsVal = 1001 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10, TsVal = (uint)h.Now, TsEcr = 1001 });
        Assert.Equal(Bytes(10), h.Read());
    }

    [Fact]
    public void Timestamps_take_room_from_the_segment_size()
    {
        var h = new SegmentHarness(o => o.TcpTimestamps = true).SynReceived(new Seg(Syn, PeerIss) { Mss = 500, TsVal = 1000 });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { TsVal = 1001 });
        h.Accept();
        h.Write(Bytes(1000));
        // RFC 6691: the MSS counts data only, so 12 bytes of timestamps come out of it: 488-byte segments.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(1000)[..488], TsVal = (uint)h.Now, TsEcr = 1001 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 489, PeerIss + 1) { Data = Bytes(1000)[488..976], TsVal = (uint)h.Now, TsEcr = 1001 });
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 977, PeerIss + 1) { Data = Bytes(1000)[976..], TsVal = (uint)h.Now, TsEcr = 1001 });
    }

    [Fact]
    public void No_timestamps_when_the_peer_did_not_offer_them()
    {
        var h = new SegmentHarness(o => o.TcpTimestamps = true).Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10), TsVal = 5 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
    }

    [Fact]
    public void Time_wait_entry_acknowledgment_carries_timestamps()
    {
        var h = Stamped();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 1001 });
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2) { TsVal = 1002 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin, TsVal = (uint)h.Now, TsEcr = 1002 });
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2) { TsVal = 1003 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = 0, TsVal = (uint)h.Now, TsEcr = 1002 });
    }
}
