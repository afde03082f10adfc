using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>ESTABLISHED (RFC 9293 section 3.10.7.4).</summary>
public class EstablishedTests
{
    [Fact]
    public void Established_data_is_acknowledged_and_delivered()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        // Seventh check: RCV.NXT advances over the data, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, window less what waits.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(Bytes(10), h.Read());
    }

    [Fact]
    public void Established_active_open_exchanges_data_both_ways()
    {
        var h = new SegmentHarness().EstablishedActive();
        h.Write(Bytes(20));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(20) });
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 21) { Data = Bytes(3, 7) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 21, PeerIss + 4) { Window = h.DefaultWindow - 3 });
        Assert.Equal(Bytes(3, 7), h.Read());
    }

    [Fact]
    public void Established_our_data_is_sent_and_its_ack_stops_the_timer()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(100));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 101));
        h.Advance(10_000);
        h.ExpectNothing();
    }

    [Fact]
    public void Established_window_update_after_the_reader_makes_room()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(1100) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1101) { Window = h.DefaultWindow - 1100 });
        Assert.Equal(Bytes(1100), h.Read());
        // RFC 1122 section 4.2.3.3: the edge moved by at least min(half the buffer, one MSS): tell the peer.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1101));
    }

    [Fact]
    public void Established_small_read_does_not_send_a_window_update()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        h.Read();
        h.ExpectNothing(); // receiver SWS avoidance (RFC 9293 section 3.8.6.2.2)
    }

    [Fact]
    public void Established_out_of_order_data_is_acknowledged_at_once_with_rcv_nxt()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 11, h.Iss + 1) { Data = Bytes(10, 10) });
        // RFC 5681 section 4.2 / RFC 9293 3.10.7.4: an out-of-order segment gets an immediate duplicate ACK.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        Assert.Empty(h.Read());
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 21) { Window = h.DefaultWindow - 20 });
        Assert.Equal(Bytes(20), h.Read());
    }

    [Fact]
    public void Established_old_duplicate_segment_is_acknowledged_and_not_delivered_again()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(Bytes(10), h.Read());
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        // First check: not acceptable, "send an acknowledgment in reply ... drop the unacceptable segment".
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Empty(h.Read());
    }

    [Fact]
    public void Established_segment_overlapping_rcv_nxt_delivers_only_the_new_part()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        h.Send(new Seg(Ack | Psh, PeerIss + 6, h.Iss + 1) { Data = Bytes(10, 5) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 16) { Window = h.DefaultWindow - 15 });
        Assert.Equal(Bytes(15), h.Read());
    }

    [Fact]
    public void Established_segment_beyond_the_window_is_acknowledged_and_dropped()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1 + 5000, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        Assert.Empty(h.Read());
    }

    [Fact]
    public void Established_data_past_the_right_edge_is_trimmed()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(1000) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1001) { Window = 1048 });
        h.Send(new Seg(Ack, PeerIss + 1001, h.Iss + 1) { Data = Bytes(1100, 1000) });
        // Section 3.10.7.4, first check: segments are trimmed to the window; only 1048 bytes are taken.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049) { Window = 0 });
        Assert.Equal(Bytes(2048), h.Read());
    }

    [Fact]
    public void Established_rst_at_rcv_nxt_resets_the_connection()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Rst, PeerIss + 1));
        // Second check (RFC 5961 section 3.2): exactly RCV.NXT: "any outstanding RECEIVEs and SEND should receive reset".
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.ConnectionReset, h.ReadResult(out _));
    }

    [Fact]
    public void Established_rst_ack_at_rcv_nxt_resets_the_connection()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Rst | Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Established_rst_in_window_but_not_at_rcv_nxt_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Rst, PeerIss + 100));
        // RFC 5961 section 3.2 (RFC 9293 3.10.7.4, second check): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Established_rst_outside_the_window_is_dropped_silently()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Rst, PeerIss + 1 + 100_000));
        h.Send(new Seg(Rst, PeerIss - 5));
        h.ExpectNothing(); // "If the RST bit is set and the sequence number is outside the window, silently drop"
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Established_syn_in_window_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Syn, PeerIss + 1) { Mss = 1460 });
        // Fourth check (RFC 5961 section 4.2): a SYN in a synchronized state gets a challenge ACK, nothing else.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Established_old_syn_is_answered_with_an_ack()
    {
        var h = new SegmentHarness().Established();
        h.Send(PeerSyn);
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Established_ack_of_unsent_data_is_answered_and_the_segment_dropped()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 100) { Data = Bytes(10) });
        // Fifth check: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the segment".
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        Assert.Empty(h.Read());
    }

    [Fact]
    public void Established_ack_too_old_is_answered_and_the_segment_dropped()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1 - 10_000) { Data = Bytes(10) });
        // RFC 5961 section 5.2: SEG.ACK < SND.UNA - MAX.SND.WND is not acceptable: ACK and drop.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        Assert.Empty(h.Read());
    }

    [Fact]
    public void Established_duplicate_ack_within_the_window_is_ignored_and_its_data_taken()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1 - 100) { Data = Bytes(10) });
        // "If the ACK is a duplicate (SEG.ACK =< SND.UNA), it can be ignored" - the segment's text is still processed.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(Bytes(10), h.Read());
    }

    [Fact]
    public void Established_segment_without_ack_is_dropped()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Psh, PeerIss + 1) { Data = Bytes(10) });
        h.ExpectNothing(); // fifth check: "if the ACK bit is off, drop the segment and return"
        Assert.Empty(h.Read());
    }

    [Fact]
    public void Established_fin_moves_to_close_wait_and_ends_the_stream()
    {
        var h = new SegmentHarness().CloseWait();
        Assert.Equal(SocketResult.Success, h.ReadResult(out int count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Established_fin_with_data_delivers_the_data_then_the_end()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Fin | Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 12) { Window = h.DefaultWindow - 11 });
        h.AssertState(SocketState.CloseWait);
        Assert.Equal(Bytes(10), h.Read());
        Assert.Equal(SocketResult.Success, h.ReadResult(out int count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Established_fin_beyond_a_hole_is_not_processed_yet()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Fin | Ack, PeerIss + 11, h.Iss + 1));
        // Eighth check: the FIN counts only once RCV.NXT reaches it.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Established_close_with_unread_data_resets()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        // RFC 9293 section 3.10.4 / RFC 2525 section 2.17: data would be lost, so the peer gets a reset.
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 1, PeerIss + 11) { Window = 0 });
        Assert.Equal(0, h.Connections());
    }

    [Fact]
    public void Established_close_with_linger_zero_resets()
    {
        var h = new SegmentHarness().Established();
        h.SetOption(SocketOption.Linger, 0);
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 1, PeerIss + 1) { Window = 0 });
    }

    [Fact]
    public void Established_close_sends_fin_and_moves_to_fin_wait_1()
    {
        var h = new SegmentHarness().Established();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        // Section 3.10.4: "queue this until all preceding SENDs have been segmentized, then form a FIN segment".
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 1));
    }

    [Fact]
    public void Established_reordered_older_ack_does_not_shrink_the_send_window()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(100));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 101));
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 51) { Window = 0 });
        // Fifth check: SND.WND is set only "if SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)".
        h.Write(Bytes(10, 100));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 101, PeerIss + 1) { Data = Bytes(10, 100) });
    }

    [Fact]
    public void Established_newer_ack_updates_the_send_window()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(100));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 101) { Window = 0 });
        h.Write(Bytes(10, 100));
        h.ExpectNothing();
    }

    [Fact]
    public void Established_urgent_data_is_delivered_in_line()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Urg | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        // Sixth check (section 3.8.5 and RFC 6093): urgent data is delivered in line with the rest.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(Bytes(10), h.Read());
    }
}
