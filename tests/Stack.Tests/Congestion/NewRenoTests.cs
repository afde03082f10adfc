using IoTStack.Net.Tcp;

namespace IoTStack.Stack.Tests.Congestion;

/// <summary>
/// Reno's window rules (RFC 5681 section 3.1) as NewReno (RFC 6582) uses them: the initial window, slow start with
/// appropriate byte counting (RFC 3465), congestion avoidance by byte counting, RFC 7661's rule that only a window
/// that limited the sender grows, the threshold after a loss and the loss window after a timeout.
/// </summary>
public sealed class NewRenoTests
{
    private const int Mss = 1460;

    private static CongestionState State(int window, int threshold = CongestionControl.Unlimited)
    {
        var state = new CongestionState();
        state.Reset(window);
        state.Threshold = threshold;
        return state;
    }

    private static void Ack(CongestionState state, int bytes, bool limited = true) =>
        NewReno.Instance.Acknowledged(state, bytes, Mss, now: 10_000, smoothedRtt: 100, limited);

    [Theory]
    // RFC 5681 section 3.1 (RFC 3390): IW = min(4 * SMSS, max(2 * SMSS, 4380 bytes)).
    [InlineData(536, 2144)]   // 4 segments
    [InlineData(1000, 4000)]  // 4 segments
    [InlineData(1095, 4380)]  // 4 segments, the largest MSS that still gets four
    [InlineData(1460, 4380)]  // 3 segments' worth (Ethernet)
    [InlineData(2190, 4380)]  // 2 segments
    [InlineData(4000, 8000)]  // 2 segments above 2190
    [InlineData(8960, 17_920)]
    public void The_initial_window_is_rfc_5681s(int mss, int window)
    {
        Assert.Equal(window, CongestionControl.InitialWindow(mss));
    }

    [Fact]
    public void A_new_connection_starts_with_the_initial_window_and_no_threshold()
    {
        var state = new CongestionState();
        state.Reset(CongestionControl.InitialWindow(Mss));
        Assert.Equal(4380, state.Window);
        Assert.Equal(CongestionControl.Unlimited, state.Threshold); // "arbitrarily high" (RFC 5681 section 3.1)
        Assert.Equal(0, state.BytesAcknowledged);
    }

    [Fact]
    public void Slow_start_grows_by_the_bytes_acknowledged_up_to_two_segments_per_ack()
    {
        // RFC 5681 section 3.1: cwnd += min(N, SMSS); RFC 3465 section 2.2 allows up to L = 2 * SMSS per ACK.
        var state = State(4380);
        Ack(state, Mss);
        Assert.Equal(4380 + 1460, state.Window);
        Ack(state, 2 * Mss); // a delayed ACK of two segments: two segments more
        Assert.Equal(4380 + 3 * 1460, state.Window);
        Ack(state, 5000); // a stretch ACK: still only 2 * SMSS
        Assert.Equal(4380 + 5 * 1460, state.Window);
        Ack(state, 100); // a small one: its bytes
        Assert.Equal(4380 + 5 * 1460 + 100, state.Window);
    }

    [Fact]
    public void Slow_start_doubles_the_window_each_round_trip()
    {
        var state = State(4 * Mss);
        for (int round = 0; round < 4; round++)
        {
            int start = state.Window;
            for (int acked = 0; acked < start; acked += Mss)
            {
                Ack(state, Mss);
            }

            Assert.Equal(2 * start, state.Window);
        }

        Assert.Equal(64 * Mss, state.Window);
    }

    [Fact]
    public void Slow_start_stops_at_ssthresh()
    {
        var state = State(7300, threshold: 8000);
        Ack(state, 2 * Mss); // 7300 + 2920 would pass 8000: the window stops there
        Assert.Equal(8000, state.Window);
        Assert.Equal(0, state.BytesAcknowledged);

        Ack(state, 2 * Mss); // cwnd >= ssthresh: congestion avoidance from now on
        Assert.Equal(8000, state.Window);
        Assert.Equal(2 * Mss, state.BytesAcknowledged);
    }

    [Fact]
    public void Congestion_avoidance_adds_one_segment_per_window_acknowledged()
    {
        // RFC 5681 section 3.1 (byte counting, RFC 3465 section 2.1): cwnd += SMSS once cwnd bytes have been acknowledged.
        var state = State(10 * Mss, threshold: 10 * Mss);
        for (int i = 0; i < 9; i++)
        {
            Ack(state, Mss);
        }

        Assert.Equal(10 * Mss, state.Window); // nine segments of a ten-segment window: not yet
        Ack(state, Mss);
        Assert.Equal(11 * Mss, state.Window);
        Assert.Equal(0, state.BytesAcknowledged);

        for (int round = 0; round < 20; round++)
        {
            int start = state.Window;
            for (int acked = 0; acked < start; acked += Mss)
            {
                Ack(state, Mss);
            }

            Assert.Equal(start + Mss, state.Window);
        }

        Assert.Equal(31 * Mss, state.Window);
    }

