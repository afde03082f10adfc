using IoTStack.Net.Tcp;

namespace IoTStack.Stack.Tests.Congestion;

/// <summary>
/// The per-segment scoreboard: RACK's loss detection by send time (RFC 8985 section 6.2), lost-retransmission detection,
/// reordering, and the SACK (RFC 6675) byte counts kept consistent through cumulative ACKs, SACKs, losses, reneging and
/// retransmissions. Times are a virtual clock in milliseconds.
/// </summary>
public sealed class SentSegmentsTests
{
    private const uint Base = 1000;

    /// <summary>Segments of 100 bytes from sequence 1000, sent at the given times: [1000,1100) at times[0], and so on.</summary>
    private static SentSegments Board(params long[] times)
    {
        var board = new SentSegments(16);
        board.Clear(Base);
        for (int i = 0; i < times.Length; i++)
        {
            board.Append(Base + (uint)(100 * i), Base + (uint)(100 * (i + 1)), times[i], fin: false, push: false);
        }

        return board;
    }

    private static uint At(int index) => Base + (uint)(100 * index);

    /// <summary>An MSS so large that RFC 6675's IsLost (more than two segments SACKed above) never fires: RACK's time rule alone.</summary>
    private const int RackOnly = 1 << 24;

    private static bool Lost(SentSegments board, int index) => board.Has(index, SentSegments.LostFlag);

    [Fact]
    public void A_new_board_has_no_rack_sample_and_detects_nothing()
    {
        var board = Board(10, 20, 30);
        Assert.Equal(3, board.Count);
        Assert.Equal(-1, board.RackRtt);
        Assert.Equal(Base, board.HighestDelivered);
        Assert.Equal(0, board.DetectLosses(1_000_000, 0, RackOnly, out long wait)); // RACK needs a delivered segment first
        Assert.Equal(0, wait);
        Assert.Equal(0, board.LostBytes);
        Assert.Equal(-1, board.FirstLost());
    }

    [Fact]
    public void A_sack_sets_rack_to_the_delivered_segment()
    {
        // RFC 8985 section 6.2 step 2: RACK.rtt = now - xmit_ts of the most recently sent delivered segment.
        var board = Board(10, 20, 30, 40);
        Assert.Equal(100, board.MarkSacked(At(3), At(4), now: 110, minimumRtt: 0));
        Assert.Equal(70, board.RackRtt);
        Assert.Equal(40, board.RackSentAt);
        Assert.Equal(At(4), board.RackEnd);
        Assert.Equal(At(4), board.HighestDelivered);
        Assert.Equal(100, board.SackedBytes);

        // A segment sent earlier and delivered later does not move RACK back (step 2: only a later xmit_ts, RACK_sent_after).
        Assert.Equal(100, board.MarkSacked(At(1), At(2), now: 120, minimumRtt: 0));
        Assert.Equal(40, board.RackSentAt);
        Assert.Equal(70, board.RackRtt);
        Assert.Equal(200, board.SackedBytes);
    }

