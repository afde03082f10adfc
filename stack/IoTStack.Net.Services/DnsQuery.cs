using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>One lookup in flight or finished, in a slot taken at start-up.</summary>
    internal sealed class DnsQuery
    {
        internal readonly byte[] Name = new byte[DnsWire.MaximumNameLength];
        internal int NameLength;
        internal bool InUse;
        internal int Generation;
        internal DnsStatus Status;
        /// <summary>The answer, as a number: on nanoCLR an IPv4Address field is a heap object of its own.</summary>
        internal uint Address;
        internal long TimeToLiveSeconds;
        internal int Id;
        internal int Server;
        internal int Attempt;
        internal int Sent;
        internal long Deadline;
        internal bool Multicast;

        /// <summary>Still waiting for an answer.</summary>
        internal bool Pending
        {
            get { return InUse && Status == DnsStatus.Pending; }
        }

        /// <summary>Waiting, and its next attempt (or its end) is due at <paramref name="now"/>.</summary>
        internal bool IsDue(long now)
        {
            return Pending && now >= Deadline;
        }
    }

    /// <summary>
    /// The fixed table of lookups behind <see cref="DnsResolver"/> and <see cref="MdnsResponder"/>: a
    /// descriptor is slot index plus a generation count, so a stale one is refused, as for sockets.
    /// </summary>
    internal sealed class DnsQueryTable
    {
        private readonly DnsQuery[] _queries;

        internal DnsQueryTable(int count)
        {
            _queries = new DnsQuery[count];
            for (int i = 0; i < count; i++)
            {
                _queries[i] = new DnsQuery();
            }
        }

        internal int Count
        {
            get { return _queries.Length; }
        }

        internal DnsQuery this[int index]
        {
            get { return _queries[index]; }
        }

        /// <summary>A free slot, marked in use and pending, or null when all are taken.</summary>
        internal DnsQuery Allocate(out int descriptor)
        {
            for (int i = 0; i < _queries.Length; i++)
            {
                DnsQuery query = _queries[i];
                if (!query.InUse)
                {
                    query.InUse = true;
                    query.Generation = (query.Generation + 1) & 0x7FFFFF;
                    query.Status = DnsStatus.Pending;
                    query.Address = 0;
                    query.TimeToLiveSeconds = 0;
                    query.Attempt = 0;
                    query.Sent = 0;
                    query.Server = 0;
                    query.Multicast = false;
                    descriptor = (query.Generation << 8) | i;
                    return query;
                }
            }

            descriptor = -1;
            return null;
        }

        internal DnsQuery Resolve(int descriptor)
        {
            int index = descriptor & 0xFF;
            if (descriptor < 0 || index >= _queries.Length)
            {
                return null;
            }

            DnsQuery query = _queries[index];
            return query.InUse && query.Generation == descriptor >> 8 ? query : null;
        }

        internal DnsStatus GetStatus(int descriptor, out IPv4Address address)
        {
            DnsQuery query = Resolve(descriptor);
            if (query == null)
            {
                address = IPv4Address.Any;
                return DnsStatus.Invalid;
            }

            address = new IPv4Address(query.Address);
            return query.Status;
        }

        internal void Release(int descriptor)
        {
            DnsQuery query = Resolve(descriptor);
            if (query != null)
            {
                query.InUse = false;
            }
        }

        /// <summary>The earliest moment a pending lookup's next attempt (or its end) is due.</summary>
        internal long NextDeadline(long earliest)
        {
            for (int i = 0; i < _queries.Length; i++)
            {
                DnsQuery query = _queries[i];
                if (query.Pending && query.Deadline < earliest)
                {
                    earliest = query.Deadline;
                }
            }

            return earliest;
        }

        /// <summary>Ends a lookup with its outcome.</summary>
        internal static void Finish(DnsQuery query, DnsStatus status, IPv4Address address, long ttlSeconds)
        {
            query.Status = status;
            query.Address = address.Value;
            query.TimeToLiveSeconds = ttlSeconds;
            query.Deadline = 0;
        }
    }
}
