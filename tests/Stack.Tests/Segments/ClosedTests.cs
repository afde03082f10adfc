using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>CLOSED: no connection (RFC 9293 section 3.10.7.1), and connections that reached CLOSED.</summary>
public class ClosedTests
{
    [Fact]
    public void Closed_port_answers_a_syn_with_rst_ack()
    {
        var h = new SegmentHarness();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>".
        h.ExpectSegment(new Seg(Rst | Ack, 0, PeerIss + 1) { Window = 0 });
    }

    [Fact]
    public void Closed_port_answers_an_ack_with_rst_from_its_ack_number()
    {
        var h = new SegmentHarness();
        h.Send(new Seg(Ack, 500, 123456));
        // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>".
        h.ExpectSegment(new Seg(Rst, 123456) { Window = 0 });
    }

    [Fact]
    public void Closed_port_answers_data_without_ack_counting_its_length()
    {
        var h = new SegmentHarness();
        h.Send(new Seg(Psh, 500) { Data = Bytes(30) });
        h.ExpectSegment(new Seg(Rst | Ack, 0, 530) { Window = 0 });
    }

    [Fact]
    public void Closed_port_answers_syn_fin_counting_both_flags()
    {
        var h = new SegmentHarness();
        h.Send(new Seg(Syn | Fin, 500));
        h.ExpectSegment(new Seg(Rst | Ack, 0, 502) { Window = 0 });
    }

    [Fact]
    public void Closed_port_answers_data_with_ack_from_its_ack_number()
    {
        var h = new SegmentHarness();
        h.Send(new Seg(Fin | Ack | Psh, 500, 9) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Rst, 9) { Window = 0 });
    }

    [Fact]
    public void Closed_port_never_answers_a_rst()
    {
        var h = new SegmentHarness();
        h.Send(new Seg(Rst, 500));
        h.Send(new Seg(Rst | Ack, 500, 42));
        h.ExpectNothing(); // "An incoming segment containing a RST is discarded."
    }

    [Fact]
    public void Closed_connection_after_last_ack_answers_a_late_segment_with_rst()
    {
        var h = new SegmentHarness().LastAck();
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 2));
        h.AssertState(SocketState.Closed);
        h.Send(new Seg(Ack | Psh, PeerIss + 2, h.Iss + 2) { Data = Bytes(5) });
        h.ExpectSegment(new Seg(Rst, h.Iss + 2) { Window = 0 });
    }

    [Fact]
    public void Closed_connection_reports_the_reset_to_its_owner_once()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Rst, PeerIss + 1));
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.ConnectionReset, h.ReadResult(out _));
        Assert.Equal(SocketResult.Success, h.ReadResult(out int count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Closed_socket_sends_nothing_however_long_we_wait()
    {
        var h = new SegmentHarness().LastAck();
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 2));
        h.Advance(200_000);
        h.ExpectNothing();
    }

    [Fact]
    public void Closed_active_socket_port_answers_syn_ack_with_rst()
    {
        var h = new SegmentHarness().SynSent();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        h.ExpectNothing(); // CLOSE in SYN-SENT: delete the TCB, nothing to send (section 3.10.4)
        h.Send(new Seg(Syn | Ack, PeerIss, h.Iss + 1) { Mss = 1460 });
        h.ExpectSegment(new Seg(Rst, h.Iss + 1) { Window = 0 });
    }
}
