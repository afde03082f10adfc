using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>
    /// Address resolution for Ethernet and IPv4 (RFC 826): answers requests for our address, learns
    /// from what it hears, resolves next hops with retry and give-up while their frames wait in a small
    /// queue, keeps entries fresh, announces our address, and notices and defends against a host that
    /// claims it (RFC 5227 sections 2.4 and 3).
    /// </summary>
    internal sealed class ArpLayer
    {
        private readonly InterfaceState _interface;
        private readonly PollTime _time;
        private readonly NetCounters _counters;
        private readonly ArpCache _cache;
        private readonly ArpQueue _queue;
        private readonly byte[] _frame = new byte[EthernetFrame.MinimumLength];
        private readonly ArpPacket _input = new ArpPacket();
        private readonly int _interval;
        private readonly int _retries;
        private readonly int _lifetime;
        private readonly int _defendInterval;
        private long _lastDefence;
        private bool _defended;

        internal ArpLayer(InterfaceState networkInterface, PollTime time, NetCounters counters, NetStackOptions options)
        {
            _interface = networkInterface;
            _time = time;
            _counters = counters;
            _cache = new ArpCache(options.ArpCacheSize);
            _queue = new ArpQueue(options.ArpQueueSize);
            _interval = options.ArpRequestIntervalMs;
            _retries = options.ArpRequestRetries;
            _lifetime = options.ArpEntryLifetimeMs;
            _defendInterval = options.ArpDefendIntervalMs;
        }

        internal ArpCache Cache
        {
            get { return _cache; }
        }

        /// <summary>Set once another host has claimed our address; <see cref="ConflictingMacAddress"/> says who.</summary>
        internal bool ConflictDetected;

        internal MacAddress ConflictingMacAddress;

        /// <summary>The address an RFC 5227 probe asks about (0.0.0.0 for none), and whether another host claimed it.</summary>
        internal uint ProbeTarget;

        internal bool ProbeConflict;

        /// <summary>
        /// RFC 5227 section 2.1.1: an ARP request for <paramref name="target"/> with sender address 0.0.0.0 (so no
        /// neighbour's cache learns a binding from it). Any ARP from another host with the target as sender
        /// address, or another prober's request for it, marks <see cref="ProbeConflict"/>.
        /// </summary>
        internal void Probe(uint target)
        {
            if (ProbeTarget != target)
            {
                ProbeTarget = target;
                ProbeConflict = false;
            }

            Send(ArpPacket.OperationRequest, target, 0, Counter.ArpProbesSent);
        }

        internal void Input(byte[] buffer, int offset, int length)
        {
            ArpPacket arp = _input;
            WireError error = arp.Parse(buffer, offset, length);
            if (error != WireError.None)
            {
                _counters.Drop(ProtocolLayer.Arp, error);
                return;
            }

            bool request = arp.Operation == ArpPacket.OperationRequest;
            _counters.Add(request ? Counter.ArpRequestsReceived : Counter.ArpRepliesReceived);
            int senderMac = offset + ArpPacket.SenderHardwareOffset; // read in place: a MacAddress local would allocate on nanoCLR
            uint sender = arp.SenderProtocolValue;
            uint target = arp.TargetProtocolValue;
            uint ours = _interface.Address;
            bool configured = ours != 0;

            // Group bit set (multicast or broadcast), all zero, or our own: no host sends that.
            if ((buffer[senderMac] & 0x01) != 0 || IsZero(buffer, senderMac) || _interface.IsOwnMacAddress(buffer, senderMac))
            {
                _counters.Add(Counter.ArpIgnored);
                return;
            }

            if (ProbeTarget != 0 && (sender == ProbeTarget || (request && sender == 0 && target == ProbeTarget)))
            {
                ProbeConflict = true; // RFC 5227 section 2.1.1: the address is in use, or another host is probing for it
                _counters.Add(Counter.ArpProbeConflicts);
            }

            if (configured && sender == ours)
            {
                Conflict(buffer, senderMac);
                return;
            }

            bool forUs = configured && target == ours;
            if (IsLearnable(sender))
            {
                Learn(sender, buffer, senderMac, forUs);
            }

            if (forUs && request)
            {
                // A probe (sender 0.0.0.0, RFC 5227 section 2.1.1) gets its answer too: that is how the prober learns the address is taken.
                Build(ArpPacket.OperationReply, sender, ours);
                System.Array.Copy(buffer, senderMac, _frame, 0, MacAddress.Length);
                System.Array.Copy(buffer, senderMac, _frame, EthernetFrame.HeaderLength + ArpPacket.TargetHardwareOffset, MacAddress.Length);
                Transmit(Counter.ArpRepliesSent);
            }
        }

        /// <summary>Sends a frame to its next hop now, or queues it and asks for the next hop's address.</summary>
        internal void SendOrQueue(byte[] frame, int offset, int length, uint nextHop)
        {
            long now = _time.Now;
            ArpEntry entry = _cache.Find(nextHop);
            if (entry != null && entry.State == ArpEntryState.Reachable)
            {
                entry.UsedAt = now;
                entry.MacAddress.Write(frame, offset);
                _interface.TransmitFrame(_interface.Device, frame, offset, length);
                Refresh(entry, now);
                return;
            }

            if (!_queue.Enqueue(frame, offset, length, nextHop))
            {
                _counters.Add(Counter.ArpQueueOverflows);
            }

            if (entry == null)
            {
                entry = Allocate(nextHop);
                entry.State = ArpEntryState.Incomplete;
                entry.RequestsSent = 1;
                entry.NextRequestAt = now + _interval;
                Send(ArpPacket.OperationRequest, nextHop, _interface.Address, Counter.ArpRequestsSent);
            }

            entry.UsedAt = now;
        }

        /// <summary>Retries and gives up on unanswered requests; forgets entries past their lifetime.</summary>
        internal void Timers(long now)
        {
            for (int i = 0; i < _cache.Size; i++)
            {
                ArpEntry entry = _cache[i];
                if (entry.State == ArpEntryState.Incomplete && now >= entry.NextRequestAt)
                {
                    if (entry.RequestsSent >= _retries)
                    {
                        // RFC 1122 section 2.3.2.1: give up, and drop what waited.
                        _counters.Add(Counter.ArpResolutionFailures);
                        _counters.Add(Counter.ArpQueuedFramesDropped, _queue.RemoveAll(entry.Address));
                        entry.State = ArpEntryState.Free;
                    }
                    else
                    {
                        entry.RequestsSent++;
                        entry.NextRequestAt = now + _interval;
                        Send(ArpPacket.OperationRequest, entry.Address, _interface.Address, Counter.ArpRequestsSent);
                    }
                }
                else if (entry.State == ArpEntryState.Reachable && now - entry.UpdatedAt >= _lifetime)
                {
                    entry.State = ArpEntryState.Free;
                }
            }
        }

        /// <summary>The earliest moment <see cref="Timers"/> has work: a request to repeat (or give up on), or an entry to forget.</summary>
        internal long NextDeadline(long earliest)
        {
            for (int i = 0; i < _cache.Size; i++)
            {
                ArpEntry entry = _cache[i];
                if (entry.State == ArpEntryState.Incomplete)
                {
                    earliest = Deadlines.Earlier(earliest, entry.NextRequestAt);
                }
                else if (entry.State == ArpEntryState.Reachable)
                {
                    earliest = Deadlines.Earlier(earliest, entry.UpdatedAt + _lifetime);
                }
            }

            return earliest;
        }

        /// <summary>Announces our address (RFC 5227 section 2.3: an ARP request with sender and target both our address).</summary>
        internal void Announce()
        {
            uint ours = _interface.Address;
            if (ours != 0)
            {
                Send(ArpPacket.OperationRequest, ours, ours, Counter.ArpAnnouncementsSent);
            }
        }

        /// <summary>Forgets everything: after an address change the old answers may not hold.</summary>
        internal void Reset()
        {
            _cache.Clear();
            ConflictDetected = false;
            _defended = false;
        }

        internal bool TryGet(IPv4Address address, out MacAddress macAddress)
        {
            ArpEntry entry = _cache.Find(address.Value);
            bool found = entry != null && entry.State == ArpEntryState.Reachable;
            macAddress = found ? entry.MacAddress : MacAddress.Zero;
            return found;
        }

        private static bool IsLearnable(uint address)
        {
            return address != 0 && address != 0xFFFFFFFF && !IPv4Address.IsMulticastValue(address) && !IPv4Address.IsLoopbackValue(address);
        }

        private static bool IsZero(byte[] buffer, int offset)
        {
            return NetworkOrder.ReadUInt16(buffer, offset) == 0 && NetworkOrder.ReadUInt32(buffer, offset + 2) == 0;
        }

        /// <summary>RFC 826 "packet reception": update an entry we have; add one only when the packet is for us.</summary>
        private void Learn(uint sender, byte[] buffer, int senderMac, bool forUs)
        {
            ArpEntry entry = _cache.Find(sender);
            if (entry == null && !forUs)
            {
                return;
            }

            if (entry == null)
            {
                entry = Allocate(sender);
                entry.UsedAt = _time.Now;
            }

            entry.State = ArpEntryState.Reachable;
            entry.MacAddress.Load(buffer, senderMac);
            entry.UpdatedAt = _time.Now;
            entry.RequestsSent = 0;
            for (int index = _queue.Oldest(sender); index >= 0; index = _queue.Oldest(sender))
            {
                byte[] frame = _queue.Frame(index);
                System.Array.Copy(buffer, senderMac, frame, 0, MacAddress.Length);
                _interface.TransmitFrame(_interface.Device, frame, 0, _queue.Length(index));
                _queue.Remove(index);
            }
        }

        private ArpEntry Allocate(uint address)
        {
            bool evicted;
            ArpEntry entry = _cache.Allocate(address, out evicted);
            if (evicted)
            {
                // An incomplete entry that goes takes its waiting frames with it.
                _counters.Add(Counter.ArpCacheEvictions);
                _counters.Add(Counter.ArpQueuedFramesDropped, _queue.RemoveAll(entry.EvictedAddress));
            }

            return entry;
        }

        /// <summary>
        /// Before a used entry expires, ask its owner directly (a unicast request) so that traffic to a
        /// live neighbour never stalls on a new resolution.
        /// </summary>
        private void Refresh(ArpEntry entry, long now)
        {
            if (now - entry.UpdatedAt >= _lifetime - _lifetime / 4 && now >= entry.NextRequestAt)
            {
                entry.NextRequestAt = now + _interval;
                Build(ArpPacket.OperationRequest, entry.Address, _interface.Address);
                entry.MacAddress.Write(_frame, 0);
                Transmit(Counter.ArpRequestsSent);
            }
        }

        private void Conflict(byte[] buffer, int senderMac)
        {
            ConflictDetected = true;
            ConflictingMacAddress.Load(buffer, senderMac);
            _counters.Add(Counter.ArpConflicts);
            long now = _time.Now;
            if (!_defended || now - _lastDefence >= _defendInterval)
            {
                _defended = true;
                _lastDefence = now;
                Announce();
            }
        }

        /// <summary>Broadcasts an ARP packet with the target hardware address zero.</summary>
        private void Send(ushort operation, uint target, uint sender, Counter counter)
        {
            Build(operation, target, sender);
            Transmit(counter);
        }

        /// <summary>Builds an ARP packet from us in <see cref="_frame"/>, broadcast, target hardware address zero; the caller may change either.</summary>
        private void Build(ushort operation, uint target, uint sender)
        {
            MacAddress.WriteBroadcast(_frame, 0);
            _interface.WriteMacAddress(_frame, 6);
            NetworkOrder.WriteUInt16(_frame, 12, EtherType.Arp);
            ArpPacket.Write(_frame, EthernetFrame.HeaderLength, operation, sender, target);
            _interface.WriteMacAddress(_frame, EthernetFrame.HeaderLength + ArpPacket.SenderHardwareOffset);
        }

        private void Transmit(Counter counter)
        {
            _counters.Add(counter);
            _interface.TransmitFrame(_interface.Device, _frame, 0, EthernetFrame.Pad(_frame, 0, EthernetFrame.HeaderLength + ArpPacket.Length));
        }
    }
}
