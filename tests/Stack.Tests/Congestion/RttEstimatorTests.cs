using IoTStack.Net;
using IoTStack.Net.Tcp;

namespace IoTStack.Stack.Tests.Congestion;

/// <summary>
/// The round-trip estimator against RFC 6298 (SRTT, RTTVAR, RTO, back-off, Karn's rule) and RFC 7323 section 4.1
/// (samples from echoed timestamps). The expected numbers are worked out by hand in the comments; the clock granularity
/// G is the stack's 1 ms.
/// </summary>
public sealed class RttEstimatorTests
{
    /// <summary>Minimum RTO 1 ms so the raw RFC 6298 formula shows; initial 1 s and maximum 60 s (RFC 6298 sections 2.1, 2.4, 2.5).</summary>
    private static NetStackOptions Raw() => new() { TcpMinimumRtoMs = 1, TcpInitialRtoMs = 1000, TcpMaximumRtoMs = 60_000 };

    private static RttEstimator Estimator(NetStackOptions? options = null)
    {
        var rtt = new RttEstimator();
        rtt.Reset(options ?? Raw());
        return rtt;
    }

    [Fact]
    public void Before_any_sample_the_timeout_is_the_initial_one()
    {
        // RFC 6298 section 2.1: until a measurement is made, RTO = 1 s (here whatever TcpInitialRtoMs says).
        var rtt = Estimator(new NetStackOptions { TcpInitialRtoMs = 1500, TcpMinimumRtoMs = 200, TcpMaximumRtoMs = 60_000 });
        Assert.False(rtt.Measured);
        Assert.Equal(1500, rtt.Rto);
        Assert.Equal(0, rtt.Smoothed);
        Assert.Equal(0, rtt.Minimum);
        Assert.Equal(1000, Estimator(new NetStackOptions()).Rto); // the stack's default is RFC 6298's 1 s
    }

    [Fact]
    public void The_first_sample_sets_srtt_to_r_rttvar_to_half_and_rto_to_srtt_plus_four_rttvar()
    {
        // RFC 6298 section 2.2, R = 100 ms: SRTT = 100, RTTVAR = 50, RTO = SRTT + max(G, 4 * RTTVAR) = 100 + 200 = 300.
        var rtt = Estimator();
        rtt.Sample(100);
        Assert.True(rtt.Measured);
        Assert.Equal(100, rtt.Smoothed);
        Assert.Equal(300, rtt.Rto);
        Assert.Equal(100, rtt.Minimum);
    }

    [Fact]
    public void A_second_sample_moves_srtt_by_an_eighth_and_rttvar_by_a_quarter()
    {
        // RFC 6298 section 2.3, alpha = 1/8, beta = 1/4, after R = 100 (SRTT 100, RTTVAR 50) comes R' = 60:
        //   RTTVAR = 3/4 * 50 + 1/4 * |100 - 60| = 37.5 + 10 = 47.5   (with the old SRTT, as the RFC orders it)
        //   SRTT   = 7/8 * 100 + 1/8 * 60       = 87.5 + 7.5 = 95
        //   RTO    = 95 + 4 * 47.5              = 285
        var rtt = Estimator();
        rtt.Sample(100);
        rtt.Sample(60);
        Assert.Equal(95, rtt.Smoothed);
        Assert.Equal(285, rtt.Rto);

        // A larger one: R = 1000 then R' = 1400.
        //   RTTVAR = 3/4 * 500 + 1/4 * 400 = 375 + 100 = 475
        //   SRTT   = 7/8 * 1000 + 1/8 * 1400 = 875 + 175 = 1050
        //   RTO    = 1050 + 4 * 475 = 2950
        rtt = Estimator();
        rtt.Sample(1000);
        rtt.Sample(1400);
        Assert.Equal(1050, rtt.Smoothed);
        Assert.Equal(2950, rtt.Rto);

        // And a third, R'' = 1050 (equal to SRTT): RTTVAR = 3/4 * 475 + 0 = 356.25, SRTT stays 1050, RTO = 1050 + 1425 = 2475.
        rtt.Sample(1050);
        Assert.Equal(1050, rtt.Smoothed);
        Assert.Equal(2475, rtt.Rto);
    }

