namespace IoTStack.Net.Tcp
{
    /// <summary>Reno's additive increase and halving (RFC 5681 section 3), the window NewReno recovery (RFC 6582) works with.</summary>
    internal sealed class NewReno : CongestionControl
    {
        internal static readonly NewReno Instance = new NewReno();

        internal override void Acknowledged(CongestionState state, int acknowledged, int mss, long now, int smoothedRtt, bool limited)
        {
            if (!limited || SlowStart(state, acknowledged, mss))
            {
                return;
            }

            AdditiveIncrease(state, acknowledged, mss);
        }

        /// <summary>RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2 * SMSS).</summary>
        internal override void CongestionEvent(CongestionState state, int flight, int mss, long now)
        {
            state.Threshold = AtLeastTwoSegments(flight / 2, mss);
            state.BytesAcknowledged = 0;
        }
    }
}
