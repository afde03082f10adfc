namespace IoTStack.Net.Link
{
    /// <summary>
    /// Unix time kept as an offset from a board's <see cref="IClock"/>: set once by whoever knows the time (SNTP), read
    /// by anyone after. The one implementation behind both engines' <see cref="INetInterface"/> wall clock.
    /// </summary>
    public sealed class WallClock
    {
        private readonly IClock _clock;
        private long _atZero;
        private bool _set;

        public WallClock(IClock clock)
        {
            _clock = clock;
        }

        /// <summary>Sets the time: Unix milliseconds, UTC.</summary>
        public void Set(long unixMilliseconds)
        {
            _atZero = unixMilliseconds - _clock.NowMilliseconds;
            _set = true;
        }

        /// <summary>Whether anything set it yet.</summary>
        public bool IsSet
        {
            get { return _set; }
        }

        /// <summary>Unix time in milliseconds (UTC); 0 until it is set.</summary>
        public long Milliseconds
        {
            get { return _set ? _atZero + _clock.NowMilliseconds : 0; }
        }
    }
}
