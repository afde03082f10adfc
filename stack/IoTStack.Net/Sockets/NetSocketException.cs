namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// What <see cref="NetSocket"/> throws, as System.Net.Sockets.SocketException: <see cref="ErrorCode"/> is the number
    /// System.Net.Sockets.SocketError gives the same error (WouldBlock 10035, TimedOut 10060, ...), so code that switches
    /// on <c>(SocketError)e.ErrorCode</c> reads it; <see cref="Result"/> is IoTStack's own code.
    /// </summary>
    public sealed class NetSocketException : System.Exception
    {
        public NetSocketException(SocketResult result)
            : base("socket error")
        {
            Result = result;
            ErrorCode = ErrorCodeOf(result);
        }

        /// <summary>The System.Net.Sockets.SocketError number of <see cref="Result"/>.</summary>
        public int ErrorCode { get; private set; }

        public SocketResult Result { get; private set; }

        /// <summary>
        /// The one mapping from <see cref="SocketResult"/> to System.Net.Sockets.SocketError's numbers (Windows Sockets
        /// error codes, which .NET uses on every platform); -1 (SocketError.SocketError) for none.
        /// </summary>
        public static int ErrorCodeOf(SocketResult result)
        {
            switch (result)
            {
                case SocketResult.Success:
                    return 0;
                case SocketResult.WouldBlock:
                    return 10035;
                case SocketResult.NotSocket:
                    return 10038;
                case SocketResult.InvalidArgument:
                    return 10022;
                case SocketResult.TooManyOpenSockets:
                    return 10024;
                case SocketResult.AddressInUse:
                    return 10048; // AddressAlreadyInUse
                case SocketResult.AddressNotAvailable:
                    return 10049;
                case SocketResult.AccessDenied:
                    return 10013;
                case SocketResult.MessageSize:
                    return 10040;
                case SocketResult.ProtocolOption:
                    return 10042;
                case SocketResult.ProtocolNotSupported:
                    return 10043;
                case SocketResult.SocketNotSupported:
                    return 10044;
                case SocketResult.OperationNotSupported:
                    return 10045;
                case SocketResult.DestinationAddressRequired:
                    return 10039;
                case SocketResult.NetworkDown:
                    return 10050;
                case SocketResult.NetworkUnreachable:
                    return 10051;
                case SocketResult.ConnectionAborted:
                    return 10053;
                case SocketResult.ConnectionReset:
                    return 10054;
                case SocketResult.NoBufferSpaceAvailable:
                    return 10055;
                case SocketResult.IsConnected:
                    return 10056;
                case SocketResult.NotConnected:
                    return 10057;
                case SocketResult.Shutdown:
                    return 10058;
                case SocketResult.TimedOut:
                    return 10060;
                case SocketResult.ConnectionRefused:
                    return 10061;
                case SocketResult.HostUnreachable:
                    return 10065;
                default:
                    return -1;
            }
        }
    }
}
