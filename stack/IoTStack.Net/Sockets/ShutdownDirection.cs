namespace IoTStack.Net.Sockets
{
    /// <summary>Which direction <c>Shutdown</c> closes (SHUT_RD, SHUT_WR, SHUT_RDWR).</summary>
    public enum ShutdownDirection
    {
        Receive = 0,
        Send = 1,
        Both = 2
    }
}
