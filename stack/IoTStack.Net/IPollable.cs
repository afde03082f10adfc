namespace IoTStack.Net
{
    /// <summary>
    /// Work that a loop drives by polling (DESIGN.md rule 3): a socket engine, the services beside it. One thread polls
    /// everything a board runs (<see cref="Sockets.NetHost"/>'s poll thread, or the application's own loop) and then sleeps
    /// the least of their <see cref="PollDelay"/>s, or until the chip's interrupt line asserts.
    /// </summary>
    public interface IPollable
    {
        /// <summary>Moves data and runs timers; true when there was something to do.</summary>
        bool Poll();

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> must run again even if nothing arrives: the earliest timer kept, 0 when
        /// work waits now (output queued by a call since the last Poll), never more than the implementer's own cap (a check
        /// it makes on every Poll, such as a driver's link and health check). A loop that found nothing to do sleeps this
        /// long or until the chip's interrupt line asserts; a board without the line wired also polls at a short fixed
        /// interval, for frames only. Computed when asked, not on every Poll.
        /// </summary>
        int PollDelay();
    }
}
