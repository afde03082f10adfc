namespace IoTStack.Net.Sockets
{
    /// <summary>What <see cref="NetSocket.Poll"/> waits for, as System.Net.Sockets.SelectMode (a name of its own, issue 16).</summary>
    public enum SocketPollMode
    {
        /// <summary>Data to read, a connection to accept, or the end of the stream (or an error: a read would not wait).</summary>
        Read,
        /// <summary>Room to send, which a connection under way gets once it is up.</summary>
        Write,
        /// <summary>A pending error, such as a connection that failed.</summary>
        Error
    }
}
