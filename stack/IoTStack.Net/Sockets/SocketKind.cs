namespace IoTStack.Net.Sockets
{
    public enum SocketKind
    {
        /// <summary>TCP.</summary>
        Stream = 1,
        /// <summary>UDP.</summary>
        Datagram = 2,
        /// <summary>Whole IP datagrams of one protocol number.</summary>
        Raw = 3
    }
}
