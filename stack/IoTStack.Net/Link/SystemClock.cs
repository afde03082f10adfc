namespace IoTStack.Net.Link
{
    /// <summary>
    /// Milliseconds from the system's UTC clock, the one time source every target's mscorlib has
    /// (nanoFramework has no Stopwatch or Environment.TickCount). Steps backwards are held flat so the
    /// stack's timers never see time reverse.
    /// </summary>
    public sealed class SystemClock : IClock
    {
        private long _last;

        public long NowMilliseconds
        {
            get
            {
                long now = System.DateTime.UtcNow.Ticks / System.TimeSpan.TicksPerMillisecond;
                if (now > _last)
                {
                    _last = now;
                }

                return _last;
            }
        }
    }
}
