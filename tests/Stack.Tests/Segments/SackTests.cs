using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.TcpFlags;
using static IoTStack.Stack.Tests.Segments.SegmentHarness;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>Selective acknowledgments we send (RFC 2018).</summary>
public class SackTests
{
    private static SegmentHarness Sacking() => new SegmentHarness(o => o.TcpSelectiveAcknowledgments = true).Established(mss: 1460, sackPermitted: true);

    [Fact]
    public void Syn_ack_permits_sack_when_the_peer_does()
    {
        var h = new SegmentHarness(o => o.TcpSelectiveAcknowledgments = true).Listen();
        h.Send(new Seg(Syn, PeerIss) { Mss = 1460, SackPermitted = true });
        h.ExpectSegmentAnySeq(new Seg(Syn | Ack, 0, PeerIss + 1) { Mss = 1460, SackPermitted = true });
    }

    [Fact]
    public void Out_of_order_segment_is_reported_in_a_sack_block()
    {
        var h = Sacking();
        h.Send(new Seg(Ack | Psh, PeerIss + 101, h.Iss + 1) { Data = Bytes(50) });
        // Section 4: the block holds the segment's left edge and the sequence number after it.
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 151] });
    }

    [Fact]
    public void Adjacent_out_of_order_segments_make_one_block()
    {
        var h = Sacking();
        h.Send(new Seg(Ack, PeerIss + 101, h.Iss + 1) { Data = Bytes(50) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 151] });
        h.Send(new Seg(Ack, PeerIss + 151, h.Iss + 1) { Data = Bytes(50) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 201] });
    }

    [Fact]
    public void Filling_the_hole_acknowledges_everything_without_blocks()
    {
        var h = Sacking();
        var data = Bytes(150);
        h.Send(new Seg(Ack, PeerIss + 101, h.Iss + 1) { Data = data[100..] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 151] });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = data[..100] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 151) { Window = h.DefaultWindow - 150 });
        Assert.Equal(data, h.Read());
    }

    [Fact]
    public void Partly_filled_hole_leaves_the_block_above_it()
    {
        var h = Sacking();
        var data = Bytes(300);
        h.Send(new Seg(Ack, PeerIss + 201, h.Iss + 1) { Data = data[200..] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 201, PeerIss + 301] });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { Data = data[..100] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 101) { Window = h.DefaultWindow - 100, Sack = [PeerIss + 201, PeerIss + 301] });
    }

    [Fact]
    public void No_blocks_when_the_peer_did_not_permit_sack()
    {
        var h = new SegmentHarness(o => o.TcpSelectiveAcknowledgments = true).Established();
        h.Send(new Seg(Ack, PeerIss + 101, h.Iss + 1) { Data = Bytes(50) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1)); // section 3: only after SACK-permitted in the SYN
    }

    [Fact]
    public void No_blocks_when_we_did_not_permit_sack()
    {
        var h = new SegmentHarness().Established(mss: 1460, sackPermitted: true);
        h.Send(new Seg(Ack, PeerIss + 101, h.Iss + 1) { Data = Bytes(50) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1));
    }

    [Fact]
    public void Block_of_the_latest_segment_comes_first()
    {
        var h = Sacking();
        h.Send(new Seg(Ack, PeerIss + 101, h.Iss + 1) { Data = Bytes(50) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 151] });
        h.Send(new Seg(Ack, PeerIss + 301, h.Iss + 1) { Data = Bytes(50) });
        // Section 4: "The first SACK block ... MUST specify the contiguous block of data containing the segment which triggered this ACK".
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 301, PeerIss + 351, PeerIss + 101, PeerIss + 151] });
    }

    [Fact]
    public void Block_of_the_latest_segment_comes_first_and_the_others_follow()
    {
        var h = Sacking();
        h.Send(new Seg(Ack, PeerIss + 101, h.Iss + 1) { Data = Bytes(50) });
        h.Send(new Seg(Ack, PeerIss + 501, h.Iss + 1) { Data = Bytes(50) });
        h.Send(new Seg(Ack, PeerIss + 301, h.Iss + 1) { Data = Bytes(50) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 151] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 501, PeerIss + 551, PeerIss + 101, PeerIss + 151] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 301, PeerIss + 351, PeerIss + 101, PeerIss + 151, PeerIss + 501, PeerIss + 551] });
    }

    [Fact]
    public void Segment_extending_a_block_puts_that_block_first()
    {
        var h = Sacking();
        h.Send(new Seg(Ack, PeerIss + 101, h.Iss + 1) { Data = Bytes(50) });
        h.Send(new Seg(Ack, PeerIss + 301, h.Iss + 1) { Data = Bytes(50) });
        h.Send(new Seg(Ack, PeerIss + 151, h.Iss + 1) { Data = Bytes(50) });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 151] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 301, PeerIss + 351, PeerIss + 101, PeerIss + 151] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { Sack = [PeerIss + 101, PeerIss + 201, PeerIss + 301, PeerIss + 351] });
    }

    [Fact]
    public void With_timestamps_at_most_three_blocks_fit()
    {
        var h = new SegmentHarness(o => { o.TcpSelectiveAcknowledgments = true; o.TcpTimestamps = true; })
            .SynReceived(new Seg(Syn, PeerIss) { Mss = 1460, SackPermitted = true, TsVal = 1 });
        h.Send(new Seg(Ack, PeerIss + 1, h.Iss + 1) { TsVal = 1 });
        h.Accept();
        for (uint at = 101; at <= 701; at += 200)
        {
            h.Send(new Seg(Ack, PeerIss + at, h.Iss + 1) { Data = Bytes(50), TsVal = 1 });
        }

        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 1, Sack = [PeerIss + 101, PeerIss + 151] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 1, Sack = [PeerIss + 301, PeerIss + 351, PeerIss + 101, PeerIss + 151] });
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 1, Sack = [PeerIss + 501, PeerIss + 551, PeerIss + 101, PeerIss + 151, PeerIss + 301, PeerIss + 351] });
        // 40 bytes of options: 12 of timestamps leave room for three 8-byte blocks (section 3).
        h.ExpectSegment(new Seg(Ack, h.Iss + 1, PeerIss + 1) { TsVal = (uint)h.Now, TsEcr = 1, Sack = [PeerIss + 701, PeerIss + 751, PeerIss + 101, PeerIss + 151, PeerIss + 301, PeerIss + 351] });
    }
}
