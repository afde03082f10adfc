using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    internal sealed class TimeWaitEntry
    {
        internal bool InUse;
        internal IPv4Address LocalAddress;
        internal int LocalPort;
        internal IPv4Address RemoteAddress;
        internal int RemotePort;
        internal uint SendNext;
        internal uint ReceiveNext;
        internal int ReceiveWindow;
        internal bool Timestamps;
        internal uint TimestampRecent;
        internal long EnteredAt;
        internal long ExpiresAt;
    }

    /// <summary>
    /// Connections in TIME-WAIT keep only their 4-tuple and sequence numbers here, so their socket slot and
    /// buffers are free at once (slots are precious: the Arduino Ethernet library loses all eight chip
    /// sockets to idle browsers). When the table is full the oldest entry goes.
    /// </summary>
    internal sealed class TimeWaitTable
    {
        private readonly TimeWaitEntry[] _entries;

        internal TimeWaitTable(int size)
        {
            _entries = new TimeWaitEntry[size];
            for (int i = 0; i < size; i++)
            {
                _entries[i] = new TimeWaitEntry();
            }
        }

        internal int Size
        {
            get { return _entries.Length; }
        }

        internal TimeWaitEntry this[int index]
        {
            get { return _entries[index]; }
        }

        internal TimeWaitEntry Find(IPv4Address localAddress, int localPort, IPv4Address remoteAddress, int remotePort)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                TimeWaitEntry entry = _entries[i];
                if (entry.InUse && entry.LocalPort == localPort && entry.RemotePort == remotePort
                    && entry.RemoteAddress == remoteAddress && entry.LocalAddress == localAddress)
                {
                    return entry;
                }
            }

            return null;
        }

        /// <summary>True when a TIME-WAIT entry holds this local port (so an ephemeral port is not reused too soon).</summary>
        internal bool HoldsPort(int localPort, IPv4Address remoteAddress, int remotePort)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                TimeWaitEntry entry = _entries[i];
                if (entry.InUse && entry.LocalPort == localPort && entry.RemotePort == remotePort && entry.RemoteAddress == remoteAddress)
                {
                    return true;
                }
            }

            return false;
        }

        internal TimeWaitEntry Claim(out bool evicted)
        {
            TimeWaitEntry oldest = _entries[0];
            for (int i = 0; i < _entries.Length; i++)
            {
                if (!_entries[i].InUse)
                {
                    evicted = false;
                    return _entries[i];
                }

                if (_entries[i].EnteredAt < oldest.EnteredAt)
                {
                    oldest = _entries[i];
                }
            }

            evicted = true;
            return oldest;
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
    }
}
