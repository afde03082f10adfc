namespace IoTStack.Net.Sockets
{
    /// <summary>Options set and read with integer values (booleans as 0 and 1).</summary>
    public enum SocketOption
    {
        /// <summary>Allow sending to broadcast addresses (SO_BROADCAST).</summary>
        Broadcast,
        /// <summary>Allow binding a local socket address another socket of the same protocol holds (SO_REUSEADDR, both must set it).</summary>
        ReuseAddress,
        /// <summary>Never fragment: sends larger than the path MTU fail with MessageSize (IP_MTU_DISCOVER DO).</summary>
        DontFragment,
        /// <summary>TTL of datagrams this socket sends (IP_TTL).</summary>
        TimeToLive,
        /// <summary>Raw sockets: the application supplies the IP header (IP_HDRINCL).</summary>
        HeaderIncluded,
        /// <summary>Read only: bytes waiting in the receive buffer (FIONREAD counts the next datagram only; this counts all).</summary>
        ReceiveQueued,
        /// <summary>Read only: datagrams dropped because the receive buffer was full.</summary>
        ReceiveDropped,
        /// <summary>Read and clear the pending error (SO_ERROR).</summary>
        Error
    }
}
