using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Keep-alives (RFC 1122 section 4.2.3.6, RFC 9293 section 3.8.4): 10 s idle, 1 s apart, 3 probes here.</summary>
public class KeepaliveTests
{
    private static SegmentHarness KeptAlive()
    {
        var h = new SegmentHarness(o => { o.TcpKeepAliveIdleMs = 10_000; o.TcpKeepAliveIntervalMs = 1_000; o.TcpKeepAliveProbes = 3; }).Established();
        h.SetOption(SocketOption.KeepAlive, 1);
        return h;
    }

    [Fact]
    public void No_probes_unless_the_application_asks()
    {
        var h = new SegmentHarness(o => o.TcpKeepAliveIdleMs = 10_000).Established();
        h.Advance(60_000);
        h.ExpectNothing(); // "Keep-alive packets MUST only be sent when ... turned on"; default off
    }

    [Fact]
    public void Probe_after_the_idle_time_repeats_our_last_sequence_number()
    {
        var h = KeptAlive();
        h.Advance(9_999);
        h.ExpectNothing();
        h.Advance(1);
        // RFC 1122 section 4.2.3.6: SEG.SEQ = SND.NXT - 1, no data, so the peer must answer with an ACK.
        h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 1));
    }

    [Fact]
    public void Answered_probe_starts_a_new_idle_period()
    {
        var h = KeptAlive();
        h.Advance(10_000);
        h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 1));
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1));
        h.ExpectNothing();
        h.Advance(9_999);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 1));
    }

    [Fact]
    public void Unanswered_probes_end_the_connection_with_a_reset()
    {
        var h = KeptAlive();
        h.Advance(10_000);
        h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 1));
        h.Advance(1_000);
        h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 1));
        h.Advance(1_000);
        h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 1));
        h.Advance(1_000);
        h.ExpectSegment(new Seg(Rst | Ack, h.Iss + 1, PeerIss + 1) { Window = 0 });
        h.AssertState(SocketState.Closed);
        Assert.Equal(SocketResult.TimedOut, h.ReadResult(out _));
    }

    [Fact]
    public void Traffic_from_the_peer_postpones_the_probe()
    {
        var h = KeptAlive();
        h.Advance(5_000);
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(4) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 5) { Window = h.DefaultWindow - 4 });
        h.Advance(9_999);
        h.ExpectNothing();
        h.Advance(1);
        h.ExpectSegment(new Seg(Ack, h.Iss, PeerIss + 5) { Window = h.DefaultWindow - 4 });
    }

    [Fact]
    public void Probe_after_data_uses_the_sequence_number_below_snd_nxt()
    {
        var h = KeptAlive();
        h.Write(Bytes(10));
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 1, PeerIss + 1) { Data = Bytes(10) });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 11));
        h.Advance(10_000);
        h.ExpectSegment(new Seg(Ack, h.Iss + 10, PeerIss + 1));
    }
}
