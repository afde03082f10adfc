namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// CUBIC (RFC 9438): after a reduction to beta = 0.7 of the window, the window follows
    /// W_cubic(t) = C (t - K)^3 + W_max with C = 0.4 segments per second cubed, concave up to the old maximum and convex
    /// past it, but never below what Reno would reach in the same time (the Reno-friendly region, section 4.3). Times are
    /// milliseconds and windows bytes, in integers: nanoCLR has no floating point to spare on a hot path.
    /// </summary>
    internal sealed class Cubic : CongestionControl
    {
        internal static readonly Cubic Instance = new Cubic();

        /// <summary>beta_cubic = 0.7 (section 4.6), as a fraction of 10.</summary>
        private const int BetaTenths = 7;

        /// <summary>|t - K| is kept within this many milliseconds so (t - K)^3 * MSS fits in a long.</summary>
        private const long MaximumDistance = 40000;

        internal override void Acknowledged(CongestionState state, int acknowledged, int mss, long now, int smoothedRtt, bool limited)
        {
            if (!limited)
            {
                // Section 5.8: a window the sender did not fill does not grow. The epoch runs on (as Linux's bictcp does):
                // a moment held back by the peer's window is not idleness, which moves it on (see TcpLayer.SendNew).
                return;
            }

            if (SlowStart(state, acknowledged, mss))
            {
                return;
            }

            if (state.EpochStart == 0)
            {
                BeginEpoch(state, mss, now);
            }

            // Section 4.3: W_est grows by alpha_cubic = 3 (1 - beta) / (1 + beta) = 9/17 segments per window acknowledged,
            // by 1 once it has passed W_max.
            state.BytesAcknowledged += acknowledged;
            if (state.BytesAcknowledged >= state.Window)
            {
                state.BytesAcknowledged -= state.Window;
                state.RenoEstimate += state.RenoEstimate >= state.MaximumWindow ? mss : mss * 9 / 17;
            }

            long t = now - state.EpochStart;
            long cubic = Window(state, t, mss);
            if (state.RenoEstimate > cubic)
            {
                state.Window = state.RenoEstimate; // the Reno-friendly region
                return;
            }

            // Section 4.4 and 4.5: aim for W_cubic(t + RTT), at most 1.5 times the window, by (target - cwnd) / cwnd per segment.
            long target = Window(state, t + smoothedRtt, mss);
            long ceiling = state.Window + (state.Window >> 1);
            if (target > ceiling)
            {
                target = ceiling;
            }

            if (target > state.Window)
            {
                long increase = (target - state.Window) * acknowledged / state.Window;
                state.Window += increase > 0 ? (int)increase : 0;
                if (state.Window > Unlimited)
                {
                    state.Window = Unlimited;
                }
            }
        }

        /// <summary>Section 4.6 and 4.7: W_max with fast convergence, ssthresh = beta times the flight (the window when the flight was smaller: W_max is what was in use).</summary>
        internal override void CongestionEvent(CongestionState state, int flight, int mss, long now)
        {
            // Section 4.7: a window that did not get back to the last W_max means another flow took a share; W_max is set
            // lower, cwnd (1 + beta) / 2, to make room for it.
            int window = state.Window < flight || flight == 0 ? state.Window : flight;
            state.MaximumWindow = window < state.MaximumWindow ? (int)((long)window * (10 + BetaTenths) / 20) : window;

            state.Threshold = AtLeastTwoSegments((int)((long)flight * BetaTenths / 10), mss);
            state.EpochStart = 0;
            state.BytesAcknowledged = 0;
        }

        /// <summary>Section 4.2: K = cbrt((W_max - cwnd_epoch) / C), and W_est starts from the window.</summary>
        private static void BeginEpoch(CongestionState state, int mss, long now)
        {
            state.EpochStart = now;
            state.RenoEstimate = state.Window;
            state.BytesAcknowledged = 0;
            if (state.MaximumWindow <= state.Window)
            {
                state.MaximumWindow = state.Window; // no reduction to come back from: start on the convex side
                state.K = 0;
                return;
            }

            // (W_max - cwnd_epoch) / C in segments, as milliseconds cubed: bytes / MSS / 0.4 * 10^9.
            long cubed = (long)(state.MaximumWindow - state.Window) * 2500000000L / mss;
            state.K = (int)CubeRoot(cubed);
        }

        /// <summary>W_cubic(t) = W_max + C (t - K)^3 (equation 1), in bytes: MSS * (t - K)^3 * 0.4 / 10^9 with t in milliseconds.</summary>
        private static long Window(CongestionState state, long t, int mss)
        {
            long distance = t - state.K;
            if (distance > MaximumDistance)
            {
                distance = MaximumDistance;
            }
            else if (distance < -MaximumDistance)
            {
                distance = -MaximumDistance;
            }

            return state.MaximumWindow + distance * distance * distance * mss / 2500000000L;
        }

        /// <summary>The integer cube root of a non-negative value, by bisection (21 steps).</summary>
        internal static long CubeRoot(long value)
        {
            long low = 0;
            long high = 2000000; // its cube, 8 * 10^18, passes any value a window gives and still fits a long
            while (low < high)
            {
                long middle = (low + high + 1) >> 1;
                if (middle * middle * middle <= value)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return low;
        }
    }
}
