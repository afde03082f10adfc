using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>RFC 5961 defences against blind in-window attacks.</summary>
public class Rfc5961Tests
{
    [Fact]
    public void In_window_reset_gets_a_challenge_ack_and_the_real_reset_then_closes()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Rst, PeerIss + 500));
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1)); // section 3.2
        h.Send(new Seg(Rst, PeerIss + 1)); // a peer that really reset answers with SEG.SEQ = the challenge's ACK
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Syn_gets_a_challenge_ack_and_the_peer_reset_closes()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Syn, PeerIss + 300) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1)); // section 4.2: a restarted peer answers with RST
        h.AssertState(SocketState.Established);
        h.Send(new Seg(Rst, PeerIss + 1));
        h.AssertState(SocketState.Closed);
    }

    [Fact]
    public void Syn_ack_in_a_synchronized_state_gets_a_challenge_ack()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Syn | Ack, PeerIss + 1, h.Iss + 1) { Mss = 1460 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Challenge_acks_are_limited_per_second()
    {
        var h = new SegmentHarness(o => o.TcpChallengeAcksPerSecond = 2).Established();
        h.Send(new Seg(Rst, PeerIss + 100));
        h.Send(new Seg(Rst, PeerIss + 200));
        h.ExpectSegments(new Seg(Ack, h.Iss + 1, PeerIss + 1), new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.Send(new Seg(Rst, PeerIss + 300));
        h.Send(new Seg(Syn, PeerIss + 400));
        h.ExpectNothing(); // section 7: at most so many challenge ACKs in a second
        h.Advance(1000);
        h.Send(new Seg(Rst, PeerIss + 500));
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
    }

    [Fact]
    public void Reset_outside_the_window_is_not_challenged()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Rst, PeerIss + 1 + 4096));
        h.ExpectNothing(); // section 3.2, 1): outside the window, silently dropped
        h.AssertState(SocketState.Established);
    }

    [Fact]
    public void Data_with_an_ack_too_old_is_dropped_with_an_ack()
    {
        var h = new SegmentHarness().Established();
        h.Write(Bytes(100));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) });
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1 - 9000) { Data = Bytes(10) });
        // Section 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.NXT]; others get an ACK and are dropped.
        h.ExpectSegment(new Seg(Ack, h.Iss + 101, PeerIss + 1));
        Assert.Empty(h.Read());
    }

    [Fact]
    public void Data_with_an_ack_just_inside_max_snd_wnd_is_taken()
    {
        var h = new SegmentHarness().Established();
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1 - PeerWindow) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = h.DefaultWindow - 10 });
        Assert.Equal(Bytes(10), h.Read());
    }
}
