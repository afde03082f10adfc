using IoTStack.Net.Tcp;

namespace IoTStack.Stack.Tests.Congestion;

/// <summary>
/// CUBIC against RFC 9438: beta_cubic = 0.7 (section 4.6), fast convergence (4.7), K and W_cubic(t) = C (t - K)^3 + W_max
/// with C = 0.4 (4.2), the concave and convex regions (4.4, 4.5), the Reno-friendly region with alpha_cubic = 9/17 (4.3)
/// and no growth while the window does not limit the sender (5.8). Time is a virtual clock in milliseconds; windows are
/// bytes, so "segments" below are multiples of the MSS.
/// </summary>
public sealed class CubicTests
{
    private const int Mss = 1460;

    private static CongestionState State(int window, int threshold = CongestionControl.Unlimited)
    {
        var state = new CongestionState();
        state.Reset(window);
        state.Threshold = threshold;
        return state;
    }

    private static void Ack(CongestionState state, long now, int rtt = 100, int bytes = Mss, bool limited = true) =>
        Cubic.Instance.Acknowledged(state, bytes, Mss, now, rtt, limited);

    /// <summary>
    /// A loss at a window of <paramref name="segments"/> with as much in flight, and recovery ending with cwnd = ssthresh
    /// (RFC 9438 section 4.6; the TCP layer's PRR does that part). The next ACK then starts the congestion-avoidance epoch.
    /// </summary>
    private static CongestionState AfterLoss(int segments, int mss = Mss, long now = 10_000)
    {
        var state = State(segments * mss);
        Cubic.Instance.CongestionEvent(state, segments * mss, mss, now);
        state.Window = state.Threshold;
        return state;
    }

    /// <summary>One round trip: the whole window acknowledged, one segment per ACK, at <paramref name="now"/>.</summary>
    private static void RoundTrip(CongestionState state, long now, int rtt)
    {
        int start = state.Window;
        for (int acked = 0; acked < start; acked += Mss)
        {
            Ack(state, now, rtt);
        }
    }

    /// <summary>W_cubic(t) of equation (1), in segments: C (t - K)^3 + W_max with t and K in seconds.</summary>
    private static double CubicSegments(double seconds, double kSeconds, double maximumSegments) =>
        0.4 * Math.Pow(seconds - kSeconds, 3) + maximumSegments;

    [Theory]
    [InlineData(100)]
    [InlineData(10)]
    [InlineData(37)]
    public void A_congestion_event_sets_ssthresh_to_seven_tenths_of_the_flight_and_w_max_to_the_window(int segments)
    {
        // Section 4.6: ssthresh = flight_size * beta_cubic, beta_cubic = 0.7; section 4.7 without fast convergence: W_max = cwnd.
        var state = State(segments * Mss);
        Cubic.Instance.CongestionEvent(state, segments * Mss, Mss, now: 10_000);
        Assert.Equal(segments * Mss * 7 / 10, state.Threshold);
        Assert.Equal(segments * Mss, state.MaximumWindow);
        Assert.Equal(0, state.EpochStart);
        Assert.Equal(segments * Mss, state.Window); // the window itself comes down through recovery
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(1, 2)]
    [InlineData(0, 2)]
    [InlineData(3, 2)] // 0.7 * 3 = 2.1 segments: 3066 bytes
    public void Ssthresh_is_at_least_two_segments(int segments, int atLeast)
    {
        var state = State(10 * Mss);
        Cubic.Instance.CongestionEvent(state, segments * Mss, Mss, now: 1);
        Assert.Equal(Math.Max(segments * Mss * 7 / 10, atLeast * Mss), state.Threshold);
    }

    [Fact]
    public void W_max_is_the_window_or_the_flight_whichever_is_smaller()
    {
        var state = State(40 * Mss);
        Cubic.Instance.CongestionEvent(state, 30 * Mss, Mss, now: 1); // an application-limited flight below cwnd
        Assert.Equal(30 * Mss, state.MaximumWindow);
        Assert.Equal(21 * Mss, state.Threshold);

        state = State(40 * Mss);
        Cubic.Instance.CongestionEvent(state, 0, Mss, now: 1); // nothing counted in flight: the window
        Assert.Equal(40 * Mss, state.MaximumWindow);
    }

