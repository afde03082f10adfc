namespace IoTStack.Net.Ip
{
    /// <summary>Where an echo request of the ping client stands.</summary>
    public enum PingStatus
    {
        /// <summary>The handle names no ping (never started, ended, or stale).</summary>
        Invalid,
        Pending,
        Replied,
        TimedOut,
        /// <summary>An ICMP destination unreachable or time exceeded came back about the request.</summary>
        Unreachable
    }
}
