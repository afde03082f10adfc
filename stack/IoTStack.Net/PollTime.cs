namespace IoTStack.Net
{
    /// <summary>
    /// The time <see cref="NetStack.Poll"/> read from its <see cref="Link.IClock"/> (milliseconds), shared with the layers that
    /// stamp or compare times while handling a frame or a socket call. One clock read per poll, and a field read per use
    /// (DESIGN.md rule 3: time comes only from the clock, so a test with a virtual clock replays exactly).
    /// </summary>
    internal sealed class PollTime
    {
        internal long Now;

        internal PollTime(long now)
        {
            Now = now;
        }
    }
}
