using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>One half-open passive connection: what the SYN said, and our SYN-ACK. No socket buffers.</summary>
    internal sealed class SynEntry
    {
        internal bool InUse;
        internal int ListenerIndex;
        internal int ListenerDescriptor;
        internal IPv4Address LocalAddress;
        internal int LocalPort;
        internal IPv4Address RemoteAddress;
        internal int RemotePort;
        internal uint Iss;
        internal uint Irs;
        internal int PeerMss;
        internal int PeerWindow;
        internal int PeerScale;
        internal bool SackPermitted;
        internal bool Timestamps;
        internal uint TimestampRecent;
        internal long ArrivedAt;
        internal long ResendAt;
        internal int Resent;
    }

    /// <summary>
    /// Half-open connections of every listener, in a small table of their own (the accept queue smoltcp
    /// lacks). When it is full the oldest half-open entry makes way, so a SYN flood cannot lock out real
    /// clients for long and never takes a socket slot.
    /// </summary>
    internal sealed class SynQueue
    {
        private readonly SynEntry[] _entries;

        internal SynQueue(int size)
        {
            _entries = new SynEntry[size];
            for (int i = 0; i < size; i++)
            {
                _entries[i] = new SynEntry();
            }
        }

        internal int Size
        {
            get { return _entries.Length; }
        }

        internal SynEntry this[int index]
        {
            get { return _entries[index]; }
        }

        internal SynEntry Find(IPv4Address localAddress, int localPort, IPv4Address remoteAddress, int remotePort)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                SynEntry entry = _entries[i];
                if (entry.InUse && entry.LocalPort == localPort && entry.RemotePort == remotePort
                    && entry.RemoteAddress == remoteAddress && entry.LocalAddress == localAddress)
                {
                    return entry;
                }
            }

            return null;
        }

        internal int CountFor(int listenerDescriptor)
        {
            int count = 0;
            for (int i = 0; i < _entries.Length; i++)
            {
                if (_entries[i].InUse && _entries[i].ListenerDescriptor == listenerDescriptor)
                {
                    count++;
                }
            }

            return count;
        }

        internal int InUse
        {
            get
            {
                int count = 0;
                for (int i = 0; i < _entries.Length; i++)
                {
                    if (_entries[i].InUse)
                    {
                        count++;
                    }
                }

                return count;
            }
        }

        /// <summary>A free entry, or the oldest one (evicted says so).</summary>
        internal SynEntry Claim(out bool evicted)
        {
            SynEntry oldest = _entries[0];
            for (int i = 0; i < _entries.Length; i++)
            {
                if (!_entries[i].InUse)
                {
                    evicted = false;
                    return _entries[i];
                }

                if (_entries[i].ArrivedAt < oldest.ArrivedAt)
                {
                    oldest = _entries[i];
                }
            }

            evicted = true;
            return oldest;
        }

        internal void RemoveFor(int listenerDescriptor)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                if (_entries[i].ListenerDescriptor == listenerDescriptor)
                {
                    _entries[i].InUse = false;
                }
            }
        }
    }
}
