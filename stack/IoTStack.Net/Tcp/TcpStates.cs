using IoTStack.Net.Sockets;

namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// The groups of RFC 9293 states (section 3.3.2, figure 5) the TCP layer asks about, each naming its states: a switch,
    /// not an ordinal range, so a state added to <see cref="SocketState"/> changes no answer by where it sits.
    /// </summary>
    internal static class TcpStates
    {
        /// <summary>A connection exists: from our SYN or a half-open entry's promotion to the end of TIME-WAIT.</summary>
        internal static bool IsConnection(SocketState state)
        {
            switch (state)
            {
                case SocketState.SynSent:
                case SocketState.SynReceived:
                case SocketState.Established:
                case SocketState.FinWait1:
                case SocketState.FinWait2:
                case SocketState.CloseWait:
                case SocketState.Closing:
                case SocketState.LastAck:
                case SocketState.TimeWait:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Both sides' sequence numbers are known (RFC 9293 section 3.10.7.4's "synchronized states"): every connection state but SYN-SENT.</summary>
        internal static bool IsSynchronized(SocketState state)
        {
            return state != SocketState.SynSent && IsConnection(state);
        }

        /// <summary>Sequence space may still be sent or sent again: data, or a FIN not yet acknowledged.</summary>
        internal static bool MaySend(SocketState state)
        {
            switch (state)
            {
                case SocketState.Established:
                case SocketState.CloseWait:
                case SocketState.FinWait1:
                case SocketState.Closing:
                case SocketState.LastAck:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>The handshake is under way: our SYN, or our SYN-ACK, is what goes out.</summary>
        internal static bool IsOpening(SocketState state)
        {
            return state == SocketState.SynSent || state == SocketState.SynReceived;
        }
    }
}
