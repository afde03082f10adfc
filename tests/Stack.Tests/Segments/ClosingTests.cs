using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>CLOSING (RFC 9293 section 3.10.7.4): the FINs crossed; ours waits for its ACK.</summary>
public class ClosingTests
{
    [Fact]
    public void Closing_ack_of_our_fin_moves_to_time_wait()
    {
        var h = new SegmentHarness().Closing();
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 2));
        // "CLOSING: In addition to the processing for the ESTABLISHED state, if the ACK acknowledges our FIN, then enter TIME-WAIT".
        h.ExpectNothing();
        h.AssertState(SocketState.TimeWait);
    }

    [Fact]
    public void Closing_ack_not_covering_our_fin_stays()
    {
        var h = new SegmentHarness().Closing();
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 1));
        h.ExpectNothing();
        h.AssertState(SocketState.Closing);
    }

    [Fact]
    public void Closing_fin_is_retransmitted_on_timeout()
    {
        var h = new SegmentHarness().Closing();
        h.Advance(200);
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
    }

    [Fact]
    public void Closing_retransmitted_peer_fin_is_acknowledged()
    {
        var h = new SegmentHarness().Closing();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.Closing);
    }

    [Fact]
    public void Closing_rst_closes_the_connection()
    {
        var h = new SegmentHarness().Closing();
        h.Send(new Seg(Rst, PeerIss + 2));
        h.ExpectNothing(); // "CLOSING, LAST-ACK, TIME-WAIT: If the RST bit is set, then enter the CLOSED state"
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Closing_syn_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().Closing();
        h.Send(new Seg(Syn, PeerIss + 2) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.Closing);
    }
}
