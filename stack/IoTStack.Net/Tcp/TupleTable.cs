using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>An entry keyed by a connection's 4-tuple (local address and port, remote address and port).</summary>
    internal abstract class TupleEntry
    {
        internal bool InUse;
        internal uint LocalAddress;
        internal int LocalPort;
        internal uint RemoteAddress;
        internal int RemotePort;

        /// <summary>When the entry was made: the oldest goes first when the table is full.</summary>
        internal long Since;

        internal bool Matches(uint localAddress, int localPort, uint remoteAddress, int remotePort)
        {
            return InUse && LocalPort == localPort && RemotePort == remotePort && RemoteAddress == remoteAddress && LocalAddress == localAddress;
        }
    }

    /// <summary>
    /// A fixed table of 4-tuple entries where a new entry takes a free place or the oldest one: the SYN
    /// queue and the TIME-WAIT table.
    /// </summary>
    internal abstract class TupleTable
    {
        /// <summary>The entries themselves, for the scans every poll makes: on nanoCLR an indexer is a call per entry.</summary>
        internal readonly TupleEntry[] All;

        protected TupleTable(TupleEntry[] entries)
        {
            All = entries;
        }

        protected TupleEntry FindEntry(uint localAddress, int localPort, uint remoteAddress, int remotePort)
        {
            for (int i = 0; i < All.Length; i++)
            {
                if (All[i].Matches(localAddress, localPort, remoteAddress, remotePort))
                {
                    return All[i];
                }
            }

            return null;
        }

        /// <summary>A free entry, or the oldest one (evicted says so).</summary>
        protected TupleEntry ClaimEntry(out bool evicted)
        {
            TupleEntry oldest = All[0];
            for (int i = 0; i < All.Length; i++)
            {
                if (!All[i].InUse)
                {
                    evicted = false;
                    return All[i];
                }

                if (All[i].Since < oldest.Since)
                {
                    oldest = All[i];
                }
            }

            evicted = true;
            return oldest;
        }
    }
}
