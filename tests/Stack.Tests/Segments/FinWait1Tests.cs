using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>FIN-WAIT-1 (RFC 9293 section 3.10.7.4): our FIN sent, not yet acknowledged.</summary>
public class FinWait1Tests
{
    [Fact]
    public void Fin_wait_1_ack_of_our_fin_moves_to_fin_wait_2()
    {
        var h = new SegmentHarness().FinWait2();
        h.ExpectNothing();
    }

    [Fact]
    public void Fin_wait_1_fin_without_ack_of_ours_moves_to_closing()
    {
        var h = new SegmentHarness().Closing();
        h.ExpectNothing();
    }

    [Fact]
    public void Fin_wait_1_fin_acknowledging_our_fin_moves_straight_to_time_wait()
    {
        var h = new SegmentHarness().FinWait1();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        // Eighth check: "FIN-WAIT-1: If our FIN has been ACKed ..., then enter TIME-WAIT, start the time-wait timer".
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.TimeWait);
    }

    [Fact]
    public void Fin_wait_1_data_is_still_received()
    {
        var h = new SegmentHarness().FinWait1();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        // Seventh check: FIN-WAIT-1 and FIN-WAIT-2 still take segment text.
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(Bytes(10), h.Read());
        h.AssertState(SocketState.FinWait1);
    }

    [Fact]
    public void Fin_wait_1_fin_is_retransmitted_after_the_rto_and_backed_off()
    {
        var h = new SegmentHarness().FinWait1();
        // The handshake's round trip set the RTO to its 200 ms floor (RFC 6298 section 2.4, TcpMinimumRtoMs).
        h.Advance(199);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 1));
        h.Advance(399);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 1));
    }

    [Fact]
    public void Fin_wait_1_fin_rides_on_the_last_data_segment()
    {
        var h = new SegmentHarness().Established();
        Assert.Equal(SocketResult.Success, h.Stack.SendSome(h.Socket, Bytes(5), 0, 5, out _));
        Assert.Equal(SocketResult.Success, h.Stack.Shutdown(h.Socket, ShutdownDirection.Send));
        h.ExpectSegment(new Seg(Fin | Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(5) });
        h.AssertState(SocketState.FinWait1);
    }

    [Fact]
    public void Fin_wait_1_ack_of_data_but_not_of_the_fin_stays()
    {
        var h = new SegmentHarness().Established();
        Assert.Equal(SocketResult.Success, h.Stack.SendSome(h.Socket, Bytes(5), 0, 5, out _));
        Assert.Equal(SocketResult.Success, h.Stack.Shutdown(h.Socket, ShutdownDirection.Send));
        h.ExpectSegment(new Seg(Fin | Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(5) });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 6));
        h.ExpectNothing();
        h.AssertState(SocketState.FinWait1);
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 7));
        h.AssertState(SocketState.FinWait2);
    }

    [Fact]
    public void Fin_wait_1_rst_closes_the_connection()
    {
        var h = new SegmentHarness().FinWait1();
        h.Send(new Seg(Rst, PeerIss + 1));
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Fin_wait_1_rst_in_window_not_at_rcv_nxt_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().FinWait1();
        h.Send(new Seg(Rst, PeerIss + 50));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 1));
        h.AssertState(SocketState.FinWait1);
    }

    [Fact]
    public void Fin_wait_1_syn_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().FinWait1();
        h.Send(new Seg(Syn, PeerIss + 1) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 1));
        h.AssertState(SocketState.FinWait1);
    }

    [Fact]
    public void Fin_wait_1_out_of_window_segment_is_acknowledged()
    {
        var h = new SegmentHarness().FinWait1();
        h.Send(new Seg(Ack, PeerIss + 1 + 20_000, h.Iss + 2) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 1));
        h.AssertState(SocketState.FinWait1);
    }

    [Fact]
    public void Fin_wait_1_data_for_a_closed_socket_is_answered_with_rst()
    {
        var h = new SegmentHarness().Established();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 1));
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        // RFC 1122 section 4.2.2.13 (half-duplex close, as Linux): nobody will read it, so the peer learns at once.
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 2, PeerIss + 1) { Window = 0 });
        Assert.Equal(0, h.Connections());
    }

    [Fact]
    public void Fin_wait_1_shutdown_still_lets_the_application_read()
    {
        var h = new SegmentHarness().FinWait1();
        Assert.Equal(SocketResult.Shutdown, h.Stack.SendSome(h.Socket, Bytes(3), 0, 3, out _));
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 2) { Data = Bytes(4) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 5) { Window = h.DefaultWindow - 4 });
        Assert.Equal(Bytes(4), h.Read());
        h.AssertState(SocketState.FinWait2);
    }
}
