using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>CLOSE-WAIT (RFC 9293 section 3.10.7.4): the peer's FIN received, ours not yet sent.</summary>
public class CloseWaitTests
{
    [Fact]
    public void Close_wait_we_can_still_send_data()
    {
        var h = new SegmentHarness().CloseWait();
        h.Write(Bytes(20));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 2) { Data = Bytes(20), Window = h.WindowAfterFin });
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 21));
        h.ExpectNothing();
        h.AssertState(SocketState.CloseWait);
    }

    [Fact]
    public void Close_wait_data_after_the_fin_is_ignored()
    {
        var h = new SegmentHarness().CloseWait();
        h.Send(new Seg(Ack | Psh, PeerIss + 2, h.Iss + 1) { Data = Bytes(10) });
        // Seventh check: "CLOSE-WAIT ... This should not occur since a FIN has been received from the remote side. Ignore the segment text."
        h.ExpectNothing();
        Assert.Empty(h.Read());
        Assert.Equal(SocketResult.Success, h.ReadResult(out int count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Close_wait_retransmitted_fin_is_acknowledged()
    {
        var h = new SegmentHarness().CloseWait();
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.CloseWait);
    }

    [Fact]
    public void Close_wait_rst_closes_the_connection()
    {
        var h = new SegmentHarness().CloseWait();
        h.Send(new Seg(Rst, PeerIss + 2));
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.ConnectionReset, h.ReadResult(out _));
    }

    [Fact]
    public void Close_wait_syn_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().CloseWait();
        h.Send(new Seg(Syn, PeerIss + 2) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
        h.AssertState(SocketState.CloseWait);
    }

    [Fact]
    public void Close_wait_ack_of_our_data_is_processed()
    {
        var h = new SegmentHarness().CloseWait();
        h.Write(Bytes(20));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 2) { Data = Bytes(20), Window = h.WindowAfterFin });
        h.Advance(200); // unacknowledged: retransmitted
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 2) { Data = Bytes(20), Window = h.WindowAfterFin });
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 21));
        h.Advance(5_000);
        h.ExpectNothing();
    }

    [Fact]
    public void Close_wait_close_sends_fin_and_moves_to_last_ack()
    {
        var h = new SegmentHarness().CloseWait();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        // Section 3.10.4, CLOSE-WAIT: "Queue this request until all preceding SENDs have been segmentized; then send a FIN segment, enter LAST-ACK".
        h.ExpectSegment(new Seg(Fin | Ack, h.Iss + 1, PeerIss + 2) { Window = h.WindowAfterFin });
        h.Send(new Seg(Ack, PeerIss + 2, h.Iss + 2));
        Assert.Equal(0, h.Connections());
    }

    [Fact]
    public void Close_wait_fin_follows_queued_data()
    {
        var h = new SegmentHarness().CloseWait();
        Assert.Equal(SocketResult.Success, h.Stack.SendSome(h.Socket, Bytes(8), 0, 8, out _));
        Assert.Equal(SocketResult.Success, h.Stack.Shutdown(h.Socket, ShutdownDirection.Send));
        h.ExpectSegment(new Seg(Fin | Ack | Psh, h.Iss + 1, PeerIss + 2) { Data = Bytes(8), Window = h.WindowAfterFin });
        h.AssertState(SocketState.LastAck);
    }
}