    [Fact]
    public void Fast_convergence_lowers_w_max_to_0_85_of_the_window_when_it_fell_below_the_last_maximum()
    {
        // Section 4.7: if cwnd < W_max (the last one), W_max = cwnd * (1 + beta_cubic) / 2 = 0.85 cwnd, to free room for
        // a new flow; else W_max = cwnd.
        var state = State(100 * Mss);
        Cubic.Instance.CongestionEvent(state, 100 * Mss, Mss, now: 1);
        Assert.Equal(100 * Mss, state.MaximumWindow);

        state.Window = 80 * Mss;
        Cubic.Instance.CongestionEvent(state, 80 * Mss, Mss, now: 2);
        Assert.Equal(68 * Mss, state.MaximumWindow); // 0.85 * 80 segments
        Assert.Equal(56 * Mss, state.Threshold);

        state.Window = 90 * Mss; // grew past the last maximum before the next loss: no fast convergence
        Cubic.Instance.CongestionEvent(state, 90 * Mss, Mss, now: 3);
        Assert.Equal(90 * Mss, state.MaximumWindow);
    }

    [Fact]
    public void K_for_w_max_100_segments_and_a_window_of_70_is_the_cube_root_of_75_seconds()
    {
        // Section 4.2 equation (2): K = cbrt((W_max - cwnd_epoch) / C) = cbrt((100 - 70) / 0.4) = cbrt(75) s = 4.2172 s.
        var state = AfterLoss(100);
        Assert.Equal(70 * Mss, state.Window);
        Ack(state, now: 20_000);
        Assert.Equal(20_000, state.EpochStart);
        Assert.Equal(4217, state.K);
        Assert.InRange(state.K, Math.Cbrt(75) * 1000 - 1, Math.Cbrt(75) * 1000);
        Assert.Equal(70 * Mss, state.RenoEstimate); // W_est starts at cwnd_epoch (section 4.3)
    }

    [Theory]
    [InlineData(100, Mss)]
    [InlineData(100, 536)]
    [InlineData(10, Mss)]
    [InlineData(1000, Mss)]
    [InlineData(30, 8960)]
    public void K_is_the_same_number_of_milliseconds_whatever_the_segment_size(int segments, int mss)
    {
        // With cwnd_epoch = 0.7 W_max, K = cbrt(0.3 W_max / 0.4) s, W_max in segments: MSS cancels out.
        var state = AfterLoss(segments, mss);
        Cubic.Instance.Acknowledged(state, mss, mss, now: 20_000, smoothedRtt: 100, limited: true);
        double k = Math.Cbrt(0.75 * segments) * 1000;
        Assert.InRange(state.K, k - 1, k);
    }

    [Fact]
    public void Fast_convergence_shortens_k()
    {
        // After fast convergence W_max = 68 segments and cwnd_epoch = ssthresh = 56: K = cbrt(12 / 0.4) = cbrt(30) = 3.107 s.
        var state = AfterLoss(100);
        state.Window = 80 * Mss;
        Cubic.Instance.CongestionEvent(state, 80 * Mss, Mss, now: 15_000);
        state.Window = state.Threshold;
        Ack(state, now: 20_000);
        Assert.Equal(3107, state.K);
    }

    [Fact]
    public void Without_a_reduction_to_come_back_from_the_epoch_starts_on_the_convex_side()
    {
        // Leaving slow start at a threshold with no loss (e.g. after a timeout's slow start passed the old W_max): K = 0.
        var state = State(20 * Mss, threshold: 20 * Mss);
        Ack(state, now: 5000);
        Assert.Equal(0, state.K);
        Assert.Equal(20 * Mss, state.MaximumWindow);
    }

    [Fact]
    public void The_window_climbs_back_to_w_max_at_k_concave_before_and_convex_after()
    {
        // W_max = 1000 segments, cwnd_epoch = 700: K = cbrt(750) = 9.086 s. RTT 100 ms, so Reno's estimate (about 0.53
        // segments per round trip) stays far below the cubic curve and the window follows W_cubic (sections 4.4, 4.5).
        const int rtt = 100;
        var state = AfterLoss(1000);
        long start = 100_000;
        var window = new SortedDictionary<long, double>(); // ms since the epoch -> cwnd in segments, after that round trip
        for (long now = start; now <= start + 16_000; now += rtt)
        {
            RoundTrip(state, now, rtt);
            window[now - start] = state.Window / (double)Mss;
            Assert.True(state.Window >= state.RenoEstimate); // never below W_est (section 4.3)
        }

        Assert.Equal(start, state.EpochStart);
        Assert.Equal(9085, state.K); // cbrt(750) = 9.0856
        double k = state.K / 1000.0;

        // Each ACK closes (target - cwnd) / cwnd of the gap to target = W_cubic(t + RTT) (section 4.4), so a round trip
        // closes about 1 - 1/e of it: the window runs between W_cubic(t) and W_cubic(t + RTT), give or take a segment of
        // integer rounding where the curve is flat.
        foreach (var (ms, segments) in window)
        {
            double low = CubicSegments(ms / 1000.0, k, 1000) - 1.5;
            double high = CubicSegments((ms + rtt) / 1000.0, k, 1000) + 0.5;
            Assert.True(segments >= low && segments <= high, $"at {ms} ms cwnd {segments:F2} segments, W_cubic between {low + 1.5:F2} and {high - 0.5:F2}");
        }

        // Back at W_max around t = K: W_cubic(K - 1 s) = 999.6 and W_cubic(K + 2 s) = 1003.2 segments.
        double at(long ms) => window[ms / rtt * rtt];
        Assert.InRange(at(state.K - 1000), 998, 999.9);
        Assert.InRange(at(state.K), 998.5, 1001);
        Assert.InRange(at(state.K + 2000), 1001, 1005);

        // Concave before K: each second adds less than the one before; convex after: each adds more.
        double[] growth = new double[6];
        for (int i = 0; i < 6; i++)
        {
            long from = state.K + (i - 3) * 1000L;
            growth[i] = at(from + 1000) - at(from);
        }

        Assert.True(growth[0] > growth[1] && growth[1] > growth[2], string.Join(", ", growth));
        Assert.True(growth[3] < growth[4] && growth[4] < growth[5], string.Join(", ", growth));

        // Well into the convex region: W_cubic(K + 6 s) = 1000 + 0.4 * 216 = 1086.4 segments.
        Assert.InRange(at(state.K + 6000), 1080, 1088);
    }

