namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// One connection's congestion state: the window and threshold every algorithm has (RFC 5681 section 3.1), and
    /// what CUBIC keeps between congestion events (RFC 9438 section 4). The algorithm itself is a stateless
    /// <see cref="CongestionControl"/> that changes this.
    /// </summary>
    internal sealed class CongestionState
    {
        /// <summary>cwnd, in bytes.</summary>
        internal int Window;

        /// <summary>ssthresh, in bytes.</summary>
        internal int Threshold;

        /// <summary>Bytes acknowledged in congestion avoidance since the window (NewReno, RFC 3465 byte counting) or CUBIC's W_est last grew.</summary>
        internal int BytesAcknowledged;

        /// <summary>CUBIC's W_max: the window just before the last reduction, in bytes.</summary>
        internal int MaximumWindow;

        /// <summary>CUBIC's K: milliseconds from the epoch's start until the window is back at W_max.</summary>
        internal int K;

        /// <summary>When the current congestion-avoidance epoch began (0: not begun).</summary>
        internal long EpochStart;

        /// <summary>W_est: the window Reno would have now (RFC 9438 section 4.3), in bytes.</summary>
        internal int RenoEstimate;

        internal void Reset(int initialWindow)
        {
            Window = initialWindow;
            Threshold = CongestionControl.Unlimited;
            BytesAcknowledged = 0;
            MaximumWindow = 0;
            K = 0;
            EpochStart = 0;
            RenoEstimate = 0;
        }
    }
}
