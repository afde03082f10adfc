using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// A stub resolver (RFC 1035, RFC 1123 section 6.1.3): A queries over UDP to up to three servers, each
    /// attempt waiting <see cref="TimeoutMs"/> and the next server taking over, the whole list tried
    /// <see cref="Rounds"/> times with the wait doubled each round. Follows CNAME chains in the answer, keeps
    /// a small TTL-bounded cache, reports NXDOMAIN, truncation, server failure and malformed answers as such.
    /// Names under .local go to the <see cref="Mdns"/> responder when one is attached (RFC 6762 section 3).
    /// Non-blocking: <see cref="Resolve"/> starts a lookup, <see cref="GetStatus"/> tells how it stands,
    /// <see cref="Poll"/> (with the stack's) moves it along. Every buffer is taken here; lookups allocate nothing.
    /// </summary>
    public sealed class DnsResolver
    {
        public const int Port = 53;

        /// <summary>RFC 1035 section 4.2.1: 512 bytes without EDNS; a little more room costs nothing.</summary>
        private const int MessageCapacity = 1024;

        /// <summary>Descriptors of lookups handed to mDNS carry this bit.</summary>
        private const int MulticastTag = 0x40000000;

        private readonly ISocketEngine _sockets;
        private readonly INetInterface _net;
        private readonly DnsQueryTable _queries;
        private readonly uint[] _servers = new uint[3]; // numbers, not IPv4Address: each struct is one more object on nanoCLR's heap
        private readonly byte[] _message;
        private readonly byte[] _current = new byte[DnsWire.MaximumNameLength];
        private readonly byte[] _owner = new byte[DnsWire.MaximumNameLength];
        private readonly byte[][] _cacheNames;
        private readonly uint[] _cacheAddresses;
        private readonly long[] _cacheExpiry;
        private readonly DnsStatus[] _lastError;
        private int _serverCount;
        private int _socket; // 0: none, as everywhere in the socket API

        public DnsResolver(ISocketEngine sockets, INetInterface net, int queries, int cacheEntries)
            : this(sockets, net, queries, cacheEntries, null)
        {
        }

        /// <param name="message">The buffer messages are read and built in, at least 512 bytes (RFC 1035 section 4.2.1); null for one of
        /// its own. Services polled on one thread may share one (<see cref="NetServices"/> does): none keeps a message between calls.</param>
        public DnsResolver(ISocketEngine sockets, INetInterface net, int queries, int cacheEntries, byte[] message)
        {
            if (sockets == null || net == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : "net");
            }

            if (queries < 1 || queries > 255 || cacheEntries < 0 || (message != null && message.Length < 512))
            {
                throw new System.ArgumentOutOfRangeException(queries < 1 || queries > 255 ? "queries" : cacheEntries < 0 ? "cacheEntries" : "message");
            }

            _message = message != null ? message : new byte[MessageCapacity];
            _sockets = sockets;
            _net = net;
            _queries = new DnsQueryTable(queries);
            _lastError = new DnsStatus[queries];
            _cacheNames = new byte[cacheEntries][];
            _cacheAddresses = new uint[cacheEntries];
            _cacheExpiry = new long[cacheEntries];
            for (int i = 0; i < cacheEntries; i++)
            {
                _cacheNames[i] = new byte[DnsWire.MaximumNameLength];
            }

            TimeoutMs = 1000;
            Rounds = 3;
            MaximumCacheSeconds = 3600;
        }

        /// <summary>How long the first round waits for each server (later rounds wait twice as long as the last).</summary>
        public int TimeoutMs { get; set; }

        /// <summary>How many times the server list is tried before a lookup times out.</summary>
        public int Rounds { get; set; }

        /// <summary>The longest a cached answer is kept, whatever its TTL.</summary>
        public long MaximumCacheSeconds { get; set; }

        /// <summary>The mDNS responder that resolves names under .local; null sends them to the servers like any name.</summary>
        public MdnsResponder Mdns { get; set; }

        public int ServerCount
        {
            get { return _serverCount; }
        }

        /// <summary>Answers taken from the cache, and queries sent, since start.</summary>
        public int CacheHits { get; private set; }

        public int QueriesSent { get; private set; }

        public IPv4Address Server(int index)
        {
            return new IPv4Address(_servers[index]);
        }

        /// <summary>The servers to ask, in order (0.0.0.0 for none); a DHCP client sets them from option 6.</summary>
        public void SetServers(IPv4Address first, IPv4Address second, IPv4Address third)
        {
            _serverCount = 0;
            AddServer(first);
            AddServer(second);
            AddServer(third);
        }

        private void AddServer(IPv4Address server)
        {
            if (!server.IsAny && !server.IsBroadcast && !server.IsMulticast)
            {
                _servers[_serverCount++] = server.Value;
            }
        }

        /// <summary>
        /// Starts looking up <paramref name="name"/> (a dotted IPv4 address resolves to itself, a cached name at
        /// once). InvalidArgument for what is not a host name; NoBufferSpaceAvailable when every lookup slot is
        /// taken (release finished ones).
        /// </summary>
        public SocketResult Resolve(string name, out int query)
        {
            query = -1;
            IPv4Address literal;
            if (name != null && IPv4Address.TryParse(name, out literal))
            {
                return Start(DnsStatus.Resolved, literal, out query);
            }

            int length = DnsWire.ToAscii(name, _owner);
            if (length < 0)
            {
                return SocketResult.InvalidArgument;
            }

            return Resolve(_owner, 0, length, out query);
        }

        /// <summary>Starts looking up a host name given as ASCII bytes (as it came in a request, with no string made of it).</summary>
        public SocketResult Resolve(byte[] name, int offset, int count, out int query)
        {
            query = -1;
            int length = DnsWire.EncodeName(name, offset, count, _current, 0);
            if (length < 0)
            {
                return SocketResult.InvalidArgument;
            }

            if (Mdns != null && DnsWire.IsLocal(_current, 0))
            {
                SocketResult multicast = Mdns.Resolve(_current, out query);
                query |= query >= 0 ? MulticastTag : 0;
                return multicast;
            }

            long now = _net.Clock.NowMilliseconds;
            for (int i = 0; i < _cacheNames.Length; i++)
            {
                if (_cacheExpiry[i] > now && DnsWire.NameEquals(_cacheNames[i], 0, _current, 0))
                {
                    CacheHits++;
                    return Start(DnsStatus.Resolved, new IPv4Address(_cacheAddresses[i]), out query);
                }
            }

            if (_serverCount == 0)
            {
                return Start(DnsStatus.NoServer, IPv4Address.Any, out query);
            }

            SocketResult opened = OpenSocket();
            if (opened != SocketResult.Success)
            {
                return opened;
            }

            DnsQuery lookup = _queries.Allocate(out query);
            if (lookup == null)
            {
                return SocketResult.NoBufferSpaceAvailable;
            }

            lookup.NameLength = DnsWire.CopyName(_current, 0, lookup.Name, 0);
            lookup.Deadline = now; // the first attempt goes out on the next Poll
            lookup.Attempt = -1;
            _lastError[query & 0xFF] = DnsStatus.TimedOut;
            return SocketResult.Success;
        }

        /// <summary>How the lookup stands; <paramref name="address"/> is set once it is Resolved.</summary>
        public DnsStatus GetStatus(int query, out IPv4Address address)
        {
            if (query >= 0 && (query & MulticastTag) != 0)
            {
                if (Mdns == null)
                {
                    address = IPv4Address.Any;
                    return DnsStatus.Invalid;
                }

                return Mdns.GetStatus(query & ~MulticastTag, out address);
            }

            return _queries.GetStatus(query, out address);
        }

        /// <summary>Frees the lookup's slot, finished or not.</summary>
        public void Release(int query)
        {
            if (query >= 0 && (query & MulticastTag) != 0)
            {
                if (Mdns != null)
                {
                    Mdns.Release(query & ~MulticastTag);
                }

                return;
            }

            _queries.Release(query);
        }

        /// <summary>Reads answers and sends (re)tries that are due; true when it did anything.</summary>
        public bool Poll()
        {
            if (_socket == 0)
            {
                return false;
            }

            bool worked = false;
            int received;
            uint from;
            int fromPort;
            while (_sockets.ReceiveFrom(_socket, _message, 0, _message.Length, out received, out from, out fromPort) == SocketResult.Success)
            {
                Answer(received, from, fromPort);
                worked = true;
            }

            long now = _net.Clock.NowMilliseconds;
            for (int i = 0; i < _queries.Count; i++)
            {
                DnsQuery query = _queries[i];
                if (query.IsDue(now))
                {
                    Attempt(query, i, now);
                    worked = true;
                }
            }

            if (_queries.NextDeadline(Deadlines.None) == Deadlines.None)
            {
                // No lookup waits for an answer: give the socket back (one of the W5500's eight); the next lookup opens one
                // on a fresh random port (RFC 5452 section 9.2 asks for port randomisation anyway).
                _sockets.Close(_socket);
                _socket = 0;
            }

            return worked;
        }

        /// <summary>Milliseconds until <see cref="Poll"/> has an attempt to send or a lookup to end though no answer comes (0: now).</summary>
        public int PollDelay()
        {
            long now = _net.Clock.NowMilliseconds;
            return Deadlines.Delay(_socket == 0 ? Deadlines.None : _queries.NextDeadline(Deadlines.None), now, int.MaxValue);
        }

        private SocketResult Start(DnsStatus status, IPv4Address address, out int query)
        {
            DnsQuery lookup = _queries.Allocate(out query);
            if (lookup == null)
            {
                return SocketResult.NoBufferSpaceAvailable;
            }

            DnsQueryTable.Finish(lookup, status, address, 0);
            return SocketResult.Success;
        }

        private SocketResult OpenSocket()
        {
            if (_socket != 0)
            {
                return SocketResult.Success;
            }

            SocketResult error = _sockets.Open(SocketKind.Datagram, IpProtocol.Udp, out _socket);
            if (error == SocketResult.Success)
            {
                error = _sockets.Bind(_socket, IPv4Address.Any, 0); // an ephemeral port, picked at random by the stack
                if (error != SocketResult.Success)
                {
                    _sockets.Close(_socket);
                    _socket = 0;
                }
            }

            return error;
        }

        /// <summary>The next server in turn, or the end: TimedOut, or the last error a server gave.</summary>
        private void Attempt(DnsQuery query, int index, long now)
        {
            query.Attempt++;
            int round = _serverCount == 0 ? Rounds : query.Attempt / _serverCount;
            if (round >= Rounds)
            {
                DnsQueryTable.Finish(query, _lastError[index], IPv4Address.Any, 0);
                return;
            }

            query.Server = query.Attempt % _serverCount;
            query.Id = (int)(_net.NextRandom() & 0xFFFF);
            query.Deadline = now + ((long)TimeoutMs << round);
            DnsWire.WriteHeader(_message, 0, query.Id, DnsWire.FlagRecursionDesired, 1, 0, 0, 0);
            int at = DnsWire.HeaderLength + DnsWire.CopyName(query.Name, 0, _message, DnsWire.HeaderLength);
            NetworkOrder.WriteUInt16(_message, at, DnsWire.TypeA);
            NetworkOrder.WriteUInt16(_message, at + 2, DnsWire.ClassInternet);
            int sent;
            if (_sockets.SendTo(_socket, _message, 0, at + 4, _servers[query.Server], Port, out sent) == SocketResult.Success)
            {
                QueriesSent++;
            }
        }

        private void Answer(int length, uint from, int fromPort)
        {
            if (length < DnsWire.HeaderLength || fromPort != Port)
            {
                return;
            }

            int id = NetworkOrder.ReadUInt16(_message, 0);
            int flags = NetworkOrder.ReadUInt16(_message, 2);
            for (int i = 0; i < _queries.Count; i++)
            {
                DnsQuery query = _queries[i];
                if (query.Pending && query.Attempt >= 0 && query.Id == id && _servers[query.Server] == from)
                {
                    if ((flags & DnsWire.FlagResponse) != 0 && (flags & DnsWire.OpcodeMask) == 0 && AsksFor(query, length))
                    {
                        Conclude(query, i, length, flags);
                    }

                    return;
                }
            }
        }

        /// <summary>The answer repeats our one question (else it answers something else: a spoof or a stale reply).</summary>
        private bool AsksFor(DnsQuery query, int length)
        {
            int next;
            return NetworkOrder.ReadUInt16(_message, 4) == 1
                && DnsWire.ReadName(_message, length, DnsWire.HeaderLength, _owner, out next) > 0
                && next + 4 <= length
                && DnsWire.NameEquals(_owner, 0, query.Name, 0)
                && NetworkOrder.ReadUInt16(_message, next) == DnsWire.TypeA
                && NetworkOrder.ReadUInt16(_message, next + 2) == DnsWire.ClassInternet;
        }

        private void Conclude(DnsQuery query, int index, int length, int flags)
        {
            int rcode = flags & DnsWire.RcodeMask;
            if (rcode == DnsWire.RcodeNameError)
            {
                DnsQueryTable.Finish(query, DnsStatus.NameError, IPv4Address.Any, 0);
                return;
            }

            if ((flags & DnsWire.FlagTruncated) != 0)
            {
                DnsQueryTable.Finish(query, DnsStatus.Truncated, IPv4Address.Any, 0);
                return;
            }

            if (rcode != 0)
            {
                Failover(query, index, DnsStatus.ServerFailure); // SERVFAIL, NOTIMP, REFUSED: the next server may do better
                return;
            }

            int answers = NetworkOrder.ReadUInt16(_message, 6);
            int at = DnsWire.SkipName(_message, length, DnsWire.HeaderLength) + 4;
            DnsWire.CopyName(query.Name, 0, _current, 0);
            IPv4Address address;
            long ttl;
            DnsStatus status = DnsWire.FindAddress(_message, length, at, answers, _current, _owner, out address, out ttl);
            if (status == DnsStatus.Malformed)
            {
                Failover(query, index, DnsStatus.Malformed);
                return;
            }

            DnsQueryTable.Finish(query, status, address, ttl);
            if (status == DnsStatus.Resolved)
            {
                Remember(query, address, ttl);
            }
        }

        private void Failover(DnsQuery query, int index, DnsStatus error)
        {
            _lastError[index] = error;
            query.Deadline = _net.Clock.NowMilliseconds;
        }

        /// <summary>Caches the answer in the slot that expires first (TTL 0: not cached, RFC 1035 section 3.2.1).</summary>
        private void Remember(DnsQuery query, IPv4Address address, long ttlSeconds)
        {
            if (_cacheNames.Length == 0 || ttlSeconds == 0)
            {
                return;
            }

            int oldest = 0;
            for (int i = 1; i < _cacheNames.Length; i++)
            {
                if (_cacheExpiry[i] < _cacheExpiry[oldest])
                {
                    oldest = i;
                }
            }

            long seconds = ttlSeconds < MaximumCacheSeconds ? ttlSeconds : MaximumCacheSeconds;
            DnsWire.CopyName(query.Name, 0, _cacheNames[oldest], 0);
            _cacheAddresses[oldest] = address.Value;
            _cacheExpiry[oldest] = _net.Clock.NowMilliseconds + seconds * 1000;
        }
    }
}