    [Fact]
    public void Reno_friendly_region_a_short_round_trip_and_a_small_window_grow_at_9_17_segments_per_window()
    {
        // Section 4.3: W_est += alpha_cubic * segments_acked / cwnd with alpha_cubic = 3 (1 - 0.7) / (1 + 0.7) = 9/17, i.e.
        // 0.529 segments (772 bytes of 1460) per window acknowledged, then 1 segment once W_est >= W_max. With W_max 10
        // segments (K = cbrt(7.5) = 1.957 s) and a 1 ms round trip, W_cubic barely moves while W_est climbs: cwnd = W_est.
        const int rtt = 1;
        var state = AfterLoss(10);
        long now = 50_000;
        Ack(state, now++, rtt); // the epoch begins: W_est = cwnd_epoch = 7 segments
        Assert.Equal(1957, state.K);
        Assert.Equal(10220, state.RenoEstimate);
        int acked = Mss;
        var steps = new List<(int Delta, int Acked, int Window)>();
        for (int ack = 0; ack < 400 && steps.Count < 10; ack++)
        {
            int estimate = state.RenoEstimate;
            int window = state.Window;
            Ack(state, now++, rtt); // one ACK a millisecond: all of it long before K
            acked += Mss;
            if (state.RenoEstimate != estimate)
            {
                steps.Add((state.RenoEstimate - estimate, acked, window));
                Assert.Equal(state.RenoEstimate, state.Window); // W_est above W_cubic: cwnd = W_est
                acked = 0;
            }
            else if (steps.Count == 0)
            {
                Assert.InRange(state.Window, 10220, 10220 + 100); // until then the flat start of the curve: a few bytes
            }
        }

        // W_est: 10220 -> 10992 -> ... -> 14852 (below W_max 14600 before each: +772), then +1460 each.
        Assert.Equal(new[] { 772, 772, 772, 772, 772, 772, 1460, 1460, 1460, 1460 }, steps.Select(s => s.Delta).ToArray());
        foreach (var (_, bytes, window) in steps)
        {
            Assert.InRange(bytes, window - Mss + 1, window + Mss - 1); // a window's worth of bytes, what went over carried to the next
        }

        Assert.Equal(10220 + 6 * 772 + 4 * 1460, state.Window);
    }

    [Fact]
    public void Reno_friendly_region_wins_with_a_long_epoch_at_a_moderate_round_trip()
    {
        // W_max 100, cwnd_epoch 70, RTT 100 ms: Reno's 0.53 segments per round trip reach W_max after about 57 round trips
        // (5.7 s) and 1 segment per round trip after that outgrows W_cubic for a while past K = 4.217 s.
        const int rtt = 100;
        var state = AfterLoss(100);
        bool renoAhead = false;
        for (long now = 100_000; now < 100_000 + 8000; now += rtt)
        {
            int start = state.Window;
            for (int acked = 0; acked < start; acked += Mss)
            {
                int before = state.Window;
                Ack(state, now, rtt);
                Assert.True(state.Window >= before, $"cwnd fell from {before} to {state.Window} on an ACK at {now}");
            }

            double cubic = CubicSegments((now - 100_000) / 1000.0, state.K / 1000.0, 100) * Mss;
            renoAhead |= state.RenoEstimate > cubic + Mss && state.Window == state.RenoEstimate;
        }

        Assert.True(renoAhead);
    }

