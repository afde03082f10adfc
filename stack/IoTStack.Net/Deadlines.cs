namespace IoTStack.Net
{
    /// <summary>
    /// The arithmetic behind every <c>PollDelay</c> (smoltcp's <c>poll_delay</c>): layers keep absolute deadlines on
    /// the clock (0 meaning none, as the TCP control block does), the earliest is found only when a loop asks, and
    /// it becomes the milliseconds the loop may sleep. Nothing here runs on the poll path.
    /// </summary>
    public static class Deadlines
    {
        /// <summary>No deadline: nothing is pending.</summary>
        public const long None = long.MaxValue;

        /// <summary>The earlier of <paramref name="earliest"/> and <paramref name="at"/>; an <paramref name="at"/> of 0 is no deadline.</summary>
        public static long Earlier(long earliest, long at)
        {
            return at != 0 && at < earliest ? at : earliest;
        }

        /// <summary>Milliseconds from <paramref name="now"/> until <paramref name="at"/>: 0 when it has come, at most <paramref name="cap"/>.</summary>
        public static int Delay(long at, long now, int cap)
        {
            long delay = at - now;
            return delay <= 0 ? 0 : delay < cap ? (int)delay : cap;
        }
    }
}
