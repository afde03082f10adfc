using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Window scaling (RFC 7323 section 2).</summary>
public class WindowScalingTests
{
    /// <summary>A 128 KiB receive buffer: our shift is 2 (131,072 >> 2 fits 16 bits).</summary>
    private static SegmentHarness Big() => new(o => { o.TcpWindowScaling = true; o.ReceiveBufferSize = 131_072; });

    [Fact]
    public void Syn_ack_offers_our_shift_when_the_peer_offers_one()
    {
        var h = Big().Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460, WindowScale = 3 });
        // Section 2.2: the window in a SYN or SYN-ACK is never scaled: 65,535 at most.
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460, WindowScale = 2, Window = 65_535 });
    }

    [Fact]
    public void No_shift_is_offered_to_a_peer_that_offers_none()
    {
        var h = Big().Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460 });
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460, Window = 65_535 });
    }

    [Fact]
    public void Our_window_is_scaled_once_established()
    {
        var h = Big().Established(mss: 1460, windowScale: 3);
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        // Section 2.3: the field carries the window shifted right by our shift: (131,072 - 10) >> 2.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = (131_072 - 10) >> 2 });
    }

    [Fact]
    public void Unscaled_window_is_capped_at_65535()
    {
        var h = Big().Established(mss: 1460);
        h.Send(new Seg(Ack | Psh, PeerIss + 1, h.Iss + 1) { Data = Bytes(10) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 11) { Window = 65_535 });
    }

    [Fact]
    public void Peer_window_is_scaled_by_its_shift()
    {
        var h = new SegmentHarness(o => o.TcpWindowScaling = true).Established(mss: 1460, windowScale: 3, ackWindow: 100);
        h.Write(Bytes(2000));
        // 100 << 3 = 800 bytes may be sent.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(800) });
        h.ExpectNothing();
    }

    [Fact]
    public void Peer_window_in_the_syn_ack_is_not_scaled()
    {
        var h = new SegmentHarness(o => o.TcpWindowScaling = true).SynSent();
        h.Send(new Seg(Syn | Ack, PeerIss, h.Iss + 1) { Mss = 1460, WindowScale = 3, Window = 1000 });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
        h.Write(Bytes(2000));
        // Section 2.2: "The window field in a segment where the SYN bit is set MUST NOT be scaled."
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(1000) });
        h.ExpectNothing();
    }

    [Fact]
    public void Peer_shift_without_ours_is_not_applied()
    {
        var h = new SegmentHarness(o => o.TcpWindowScaling = false).Established(mss: 1460, windowScale: 3, ackWindow: 100);
        h.Write(Bytes(2000));
        // Section 1.3: scaling is on only when both sides sent the option.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(100) });
        h.ExpectNothing();
    }

    [Fact]
    public void Peer_shift_above_14_is_taken_as_14()
    {
        var h = new SegmentHarness(o => { o.TcpWindowScaling = true; o.TransmitBufferSize = 4096; }).Established(mss: 500, windowScale: 15, ackWindow: 0);
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Window = 1 });
        h.Write(Bytes(600));
        // Section 2.3: a shift above 14 is used as 14: 1 << 14 = 16,384 bytes, room for both segments.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Data = Bytes(500) });
        h.ExpectSegment(new Seg(Ack | Psh, h.Iss + 501, PeerIss + 1) { Data = Bytes(600)[500..] });
    }
}