    [Fact]
    public void Segments_sent_before_the_delivered_one_are_lost_once_rack_rtt_and_the_reordering_window_have_passed()
    {
        // Sent at 10, 20, 30, 40; the one sent at 40 is SACKed at 110: RACK.rtt = 70. With a reordering window of 25 ms a
        // segment sent at t is lost when now - t > 95 (RFC 8985 section 6.2 step 5: xmit_ts + RACK.rtt + reo_wnd - now).
        var board = Board(10, 20, 30, 40);
        board.MarkSacked(At(3), At(4), now: 110, minimumRtt: 0);

        Assert.Equal(1, board.DetectLosses(110, 25, RackOnly, out long wait)); // 10 + 95 - 110 = -5: lost
        Assert.True(Lost(board, 0));
        Assert.False(Lost(board, 1));
        Assert.Equal(6, wait); // the next, sent at 20, has 20 + 95 - 110 = 5 ms left and is lost a millisecond after that
        Assert.Equal(100, board.LostBytes);
        Assert.Equal(0, board.FirstLost());

        // Exactly RACK.rtt + reo_wnd after its send: the code waits one more millisecond (whole-millisecond send times).
        Assert.Equal(0, board.DetectLosses(115, 25, RackOnly, out wait));
        Assert.False(Lost(board, 1));
        Assert.Equal(1, wait);

        Assert.Equal(1, board.DetectLosses(116, 25, RackOnly, out wait));
        Assert.True(Lost(board, 1));
        Assert.Equal(10, wait); // the one sent at 30: 30 + 95 - 116 = 9, lost at 126

        Assert.Equal(1, board.DetectLosses(126, 25, RackOnly, out wait));
        Assert.True(Lost(board, 2));
        Assert.Equal(0, wait); // nothing left that could be
        Assert.False(Lost(board, 3)); // SACKed
        Assert.Equal(300, board.LostBytes);
        Assert.Equal(0, board.DetectLosses(10_000, 25, RackOnly, out wait)); // each segment is marked once
    }

    [Fact]
    public void A_segment_sent_after_the_delivered_one_is_never_marked_by_it()
    {
        var board = Board(10, 20, 30, 40, 50);
        board.MarkSacked(At(2), At(3), now: 100, minimumRtt: 0); // RACK: sent at 30, rtt 70
        Assert.Equal(2, board.DetectLosses(100_000, 0, RackOnly, out long wait));
        Assert.True(Lost(board, 0) && Lost(board, 1));
        Assert.False(Lost(board, 3) || Lost(board, 4)); // sent at 40 and 50: nothing says they are late
        Assert.Equal(0, wait); // and they do not arm the reordering timer
    }

    [Fact]
    public void A_segment_sent_in_the_same_millisecond_as_the_delivered_one_is_lost_a_millisecond_after_its_deadline()
    {
        // Sent together at 50: [1000,1100), [1100,1200), [1200,1300). The middle one is SACKed at 150 (RACK.rtt 100). The first
        // ends below RACK.end_seq so counts as sent before it (RACK_sent_after's tie-break on sequence, section 6.2); the third does not.
        var board = Board(50, 50, 50);
        board.MarkSacked(At(1), At(2), now: 150, minimumRtt: 0);
        Assert.Equal(0, board.DetectLosses(150, 0, RackOnly, out long wait)); // 50 + 100 + 0 - 150 = 0: not yet
        Assert.Equal(1, wait);
        Assert.Equal(1, board.DetectLosses(151, 0, RackOnly, out wait));
        Assert.True(Lost(board, 0));
        Assert.False(Lost(board, 2));
        Assert.Equal(0, wait);
    }

    [Fact]
    public void Of_segments_sent_in_the_same_millisecond_rack_keeps_the_highest_ending()
    {
        var board = Board(50, 50, 50);
        board.MarkSacked(At(2), At(3), now: 150, minimumRtt: 0);
        Assert.Equal(At(3), board.RackEnd);
        board.MarkSacked(At(1), At(2), now: 160, minimumRtt: 0);
        Assert.Equal(At(3), board.RackEnd); // same xmit_ts, lower end: RACK stays
        Assert.Equal(100, board.RackRtt);
    }

    [Fact]
    public void The_reordering_timer_waits_for_the_earliest_deadline()
    {
        var board = Board(10, 12, 15, 40);
        board.MarkSacked(At(3), At(4), now: 100, minimumRtt: 0); // RACK.rtt 60
        Assert.Equal(0, board.DetectLosses(100, 40, RackOnly, out long wait)); // deadlines 110, 112, 115
        Assert.Equal(11, wait); // lost at 111
        Assert.Equal(1, board.DetectLosses(111, 40, RackOnly, out wait));
        Assert.Equal(2, wait); // next at 113
    }

