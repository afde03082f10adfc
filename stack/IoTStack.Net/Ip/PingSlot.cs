using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    internal sealed class PingSlot
    {
        internal bool InUse;
        internal PingStatus Status;
        internal uint Destination;
        internal ushort Sequence;
        internal int DataLength;
        internal long SentAt;
        internal long Deadline;
        internal int RoundTrip;
    }
}
