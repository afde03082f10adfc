using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>The stream socket calls, as <see cref="NetStack"/> forwards them.</summary>
    internal sealed partial class TcpLayer
    {
        /// <summary>Active open: sends the SYN and returns WouldBlock; the socket turns writable once connected.</summary>
        internal SocketResult Connect(SocketSlot slot, uint address, int port)
        {
            if (address == 0)
            {
                return SocketResult.DestinationAddressRequired;
            }

            switch (slot.State)
            {
                case SocketState.Open:
                case SocketState.Bound:
                    break;
                case SocketState.SynSent:
                case SocketState.SynReceived:
                    return SocketResult.WouldBlock;
                case SocketState.Closed:
                    return TakeError(slot, SocketResult.InvalidArgument);
                case SocketState.Listen:
                    return SocketResult.InvalidArgument;
                default:
                    return SocketResult.IsConnected;
            }

            if (port <= 0 || port > 0xFFFF)
            {
                return SocketResult.InvalidArgument;
            }

            if (_ip.IsBroadcastOrMulticast(address))
            {
                return SocketResult.AddressNotAvailable;
            }

            uint source;
            SocketResult error = _ip.SourceFor(address, out source); // checked even when bound: no route, no SYN
            if (error != SocketResult.Success)
            {
                return error;
            }

            uint local = slot.LocalAddress == 0 ? source : slot.LocalAddress;
            int localPort = slot.LocalPort;
            if (localPort == 0)
            {
                for (int attempt = 0; attempt < 16 && (localPort == 0 || FourTupleInUse(local, localPort, address, port)); attempt++)
                {
                    localPort = _sockets.PickEphemeralPort(IpProtocol.Tcp, local, slot);
                }

                if (localPort == 0 || FourTupleInUse(local, localPort, address, port))
                {
                    return SocketResult.AddressInUse;
                }
            }
            else if (FourTupleInUse(local, localPort, address, port))
            {
                return SocketResult.AddressInUse;
            }

            if (!_sockets.AttachConnection(slot))
            {
                return SocketResult.NoBufferSpaceAvailable; // every one of NetStackOptions.TcpConnections is in use (BSD ENOBUFS)
            }

            slot.LocalAddress = local;
            slot.LocalPort = localPort;
            slot.RemoteAddress = address;
            slot.RemotePort = port;
            Initialise(slot, InitialSequence(local, localPort, address, port), 536);
            slot.Tcp.ReceiveNext = 0;
            slot.Tcp.ReceiveAdvertised = 0;
            slot.State = SocketState.SynSent;
            Output(slot);
            return SocketResult.WouldBlock;
        }

        /// <summary>Sets a stream socket's option; NoDelay turned on sends what Nagle held back at once.</summary>
        internal SocketResult SetOption(SocketSlot slot, SocketOption option, int value)
        {
            SocketResult result = slot.SetOption(option, value);
            if (result == SocketResult.Success && option == SocketOption.NoDelay && slot.NoDelay && slot.Tcp != null)
            {
                Output(slot);
            }

            return result;
        }

        internal SocketResult Listen(SocketSlot slot, int backlog)
        {
            if (slot.State == SocketState.Listen)
            {
                slot.Backlog = ClampBacklog(backlog);
                return SocketResult.Success;
            }

            if (slot.State != SocketState.Open && slot.State != SocketState.Bound)
            {
                return SocketResult.InvalidArgument;
            }

            if (_sockets.Listeners >= _options.TcpListeners)
            {
                return SocketResult.TooManyOpenSockets; // NetStackOptions.TcpListeners are all listening
            }

            if (slot.LocalPort == 0)
            {
                SocketResult bound = _sockets.BindEphemeral(slot, slot.LocalAddress);
                if (bound != SocketResult.Success)
                {
                    return bound;
                }
            }

            slot.Backlog = ClampBacklog(backlog);
            slot.State = SocketState.Listen;
            return SocketResult.Success;
        }

        /// <summary>Hands out the oldest established connection waiting on the listener.</summary>
        internal SocketResult Accept(SocketSlot listener, out int socket)
        {
            socket = 0;
            if (listener.State != SocketState.Listen)
            {
                return SocketResult.InvalidArgument;
            }

            if (!_acceptsWaiting)
            {
                return SocketResult.WouldBlock; // an application polling its listeners pays one test, not a scan of the table
            }

            SocketSlot oldest = null;
            bool anyWaiting = false;
            int count = _sockets.StreamEnd;
            for (int i = 0; i < count; i++)
            {
                SocketSlot slot = _sockets[i];
                if (IsWaitingForAccept(slot))
                {
                    anyWaiting = true;
                    if (slot.Tcp.ListenerDescriptor == listener.Descriptor && (oldest == null || slot.Tcp.AcceptOrder < oldest.Tcp.AcceptOrder))
                    {
                        oldest = slot;
                    }
                }
            }

            if (oldest == null)
            {
                _acceptsWaiting = anyWaiting;
                return SocketResult.WouldBlock;
            }

            oldest.Tcp.AcceptPending = false;
            socket = oldest.Descriptor;
            return SocketResult.Success;
        }

        /// <summary>Queues data in the transmit ring (as much as fits) and sends what the windows allow.</summary>
        internal SocketResult Send(SocketSlot slot, byte[] buffer, int offset, int count, out int sent)
        {
            sent = 0;
            switch (slot.State)
            {
                case SocketState.Established:
                case SocketState.CloseWait:
                    break;
                case SocketState.SynSent:
                case SocketState.SynReceived:
                    return SocketResult.WouldBlock;
                case SocketState.Closed:
                    return TakeError(slot, SocketResult.NotConnected);
                case SocketState.FinWait1:
                case SocketState.FinWait2:
                case SocketState.Closing:
                case SocketState.LastAck:
                case SocketState.TimeWait:
                    return SocketResult.Shutdown;
                default:
                    return SocketResult.NotConnected;
            }

            if (slot.Tcp.FinQueued)
            {
                return SocketResult.Shutdown;
            }

            if (count == 0)
            {
                return SocketResult.Success;
            }

            sent = slot.TransmitRing.Write(buffer, offset, count);
            if (sent == 0)
            {
                return SocketResult.WouldBlock;
            }

            // Out at the end of the poll (or with the next ACK processed), with whatever else the application writes
            // meanwhile: a response written as head and body leaves as one segment (smoltcp and lwIP defer likewise).
            slot.Tcp.OutputPending = true;
            _outputPending = true;
            return SocketResult.Success;
        }

        /// <summary>Reads in-order data; Success with 0 bytes is the end of the stream (the peer's FIN).</summary>
        internal SocketResult Receive(SocketSlot slot, byte[] buffer, int offset, int count, out int received)
        {
            received = 0;
            TcpConnection c = slot.Tcp;
            if (c == null)
            {
                return SocketResult.NotConnected; // open, bound or listening: no connection
            }

            if (slot.ReceiveRing.Count > 0)
            {
                received = slot.ReceiveRing.Read(buffer, offset, count);
                if (TcpStates.IsSynchronized(slot.State) && slot.State != SocketState.TimeWait && WindowWouldGrow(slot))
                {
                    c.AckNow = true; // a window update, now that the reader made room
                    Output(slot);
                }

                return SocketResult.Success;
            }

            switch (slot.State)
            {
                case SocketState.Open:
                case SocketState.Bound:
                case SocketState.Listen:
                    return SocketResult.NotConnected;
                case SocketState.Closed:
                    return TakeError(slot, SocketResult.Success);
            }

            if (c.FinReceived || c.ReceiveShutdown)
            {
                return SocketResult.Success;
            }

            return slot.PendingError != SocketResult.Success ? TakeError(slot, SocketResult.Success) : SocketResult.WouldBlock;
        }

        internal SocketResult Shutdown(SocketSlot slot, ShutdownDirection how)
        {
            if (!TcpStates.IsConnection(slot.State))
            {
                return SocketResult.NotConnected;
            }

            if (how != ShutdownDirection.Send)
            {
                slot.Tcp.ReceiveShutdown = true;
            }

            if (how != ShutdownDirection.Receive)
            {
                QueueFin(slot);
            }

            return SocketResult.Success;
        }

        /// <summary>
        /// Close (RFC 9293 section 3.10.4): a connection with data still unread, or with linger zero, is reset;
        /// otherwise it sends its FIN after the queued data and finishes closing on its own, its descriptor
        /// already dead. A listener resets the connections nobody accepted.
        /// </summary>
        internal void Close(SocketSlot slot)
        {
            switch (slot.State)
            {
                case SocketState.Listen:
                    _synQueue.RemoveFor(slot.Descriptor);
                    for (int i = 0; i < _sockets.StreamEnd; i++)
                    {
                        if (IsPendingAccept(_sockets[i], slot.Descriptor))
                        {
                            Abort(_sockets[i], SocketResult.ConnectionAborted, true);
                        }
                    }

                    slot.Release();
                    return;
                case SocketState.TimeWait:
                    EnterTimeWaitTable(slot);
                    slot.Release();
                    return;
                case SocketState.Established:
                case SocketState.SynReceived:
                case SocketState.CloseWait:
                case SocketState.FinWait1:
                case SocketState.FinWait2:
                case SocketState.Closing:
                case SocketState.LastAck:
                    break;
                default:
                    slot.Release();
                    return;
            }

            TcpConnection c = slot.Tcp;
            c.Orphaned = true;
            c.ClosingSince = _time.Now;
            if (slot.LingerSeconds == 0 || slot.ReceiveRing.Count > 0)
            {
                // RFC 2525 section 2.17: closing with unread data must reset, so the peer knows it was lost.
                _counters.Add(Counter.TcpAborts);
                Abort(slot, SocketResult.ConnectionAborted, true);
                return;
            }

            slot.Orphan();
            QueueFin(slot);
        }

        internal SocketEvents Poll(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            SocketEvents events = SocketEvents.None;
            if (slot.State == SocketState.Listen)
            {
                events = PendingAccepts(slot.Descriptor) > 0 ? SocketEvents.Readable : SocketEvents.None;
                if (slot.TurnedAway)
                {
                    slot.TurnedAway = false; // reported once, as news
                    events |= SocketEvents.Overflow;
                }

                return events;
            }

            if (c == null)
            {
                return SocketEvents.None; // open or bound, not connecting
            }

            if ((slot.State == SocketState.Established || slot.State == SocketState.CloseWait) && !c.FinQueued && slot.TransmitRing.Free > 0)
            {
                events |= SocketEvents.Writable;
            }

            if (slot.ReceiveRing.Count > 0 || c.FinReceived || c.ReceiveShutdown)
            {
                events |= SocketEvents.Readable;
            }

            if (slot.State == SocketState.Closed || (c.FinReceived && c.FinQueued))
            {
                events |= SocketEvents.HangUp | SocketEvents.Readable;
            }

            if (slot.PendingError != SocketResult.Success)
            {
                events |= SocketEvents.Error | SocketEvents.Writable;
            }

            return events;
        }

        private void QueueFin(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            if (c.FinQueued)
            {
                return;
            }

            switch (slot.State)
            {
                case SocketState.SynSent:
                    slot.State = SocketState.Closed;
                    StopTimers(c);
                    if (c.Orphaned)
                    {
                        slot.Release();
                    }

                    return;
                case SocketState.SynReceived:
                    c.FinQueued = true; // RFC 9293 section 3.10.4: sent once ESTABLISHED, after our SYN is acknowledged
                    return;
                case SocketState.Established:
                    slot.State = SocketState.FinWait1;
                    break;
                case SocketState.CloseWait:
                    slot.State = SocketState.LastAck;
                    break;
                default:
                    return;
            }

            c.FinQueued = true;
            Output(slot);
        }

        private bool WindowWouldGrow(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            int advertised = (int)(c.ReceiveAdvertised - c.ReceiveNext);
            return slot.ReceiveRing.Free - advertised >= WindowStep(slot);
        }

        private int ClampBacklog(int backlog)
        {
            return backlog < 1 ? 1 : backlog > _options.TcpConnections ? _options.TcpConnections : backlog;
        }

        private static SocketResult TakeError(SocketSlot slot, SocketResult otherwise)
        {
            SocketResult error = slot.PendingError;
            slot.PendingError = SocketResult.Success;
            return error != SocketResult.Success ? error : otherwise;
        }
    }
}
