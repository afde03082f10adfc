namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// The seam between TCP's loss detection and how the congestion window moves: growth on acknowledgments, the
    /// threshold on a congestion event, the window after a timeout. Loss detection (RACK, duplicate ACKs), recovery
    /// pacing (proportional rate reduction, RFC 6937) and the end of recovery are the same for every algorithm and
    /// live in the TCP layer. Implementations hold no state of their own: one instance serves every connection.
    /// </summary>
    internal abstract class CongestionControl
    {
        /// <summary>An ssthresh that never limits ("arbitrarily high", RFC 5681 section 3.1).</summary>
        internal const int Unlimited = 0x3FFFFFFF;

        /// <summary>The window a new connection starts with: RFC 5681 section 3.1 (after RFC 3390), min(4 * SMSS, max(2 * SMSS, 4380)).</summary>
        internal static int InitialWindow(int mss)
        {
            int window = 2 * mss > 4380 ? 2 * mss : 4380;
            return window < 4 * mss ? window : 4 * mss;
        }

        /// <summary>
        /// New data acknowledged outside recovery. <paramref name="limited"/> says the window, not the application or the
        /// peer's window, held the sender back: RFC 7661 section 4.3 and RFC 9438 section 5.8 grow only such a window.
        /// </summary>
        internal abstract void Acknowledged(CongestionState state, int acknowledged, int mss, long now, int smoothedRtt, bool limited);

        /// <summary>A loss was detected (fast retransmit, RACK, a repaired tail loss): sets the threshold recovery aims at.</summary>
        internal abstract void CongestionEvent(CongestionState state, int flight, int mss, long now);

        /// <summary>The retransmission timer expired: the threshold as for a congestion event, and a window of one segment (RFC 5681 section 3.1).</summary>
        internal void Timeout(CongestionState state, int flight, int mss, long now)
        {
            CongestionEvent(state, flight, mss, now);
            state.Window = mss;
            state.EpochStart = 0;
        }

        /// <summary>Slow start by bytes acknowledged, at most two segments per ACK (RFC 3465 section 2.2, L = 2); true when the window was below ssthresh.</summary>
        protected static bool SlowStart(CongestionState state, int acknowledged, int mss)
        {
            if (state.Window >= state.Threshold)
            {
                return false;
            }

            state.Window += acknowledged < 2 * mss ? acknowledged : 2 * mss;
            if (state.Window > state.Threshold)
            {
                state.Window = state.Threshold;
            }

            return true;
        }

        /// <summary>
        /// Congestion avoidance by byte counting (RFC 5681 section 3.1, RFC 3465 section 2.1): one segment more each
        /// time a window's worth has been acknowledged, so a peer's delayed ACKs do not halve the growth.
        /// </summary>
        protected static void AdditiveIncrease(CongestionState state, int acknowledged, int mss)
        {
            state.BytesAcknowledged += acknowledged;
            if (state.BytesAcknowledged >= state.Window)
            {
                state.BytesAcknowledged -= state.Window;
                state.Window += mss;
            }
        }

        protected static int AtLeastTwoSegments(int bytes, int mss)
        {
            return bytes > 2 * mss ? bytes : 2 * mss;
        }
    }
}