    [Fact]
    public void The_target_is_at_most_one_and_a_half_times_the_window()
    {
        // Section 4.4/4.5: target = min(W_cubic(t + RTT), 1.5 cwnd), each ACK adds (target - cwnd) / cwnd of a segment.
        // Long after K the curve is far above: one window of ACKs grows cwnd by half.
        var state = State(20 * Mss, threshold: 20 * Mss);
        Ack(state, now: 1000); // the epoch starts at t = 1 s with K = 0
        int start = state.Window;
        for (int acked = 0; acked < start; acked += Mss)
        {
            Ack(state, now: 31_000); // t = 30 s past K: W_cubic is 10800 segments above W_max
        }

        Assert.InRange(state.Window, start + start / 2 - Mss, start + start / 2);
    }

    [Fact]
    public void A_window_that_did_not_limit_the_sender_does_not_grow_and_keeps_its_epoch()
    {
        // Section 5.8: a sender not using its window must not grow it. The epoch runs on, as Linux's bictcp_cong_avoid
        // returns without touching it: being held back by the peer's window is not idleness (which the TCP layer takes
        // off the epoch when it sends again with nothing in flight).
        var state = AfterLoss(100);
        Ack(state, now: 20_000);
        RoundTrip(state, 20_100, 100);
        int window = state.Window;
        long epoch = state.EpochStart;
        Assert.NotEqual(0, epoch);
        for (int i = 0; i < 200; i++)
        {
            Ack(state, now: 30_000 + i, limited: false);
        }

        Assert.Equal(window, state.Window);
        Assert.Equal(epoch, state.EpochStart);

        var slow = State(4380);
        Ack(slow, now: 1000, limited: false); // slow start does not grow either (RFC 7661)
        Assert.Equal(4380, slow.Window);
        Ack(slow, now: 1000);
        Assert.Equal(4380 + Mss, slow.Window);
    }

    [Fact]
    public void Slow_start_below_ssthresh_is_the_same_as_reno()
    {
        var state = State(4380, threshold: 10_000);
        Ack(state, now: 1000, bytes: 2 * Mss);
        Assert.Equal(4380 + 2 * Mss, state.Window);
        Ack(state, now: 1000, bytes: 5 * Mss); // L = 2 (RFC 3465)
        Assert.Equal(10_000, state.Window); // stops at ssthresh
        Assert.Equal(0, state.EpochStart);
    }

    [Fact]
    public void A_timeout_leaves_one_segment_with_the_cubic_threshold()
    {
        var state = State(50 * Mss, threshold: 50 * Mss);
        Ack(state, now: 1000);
        Cubic.Instance.Timeout(state, 50 * Mss, Mss, now: 2000);
        Assert.Equal(Mss, state.Window);
        Assert.Equal(35 * Mss, state.Threshold);
        Assert.Equal(0, state.EpochStart);
        Assert.Equal(50 * Mss, state.MaximumWindow);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 1L)]
    [InlineData(7L, 1L)]
    [InlineData(8L, 2L)]
    [InlineData(26L, 2L)]
    [InlineData(27L, 3L)]
    [InlineData(63L, 3L)]
    [InlineData(64L, 4L)]
    [InlineData(75_000_000_000L, 4217L)]
    [InlineData(999_999_999_999_999_999L, 999_999L)]
    [InlineData(1_000_000_000_000_000_000L, 1_000_000L)]
    [InlineData(8_000_000_000_000_000_000L, 2_000_000L)]
    public void CubeRoot_is_exact_on_cubes_and_the_floor_between_them(long value, long root)
    {
        Assert.Equal(root, Cubic.CubeRoot(value));
    }

    [Fact]
    public void CubeRoot_agrees_with_the_floating_point_root_across_a_range()
    {
        for (long r = 0; r <= 2000; r++)
        {
            long cube = r * r * r;
            Assert.Equal(r, Cubic.CubeRoot(cube));
            if (r > 0)
            {
                Assert.Equal(r - 1, Cubic.CubeRoot(cube - 1));
            }
        }
    }

    [Fact]
    public void Fast_convergence_compares_the_window_with_the_last_w_max()
    {
        // RFC 9438 section 4.7: losses at 100, 90 and 80 segments give W_max 100, 90 * 0.85 = 76.5, then 80 (80 >= 76.5).
        var state = State(100 * Mss);
        Cubic.Instance.CongestionEvent(state, 100 * Mss, Mss, 1);
        Assert.Equal(100 * Mss, state.MaximumWindow);
        state.Window = 90 * Mss;
        Cubic.Instance.CongestionEvent(state, 90 * Mss, Mss, 2);
        Assert.Equal(90 * Mss * 17 / 20, state.MaximumWindow);
        state.Window = 80 * Mss;
        Cubic.Instance.CongestionEvent(state, 80 * Mss, Mss, 3);
        Assert.Equal(80 * Mss, state.MaximumWindow);
    }
}
