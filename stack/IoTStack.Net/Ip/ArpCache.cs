using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>
    /// The neighbour cache: a fixed array of entries (RFC 826, RFC 1122 section 2.3.2). A new entry takes
    /// a free one, else the least recently used resolved one, else the oldest incomplete one.
    /// </summary>
    internal sealed class ArpCache
    {
        private readonly ArpEntry[] _entries;

        internal ArpCache(int size)
        {
            _entries = new ArpEntry[size];
            for (int i = 0; i < size; i++)
            {
                _entries[i] = new ArpEntry();
            }
        }

        internal int Size
        {
            get { return _entries.Length; }
        }

        internal ArpEntry this[int index]
        {
            get { return _entries[index]; }
        }

        internal ArpEntry Find(uint address)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                ArpEntry entry = _entries[i];
                if (entry.State != ArpEntryState.Free && entry.Address == address)
                {
                    return entry;
                }
            }

            return null;
        }

        /// <summary>A cleared entry for <paramref name="address"/>; evicted says whether a live one had to go.</summary>
        internal ArpEntry Allocate(uint address, out bool evicted)
        {
            ArpEntry victim = null;
            for (int i = 0; i < _entries.Length; i++)
            {
                ArpEntry entry = _entries[i];
                if (entry.State == ArpEntryState.Free)
                {
                    victim = entry;
                    break;
                }

                if (victim == null || Older(entry, victim))
                {
                    victim = entry;
                }
            }

            evicted = victim.State != ArpEntryState.Free;
            victim.EvictedAddress = victim.Address;
            victim.State = ArpEntryState.Free;
            victim.Address = address;
            victim.MacAddress.Clear();
            victim.RequestsSent = 0;
            return victim;
        }

        internal void Clear()
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                _entries[i].State = ArpEntryState.Free;
            }
        }

        private static bool Older(ArpEntry candidate, ArpEntry victim)
        {
            // Resolved entries go before incomplete ones: a resolution under way is worth keeping.
            bool candidateResolved = candidate.State == ArpEntryState.Reachable;
            bool victimResolved = victim.State == ArpEntryState.Reachable;
            if (candidateResolved != victimResolved)
            {
                return candidateResolved;
            }

            return candidate.UsedAt < victim.UsedAt;
        }
    }
}
