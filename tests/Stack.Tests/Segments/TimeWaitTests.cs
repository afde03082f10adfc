using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>
/// TIME-WAIT (RFC 9293 section 3.10.7.4), both as a socket the application still holds and as an entry of the
/// TIME-WAIT table that a closed socket leaves behind (its slot freed).
/// </summary>
public class TimeWaitTests
{
    private const int TwoMsl = 60_000; // NetStackOptions.TcpTimeWaitMs

    /// <summary>TIME-WAIT of a socket closed by the application: the connection lives on as a table entry.</summary>
    private static SegmentHarness OrphanedTimeWait()
    {
        var h = new SegmentHarness().FinWait2();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        Assert.Equal(0, h.Connections());
        return h;
    }

    [Fact]
    public void Time_wait_retransmitted_fin_is_acknowledged()
    {
        var h = new SegmentHarness().TimeWait();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        // "The only thing that can arrive in this state is a retransmission of the remote FIN. Acknowledge it".
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.TimeWait);
    }

    [Fact]
    public void Time_wait_ends_after_two_msl()
    {
        var h = new SegmentHarness().TimeWait();
        h.Advance(TwoMsl - 1);
        h.AssertState(SocketState.TimeWait);
        h.Advance(1);
        h.AssertState(SocketState.Closed); // "When the time-wait timeout expires, delete the TCB, enter CLOSED"
        h.ExpectNothing();
    }

    [Fact]
    public void Time_wait_retransmitted_fin_restarts_the_two_msl_timer()
    {
        var h = new SegmentHarness().TimeWait();
        h.Advance(TwoMsl / 2);
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        // "... Acknowledge it, and restart the 2 MSL timeout."
        h.Advance(TwoMsl - 1);
        h.AssertState(SocketState.TimeWait);
        h.Advance(1);
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Time_wait_rst_is_ignored()
    {
        var h = new SegmentHarness().TimeWait();
        h.Send(new Seg(Rst, PeerIss + 2));
        h.Send(new Seg(Rst | Ack, PeerIss + 2, h.Iss + 2));
        // RFC 1337 (TIME-WAIT assassination, option F1 as Linux's tcp_rfc1337): a reset must not cut TIME-WAIT short.
        h.ExpectNothing();
        h.AssertState(SocketState.TimeWait);
    }

    [Fact]
    public void Time_wait_syn_gets_an_ack()
    {
        var h = new SegmentHarness().TimeWait();
        h.Send(new Seg(Syn, PeerIss + 2) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin }); // RFC 5961 section 4.2
        h.AssertState(SocketState.TimeWait);
    }

    [Fact]
    public void Time_wait_data_after_the_fin_is_ignored()
    {
        var h = new SegmentHarness().TimeWait();
        h.Send(new Seg(Ack | Psh, PeerIss + 2, h.Iss + 2) { Data = Bytes(10) });
        // Seventh check: "CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: ... a FIN has been received ... Ignore the segment text."
        h.ExpectNothing();
        h.AssertState(SocketState.TimeWait);
    }

    [Fact]
    public void Time_wait_out_of_window_segment_is_answered_with_an_ack()
    {
        var h = new SegmentHarness().TimeWait();
        h.Send(new Seg(Ack | Psh, PeerIss + 100_000, h.Iss + 2) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.TimeWait);
    }

    [Fact]
    public void Time_wait_closing_the_socket_keeps_the_connection_in_the_table()
    {
        var h = new SegmentHarness().TimeWait();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        Assert.Equal(0, h.Connections());
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = 0 });
    }

    // ---- the TIME-WAIT table ----

    [Fact]
    public void Time_wait_entry_acknowledges_a_retransmitted_fin()
    {
        var h = OrphanedTimeWait();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        // The entry keeps the 4-tuple and sequence numbers only (section 3.6): its ACK advertises no window.
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = 0 });
    }

    [Fact]
    public void Time_wait_entry_retransmitted_fin_restarts_the_two_msl_timer()
    {
        var h = OrphanedTimeWait();
        h.Advance(TwoMsl / 2);
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = 0 });
        h.Advance(TwoMsl - 1);
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = 0 });
    }

    [Fact]
    public void Time_wait_entry_expires_after_two_msl()
    {
        var h = OrphanedTimeWait();
        h.Advance(TwoMsl);
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        // Gone: the listener on the port answers an ACK-bearing segment with <SEQ=SEG.ACK><CTL=RST>.
        h.ExpectSegment(new Seg(Rst, h.Iss + 2) { Window = 0 });
    }

    [Fact]
    public void Time_wait_entry_ignores_rst()
    {
        var h = OrphanedTimeWait();
        h.Send(new Seg(Rst, PeerIss + 2));
        h.ExpectNothing(); // RFC 1337
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = 0 });
    }

    [Fact]
    public void Time_wait_entry_does_not_answer_an_acceptable_bare_ack()
    {
        var h = OrphanedTimeWait();
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 2));
        h.ExpectNothing(); // or two TIME-WAITs would acknowledge each other for ever
    }

    [Fact]
    public void Time_wait_entry_answers_an_old_syn_with_an_ack()
    {
        var h = OrphanedTimeWait();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 2) { Window = 0 });
    }

    [Fact]
    public void Time_wait_entry_new_syn_with_higher_sequence_opens_a_new_connection()
    {
        var h = OrphanedTimeWait();
        h.Send(new Seg(Syn, PeerIss + 100_000) { Mss = 1460 });
        // RFC 1122 section 4.2.2.13 / RFC 6191: a SYN above RCV.NXT may reopen the 4-tuple from TIME-WAIT.
        var synAck = h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 100_001) { Mss = 1460 });
        h.Send(new Seg(Ack, PeerIss + 100_001, synAck.Seq + 1));
        Assert.Equal(SocketResult.Success, h.Stack.Accept(h.Listener, out int socket));
        Assert.Equal(SocketState.Established, h.State(socket));
    }
}