    [Fact]
    public void A_steady_round_trip_drives_the_variance_down_and_the_timeout_towards_srtt()
    {
        // With R constant, RTTVAR decays by 3/4 per sample towards 0, so RTO -> SRTT + max(G, 4 * RTTVAR) -> SRTT + G.
        // The estimator keeps 4 * RTTVAR in whole milliseconds, so it stops a few ms above: never below SRTT + G.
        var rtt = Estimator();
        for (int i = 0; i < 100; i++)
        {
            rtt.Sample(100);
        }

        Assert.Equal(100, rtt.Smoothed);
        Assert.InRange(rtt.Rto, 101, 104);
    }

    [Fact]
    public void The_timeout_is_kept_between_the_minimum_and_the_maximum()
    {
        // RFC 6298 section 2.4 (a minimum, 1 s there; the stack's default 200 ms as Linux) and 2.5 (a maximum of at least 60 s).
        var rtt = Estimator(new NetStackOptions());
        rtt.Sample(10); // 10 + 4 * 5 = 30 ms, raised to the 200 ms minimum
        Assert.Equal(10, rtt.Smoothed);
        Assert.Equal(200, rtt.Rto);

        rtt = Estimator(new NetStackOptions { TcpMaximumRtoMs = 2000 });
        rtt.Sample(900); // 900 + 4 * 450 = 2700 ms, cut to 2000
        Assert.Equal(2000, rtt.Rto);
    }

    [Fact]
    public void A_sample_below_one_millisecond_counts_as_one()
    {
        var rtt = Estimator();
        rtt.Sample(0);
        Assert.True(rtt.Measured);
        Assert.Equal(1, rtt.Smoothed); // SRTT 1, RTTVAR 1/2: RTO = 1 + max(G, 2) = 3
        Assert.Equal(3, rtt.Rto);
        Assert.Equal(1, rtt.Minimum);
    }

    [Fact]
    public void Back_off_doubles_the_timeout_and_stops_at_the_maximum()
    {
        // RFC 6298 section 5.5: RTO = RTO * 2 on each expiry, with the section 2.5 maximum applying.
        var rtt = Estimator(new NetStackOptions());
        var seen = new List<int> { rtt.Rto };
        for (int i = 0; i < 8; i++)
        {
            rtt.BackOff();
            seen.Add(rtt.Rto);
        }

        Assert.Equal(new[] { 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000 }, seen);

        rtt = Estimator();
        rtt.Sample(100); // RTO 300
        rtt.BackOff();
        Assert.Equal(600, rtt.Rto);
        rtt.BackOff();
        Assert.Equal(1200, rtt.Rto);
        Assert.Equal(100, rtt.Smoothed); // back-off leaves the estimate alone

        // Section 5.7: a new sample after the back-off recomputes the timeout from SRTT and RTTVAR.
        // R = 100 again: RTTVAR = 3/4 * 50 = 37.5, SRTT 100, RTO = 100 + 150 = 250.
        rtt.Sample(100);
        Assert.Equal(250, rtt.Rto);
    }

    [Fact]
    public void The_timed_segment_gives_one_sample_when_it_is_acknowledged()
    {
        var rtt = Estimator();
        rtt.Begin(5000, now: 10_000);
        rtt.Begin(5100, now: 10_020); // one segment timed at a time: this one is not
        rtt.Acknowledged(5000, now: 10_050, timestamps: false, echoed: 0); // the ACK does not cover the timed segment yet
        Assert.False(rtt.Measured);

        rtt.Acknowledged(5001, now: 10_080, timestamps: false, echoed: 0); // covers it: R = 80 from the first Begin
        Assert.True(rtt.Measured);
        Assert.Equal(80, rtt.Smoothed);
        Assert.Equal(240, rtt.Rto); // 80 + 4 * 40

        rtt.Acknowledged(5200, now: 10_500, timestamps: false, echoed: 0); // nothing timed any more: no sample
        Assert.Equal(80, rtt.Smoothed);
    }

