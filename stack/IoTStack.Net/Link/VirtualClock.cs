namespace IoTStack.Net.Link
{
    /// <summary>Time that moves only when a test says so, so every scenario replays exactly.</summary>
    public sealed class VirtualClock : IClock
    {
        private long _now;

        public VirtualClock(long start)
        {
            _now = start;
        }

        public long NowMilliseconds
        {
            get { return _now; }
        }

        public void Advance(long milliseconds)
        {
            if (milliseconds < 0)
            {
                throw new System.ArgumentOutOfRangeException("milliseconds", "virtual time only moves forward");
            }

            _now += milliseconds;
        }
    }
}
