namespace IoTStack.Net.Link
{
    /// <summary>Monotonic milliseconds for the stack's timers (DESIGN.md rule 3): real on a board, virtual in tests.</summary>
    public interface IClock
    {
        long NowMilliseconds { get; }
    }
}
