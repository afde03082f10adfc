using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>FIN-WAIT-2 (RFC 9293 section 3.10.7.4): our FIN acknowledged, waiting for the peer's.</summary>
public class FinWait2Tests
{
    [Fact]
    public void Fin_wait_2_fin_is_acknowledged_and_moves_to_time_wait()
    {
        var h = new SegmentHarness().TimeWait();
        h.ExpectNothing();
    }

    [Fact]
    public void Fin_wait_2_data_is_received_and_acknowledged()
    {
        var h = new SegmentHarness().FinWait2();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 2) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(Bytes(10), h.Read());
    }

    [Fact]
    public void Fin_wait_2_fin_with_data_delivers_both()
    {
        var h = new SegmentHarness().FinWait2();
        h.Send(new Seg(Fin | Ack | Psh, PeerIss + 1, h.Iss + 2) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 12) { Window = h.DefaultWindow - 11 });
        h.AssertState(SocketState.TimeWait);
        Assert.Equal(Bytes(10), h.Read());
        Assert.Equal(SocketResult.Success, h.ReadResult(out int count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void Fin_wait_2_sends_nothing_while_waiting()
    {
        var h = new SegmentHarness().FinWait2();
        h.Advance(30_000);
        h.ExpectNothing(); // nothing of ours is unacknowledged: no timer runs
        h.AssertState(SocketState.FinWait2);
    }

    [Fact]
    public void Fin_wait_2_rst_closes_the_connection()
    {
        var h = new SegmentHarness().FinWait2();
        h.Send(new Seg(Rst, PeerIss + 1));
        h.ExpectNothing();
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.ConnectionReset, h.ReadResult(out _));
    }

    [Fact]
    public void Fin_wait_2_syn_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().FinWait2();
        h.Send(new Seg(Syn, PeerIss + 1) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 1));
        h.AssertState(SocketState.FinWait2);
    }

    [Fact]
    public void Fin_wait_2_old_duplicate_is_acknowledged()
    {
        var h = new SegmentHarness().FinWait2();
        h.Send(new Seg(Ack | Psh, PeerIss - 9, h.Iss + 2) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 2, PeerIss + 1));
        h.AssertState(SocketState.FinWait2);
    }

    [Fact]
    public void Fin_wait_2_of_a_closed_socket_ends_after_the_fin_wait_2_timeout()
    {
        var h = new SegmentHarness(o => o.TcpFinWait2TimeoutMs = 5_000).FinWait2();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        h.ExpectNothing();
        // As Linux's tcp_fin_timeout: an orphaned FIN-WAIT-2 must not wait forever for a FIN that may never come.
        h.Advance(5_000);
        h.ExpectNothing();
        Assert.Equal(0, h.Connections());
        h.Send(new Seg(Fin | Ack, PeerIss + 1, h.Iss + 2));
        h.ExpectSegment(new Seg(Rst, h.Iss + 2) { Window = 0 });
    }

    [Fact]
    public void Fin_wait_2_of_a_closed_socket_answers_data_with_rst()
    {
        var h = new SegmentHarness().FinWait2();
        Assert.Equal(SocketResult.Success, h.Stack.Close(h.Socket));
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 2) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 2, PeerIss + 1) { Window = 0 });
        Assert.Equal(0, h.Connections());
    }
}
