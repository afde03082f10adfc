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
        Error,
        /// <summary>TCP: send small segments at once instead of waiting for outstanding data to be acknowledged (TCP_NODELAY, Nagle off).</summary>
        NoDelay,
        /// <summary>TCP: probe an idle connection and abort it when the peer is gone (SO_KEEPALIVE).</summary>
        KeepAlive,
        /// <summary>TCP: -1 (default) closes gracefully; 0 aborts with RST on close (SO_LINGER with a zero time).</summary>
        Linger,
        /// <summary>TCP: milliseconds sent data may stay unacknowledged before the connection is aborted (TCP_USER_TIMEOUT, RFC 5482); 0 for no limit.</summary>
        UserTimeout,
        /// <summary>
        /// UDP: receive datagrams sent to a multicast group (IP_ADD_MEMBERSHIP); the value is the group's
        /// <see cref="Wire.IPv4Address.Value"/> cast to int. On the W5500's hardware sockets a socket takes one group,
        /// the chip's multicast mode (Sn_MR MULTI).
        /// </summary>
        AddMembership,
        /// <summary>UDP: leave a group joined with <see cref="AddMembership"/> (IP_DROP_MEMBERSHIP); the value is the group.</summary>
        DropMembership,
        /// <summary>TCP: the congestion control algorithm, a <see cref="TcpCongestionAlgorithm"/> (Linux's TCP_CONGESTION); it applies from the next connection the socket makes or accepts.</summary>
        CongestionControl,
        /// <summary>
        /// UDP and raw: TTL of datagrams this socket sends to multicast groups, 1 to 255 (IP_MULTICAST_TTL); 1 by default,
        /// so they stay on the local network (RFC 1112 section 6.1). <see cref="TimeToLive"/> is for all other destinations.
        /// </summary>
        MulticastTimeToLive,
        /// <summary>
        /// UDP and raw: a datagram this socket sends to a group this node joined is also delivered here, to the sockets
        /// bound to its port (IP_MULTICAST_LOOP); on (1) by default, as on Linux.
        /// </summary>
        MulticastLoopback
    }
}
