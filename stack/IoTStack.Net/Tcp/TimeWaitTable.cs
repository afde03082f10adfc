using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    internal sealed class TimeWaitEntry : TupleEntry
    {
        internal uint SendNext;
        internal uint ReceiveNext;
        internal bool Timestamps;
        internal uint TimestampRecent;
    }

    /// <summary>
    /// Connections in TIME-WAIT keep only their 4-tuple and sequence numbers here, so their socket slot and
    /// buffers are free at once (slots are precious: the Arduino Ethernet library loses all eight chip
    /// sockets to idle browsers). When the table is full the oldest entry goes.
    /// </summary>
    internal sealed class TimeWaitTable : TupleTable
    {
        internal TimeWaitTable(int size)
            : base(Entries(size))
        {
        }

        internal TimeWaitEntry Find(uint localAddress, int localPort, uint remoteAddress, int remotePort)
        {
            return (TimeWaitEntry)FindEntry(localAddress, localPort, remoteAddress, remotePort);
        }

        internal TimeWaitEntry Claim(out bool evicted)
        {
            return (TimeWaitEntry)ClaimEntry(out evicted);
        }

        private static TupleEntry[] Entries(int size)
        {
            TupleEntry[] entries = new TupleEntry[size];
            for (int i = 0; i < size; i++)
            {
                entries[i] = new TimeWaitEntry();
            }

            return entries;
        }
    }
}
