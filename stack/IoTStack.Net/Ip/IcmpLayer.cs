using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>
    /// ICMPv4 (RFC 792, RFC 1122 section 3.2.2): echo replies, error messages about datagrams we cannot
    /// deliver (rate limited, and never about errors, broadcasts or later fragments), errors received
    /// (reported to connected UDP sockets), and a ping client for applications.
    /// </summary>
    internal sealed class IcmpLayer
    {
        /// <summary>RFC 1812 section 4.3.2.3: quote as much as fits in a 576-byte datagram.</summary>
        private const int MaximumQuote = 576 - Ipv4Packet.MinimumHeaderLength - Icmpv4Message.HeaderLength;

        private readonly PollTime _time;
        private readonly NetCounters _counters;
        private readonly Ipv4Layer _ip;
        private readonly int _timeToLive;
        private UdpLayer _udp;
        private readonly byte[] _header = new byte[Icmpv4Message.HeaderLength];
        private readonly Icmpv4Message _input = new Icmpv4Message();
        private readonly Ipv4Packet _quoted = new Ipv4Packet();
        private readonly PingSlot[] _pings;
        private readonly byte[] _pingData;
        private readonly ushort _pingIdentifier;
        private readonly int _burst;
        private readonly int _interval;
        private int _tokens;
        private long _refilledAt;
        private ushort _pingSequence;

        internal IcmpLayer(PollTime time, NetCounters counters, Ipv4Layer ip, NetStackOptions options, ushort identifier)
        {
            _time = time;
            _counters = counters;
            _ip = ip;
            _timeToLive = options.TimeToLive;
            _pingIdentifier = identifier;
            _burst = options.IcmpErrorBurst;
            _interval = options.IcmpErrorIntervalMs;
            _tokens = _burst;
            _pings = new PingSlot[options.PingSlots];
            for (int i = 0; i < _pings.Length; i++)
            {
                _pings[i] = new PingSlot();
            }

            _pingData = new byte[options.PingMaxDataLength];
            for (int i = 0; i < _pingData.Length; i++)
            {
                _pingData[i] = (byte)(i + 0x10);
            }
        }

        /// <summary>UDP, built after ICMP, takes the errors about datagrams its connected sockets sent.</summary>
        internal void Attach(UdpLayer udp)
        {
            _udp = udp;
        }

        internal void Input(Ipv4Packet ip, bool broadcast)
        {
            Icmpv4Message icmp = _input;
            WireError error = icmp.Parse(ip.Buffer, ip.PayloadOffset, ip.PayloadLength);
            if (error != WireError.None)
            {
                _counters.Drop(ProtocolLayer.Icmp, error);
                return;
            }

            _counters.Add(Counter.IcmpReceived);
            switch (icmp.Type)
            {
                case Icmpv4Message.TypeEchoRequest:
                    Echo(ip, icmp, broadcast);
                    break;
                case Icmpv4Message.TypeEchoReply:
                    EchoReply(ip, icmp);
                    break;
                case Icmpv4Message.TypeDestinationUnreachable:
                case Icmpv4Message.TypeTimeExceeded:
                case Icmpv4Message.TypeParameterProblem:
                    _counters.Add(Counter.IcmpErrorsReceived);
                    ErrorReceived(icmp);
                    break;
            }
        }

        /// <summary>
        /// Sends an error about <paramref name="original"/>, unless RFC 1122 section 3.2.2 forbids it or the
        /// rate limit is spent.
        /// </summary>
        internal void SendError(byte type, byte code, Ipv4Packet original)
        {
            uint source = original.SourceValue;
            if (original.FragmentOffset != 0 || source == 0 || source == 0xFFFFFFFF || IPv4Address.IsMulticastValue(source) || IsError(original))
            {
                return;
            }

            int quote = original.TotalLength < MaximumQuote ? original.TotalLength : MaximumQuote;
            SendQuoting(type, code, 0, original.Buffer, original.Offset, quote, original.DestinationValue, source);
        }

        /// <summary>Reassembly of a datagram from <paramref name="source"/> timed out (RFC 792 time exceeded, code 1).</summary>
        internal void SendTimeExceeded(byte[] quoted, int offset, int length, uint source, uint destination)
        {
            if (source != 0xFFFFFFFF && !IPv4Address.IsMulticastValue(source) && destination != 0xFFFFFFFF && !IPv4Address.IsMulticastValue(destination))
            {
                SendQuoting(Icmpv4Message.TypeTimeExceeded, Icmpv4Message.CodeReassemblyTimeExceeded, 0, quoted, offset, length, destination, source);
            }
        }

        internal SocketResult StartPing(IPv4Address destination, int dataLength, int timeoutMs, out int handle)
        {
            handle = 0;
            if (dataLength < 0 || dataLength > _pingData.Length || timeoutMs < 0)
            {
                return SocketResult.InvalidArgument;
            }

            PingSlot slot = null;
            int index = 0;
            for (; index < _pings.Length; index++)
            {
                if (!_pings[index].InUse)
                {
                    slot = _pings[index];
                    break;
                }
            }

            if (slot == null)
            {
                return SocketResult.NoBufferSpaceAvailable;
            }

            _pingSequence = (ushort)(_pingSequence == 0xFFFF ? 1 : _pingSequence + 1);
            ushort sequence = _pingSequence;
            Icmpv4Message.WriteEcho(_header, 0, Icmpv4Message.TypeEchoRequest, _pingIdentifier, sequence);
            FillChecksum(_pingData, 0, dataLength);
            SocketResult error = _ip.Send(0, destination.Value, IpProtocol.Icmp, _header, 0, _header.Length, _pingData, 0, dataLength, _timeToLive, false);
            if (error != SocketResult.Success)
            {
                return error;
            }

            slot.InUse = true;
            slot.Status = PingStatus.Pending;
            slot.Destination = destination.Value;
            slot.Sequence = sequence;
            slot.DataLength = dataLength;
            slot.SentAt = _time.Now;
            slot.Deadline = slot.SentAt + timeoutMs;
            handle = (sequence << 8) | index;
            return SocketResult.Success;
        }

        internal PingStatus GetStatus(int handle, out int roundTripMs)
        {
            PingSlot slot = Resolve(handle);
            roundTripMs = slot == null ? 0 : slot.RoundTrip;
            return slot == null ? PingStatus.Invalid : slot.Status;
        }

        internal void EndPing(int handle)
        {
            PingSlot slot = Resolve(handle);
            if (slot != null)
            {
                slot.InUse = false;
            }
        }

        internal void Timers(long now)
        {
            for (int i = 0; i < _pings.Length; i++)
            {
                PingSlot slot = _pings[i];
                if (slot.InUse && slot.Status == PingStatus.Pending && now >= slot.Deadline)
                {
                    slot.Status = PingStatus.TimedOut;
                }
            }
        }

        /// <summary>The earliest moment a pending ping times out.</summary>
        internal long NextDeadline(long earliest)
        {
            for (int i = 0; i < _pings.Length; i++)
            {
                PingSlot slot = _pings[i];
                if (slot.InUse && slot.Status == PingStatus.Pending && slot.Deadline < earliest)
                {
                    earliest = slot.Deadline;
                }
            }

            return earliest;
        }

        private PingSlot Resolve(int handle)
        {
            int index = handle & 0xFF;
            if (handle <= 0 || index >= _pings.Length)
            {
                return null;
            }

            PingSlot slot = _pings[index];
            return slot.InUse && slot.Sequence == (ushort)(handle >> 8) ? slot : null;
        }

        private void Echo(Ipv4Packet ip, Icmpv4Message request, bool broadcast)
        {
            _counters.Add(Counter.IcmpEchoRequestsReceived);
            if (broadcast)
            {
                // RFC 1122 section 3.2.2.6 allows silence; Linux's default (icmp_echo_ignore_broadcasts), and no smurf amplifier.
                _counters.Add(Counter.IcmpEchoBroadcastIgnored);
                return;
            }

            Icmpv4Message.WriteEcho(_header, 0, Icmpv4Message.TypeEchoReply, request.Identifier, request.SequenceNumber);
            FillChecksum(ip.Buffer, request.PayloadOffset, request.PayloadLength);
            SocketResult error = _ip.Send(ip.DestinationValue, ip.SourceValue, IpProtocol.Icmp, _header, 0, _header.Length, ip.Buffer, request.PayloadOffset, request.PayloadLength, _timeToLive, false);
            if (error == SocketResult.Success)
            {
                _counters.Add(Counter.IcmpEchoRepliesSent);
            }
        }

        private void EchoReply(Ipv4Packet ip, Icmpv4Message reply)
        {
            PingSlot slot = FindPing(reply.Identifier, reply.SequenceNumber);
            if (slot == null || slot.Destination != ip.SourceValue)
            {
                _counters.Add(Counter.PingRepliesUnmatched);
                return;
            }

            if (reply.PayloadLength != slot.DataLength || !SameBytes(ip.Buffer, reply.PayloadOffset, _pingData, slot.DataLength))
            {
                _counters.Add(Counter.PingRepliesCorrupt);
                return;
            }

            _counters.Add(Counter.PingRepliesReceived);
            slot.Status = PingStatus.Replied;
            slot.RoundTrip = (int)(_time.Now - slot.SentAt);
        }

        /// <summary>An error quoting one of our datagrams: tell the ping or the connected UDP socket it concerns.</summary>
        private void ErrorReceived(Icmpv4Message icmp)
        {
            Ipv4Packet quoted = _quoted.Attach(icmp.Buffer, icmp.PayloadOffset);
            int quoteLength = icmp.PayloadLength;
            if (quoteLength < Ipv4Packet.MinimumHeaderLength + 8 || quoted.Version != 4 || quoted.HeaderLength + 8 > quoteLength)
            {
                return;
            }

            int transport = quoted.PayloadOffset;
            byte[] buffer = icmp.Buffer;
            if (quoted.Protocol == IpProtocol.Icmp && buffer[transport] == Icmpv4Message.TypeEchoRequest)
            {
                PingSlot slot = FindPing(NetworkOrder.ReadUInt16(buffer, transport + 4), NetworkOrder.ReadUInt16(buffer, transport + 6));
                if (slot != null && slot.Status == PingStatus.Pending)
                {
                    slot.Status = PingStatus.Unreachable;
                }
            }
            else if (quoted.Protocol == IpProtocol.Udp)
            {
                SocketResult reported = icmp.Type == Icmpv4Message.TypeDestinationUnreachable && icmp.Code == Icmpv4Message.CodePortUnreachable
                    ? SocketResult.ConnectionRefused
                    : SocketResult.HostUnreachable;
                _udp.ErrorReceived(quoted.SourceValue, NetworkOrder.ReadUInt16(buffer, transport), quoted.DestinationValue, NetworkOrder.ReadUInt16(buffer, transport + 2), reported);
            }
        }

        private PingSlot FindPing(ushort identifier, ushort sequence)
        {
            if (identifier != _pingIdentifier)
            {
                return null;
            }

            for (int i = 0; i < _pings.Length; i++)
            {
                if (_pings[i].InUse && _pings[i].Sequence == sequence)
                {
                    return _pings[i];
                }
            }

            return null;
        }

        private void SendQuoting(byte type, byte code, uint restOfHeader, byte[] quoted, int offset, int length, uint from, uint to)
        {
            if (!TakeToken())
            {
                _counters.Add(Counter.IcmpErrorsRateLimited);
                return;
            }

            _header[0] = type;
            _header[1] = code;
            NetworkOrder.WriteUInt32(_header, 4, restOfHeader);
            FillChecksum(quoted, offset, length);
            uint source = _ip.IsBroadcastOrMulticast(from) ? 0 : from;
            if (_ip.Send(source, to, IpProtocol.Icmp, _header, 0, _header.Length, quoted, offset, length, _timeToLive, false) == SocketResult.Success)
            {
                _counters.Add(Counter.IcmpErrorsSent);
            }
        }

        /// <summary>Token bucket: a burst, then one message per interval (RFC 1812 section 4.3.2.8).</summary>
        private bool TakeToken()
        {
            long now = _time.Now;
            if (_tokens < _burst)
            {
                long earned = (now - _refilledAt) / _interval;
                if (earned > 0)
                {
                    _tokens = earned >= _burst - _tokens ? _burst : _tokens + (int)earned;
                    _refilledAt = now;
                }
            }
            else
            {
                _refilledAt = now;
            }

            if (_tokens == 0)
            {
                return false;
            }

            _tokens--;
            return true;
        }

        /// <summary>Checksums the 8-byte header in <see cref="_header"/> followed by the body, and stores it.</summary>
        private void FillChecksum(byte[] body, int offset, int length)
        {
            NetworkOrder.WriteUInt16(_header, 2, 0);
            uint sum = InternetChecksum.Add(0, _header, 0, _header.Length);
            NetworkOrder.WriteUInt16(_header, 2, InternetChecksum.Complement(InternetChecksum.Add(sum, body, offset, length)));
        }

        private static bool IsError(Ipv4Packet original)
        {
            if (original.Protocol != IpProtocol.Icmp || original.PayloadLength < 1)
            {
                return false;
            }

            return Icmpv4Message.IsErrorType(original.Buffer[original.PayloadOffset]);
        }

        private static bool SameBytes(byte[] a, int offset, byte[] b, int length)
        {
            for (int i = 0; i < length; i++)
            {
                if (a[offset + i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