    [Fact]
    public void A_lost_retransmission_is_detected_when_a_segment_sent_after_it_is_delivered()
    {
        // RFC 8985 section 6.2: RACK compares send times, so a retransmission is itself timed and can be found lost
        // without waiting for the retransmission timer (the case duplicate-ACK counting cannot see).
        var board = Board(10, 20, 30, 40);
        board.MarkSacked(At(1), At(2), now: 120, minimumRtt: 0); // RACK: sent at 20, rtt 100
        Assert.Equal(1, board.DetectLosses(131, 10, RackOnly, out _)); // 10 + 110 - 131 < 0: the first is lost
        board.Resent(0, now: 131);
        Assert.Equal(0, board.LostBytes);
        Assert.Equal(1, board.Retransmitted);
        Assert.False(Lost(board, 0));
        Assert.True(board.Has(0, SentSegments.RetransmittedFlag));

        // Sent again at 131, after RACK's segment (and so are the ones sent at 30 and 40): this delivery says nothing more.
        Assert.Equal(0, board.DetectLosses(1000, 10, RackOnly, out long wait));
        Assert.Equal(0, wait);

        // A new segment sent at 140, after the retransmission, is SACKed at 240 (RACK: sent at 140, rtt 100). By 245 the
        // retransmission sent at 131 is past 131 + 100 + 10: lost again, as are the originals sent at 30 and 40.
        board.Append(At(4), At(5), 140, fin: false, push: false);
        board.MarkSacked(At(4), At(5), now: 240, minimumRtt: 0);
        Assert.Equal(140, board.RackSentAt);
        Assert.Equal(3, board.DetectLosses(245, 10, RackOnly, out wait));
        Assert.True(Lost(board, 0) && Lost(board, 2) && Lost(board, 3));
        Assert.True(board.Has(0, SentSegments.RetransmittedFlag));
        Assert.Equal(300, board.LostBytes);
        Assert.Equal(0, board.FirstLost());

        board.Resent(0, now: 245); // sent a third time: still one retransmitted segment
        Assert.Equal(1, board.Retransmitted);
        Assert.Equal(200, board.LostBytes);
        Assert.Equal(2, board.FirstLost());
    }

    [Fact]
    public void An_ack_of_a_retransmission_sooner_than_a_round_trip_gives_no_rack_sample()
    {
        // Section 6.2 step 2: if the segment was retransmitted and now - xmit_ts < min_RTT, the ACK was for the original.
        var board = Board(10, 20);
        board.MarkLost(0);
        board.Resent(0, now: 100);
        board.Acknowledge(At(1), now: 105, minimumRtt: 50);
        Assert.Equal(-1, board.RackRtt); // 5 ms after the retransmission with a 50 ms minimum: spurious, no sample
        Assert.Equal(At(1), board.HighestDelivered);
        Assert.Equal(0, board.Retransmitted);

        board.Acknowledge(At(2), now: 130, minimumRtt: 50); // the original second segment: a sample
        Assert.Equal(110, board.RackRtt);
        Assert.Equal(20, board.RackSentAt);

        var plausible = Board(10);
        plausible.MarkLost(0);
        plausible.Resent(0, now: 100);
        plausible.Acknowledge(At(1), now: 160, minimumRtt: 50); // 60 ms after the retransmission: a sample from it
        Assert.Equal(60, plausible.RackRtt);
        Assert.Equal(100, plausible.RackSentAt);
    }

