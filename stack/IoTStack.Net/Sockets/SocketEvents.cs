namespace IoTStack.Net.Sockets
{
    /// <summary>What <c>PollSocket</c> reports, as poll(2)'s revents.</summary>
    [System.Flags]
    public enum SocketEvents
    {
        None = 0,
        Readable = 1,
        Writable = 2,
        Error = 4,
        HangUp = 8,
        /// <summary>The descriptor is not an open socket (POLLNVAL).</summary>
        Invalid = 16,
        /// <summary>
        /// A listener turned a client away since it was last asked: a full backlog or no connection slot in the software
        /// stack (the SYN dropped or refused), no hardware socket left in LISTEN on its port on the W5500 (the chip answers
        /// SYNs with RST). An application that holds idle connections (a stalled request head) frees one.
        /// </summary>
        Overflow = 32
    }
}
