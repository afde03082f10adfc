namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// A slot's state. Datagram and raw sockets use the first three; TCP (RFC 9293 section 3.3.2) adds
    /// its own from Listen on.
    /// </summary>
    public enum SocketState
    {
        Free = 0,
        Open,
        Bound,
        Connected,
        Listen,
        SynSent,
        SynReceived,
        Established,
        FinWait1,
        FinWait2,
        CloseWait,
        Closing,
        LastAck,
        TimeWait,
        Closed
    }
}