    [Fact]
    public void A_cumulative_ack_forgets_whole_segments_and_trims_a_partly_acknowledged_one()
    {
        var board = Board(10, 20, 30, 40);
        Assert.True(board.MarkLost(0));
        Assert.Equal(100, board.MarkSacked(At(1), At(2), now: 100, minimumRtt: 0));
        Assert.Equal(100, board.LostBytes);
        Assert.Equal(100, board.SackedBytes);

        Assert.Equal(0, board.Acknowledge(Base + 50, now: 110, minimumRtt: 0)); // half the lost first segment
        Assert.Equal(4, board.Count);
        Assert.Equal(Base + 50, board.Start(0));
        Assert.Equal(At(1), board.End(0));
        Assert.Equal(50, board.LostBytes); // the half still missing is still lost
        Assert.Equal(100, board.SackedBytes);

        Assert.Equal(1, board.Acknowledge(At(1) + 50, now: 120, minimumRtt: 0)); // the rest of it, and half the SACKed one
        Assert.Equal(3, board.Count);
        Assert.Equal(At(1) + 50, board.Start(0));
        Assert.Equal(0, board.LostBytes);
        Assert.Equal(50, board.SackedBytes);
        Assert.True(board.Has(0, SentSegments.SackedFlag));

        Assert.Equal(3, board.Acknowledge(At(4), now: 130, minimumRtt: 0));
        Assert.Equal(0, board.Count);
        Assert.Equal(0, board.SackedBytes);
        Assert.Equal(0, board.LostBytes);
        Assert.Equal(0, board.Retransmitted);
        Assert.Equal(0, board.Acknowledge(At(4), now: 140, minimumRtt: 0)); // nothing left: a duplicate changes nothing
    }

    [Fact]
    public void Trimming_a_retransmitted_segment_keeps_it_counted_once()
    {
        var board = Board(10, 20);
        board.MarkLost(0);
        board.Resent(0, now: 50);
        Assert.Equal(1, board.Retransmitted);
        board.Acknowledge(Base + 30, now: 60, minimumRtt: 0);
        Assert.Equal(1, board.Retransmitted);
        Assert.True(board.Has(0, SentSegments.RetransmittedFlag));
        board.Acknowledge(At(1), now: 70, minimumRtt: 0);
        Assert.Equal(0, board.Retransmitted);
        Assert.Equal(1, board.Count);
    }

    [Fact]
    public void A_cumulative_ack_delivers_the_segments_it_covers_to_rack()
    {
        var board = Board(10, 20, 30);
        board.Acknowledge(At(2), now: 130, minimumRtt: 0);
        Assert.Equal(20, board.RackSentAt);
        Assert.Equal(110, board.RackRtt);
        Assert.Equal(At(2), board.HighestDelivered);
        Assert.False(board.Reordering); // delivered in order
    }

