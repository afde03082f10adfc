using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>SYN-SENT (RFC 9293 section 3.10.7.3).</summary>
public class SynSentTests
{
    [Fact]
    public void Syn_sent_connect_sends_a_syn_with_our_mss_and_window()
    {
        var h = new SegmentHarness();
        Assert.Equal(SocketResult.Success, h.Stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        Assert.Equal(SocketResult.Success, h.Stack.Bind(socket, OurAddress, ActivePort));
        Assert.Equal(SocketResult.WouldBlock, h.Stack.Connect(socket, PeerAddress, PeerPort));
        // Section 3.10.1: <SEQ=ISS><CTL=SYN>, ACK field zero.
        h.ExpectSegmentAnySeq(new Seg(Syn, 0) { Mss = 1460, SourcePort = ActivePort });
        Assert.Equal(SocketState.SynSent, h.State(socket));
    }

    [Fact]
    public void Syn_sent_syn_offers_every_enabled_option()
    {
        var h = new SegmentHarness(o => { o.TcpTimestamps = true; o.TcpWindowScaling = true; o.TcpSelectiveAcknowledgments = true; });
        Assert.Equal(SocketResult.Success, h.Stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        Assert.Equal(SocketResult.Success, h.Stack.Bind(socket, OurAddress, ActivePort));
        Assert.Equal(SocketResult.WouldBlock, h.Stack.Connect(socket, PeerAddress, PeerPort));
        h.ExpectSegmentAnySeq(new Seg(Syn, 0) { Mss = 1460, SackPermitted = true, TsVal = (uint)h.Now, TsEcr = 0, WindowScale = 0, SourcePort = ActivePort });
    }

    [Fact]
    public void Syn_sent_syn_ack_establishes_and_is_acknowledged()
    {
        var h = new SegmentHarness().EstablishedActive();
        h.ExpectNothing();
        Assert.True(h.Stack.PollSocket(h.Socket).HasFlag(SocketEvents.Writable));
    }

    [Fact]
    public void Syn_sent_syn_ack_with_an_ack_past_our_syn_gets_rst_and_stays()
    {
        var h = new SegmentHarness().SynSent();
        h.Send(new Seg(Syn | Ack, PeerIss, h.Iss + 5) { Mss = 1460 });
        // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset <SEQ=SEG.ACK><CTL=RST>".
        h.ExpectSegment(new Seg(Rst, h.Iss + 5) { Window = 0 });
        h.AssertState(SocketState.SynSent);
    }

    [Fact]
    public void Syn_sent_ack_of_our_iss_itself_gets_rst()
    {
        var h = new SegmentHarness().SynSent();
        h.Send(new Seg(Syn | Ack, PeerIss, h.Iss) { Mss = 1460 });
        h.ExpectSegment(new Seg(Rst, h.Iss) { Window = 0 });
        h.AssertState(SocketState.SynSent);
    }

    [Fact]
    public void Syn_sent_unacceptable_ack_then_the_right_syn_ack_still_connects()
    {
        var h = new SegmentHarness().SynSent();
        h.Send(new Seg(Ack, 1, h.Iss + 100));
        h.ExpectSegment(new Seg(Rst, h.Iss + 100) { Window = 0 });
        h.Send(new Seg(Syn | Ack, PeerIss, h.Iss + 1) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Syn_sent_rst_with_acceptable_ack_refuses_the_connection()
    {
        var h = new SegmentHarness().SynSent();
        h.Send(new Seg(Rst | Ack, 0, h.Iss + 1));
        // "If the ACK was acceptable, then signal to the user 'error: connection reset', drop the segment, enter CLOSED".
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.ConnectionRefused, h.ReadResult(out _));
    }

    [Fact]
    public void Syn_sent_rst_without_ack_is_dropped()
    {
        var h = new SegmentHarness().SynSent();
        h.Send(new Seg(Rst, PeerIss));
        h.ExpectNothing(); // "Otherwise (no ACK), drop the segment and return."
        h.AssertState(SocketState.SynSent);
    }

    [Fact]
    public void Syn_sent_rst_with_unacceptable_ack_is_dropped_without_answer()
    {
        var h = new SegmentHarness().SynSent();
        h.Send(new Seg(Rst | Ack, 0, h.Iss + 9));
        h.ExpectNothing(); // "... send a reset (unless the RST bit is set, if so drop the segment and return)"
        h.AssertState(SocketState.SynSent);
    }

    [Fact]
    public void Syn_sent_segment_without_syn_or_rst_is_dropped()
    {
        var h = new SegmentHarness().SynSent();
        h.Send(new Seg(Ack, PeerIss, h.Iss + 1));
        h.Send(new Seg(Fin | Ack, PeerIss, h.Iss + 1));
        h.ExpectNothing(); // section 3.10.7.3, fifth: "If neither of the SYN or RST bits is set, then drop the segment and return."
        h.AssertState(SocketState.SynSent);
    }

    [Fact]
    public void Syn_sent_syn_alone_moves_to_syn_received_with_a_syn_ack()
    {
        var h = new SegmentHarness().SimultaneousSynReceived();
        h.ExpectNothing();
    }

    [Fact]
    public void Syn_sent_syn_is_retransmitted_after_the_initial_rto_then_backed_off()
    {
        var h = new SegmentHarness().SynSent();
        // RFC 6298 section 2.1 and 5.5: initial RTO of one second, doubled on each timeout.
        h.Advance(999);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Syn, h.Iss) { Mss = 1460 });
        h.Advance(1999);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Syn, h.Iss) { Mss = 1460 });
    }

    [Fact]
    public void Syn_sent_gives_up_after_the_syn_retries_without_a_reset()
    {
        var h = new SegmentHarness(o => o.TcpSynRetries = 2).SynSent();
        h.Advance(1000);
        h.ExpectSegment(new Seg(Syn, h.Iss) { Mss = 1460 });
        h.Advance(2000);
        h.ExpectSegment(new Seg(Syn, h.Iss) { Mss = 1460 });
        h.Advance(4000);
        h.ExpectNothing(); // nothing is synchronized, so there is nobody to reset
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.TimedOut, h.ReadResult(out _));
    }

    [Fact]
    public void Syn_sent_syn_ack_with_smaller_mss_limits_our_segments()
    {
        var k = new SegmentHarness().SynSent();
        k.Send(new Seg(Syn | Ack, PeerIss, k.Iss + 1) { Mss = 536 });
        k.ExpectSegment(new Seg(Ack, k.Iss + 1, PeerIss + 1));
        k.Write(Bytes(1000));
        // RFC 9293 section 3.7.1: segments no larger than the peer's MSS.
        k.ExpectSegment(new Seg(Ack, k.Iss + 1, PeerIss + 1) { Data = Bytes(536) });
        k.ExpectSegment(new Seg(Ack | Psh, k.Iss + 537, PeerIss + 1) { Data = Bytes(1000)[536..] });
    }

    [Fact]
    public void Syn_sent_syn_ack_options_are_taken_and_timestamps_echoed()
    {
        var h = new SegmentHarness(o => { o.TcpTimestamps = true; o.TcpWindowScaling = true; o.TcpSelectiveAcknowledgments = true; }).SynSent();
        h.Send(new Seg(Syn | Ack, PeerIss, h.Iss + 1) { Mss = 1460, WindowScale = 2, SackPermitted = true, TsVal = 4000, TsEcr = (uint)h.Now });
        // RFC 7323 section 3.2: every segment now carries TSval and echoes TS.Recent.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 4000 });
    }
}