    [Fact]
    public void Delayed_acks_do_not_slow_congestion_avoidance()
    {
        // A peer that acknowledges every second segment (RFC 1122 4.2.3.2, RFC 5681 section 4.2) sends half as many ACKs.
        // Counting ACKs (cwnd += SMSS * SMSS / cwnd each) would grow the window by half a segment per round trip; counting
        // bytes (RFC 3465 section 2.1) still gives one segment per window of data acknowledged.
        var perSegment = State(10 * Mss, threshold: 10 * Mss);
        var delayed = State(10 * Mss, threshold: 10 * Mss);
        for (int round = 0; round < 30; round++)
        {
            int start = delayed.Window;
            int acked = 0;
            while (acked < start)
            {
                Ack(delayed, 2 * Mss);
                acked += 2 * Mss;
            }

            Assert.Equal(start + Mss, delayed.Window); // exactly one segment each window's worth, with what is left carried over

            start = perSegment.Window;
            for (acked = 0; acked < start; acked += Mss)
            {
                Ack(perSegment, Mss);
            }
        }

        Assert.Equal(40 * Mss, delayed.Window);
        Assert.Equal(40 * Mss, perSegment.Window);
    }

    [Fact]
    public void A_window_that_did_not_limit_the_sender_does_not_grow()
    {
        // RFC 7661 section 4.3: an application-limited (or peer-window-limited) sender must not grow cwnd.
        var slow = State(4380);
        var avoidance = State(10 * Mss, threshold: 10 * Mss);
        for (int i = 0; i < 50; i++)
        {
            Ack(slow, Mss, limited: false);
            Ack(avoidance, Mss, limited: false);
        }

        Assert.Equal(4380, slow.Window);
        Assert.Equal(10 * Mss, avoidance.Window);
        Assert.Equal(0, avoidance.BytesAcknowledged); // nor does it count towards the next increase
    }

    [Theory]
    // RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS).
    [InlineData(20 * Mss, 10 * Mss)]
    [InlineData(20_001, 10_000)]
    [InlineData(6 * Mss, 3 * Mss)]
    [InlineData(4 * Mss, 2 * Mss)]
    [InlineData(3 * Mss, 2 * Mss)] // half is 1.5 segments: two
    [InlineData(Mss, 2 * Mss)]
    [InlineData(0, 2 * Mss)]
    public void A_congestion_event_sets_ssthresh_to_half_the_flight_and_at_least_two_segments(int flight, int threshold)
    {
        var state = State(40 * Mss, threshold: 40 * Mss);
        state.BytesAcknowledged = 5000;
        NewReno.Instance.CongestionEvent(state, flight, Mss, now: 10_000);
        Assert.Equal(threshold, state.Threshold);
        Assert.Equal(0, state.BytesAcknowledged);
        Assert.Equal(40 * Mss, state.Window); // recovery (RFC 6582, RFC 6937 PRR) brings cwnd down, not the algorithm
    }

    [Fact]
    public void Ssthresh_comes_from_the_flight_not_the_window()
    {
        // RFC 5681 section 3.1 warns against cwnd / 2: with an application-limited sender cwnd may be far above the flight.
        var state = State(100 * Mss, threshold: 100 * Mss);
        NewReno.Instance.CongestionEvent(state, flight: 10 * Mss, Mss, now: 0);
        Assert.Equal(5 * Mss, state.Threshold);
    }

    [Fact]
    public void A_timeout_leaves_one_segment_and_halves_the_threshold()
    {
        // RFC 5681 section 3.1: after the retransmission timer fires, ssthresh per equation (4) and cwnd = LW = 1 SMSS.
        var state = State(30 * Mss, threshold: 30 * Mss);
        NewReno.Instance.Timeout(state, flight: 30 * Mss, Mss, now: 10_000);
        Assert.Equal(Mss, state.Window);
        Assert.Equal(15 * Mss, state.Threshold);

        // Slow start again up to the new threshold, 1, 2, 4, 8, then 15 (not 16) segments; the round that reaches it
        // carries one segment's bytes into congestion avoidance, so the next window of 15 makes it 16.
        int[] expected = { 2, 4, 8, 15, 16 };
        foreach (int segments in expected)
        {
            int start = state.Window;
            for (int acked = 0; acked < start; acked += Mss)
            {
                Ack(state, Mss);
            }

            Assert.Equal(segments * Mss, state.Window);
        }
    }

    [Fact]
    public void A_timeout_during_recovery_keeps_the_window_at_one_segment_with_ssthresh_at_least_two()
    {
        var state = State(2 * Mss, threshold: 2 * Mss);
        NewReno.Instance.Timeout(state, flight: Mss, Mss, now: 0);
        Assert.Equal(Mss, state.Window);
        Assert.Equal(2 * Mss, state.Threshold);
    }
}