    [Fact]
    public void A_timeout_marks_everything_not_sacked_lost_and_reneging_drops_the_sacks()
    {
        // RFC 8985 section 6.3 / RFC 6675 section 5.1: on RTO every unSACKed segment is lost. With reneging (RFC 2018
        // section 8) the receiver may have dropped what it SACKed, so those are resent too.
        var board = Board(10, 20, 30, 40);
        board.MarkSacked(At(1), At(2), now: 100, minimumRtt: 0);
        board.MarkLost(2);
        board.MarkAllLost(reneged: false);
        Assert.Equal(300, board.LostBytes); // 0, 2 (once), 3
        Assert.Equal(100, board.SackedBytes);
        Assert.False(Lost(board, 1));
        Assert.Equal(0, board.FirstLost());

        board.MarkAllLost(reneged: true);
        Assert.Equal(0, board.SackedBytes);
        Assert.Equal(400, board.LostBytes);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Lost(board, i));
            Assert.False(board.Has(i, SentSegments.SackedFlag));
        }
    }

    [Fact]
    public void Reordering_is_seen_when_a_segment_never_sent_again_is_delivered_below_an_earlier_delivery()
    {
        // RFC 8985 section 6.2 step 3 (RACK.reord): delivered below RACK.fack without having been retransmitted.
        var board = Board(10, 20, 30, 40);
        board.MarkSacked(At(2), At(3), now: 100, minimumRtt: 0);
        Assert.Equal(At(3), board.HighestDelivered);
        Assert.False(board.Reordering);
        board.MarkSacked(At(3), At(4), now: 101, minimumRtt: 0); // above: in order
        Assert.False(board.Reordering);
        Assert.Equal(At(4), board.HighestDelivered);
        board.MarkSacked(At(1), At(2), now: 102, minimumRtt: 0); // below, never sent again: the network reordered
        Assert.True(board.Reordering);
        Assert.Equal(At(4), board.HighestDelivered);
    }

    [Fact]
    public void A_retransmission_filling_a_hole_is_not_reordering()
    {
        var board = Board(10, 20, 30, 40);
        board.MarkSacked(At(2), At(4), now: 100, minimumRtt: 0);
        Assert.Equal(2, board.DetectLosses(200, 0, RackOnly, out _));
        board.Resent(0, now: 200);
        board.Resent(1, now: 200);
        Assert.Equal(2, board.Retransmitted);
        board.Acknowledge(At(4), now: 290, minimumRtt: 0); // the retransmissions arrive below the SACKed data
        Assert.False(board.Reordering);
        Assert.Equal(0, board.Count);
        Assert.Equal(0, board.Retransmitted);
        Assert.Equal(0, board.SackedBytes);
    }

    [Fact]
    public void A_sack_block_marks_only_whole_segments_and_each_once()
    {
        var board = Board(10, 20, 30, 40);
        Assert.Equal(0, board.MarkSacked(At(1) + 10, At(2), now: 100, minimumRtt: 0)); // part of a segment: not held
        Assert.Equal(0, board.MarkSacked(At(1), At(2) - 1, now: 100, minimumRtt: 0));
        Assert.Equal(200, board.MarkSacked(At(1), At(3), now: 100, minimumRtt: 0));
        Assert.Equal(0, board.MarkSacked(At(1), At(3), now: 101, minimumRtt: 0)); // reported again: nothing new
        Assert.Equal(100, board.MarkSacked(At(1) + 50, At(4), now: 102, minimumRtt: 0)); // overlaps one already held
        Assert.Equal(300, board.SackedBytes);
        Assert.False(board.MarkLost(1)); // held by the peer: never lost
        Assert.True(board.MarkLost(0));
        Assert.False(board.MarkLost(0)); // already lost
        Assert.Equal(100, board.LostBytes);
    }

    [Fact]
    public void A_sack_of_a_segment_marked_lost_takes_it_off_the_lost_bytes()
    {
        var board = Board(10, 20, 30);
        board.MarkLost(0);
        board.MarkLost(1);
        Assert.Equal(200, board.LostBytes);
        Assert.Equal(100, board.MarkSacked(Base, At(1), now: 100, minimumRtt: 0)); // it arrived after all
        Assert.Equal(100, board.LostBytes);
        Assert.False(Lost(board, 0));
        Assert.Equal(1, board.FirstLost());
    }

    [Fact]
    public void Resent_moves_a_segment_from_lost_to_retransmitted()
    {
        var board = Board(10, 20, 30, 40);
        board.MarkLost(2);
        Assert.Equal(100, board.LostBytes);
        Assert.Equal(2, board.FirstLost());
        board.Resent(2, now: 100);
        Assert.Equal(0, board.LostBytes);
        Assert.Equal(1, board.Retransmitted);
        Assert.Equal(-1, board.FirstLost());

        board.Resent(3, now: 110); // a probe (TLP, RFC 8985 section 7) of a segment not marked lost
        Assert.Equal(0, board.LostBytes);
        Assert.Equal(2, board.Retransmitted);

        Assert.True(board.MarkLost(2)); // a retransmission can be lost again, and resent again
        Assert.Equal(100, board.LostBytes);
        board.Resent(2, now: 200);
        Assert.Equal(2, board.Retransmitted);
        Assert.Equal(0, board.LostBytes);
    }

    [Fact]
    public void Find_returns_the_first_segment_ending_after_a_sequence_number_across_the_wrap()
    {
        // Segments of 1 to 30 bytes starting just below 2^32, so sequence numbers wrap inside the board.
        var board = new SentSegments(64);
        uint start = 0xFFFF_FF00;
        board.Clear(start);
        var starts = new List<uint>();
        uint next = start;
        for (int i = 0; i < 40; i++)
        {
            uint length = (uint)(1 + (i * 7) % 30);
            starts.Add(next);
            board.Append(next, next + length, 10 + i, fin: false, push: false);
            next += length;
        }

        Assert.Equal(40, board.Count);
        for (uint offset = 0; offset <= next - start + 5; offset++)
        {
            uint sequence = start + offset;
            int expected = 0;
            while (expected < board.Count && (int)(board.End(expected) - sequence) <= 0)
            {
                expected++;
            }

            Assert.Equal(expected, board.Find(sequence));
        }

        Assert.Equal(0, board.Find(start - 1));
        Assert.Equal(board.Count, board.Find(next));
        Assert.Equal(starts[17], board.Start(17));

        var empty = new SentSegments(4);
        empty.Clear(5);
        Assert.Equal(0, empty.Find(5));
    }

    [Fact]
    public void A_fin_takes_sequence_space_but_no_data()
    {
        var board = Board(10);
        board.Append(At(1), At(1) + 51, 20, fin: true, push: false); // 50 bytes and the FIN
        Assert.Equal(100, board.DataLength(0));
        Assert.Equal(50, board.DataLength(1));
        Assert.True(board.Has(1, SentSegments.FinFlag));
        Assert.False(board.Has(0, SentSegments.FinFlag));
        Assert.True(board.MarkLost(1));
        Assert.Equal(51, board.LostBytes); // sequence space, FIN included

        var bare = Board(10);
        bare.Append(At(1), At(1) + 1, 20, fin: true, push: false); // a FIN on its own
        Assert.Equal(0, bare.DataLength(1));
        Assert.Equal(At(1) + 1, bare.End(1));
    }

    [Fact]
    public void The_board_fills_to_its_capacity_and_clear_empties_it()
    {
        var board = new SentSegments(3);
        board.Clear(0);
        for (uint i = 0; i < 3; i++)
        {
            Assert.False(board.IsFull);
            board.Append(i * 10, i * 10 + 10, 1, fin: false, push: false);
        }

        Assert.True(board.IsFull);
        board.MarkSacked(10, 20, now: 50, minimumRtt: 0);
        board.MarkLost(0);
        board.Resent(2, now: 60);
        board.Clear(30);
        Assert.Equal(0, board.Count);
        Assert.Equal(0, board.SackedBytes);
        Assert.Equal(0, board.LostBytes);
        Assert.Equal(0, board.Retransmitted);
        Assert.Equal(-1, board.RackRtt);
        Assert.Equal(30u, board.HighestDelivered);
        Assert.False(board.Reordering);
    }

    [Fact]
    public void Send_times_are_compared_by_difference_across_the_int_wrap()
    {
        // The stack's clock is a long; the board keeps its low 32 bits. 24 days in, they wrap.
        long base_ = int.MaxValue - 50L;
        var board = Board(base_, base_ + 10);
        board.MarkSacked(At(1), At(2), now: base_ + 110, minimumRtt: 0); // (int)now has wrapped negative
        Assert.Equal(100, board.RackRtt);
        Assert.Equal(0, board.DetectLosses(base_ + 104, 5, RackOnly, out long wait)); // base + 100 + 5 - (base + 104) = 1 ms left
        Assert.Equal(2, wait);
        Assert.Equal(1, board.DetectLosses(base_ + 106, 5, RackOnly, out wait));
        Assert.True(Lost(board, 0));
    }

    [Fact]
    public void More_than_two_segments_sacked_above_mark_a_hole_lost_at_once()
    {
        // RFC 6675 section 4, IsLost: more than (DupThresh - 1) * SMSS bytes SACKed above a segment never sent again, in
        // the same millisecond RACK would still wait out.
        var board = Board(10, 10, 10, 10, 10);
        board.MarkSacked(At(1), At(3), now: 12, minimumRtt: 2);
        Assert.Equal(0, board.DetectLosses(12, 0, 100, out _)); // 200 bytes above: not more than two segments of 100
        board.MarkSacked(At(3), At(4), now: 12, minimumRtt: 2);
        Assert.Equal(1, board.DetectLosses(12, 0, 100, out _));
        Assert.True(Lost(board, 0));
        Assert.False(Lost(board, 4));
    }
}
