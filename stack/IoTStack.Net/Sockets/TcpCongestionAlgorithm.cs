namespace IoTStack.Net.Sockets
{
    /// <summary>How a stream socket's congestion window moves (<see cref="SocketOption.CongestionControl"/>, Linux's TCP_CONGESTION).</summary>
    public enum TcpCongestionAlgorithm
    {
        /// <summary>Reno's additive increase and halving (RFC 5681, RFC 6582).</summary>
        NewReno = 0,

        /// <summary>CUBIC (RFC 9438), Linux's default: a window of 0.7 after a loss, regrowing on a cubic curve.</summary>
        Cubic = 1
    }
}
