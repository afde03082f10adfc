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
        Invalid = 16
    }
}
