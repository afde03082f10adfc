using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>One half-open passive connection: what the SYN said, and our SYN-ACK. No socket buffers.</summary>
    internal sealed class SynEntry : TupleEntry
    {
        internal int ListenerDescriptor;
        internal uint Iss;
        internal uint Irs;
        internal int PeerMss;
        internal int PeerScale;
        internal uint TimestampRecent;
        internal long ResendAt;
        internal int Resent;

        /// <summary>SACK-permitted (bit 0) and timestamps (bit 1) in one field: each field of an entry is 12 bytes on nanoCLR.</summary>
        private int _options;

        internal bool SackPermitted
        {
            get { return (_options & 1) != 0; }
            set { _options = value ? _options | 1 : _options & ~1; }
        }

        internal bool Timestamps
        {
            get { return (_options & 2) != 0; }
            set { _options = value ? _options | 2 : _options & ~2; }
        }
    }

    /// <summary>
    /// Half-open connections of every listener, in a small table of their own (the accept queue smoltcp
    /// lacks). When it is full a SYN gets a SYN cookie instead (or, with TcpSynCookies off, the oldest
    /// half-open entry makes way), so a SYN flood cannot lock out real clients and never takes a socket slot.
    /// </summary>
    internal sealed class SynQueue : TupleTable
    {
        internal SynQueue(int size)
            : base(Entries(size))
        {
        }

        internal SynEntry Find(uint localAddress, int localPort, uint remoteAddress, int remotePort)
        {
            return (SynEntry)FindEntry(localAddress, localPort, remoteAddress, remotePort);
        }

        internal SynEntry Claim(out bool evicted)
        {
            return (SynEntry)ClaimEntry(out evicted);
        }

        internal void RemoveFor(int listenerDescriptor)
        {
            for (int i = 0; i < All.Length; i++)
            {
                SynEntry entry = (SynEntry)All[i];
                if (entry.ListenerDescriptor == listenerDescriptor)
                {
                    entry.InUse = false;
                }
            }
        }

        private static TupleEntry[] Entries(int size)
        {
            TupleEntry[] entries = new TupleEntry[size];
            for (int i = 0; i < size; i++)
            {
                entries[i] = new SynEntry();
            }

            return entries;
        }
    }
}
