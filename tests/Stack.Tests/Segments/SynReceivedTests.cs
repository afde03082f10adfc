using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>SYN-RECEIVED, passive (a half-open entry of the listener) and by simultaneous open (RFC 9293 section 3.10.7.4).</summary>
public class SynReceivedTests
{
    [Fact]
    public void Syn_received_ack_of_our_syn_establishes_the_connection()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectNothing(); // "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state and continue processing"
        Assert.Equal(SocketResult.Success, h.Stack.Accept(h.Listener, out int socket));
        Assert.Equal(SocketState.Established, h.State(socket));
    }

    [Fact]
    public void Syn_received_nothing_to_accept_before_the_handshake_completes()
    {
        var h = new SegmentHarness().SynReceived();
        Assert.Equal(SocketResult.WouldBlock, h.Stack.Accept(h.Listener, out _));
    }

    [Fact]
    public void Syn_received_ack_carrying_data_establishes_and_delivers_it()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(5) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 6) { Window = h.DefaultWindow - 5 });
        Assert.Equal(SocketResult.Success, h.Stack.Accept(h.Listener, out int socket));
        var buffer = new byte[16];
        Assert.Equal(SocketResult.Success, h.Stack.Receive(socket, buffer, 0, buffer.Length, out int n));
        Assert.Equal(Bytes(5), buffer[..n]);
    }

    [Fact]
    public void Syn_received_unacceptable_ack_gets_rst_and_the_handshake_can_still_complete()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 5));
        // "If the segment acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST> and send it."
        h.ExpectSegment(new Seg(Rst, h.Iss + 5) { Window = 0 });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectNothing();
        Assert.Equal(SocketResult.Success, h.Stack.Accept(h.Listener, out _));
    }

    [Fact]
    public void Syn_received_ack_of_iss_itself_gets_rst()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss));
        h.ExpectSegment(new Seg(Rst, h.Iss) { Window = 0 });
    }

    [Fact]
    public void Syn_received_rst_returns_a_passive_connection_to_listen()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Rst, PeerIss + 1));
        // "If this connection was initiated with a passive OPEN, then return this connection to the LISTEN state."
        h.ExpectNothing();
        Assert.Equal(SocketState.Listen, h.State(h.Listener));
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1)); // the half-open entry is gone: the listener resets the late ACK
        h.ExpectSegment(new Seg(Rst, h.Iss + 1) { Window = 0 });
        Assert.Equal(SocketResult.WouldBlock, h.Stack.Accept(h.Listener, out _));
    }

    [Fact]
    public void Syn_received_a_new_syn_after_rst_starts_a_new_handshake()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Rst, PeerIss + 1));
        h.Send(new Seg(Syn, PeerIss + 50_000) { Mss = 1460 });
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 50_001) { Mss = 1460 });
    }

    [Fact]
    public void Syn_received_retransmitted_syn_gets_the_same_syn_ack()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(PeerSyn);
        // The peer lost our SYN-ACK; as Linux does, answer its retransmitted SYN with the same SYN-ACK.
        h.ExpectSegment(new Seg(Syn | Ack, h.Iss, PeerIss + 1) { Mss = 1460 });
    }

    [Fact]
    public void Syn_received_syn_ack_is_retransmitted_with_backoff()
    {
        var h = new SegmentHarness().SynReceived();
        // RFC 6298 section 2.1: one second before any round-trip sample, then doubled (section 5.5).
        h.Advance(999);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Syn | Ack, h.Iss, PeerIss + 1) { Mss = 1460 });
        h.Advance(1999);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Syn | Ack, h.Iss, PeerIss + 1) { Mss = 1460 });
    }

    [Fact]
    public void Syn_received_half_open_entry_is_dropped_after_the_syn_retries()
    {
        var h = new SegmentHarness(o => o.TcpSynRetries = 2).SynReceived();
        h.Advance(1000);
        h.ExpectSegment(new Seg(Syn | Ack, h.Iss, PeerIss + 1) { Mss = 1460 });
        h.Advance(2000);
        h.ExpectSegment(new Seg(Syn | Ack, h.Iss, PeerIss + 1) { Mss = 1460 });
        h.Advance(4000);
        h.ExpectNothing();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Rst, h.Iss + 1) { Window = 0 });
    }

    [Fact]
    public void Syn_received_fin_with_the_handshake_ack_goes_to_close_wait()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 1));
        // Eighth check: "SYN-RECEIVED, ESTABLISHED: enter the CLOSE-WAIT state", the FIN acknowledged at once.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
        Assert.Equal(SocketResult.Success, h.Stack.Accept(h.Listener, out int socket));
        Assert.Equal(SocketState.CloseWait, h.State(socket));
    }

    [Fact]
    public void Syn_received_segment_without_ack_is_dropped()
    {
        var h = new SegmentHarness().SynReceived();
        h.Send(new Seg(Psh, PeerIss + 1) { Data = Bytes(10) });
        h.ExpectNothing(); // fifth check: "if the ACK bit is off, drop the segment and return"
        Assert.Equal(SocketResult.WouldBlock, h.Stack.Accept(h.Listener, out _));
    }

    // ---- SYN-RECEIVED by simultaneous open (RFC 9293 figure 8) ----

    [Fact]
    public void Syn_received_simultaneous_syn_ack_establishes()
    {
        var h = new SegmentHarness().SimultaneousSynReceived();
        h.Send(new Seg(Syn | Ack, PeerIss, h.Iss + 1) { Mss = 1460 });
        h.ExpectNothing(); // figure 8, line 6: both sides ESTABLISHED, no further segment
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Syn_received_simultaneous_ack_establishes()
    {
        var h = new SegmentHarness().SimultaneousSynReceived();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectNothing();
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Syn_received_simultaneous_rst_refuses_the_active_open()
    {
        var h = new SegmentHarness().SimultaneousSynReceived();
        h.Send(new Seg(Rst, PeerIss + 1));
        // "If this connection was initiated with an active OPEN, then the connection was refused; signal the user".
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.ConnectionRefused, h.ReadResult(out _));
    }

    [Fact]
    public void Syn_received_simultaneous_unacceptable_ack_gets_rst()
    {
        var h = new SegmentHarness().SimultaneousSynReceived();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 7));
        h.ExpectSegment(new Seg(Rst, h.Iss + 7) { Window = 0 });
        h.AssertState(SocketState.SynReceived);
    }

    [Fact]
    public void Syn_received_simultaneous_syn_ack_is_retransmitted_on_timeout()
    {
        var h = new SegmentHarness().SimultaneousSynReceived();
        h.Advance(1000); // the SYN's timer, one second from the SYN
        h.ExpectSegment(new Seg(Syn | Ack, h.Iss, PeerIss + 1) { Mss = 1460 });
    }

    [Fact]
    public void Syn_received_simultaneous_close_sends_fin_once_established()
    {
        var h = new SegmentHarness().SimultaneousSynReceived();
        Assert.Equal(SocketResult.Success, h.Stack.Shutdown(h.Socket, ShutdownDirection.Send));
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 1));
        h.AssertState(SocketState.FinWait1);
    }
}
