namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// Results of socket calls, named as System.Net.Sockets.SocketError names the BSD errors. Not called SocketError, so a
    /// file can use System.Net.Sockets and IoTStack together without an alias (issue 16).
    /// </summary>
    public enum SocketResult
    {
        Success = 0,
        /// <summary>Nothing to do now: no datagram queued, no room, not yet connected (EWOULDBLOCK).</summary>
        WouldBlock,
        /// <summary>The descriptor is not an open socket: never opened, closed, or stale (ENOTSOCK, EBADF).</summary>
        NotSocket,
        InvalidArgument,
        TooManyOpenSockets,
        /// <summary>The local socket address is taken for this protocol (EADDRINUSE).</summary>
        AddressInUse,
        /// <summary>The address is not one of this node's (EADDRNOTAVAIL).</summary>
        AddressNotAvailable,
        /// <summary>Broadcast without the Broadcast option (EACCES).</summary>
        AccessDenied,
        /// <summary>The datagram is larger than can be sent, or than the buffer it was received into (EMSGSIZE).</summary>
        MessageSize,
        ProtocolNotSupported,
        SocketNotSupported,
        OperationNotSupported,
        ProtocolOption,
        DestinationAddressRequired,
        NotConnected,
        IsConnected,
        NetworkUnreachable,
        HostUnreachable,
        NetworkDown,
        NoBufferSpaceAvailable,
        ConnectionRefused,
        ConnectionReset,
        ConnectionAborted,
        TimedOut,
        Shutdown
    }
}
