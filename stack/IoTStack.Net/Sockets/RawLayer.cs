using IoTStack.Net.Ip;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// Raw IP sockets: each gets a copy of every datagram of its protocol number addressed to this node,
    /// IP header included (as Linux raw sockets do); sending wraps a payload in an IP header, or with
    /// HeaderIncluded takes the whole datagram.
    /// </summary>
    internal sealed class RawLayer
    {
        private readonly NetCounters _counters;
        private readonly SocketTable _sockets;
        private readonly Ipv4Layer _ip;

        internal RawLayer(NetCounters counters, SocketTable sockets, Ipv4Layer ip)
        {
            _counters = counters;
            _sockets = sockets;
            _ip = ip;
        }

        /// <summary>Copies the datagram to every matching raw socket and returns how many took it.</summary>
        internal int Deliver(Ipv4Packet ip)
        {
            int delivered = 0;
            for (int i = _sockets.DatagramEnd; i < _sockets.Count; i++)
            {
                SocketSlot slot = _sockets[i];
                if (!slot.InUse || slot.Type != SocketKind.Raw || slot.Protocol != ip.Protocol
                    || (slot.LocalAddress != 0 && slot.LocalAddress != ip.DestinationValue)
                    || (slot.RemoteAddress != 0 && slot.RemoteAddress != ip.SourceValue))
                {
                    continue;
                }

                if (slot.Datagrams.Enqueue(ip.SourceValue, 0, ip.Buffer, ip.Offset, ip.TotalLength))
                {
                    _counters.Add(Counter.RawDelivered);
                    delivered++;
                }
                else
                {
                    slot.ReceiveDropped++;
                    _counters.Add(Counter.RawReceiveQueueFull);
                }
            }

            return delivered;
        }

        /// <summary>Fixes the peer whose datagrams alone are received and to which Send goes; 0.0.0.0 undoes it. Raw sockets have no port.</summary>
        internal static SocketResult Connect(SocketSlot slot, uint address, int port)
        {
            if (port != 0)
            {
                return SocketResult.InvalidArgument;
            }

            slot.SetPeer(address, 0);
            return SocketResult.Success;
        }

        internal SocketResult Send(SocketSlot slot, uint destination, byte[] buffer, int offset, int count)
        {
            SocketResult error;
            if (slot.HeaderIncluded)
            {
                error = _ip.SendWhole(buffer, offset, count);
            }
            else
            {
                SocketResult allowed = _ip.CheckBroadcast(destination, slot.Broadcast);
                if (allowed != SocketResult.Success)
                {
                    return allowed;
                }

                error = _ip.Send(slot.LocalAddress, destination, slot.Protocol, buffer, offset, 0, buffer, offset, count, slot.TimeToLiveTo(destination), slot.DontFragment);
            }

            if (error == SocketResult.Success)
            {
                _counters.Add(Counter.RawSent);
            }

            return error;
        }
    }
}