    [Fact]
    public void Karn_a_retransmission_cancels_the_sample()
    {
        // RFC 6298 section 3: an ACK for a retransmitted segment is ambiguous and must not give a sample.
        var rtt = Estimator();
        rtt.Begin(1000, now: 0);
        rtt.Cancel();
        rtt.Acknowledged(2000, now: 3000, timestamps: false, echoed: 0);
        Assert.False(rtt.Measured);
        Assert.Equal(1000, rtt.Rto);

        // A timer expiry (back-off) also forgets the timed segment: it is about to be sent again.
        rtt.Begin(2000, now: 3000);
        rtt.BackOff();
        rtt.Acknowledged(3000, now: 9000, timestamps: false, echoed: 0);
        Assert.False(rtt.Measured);
        Assert.Equal(2000, rtt.Rto);

        // Timing starts again with the next new segment.
        rtt.Begin(3000, now: 9000);
        rtt.Acknowledged(3100, now: 9120, timestamps: false, echoed: 0);
        Assert.Equal(120, rtt.Smoothed);
    }

    [Fact]
    public void With_timestamps_every_ack_of_new_data_samples_from_the_echo()
    {
        // RFC 7323 section 4.1: RTT = now - TSecr, on every ACK that acknowledges new data, retransmissions included
        // (the echo names the transmission, so Karn's ambiguity does not arise).
        var rtt = Estimator();
        rtt.Begin(1000, now: 4000);
        rtt.Cancel();
        rtt.Acknowledged(1100, now: 5000, timestamps: true, echoed: 4880);
        Assert.Equal(120, rtt.Smoothed); // SRTT 120, RTTVAR 60
        rtt.Acknowledged(1200, now: 5100, timestamps: true, echoed: 5020);
        // R' = 80: RTTVAR = 3/4 * 60 + 1/4 * 40 = 55, SRTT = 7/8 * 120 + 1/8 * 80 = 115, RTO = 115 + 220 = 335.
        Assert.Equal(115, rtt.Smoothed);
        Assert.Equal(335, rtt.Rto);
        Assert.Equal(80, rtt.Minimum);
    }

    [Fact]
    public void A_timestamp_echo_is_taken_modulo_two_to_the_32()
    {
        // TSval is the clock's milliseconds truncated to 32 bits; the difference still holds across the wrap.
        var rtt = Estimator();
        rtt.Acknowledged(1, now: 0x1_0000_0010L, timestamps: true, echoed: 0xFFFF_FFF0u);
        Assert.Equal(0x20, rtt.Smoothed);
    }

    [Fact]
    public void Without_an_echo_the_timed_segment_still_samples()
    {
        // TSecr 0 carries nothing (RFC 7323 section 3.2 sends 0 when there is nothing to echo).
        var rtt = Estimator();
        rtt.Begin(7000, now: 100);
        rtt.Acknowledged(7100, now: 170, timestamps: true, echoed: 0);
        Assert.Equal(70, rtt.Smoothed);
    }

    [Fact]
    public void Minimum_follows_the_least_sample()
    {
        var rtt = Estimator();
        int[] samples = { 100, 60, 80, 200, 45, 90 };
        int[] minimum = { 100, 60, 60, 60, 45, 45 };
        for (int i = 0; i < samples.Length; i++)
        {
            rtt.Sample(samples[i]);
            Assert.Equal(minimum[i], rtt.Minimum);
        }
    }

    [Fact]
    public void Reset_forgets_the_samples()
    {
        var rtt = Estimator();
        rtt.Sample(100);
        rtt.Begin(1, now: 0);
        rtt.Reset(Raw());
        Assert.False(rtt.Measured);
        Assert.Equal(0, rtt.Minimum);
        Assert.Equal(1000, rtt.Rto);
        rtt.Acknowledged(100, now: 500, timestamps: false, echoed: 0); // the segment timed before the reset is forgotten
        Assert.False(rtt.Measured);
    }

    [Fact]
    public void An_echo_from_the_future_gives_no_sample()
    {
        // Only the peer can send a TSecr ahead of our clock; taking it as 1 ms would set RACK's minimum round trip to 1.
        var rtt = Estimator();
        rtt.Acknowledged(1, now: 1000, timestamps: true, echoed: 1500);
        Assert.False(rtt.Measured);
        Assert.Equal(0, rtt.Minimum);
    }
}
