using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Zero windows both ways: our persist timer (RFC 9293 section 3.8.6.1) and the window we close and reopen.</summary>
public class ZeroWindowTests
{
    [Fact]
    public void Zero_window_holds_our_data_and_probes_after_the_rto_with_backoff()
    {
        var h = new SegmentHarness().Established(mss: 1460, ackWindow: 0);
        h.Write(Bytes(10));
        h.ExpectNothing();
        // The probe carries no data: SEG.SEQ = SND.UNA - 1 forces the peer to answer with its window (as Linux's
        // tcp_xmit_probe_skb). RFC 9293 section 3.8.6.1 only requires that the zero window be probed.
        var probe = new Seg(Ack, h.Iss, PeerIss + 1);
        h.Advance(199);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(probe);
        h.Advance(399);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(probe);
        h.Advance(800);
        h.ExpectSegment(probe);
    }

    [Fact]
    public void Zero_window_opening_sends_the_held_data()
    {
        var h = new SegmentHarness().Established(mss: 1460, ackWindow: 0);
        h.Write(Bytes(10));
        h.ExpectNothing();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Window = 4096 });
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Advance(150);
        h.ExpectNothing(); // no probe once the window is open
    }

    [Fact]
    public void Zero_window_probing_continues_while_the_peer_answers()
    {
        var h = new SegmentHarness(o => o.TcpMaximumRetransmissions = 2).Established(mss: 1460, ackWindow: 0);
        h.Write(Bytes(10));
        int wait = 200;
        for (int i = 0; i < 5; i++)
        {
            h.Advance(wait);
            h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 1));
            h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Window = 0 });
            h.ExpectNothing();
            wait *= 2;
        }

        // RFC 1122 section 4.2.2.17: the connection stays open as long as the probes are acknowledged.
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Window_shrinking_to_zero_while_data_is_sent_holds_the_rest()
    {
        var h = new SegmentHarness().Established(mss: 500);
        h.Write(Bytes(500));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(500) });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 501) { Window = 0 });
        h.Write(Bytes(100));
        h.ExpectNothing();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 501) { Window = 1000 });
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 501, PeerIss + 1) { Data = Bytes(100) });
    }

    [Fact]
    public void Our_full_buffer_advertises_a_zero_window()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(1024) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1025) { Window = 1024 });
        h.Send(new Seg(Ack, PeerIss + 1025, h.Iss + 1) { Data = Bytes(1024, 1024) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049) { Window = 0 });
    }

    [Fact]
    public void Our_zero_window_answers_a_one_byte_probe_without_taking_it()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(1024) });
        h.Send(new Seg(Ack, PeerIss + 1025, h.Iss + 1) { Data = Bytes(1024, 1024) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1025) { Window = 1024 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049) { Window = 0 });
        h.Send(new Seg(Ack, PeerIss + 2049, h.Iss + 1) { Data = [0x55] });
        // Section 3.10.7.4: "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be
        // made to accept valid ACKs" - and the probe is answered with the current (zero) window.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049) { Window = 0 });
        Assert.Equal(Bytes(2048), h.Read());
    }

    [Fact]
    public void Our_zero_window_answers_a_probe_below_rcv_nxt()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(1024) });
        h.Send(new Seg(Ack, PeerIss + 1025, h.Iss + 1) { Data = Bytes(1024, 1024) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1025) { Window = 1024 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049) { Window = 0 });
        h.Send(new Seg(Ack, PeerIss + 2048, h.Iss + 1));
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049) { Window = 0 });
    }

    [Fact]
    public void Our_window_reopens_with_an_update_once_the_application_reads()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = Bytes(1024) });
        h.Send(new Seg(Ack, PeerIss + 1025, h.Iss + 1) { Data = Bytes(1024, 1024) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1025) { Window = 1024 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049) { Window = 0 });
        Assert.Equal(Bytes(2048), h.Read());
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 2049));
    }
}
