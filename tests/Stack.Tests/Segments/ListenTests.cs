using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>LISTEN (RFC 9293 section 3.10.7.2).</summary>
public class ListenTests
{
    [Fact]
    public void Listen_syn_is_answered_with_syn_ack_offering_our_mss()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        // LISTEN -> SYN-RECEIVED: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ + 1.
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460 });
        h.ExpectNothing();
    }

    [Fact]
    public void Listen_rst_is_ignored()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Rst, 1234));
        h.Send(new Seg(Rst | Ack, 1234, 999));
        h.ExpectNothing(); // "An incoming RST should be ignored."
        Assert.Equal(SocketState.Listen, h.State(h.Listener));
    }

    [Fact]
    public void Listen_ack_is_answered_with_rst_from_the_ack_number()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Ack, 5000, 77777));
        // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state": <SEQ=SEG.ACK><CTL=RST>.
        h.ExpectSegment(new Seg(Rst, 77777) { Window = 0 });
        Assert.Equal(SocketState.Listen, h.State(h.Listener));
    }

    [Fact]
    public void Listen_data_with_ack_is_answered_with_rst()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Ack | Psh, 5000, 4242) { Data = Bytes(20) });
        h.ExpectSegment(new Seg(Rst, 4242) { Window = 0 });
    }

    [Fact]
    public void Listen_segment_without_syn_rst_or_ack_is_dropped()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Fin, 5000));
        h.Send(new Seg(Psh, 5000) { Data = Bytes(10) });
        h.Send(new Seg(None, 5000));
        // Section 3.10.7.2, fourth: "Any other control or text-bearing segment (not containing SYN) must have an ACK
        // and thus would have been discarded by the ACK processing"; drop it and return.
        h.ExpectNothing();
        Assert.Equal(SocketState.Listen, h.State(h.Listener));
    }

    [Fact]
    public void Listen_syn_without_mss_option_gets_our_mss_in_the_syn_ack()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Syn, PeerIss));
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460 });
    }

    [Fact]
    public void Listen_syn_offering_every_option_gets_each_one_back_when_enabled()
    {
        var h = new SegmentHarness(o => { o.TcpTimestamps = true; o.TcpWindowScaling = true; o.TcpSelectiveAcknowledgments = true; }).Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460, WindowScale = 7, SackPermitted = true, TsVal = 555 });
        // RFC 7323 sections 2.2 and 3.2, RFC 2018 section 2: each offered option is answered in the SYN-ACK.
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460, WindowScale = 0, SackPermitted = true, TsVal = (uint)h.Now, TsEcr = 555 });
    }

    [Fact]
    public void Listen_syn_offering_no_option_gets_none_back_even_when_enabled()
    {
        var h = new SegmentHarness(o => { o.TcpTimestamps = true; o.TcpWindowScaling = true; o.TcpSelectiveAcknowledgments = true; }).Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        // RFC 7323 sections 1.3 and 3.2: window scaling and timestamps only when both sides offer them.
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460 });
    }

    [Fact]
    public void Listen_syn_offering_options_that_are_disabled_gets_none_back()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460, WindowScale = 7, SackPermitted = true, TsVal = 555 });
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460 });
    }

    [Fact]
    public void Listen_stays_listening_after_a_connection_is_established()
    {
        var h = new SegmentHarness().Established();
        Assert.Equal(SocketState.Listen, h.State(h.Listener));
        h.Send(new Seg(Syn, 90_000) { SourcePort = PeerPort + 1, Mss = 1460 });
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, 90_001) { Mss = 1460, DestinationPort = PeerPort + 1 });
    }

    [Fact]
    public void Listen_syns_from_different_ports_get_different_initial_sequence_numbers()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        var first = h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460 });
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460, SourcePort = PeerPort + 1 });
        var second = h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460, DestinationPort = PeerPort + 1 });
        // RFC 6528 / RFC 9293 section 3.4.1: the ISN is keyed on the 4-tuple.
        Assert.NotEqual(first.Seq, second.Seq);
    }

    [Fact]
    public void Listen_with_a_full_backlog_drops_the_syn()
    {
        var h = new SegmentHarness().Listen(backlog: 1);
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        var synAck = h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460 });
        h.Send(new Seg(Ack, PeerIss + 1, synAck.Seq + 1));
        h.ExpectNothing();
        // Not accepted yet: the backlog is full. Like Linux (tcp_abort_on_overflow 0), the SYN is dropped and the
        // client's retransmission finds room later; a RST would turn a burst of clients into refusals.
        h.Send(new Seg(Syn, 90_000) { SourcePort = PeerPort + 1, Mss = 1460 });
        h.ExpectNothing();
    }

    [Fact]
    public void Listen_closed_listener_answers_a_syn_with_rst()
    {
        var h = new SegmentHarness().Listen();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Listener));
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        // Section 3.10.7.1: no connection: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
        h.ExpectSegment(new Seg(Rst | Ack, 0, PeerIss + 1) { Window = 0 });
    }

    [Fact]
    public void Listen_closing_the_listener_drops_its_half_open_connections()
    {
        var h = new SegmentHarness().SynReceived();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Listener));
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Rst, h.Iss + 1) { Window = 0 });
    }

    [Fact]
    public void Listen_syn_ack_is_answered_with_rst_from_its_ack_number()
    {
        var h = new SegmentHarness().Listen();
        h.Send(new Seg(Syn | Ack, 5000, 31337) { Mss = 1460 });
        // Second check (ACK) comes before the SYN: <SEQ=SEG.ACK><CTL=RST>.
        h.ExpectSegment(new Seg(Rst, 31337) { Window = 0 });
        Assert.Equal(SocketState.Listen, h.State(h.Listener));
    }
}
