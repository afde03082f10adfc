using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>
    /// IPv4 reassembly (RFC 791 section 3.2, RFC 815) into statically sized buffers. Overlapping fragments
    /// drop the whole datagram, as Linux does and RFC 5722 asks for IPv6: overlaps only serve attacks
    /// (teardrop, filter evasion). Exact duplicates are ignored. When every buffer is busy the oldest
    /// datagram is evicted, so fragments that never complete cannot lock out new ones.
    /// </summary>
    internal sealed class Reassembler
    {
        private readonly Ipv4Packet _header = new Ipv4Packet();
        private readonly PollTime _time;
        private IcmpLayer _icmp;
        private readonly NetCounters _counters;
        private readonly Reassembly[] _slots;
        private readonly int _capacity;
        private readonly int _timeout;

        internal Reassembler(PollTime time, NetCounters counters, NetStackOptions options)
        {
            _time = time;
            _counters = counters;
            _capacity = options.ReassemblyBufferSize;
            _timeout = options.ReassemblyTimeoutMs;
            _slots = new Reassembly[options.ReassemblySlots];
            for (int i = 0; i < _slots.Length; i++)
            {
                _slots[i] = new Reassembly(options.ReassemblyBufferSize, options.ReassemblyMaxFragments);
            }
        }

        /// <summary>The ICMP layer that answers a timed-out first fragment; built after IP, so handed over here.</summary>
        internal void Attach(IcmpLayer icmp)
        {
            _icmp = icmp;
        }

        internal int InProgress
        {
            get
            {
                int count = 0;
                for (int i = 0; i < _slots.Length; i++)
                {
                    if (_slots[i].InUse)
                    {
                        count++;
                    }
                }

                return count;
            }
        }

        /// <summary>
        /// Takes one fragment. Returns true when it completes its datagram, which then lies whole in
        /// <paramref name="buffer"/> from <paramref name="offset"/> (valid until the next call).
        /// </summary>
        internal bool Add(Ipv4Packet fragment, out byte[] buffer, out int offset)
        {
            buffer = null;
            offset = 0;
            _counters.Add(Counter.Ipv4FragmentsReceived);
            if (_slots.Length == 0)
            {
                _counters.Add(Counter.ReassemblyTooLarge);
                return false;
            }

            int start = fragment.FragmentOffset;
            int length = fragment.PayloadLength;
            int end = start + length;
            bool more = fragment.MoreFragments;
            if (length == 0 || (more && (length & 7) != 0))
            {
                // RFC 791: every fragment but the last carries a multiple of 8 bytes.
                _counters.Add(Counter.ReassemblyBadFragments);
                return false;
            }

            Reassembly slot = Find(fragment);
            if (end > _capacity)
            {
                _counters.Add(Counter.ReassemblyTooLarge);
                Free(slot);
                return false;
            }

            if (slot == null)
            {
                slot = Claim();
                slot.Start(fragment, _time.Now);
            }

            if (!Consistent(slot, end, more))
            {
                _counters.Add(Counter.ReassemblyBadFragments);
                Free(slot);
                return false;
            }

            for (int i = 0; i < slot.Fragments; i++)
            {
                if (slot.Starts[i] == start && slot.Ends[i] == end)
                {
                    _counters.Add(Counter.ReassemblyDuplicates);
                    return false;
                }

                if (start < slot.Ends[i] && slot.Starts[i] < end)
                {
                    _counters.Add(Counter.ReassemblyOverlaps);
                    Free(slot);
                    return false;
                }
            }

            if (slot.Fragments == slot.Starts.Length)
            {
                _counters.Add(Counter.ReassemblyTooManyFragments);
                Free(slot);
                return false;
            }

            Store(slot, fragment, start, end, more);
            if (slot.TotalLength < 0 || slot.Received != slot.TotalLength || slot.HeaderLength == 0)
            {
                return false;
            }

            offset = Complete(slot);
            buffer = slot.Buffer;
            return true;
        }

        /// <summary>
        /// Drops datagrams past the reassembly timeout; when the first fragment had come, tells the sender
        /// with ICMP time exceeded, code 1 (RFC 792; RFC 1122 section 3.3.2).
        /// </summary>
        internal void Timers(long now)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                Reassembly slot = _slots[i];
                if (slot.InUse && now - slot.StartedAt >= _timeout)
                {
                    _counters.Add(Counter.ReassemblyTimeouts);
                    slot.InUse = false;
                    if (slot.HeaderLength > 0)
                    {
                        int at = Reassembly.Headroom - slot.HeaderLength;
                        _icmp.SendTimeExceeded(slot.Buffer, at, slot.HeaderLength + 8, slot.Source, slot.Destination);
                    }
                }
            }
        }

        /// <summary>The earliest moment a datagram in progress reaches the reassembly timeout.</summary>
        internal long NextDeadline(long earliest)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                Reassembly slot = _slots[i];
                if (slot.InUse)
                {
                    earliest = Deadlines.Earlier(earliest, slot.StartedAt + _timeout);
                }
            }

            return earliest;
        }

        private static bool Consistent(Reassembly slot, int end, bool more)
        {
            if (!more)
            {
                if (slot.TotalLength >= 0 && slot.TotalLength != end)
                {
                    return false;
                }

                for (int i = 0; i < slot.Fragments; i++)
                {
                    if (slot.Ends[i] > end)
                    {
                        return false;
                    }
                }

                slot.TotalLength = end;
                return true;
            }

            return slot.TotalLength < 0 || end < slot.TotalLength;
        }

        private static void Store(Reassembly slot, Ipv4Packet fragment, int start, int end, bool more)
        {
            System.Array.Copy(fragment.Buffer, fragment.PayloadOffset, slot.Buffer, Reassembly.Headroom + start, end - start);
            if (start == 0)
            {
                slot.HeaderLength = fragment.HeaderLength;
                System.Array.Copy(fragment.Buffer, fragment.Offset, slot.Buffer, Reassembly.Headroom - slot.HeaderLength, slot.HeaderLength);
            }

            slot.Starts[slot.Fragments] = start;
            slot.Ends[slot.Fragments] = end;
            slot.Fragments++;
            slot.Received += end - start;
        }

        /// <summary>Turns the first fragment's header into the whole datagram's and returns where it starts.</summary>
        private int Complete(Reassembly slot)
        {
            int at = Reassembly.Headroom - slot.HeaderLength;
            Ipv4Packet header = _header.Attach(slot.Buffer, at);
            header.TotalLength = slot.HeaderLength + slot.TotalLength;
            header.MoreFragments = false;
            header.FragmentOffset = 0;
            header.FillChecksum();
            slot.InUse = false;
            _counters.Add(Counter.ReassemblyCompleted);
            return at;
        }

        private Reassembly Find(Ipv4Packet fragment)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                if (_slots[i].Matches(fragment))
                {
                    return _slots[i];
                }
            }

            return null;
        }

        private Reassembly Claim()
        {
            Reassembly oldest = _slots[0];
            for (int i = 0; i < _slots.Length; i++)
            {
                if (!_slots[i].InUse)
                {
                    return _slots[i];
                }

                if (_slots[i].StartedAt < oldest.StartedAt)
                {
                    oldest = _slots[i];
                }
            }

            _counters.Add(Counter.ReassemblyEvictions);
            return oldest;
        }

        private static void Free(Reassembly slot)
        {
            if (slot != null)
            {
                slot.InUse = false;
            }
        }
    }
}
