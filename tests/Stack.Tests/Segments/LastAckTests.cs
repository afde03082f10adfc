using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>LAST-ACK (RFC 9293 section 3.10.7.4): both FINs sent, ours waiting for its ACK.</summary>
public class LastAckTests
{
    [Fact]
    public void Last_ack_ack_of_our_fin_closes()
    {
        var h = new SegmentHarness().LastAck();
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 2));
        // "LAST-ACK: The only thing that can arrive in this state is an acknowledgment of our FIN. If our FIN is now acknowledged, delete the TCB, enter CLOSED".
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Last_ack_ack_not_covering_our_fin_stays()
    {
        var h = new SegmentHarness().LastAck();
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 1));
        h.ExpectNothing();
        h.AssertState(SocketState.LastAck);
    }

    [Fact]
    public void Last_ack_fin_is_retransmitted_on_timeout()
    {
        var h = new SegmentHarness().LastAck();
        h.Advance(200);
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
        h.Advance(400);
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
    }

    [Fact]
    public void Last_ack_retransmitted_peer_fin_is_acknowledged()
    {
        var h = new SegmentHarness().LastAck();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.LastAck);
    }

    [Fact]
    public void Last_ack_rst_closes()
    {
        var h = new SegmentHarness().LastAck();
        h.Send(new Seg(Rst, PeerIss + 2));
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Last_ack_syn_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().LastAck();
        h.Send(new Seg(Syn, PeerIss + 2) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.LastAck);
    }

    [Fact]
    public void Last_ack_of_a_closed_socket_frees_its_slot_on_the_ack()
    {
        var h = new SegmentHarness().LastAck();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        Assert.Equal(1, h.Connections());
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 2));
        Assert.Equal(0, h.Connections());
    }

    [Fact]
    public void Last_ack_gives_up_after_the_retransmission_limit_with_a_reset()
    {
        var h = new SegmentHarness(o => { o.TcpMaximumRetransmissions = 2; o.TcpUserTimeoutMs = 0; }).LastAck();
        h.Advance(200);
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
        h.Advance(400);
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
        h.Advance(800);
        // RFC 9293 section 3.8.3 (R2): give up, and tell the peer with a reset.
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 2, PeerIss + 2) { Window = 0 });
        h.AssertState(SocketState.Closed);
    }
}
