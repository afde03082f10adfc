using IoTStack.Net.Sockets;

namespace IoTStack.Net
{
    /// <summary>The calls only stream sockets have: listen, accept, shutdown.</summary>
    public sealed partial class NetStack
    {
        /// <summary>
        /// Turns a bound stream socket into a listener (an unbound one gets an ephemeral port). At most
        /// <paramref name="backlog"/> connections wait, half-open or unaccepted; more are refused.
        /// </summary>
        public SocketResult Listen(int socket, int backlog)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            return slot.Type == SocketKind.Stream ? _tcp.Listen(slot, backlog) : SocketResult.OperationNotSupported;
        }

        /// <summary>The next established connection of a listener, in its own slot and with its own descriptor; WouldBlock when none waits.</summary>
        public SocketResult Accept(int socket, out int connection)
        {
            connection = 0;
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            return slot.Type == SocketKind.Stream ? _tcp.Accept(slot, out connection) : SocketResult.OperationNotSupported;
        }

        /// <summary>Half-close: Send queues our FIN after the data; Receive makes further reads end of stream.</summary>
        public SocketResult Shutdown(int socket, ShutdownDirection how)
        {
            SocketSlot slot = _sockets.Resolve(socket);
            if (slot == null)
            {
                return SocketResult.NotSocket;
            }

            return slot.Type == SocketKind.Stream ? _tcp.Shutdown(slot, how) : SocketResult.OperationNotSupported;
        }
    }
}
