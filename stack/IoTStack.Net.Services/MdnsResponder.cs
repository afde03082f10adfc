using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// Multicast DNS (RFC 6762) for one host name: once the interface has an address the responder probes
    /// for NAME.local (section 8.1), takes NAME-2.local and so on if someone else holds it (section 9),
    /// announces it (section 8.3), then answers A and ANY queries: multicast to 224.0.0.251:5353, unicast
    /// when the question asks for it (QU, section 5.4), and to a one-shot querier such as
    /// <c>dig @224.0.0.251 -p 5353</c> the legacy way (section 6.7: its ID, the question, TTL 10 s). It also
    /// resolves other .local names for <see cref="DnsResolver"/>. Polled; allocates nothing after construction.
    /// </summary>
    public sealed class MdnsResponder
    {
        public const int Port = 5353;

        /// <summary>RFC 6762 section 10: host address records live 120 s; legacy unicast answers at most 10 s (section 6.7).</summary>
        public const int RecordTtlSeconds = 120;
        private const int LegacyTtlSeconds = 10;

        private const int ProbeIntervalMs = 250;
        private const int ProbeCount = 3;
        private const int AnnouncementIntervalMs = 1000;
        private const int AnnouncementCount = 2;
        private const int QueryAttempts = 3;
        private const int MessageCapacity = 1472;
        private const int MaximumLabel = 63;

        public static readonly IPv4Address Group = new IPv4Address(224, 0, 0, 251);

        /// <summary><see cref="Group"/> as a number, for sending without a struct (nanoCLR allocates one per load).</summary>
        private const uint GroupValue = 0xE00000FB;

        private readonly ISocketEngine _sockets;
        private readonly INetInterface _net;
        private readonly DnsQueryTable _queries;
        private readonly byte[] _label = new byte[MaximumLabel];
        private readonly int _baseLength;
        private readonly byte[] _name = new byte[DnsWire.MaximumNameLength];
        private readonly byte[] _message = new byte[MessageCapacity];
        private readonly byte[] _owner = new byte[DnsWire.MaximumNameLength];
        private readonly byte[] _current = new byte[DnsWire.MaximumNameLength];
        private int _labelLength;
        private int _socket; // 0: none, as everywhere in the socket API
        private MdnsState _state;
        private int _step;
        private long _next;
        private IPv4Address _address;

        /// <param name="hostName">The label to claim under .local: letters, digits and hyphens, 1 to 63 of them (RFC 952, RFC 1123 section 2.1).</param>
        /// <param name="queries">How many .local lookups may be in flight at once.</param>
        public MdnsResponder(ISocketEngine sockets, INetInterface net, string hostName, int queries)
        {
            if (sockets == null || net == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : "net");
            }

            if (!IsHostLabel(hostName))
            {
                throw new System.ArgumentException("a host name is 1 to 57 letters, digits and hyphens", "hostName");
            }

            _sockets = sockets;
            _net = net;
            _queries = new DnsQueryTable(queries < 1 ? 1 : queries);
            for (int i = 0; i < hostName.Length; i++)
            {
                _label[i] = (byte)hostName[i];
            }

            _baseLength = hostName.Length;
            SetName(0);
        }

        public MdnsState State
        {
            get { return _state; }
        }

        /// <summary>Queries for our name answered, and names lost to another host, since start.</summary>
        public int QueriesAnswered { get; private set; }

        public int Conflicts { get; private set; }

        /// <summary>Writes the name held now ("board.local", or "board-2.local" after a conflict) as ASCII; returns its length.</summary>
        public int WriteHostName(byte[] buffer, int offset)
        {
            for (int i = 0; i < _labelLength; i++)
            {
                buffer[offset + i] = _label[i];
            }

            const string local = ".local";
            for (int i = 0; i < local.Length; i++)
            {
                buffer[offset + _labelLength + i] = (byte)local[i];
            }

            return _labelLength + local.Length;
        }

        /// <summary>Opens UDP 5353 and joins 224.0.0.251; probing starts once the interface has an address.</summary>
        public SocketResult Start()
        {
            if (_socket != 0)
            {
                return SocketResult.Success;
            }

            SocketResult error = _sockets.Open(SocketKind.Datagram, IpProtocol.Udp, out _socket);
            if (error != SocketResult.Success)
            {
                return error;
            }

            _sockets.SetOption(_socket, SocketOption.ReuseAddress, 1);
            _sockets.SetOption(_socket, SocketOption.TimeToLive, 255); // RFC 6762 section 11
            error = _sockets.Bind(_socket, IPv4Address.Any, Port);
            if (error == SocketResult.Success)
            {
                error = _sockets.SetOption(_socket, SocketOption.AddMembership, unchecked((int)GroupValue));
            }

            if (error != SocketResult.Success)
            {
                _sockets.Close(_socket);
                _socket = 0;
                return error;
            }

            _state = MdnsState.WaitingForAddress;
            return SocketResult.Success;
        }

        public void Stop()
        {
            if (_socket != 0)
            {
                _sockets.SetOption(_socket, SocketOption.DropMembership, unchecked((int)GroupValue));
                _sockets.Close(_socket);
                _socket = 0;
            }

            _state = MdnsState.Stopped;
        }

        /// <summary>Starts resolving a .local name given in DNS wire form (DnsResolver hands these over).</summary>
        public SocketResult Resolve(byte[] wireName, out int query)
        {
            query = -1;
            SocketResult started = Start();
            if (started != SocketResult.Success)
            {
                return started;
            }

            DnsQuery lookup = _queries.Allocate(out query);
            if (lookup == null)
            {
                return SocketResult.NoBufferSpaceAvailable;
            }

            lookup.NameLength = DnsWire.CopyName(wireName, 0, lookup.Name, 0);
            lookup.Multicast = true;
            lookup.Deadline = _net.Clock.NowMilliseconds;
            if ((_state == MdnsState.Announcing || _state == MdnsState.Ready) && DnsWire.NameEquals(wireName, 0, _name, 0))
            {
                DnsQueryTable.Finish(lookup, DnsStatus.Resolved, _address, RecordTtlSeconds); // our own name: no one else answers for it
            }

            return SocketResult.Success;
        }

        public DnsStatus GetStatus(int query, out IPv4Address address)
        {
            return _queries.GetStatus(query, out address);
        }

        public void Release(int query)
        {
            _queries.Release(query);
        }

        /// <summary>Reads queries and answers, probes, announces and retries lookups as they fall due.</summary>
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
            // The sender as numbers: nothing allocated on nanoCLR, idle or answering.
            while (_sockets.ReceiveFrom(_socket, _message, 0, _message.Length, out received, out from, out fromPort) == SocketResult.Success)
            {
                Input(received, from, fromPort);
                worked = true;
            }

            long now = _net.Clock.NowMilliseconds;
            worked |= Claim(now);
            for (int i = 0; i < _queries.Count; i++)
            {
                DnsQuery query = _queries[i];
                if (query.IsDue(now))
                {
                    Ask(query, now);
                    worked = true;
                }
            }

            return worked;
        }

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> has a probe, an announcement or a lookup's retry to send though nothing
        /// arrives. A new address is taken up by the next Poll: DHCP and a board's static fallback set it within one, and
        /// any other change is seen at the stack's own deadline (no IPv4Address is compared here: nanoCLR allocates structs).
        /// </summary>
        public int PollDelay()
        {
            if (_socket == 0)
            {
                return int.MaxValue;
            }

            long earliest = _queries.NextDeadline(Deadlines.None);
            if ((_state == MdnsState.Probing || _state == MdnsState.Announcing) && _next < earliest)
            {
                earliest = _next;
            }

            return Deadlines.Delay(earliest, _net.Clock.NowMilliseconds, int.MaxValue);
        }

        /// <summary>The probe and announce sequence; an address change starts it again.</summary>
        private bool Claim(long now)
        {
            uint address = _net.AddressValue;
            if (address != _address.Value)
            {
                _address = new IPv4Address(address);
                if (address == 0)
                {
                    _state = MdnsState.WaitingForAddress;
                    return true;
                }

                // RFC 6762 section 8.1: the first probe after a random 0-250 ms, so hosts starting together do not collide.
                BeginProbing(now + (_net.NextRandom() % ProbeIntervalMs));
                return true;
            }

            if ((_state != MdnsState.Probing && _state != MdnsState.Announcing) || now < _next)
            {
                return false;
            }

            if (_state == MdnsState.Probing)
            {
                if (_step < ProbeCount)
                {
                    SendProbe();
                    _step++;
                    _next = now + ProbeIntervalMs;
                    return true;
                }

                _state = MdnsState.Announcing;
                _step = 0;
            }

            SendAnswer(0, GroupValue, Port, true, RecordTtlSeconds, false, 0);
            _step++;
            _next = now + AnnouncementIntervalMs;
            if (_step >= AnnouncementCount)
            {
                _state = MdnsState.Ready;
            }

            return true;
        }

        private void BeginProbing(long at)
        {
            _state = MdnsState.Probing;
            _step = 0;
            _next = at;
        }

        private void Input(int length, uint from, int fromPort)
        {
            if (length < DnsWire.HeaderLength || !OnLink(from))
            {
                return; // RFC 6762 section 11: only from the local link
            }

            int flags = NetworkOrder.ReadUInt16(_message, 2);
            if ((flags & DnsWire.OpcodeMask) != 0)
            {
                return;
            }

            if ((flags & DnsWire.FlagResponse) != 0)
            {
                Response(length);
            }
            else
            {
                Query(length, from, fromPort);
            }
        }

        /// <summary>169.254/16 (RFC 3927), or our own subnet.</summary>
        private bool OnLink(uint source)
        {
            uint ours = _net.AddressValue;
            return IPv4Address.IsLinkLocalValue(source) || (ours != 0 && ((source ^ ours) & _net.SubnetMaskValue) == 0);
        }

        /// <summary>Answers the questions that ask for our name (while probing, a rival probe may take it from us).</summary>
        private void Query(int length, uint from, int fromPort)
        {
            int questions = NetworkOrder.ReadUInt16(_message, 4);
            int answers = NetworkOrder.ReadUInt16(_message, 6);
            int authorities = NetworkOrder.ReadUInt16(_message, 8);
            int at = DnsWire.HeaderLength;
            int asked = -1;
            bool unicast = false;
            for (int i = 0; i < questions; i++)
            {
                int next;
                if (DnsWire.ReadName(_message, length, at, _owner, out next) < 0 || next + 4 > length)
                {
                    return;
                }

                int type = NetworkOrder.ReadUInt16(_message, next);
                int questionClass = NetworkOrder.ReadUInt16(_message, next + 2);
                if (asked < 0 && DnsWire.NameEquals(_owner, 0, _name, 0) && (type == DnsWire.TypeA || type == DnsWire.TypeAny)
                    && (questionClass & ~DnsWire.ClassTopBit) == DnsWire.ClassInternet)
                {
                    asked = at;
                    unicast = (questionClass & DnsWire.ClassTopBit) != 0;
                }

                at = next + 4;
            }

            if (asked < 0 || _state == MdnsState.WaitingForAddress)
            {
                return;
            }

            if (_state == MdnsState.Probing)
            {
                RivalProbe(length, at, answers, authorities);
                return;
            }

            if (fromPort != Port)
            {
                // Section 6.7: a one-shot resolver (dig, nslookup) gets a conventional unicast reply.
                SendAnswer(NetworkOrder.ReadUInt16(_message, 0), from, fromPort, false, LegacyTtlSeconds, true, asked);
            }
            else if (!KnownAnswer(length, at, answers))
            {
                SendAnswer(0, unicast ? from : GroupValue, Port, true, RecordTtlSeconds, false, 0);
            }

            QueriesAnswered++;
        }

        /// <summary>Section 7.1: the querier already holds our record with at least half its TTL left.</summary>
        private bool KnownAnswer(int length, int at, int answers)
        {
            for (int i = 0; i < answers; i++)
            {
                int next;
                if (DnsWire.ReadName(_message, length, at, _owner, out next) < 0 || next + 10 > length)
                {
                    return false;
                }

                int dataLength = NetworkOrder.ReadUInt16(_message, next + 8);
                if (DnsWire.NameEquals(_owner, 0, _name, 0) && NetworkOrder.ReadUInt16(_message, next) == DnsWire.TypeA && dataLength == 4
                    && next + 14 <= length && IPv4Address.Read(_message, next + 10) == _address
                    && NetworkOrder.ReadUInt32(_message, next + 4) >= RecordTtlSeconds / 2)
                {
                    return true;
                }

                at = next + 10 + dataLength;
            }

            return false;
        }

        /// <summary>
        /// Section 8.2: two hosts probing for one name. The proposed records (the authority section) are compared;
        /// the host whose address sorts lower defers for a second and probes again.
        /// </summary>
        private void RivalProbe(int length, int at, int answers, int authorities)
        {
            for (int i = 0; i < answers + authorities; i++)
            {
                int next;
                if (DnsWire.ReadName(_message, length, at, _owner, out next) < 0 || next + 10 > length)
                {
                    return;
                }

                int dataLength = NetworkOrder.ReadUInt16(_message, next + 8);
                if (i >= answers && DnsWire.NameEquals(_owner, 0, _name, 0) && NetworkOrder.ReadUInt16(_message, next) == DnsWire.TypeA
                    && dataLength == 4 && next + 14 <= length && IPv4Address.Read(_message, next + 10).Value > _address.Value)
                {
                    BeginProbing(_net.Clock.NowMilliseconds + 1000);
                    return;
                }

                at = next + 10 + dataLength;
            }
        }

        /// <summary>Answers to our lookups; and, for our own name, another host's claim: a conflict (section 9).</summary>
        private void Response(int length)
        {
            int questions = NetworkOrder.ReadUInt16(_message, 4);
            int records = NetworkOrder.ReadUInt16(_message, 6) + NetworkOrder.ReadUInt16(_message, 8) + NetworkOrder.ReadUInt16(_message, 10);
            int at = DnsWire.HeaderLength;
            for (int i = 0; i < questions && at > 0; i++)
            {
                at = DnsWire.SkipName(_message, length, at);
                at = at < 0 ? -1 : at + 4;
            }

            if (at < 0)
            {
                return;
            }

            if (_state != MdnsState.WaitingForAddress && ClaimsOurName(length, at, records))
            {
                Conflicts++;
                SetName(Conflicts);
                BeginProbing(_net.Clock.NowMilliseconds + (Conflicts >= 15 ? 5000 : 0)); // section 8.1: slow down after 15
                return;
            }

            for (int i = 0; i < _queries.Count; i++)
            {
                DnsQuery query = _queries[i];
                if (query.Pending)
                {
                    DnsWire.CopyName(query.Name, 0, _current, 0);
                    IPv4Address address;
                    long ttl;
                    if (DnsWire.FindAddress(_message, length, at, records, _current, _owner, out address, out ttl) == DnsStatus.Resolved)
                    {
                        DnsQueryTable.Finish(query, DnsStatus.Resolved, address, ttl);
                    }
                }
            }
        }

        /// <summary>An A record for our name with another address.</summary>
        private bool ClaimsOurName(int length, int at, int records)
        {
            for (int i = 0; i < records; i++)
            {
                int next;
                if (DnsWire.ReadName(_message, length, at, _owner, out next) < 0 || next + 10 > length)
                {
                    return false;
                }

                int dataLength = NetworkOrder.ReadUInt16(_message, next + 8);
                if (DnsWire.NameEquals(_owner, 0, _name, 0) && NetworkOrder.ReadUInt16(_message, next) == DnsWire.TypeA
                    && dataLength == 4 && next + 14 <= length && IPv4Address.Read(_message, next + 10) != _address)
                {
                    return true;
                }

                at = next + 10 + dataLength;
            }

            return false;
        }

        /// <summary>A probe: "who has NAME.local?" (ANY, unicast response wanted) with our proposed A record as authority.</summary>
        private void SendProbe()
        {
            DnsWire.WriteHeader(_message, 0, 0, 0, 1, 0, 1, 0);
            int at = DnsWire.HeaderLength + DnsWire.CopyName(_name, 0, _message, DnsWire.HeaderLength);
            NetworkOrder.WriteUInt16(_message, at, DnsWire.TypeAny);
            NetworkOrder.WriteUInt16(_message, at + 2, DnsWire.ClassInternet | DnsWire.ClassTopBit);
            at = WriteRecord(at + 4, DnsWire.ClassInternet, RecordTtlSeconds);
            int sent;
            _sockets.SendTo(_socket, _message, 0, at, GroupValue, Port, out sent);
        }

        /// <summary>
        /// Our A record as a response: multicast or unicast, with the cache-flush bit when it goes to the port 5353
        /// caches (section 10.2), with the question copied from <paramref name="questionAt"/> for a legacy querier.
        /// </summary>
        private void SendAnswer(int id, uint to, int port, bool cacheFlush, int ttl, bool repeatQuestion, int questionAt)
        {
            int questionLength = 0;
            if (repeatQuestion)
            {
                // The question as asked (names compressed against the query would not hold here): our name, then type and class.
                questionLength = DnsWire.CopyName(_name, 0, _owner, 0) + 4;
                int next;
                DnsWire.ReadName(_message, _message.Length, questionAt, _current, out next);
                _owner[questionLength - 4] = _message[next];
                _owner[questionLength - 3] = _message[next + 1];
                _owner[questionLength - 2] = 0;
                _owner[questionLength - 1] = DnsWire.ClassInternet;
            }

            DnsWire.WriteHeader(_message, 0, id, DnsWire.FlagResponse | DnsWire.FlagAuthoritative, repeatQuestion ? 1 : 0, 1, 0, 0);
            int at = DnsWire.HeaderLength;
            for (int i = 0; i < questionLength; i++)
            {
                _message[at++] = _owner[i];
            }

            at = WriteRecord(at, DnsWire.ClassInternet | (cacheFlush ? DnsWire.ClassTopBit : 0), ttl);
            int sent;
            _sockets.SendTo(_socket, _message, 0, at, to, port, out sent);
        }

        private int WriteRecord(int at, int recordClass, int ttl)
        {
            at += DnsWire.CopyName(_name, 0, _message, at);
            NetworkOrder.WriteUInt16(_message, at, DnsWire.TypeA);
            NetworkOrder.WriteUInt16(_message, at + 2, recordClass);
            NetworkOrder.WriteUInt32(_message, at + 4, (uint)ttl);
            NetworkOrder.WriteUInt16(_message, at + 8, IPv4Address.Length);
            _address.Write(_message, at + 10);
            return at + 14;
        }

        /// <summary>A lookup's next multicast question (section 5.2: one second, then doubling), or its end.</summary>
        private void Ask(DnsQuery query, long now)
        {
            if (query.Attempt >= QueryAttempts)
            {
                DnsQueryTable.Finish(query, DnsStatus.TimedOut, IPv4Address.Any, 0);
                return;
            }

            query.Deadline = now + (1000L << query.Attempt);
            query.Attempt++;
            if (_net.AddressValue == 0)
            {
                return; // no address to send from yet: the attempt counts, the next may go
            }

            DnsWire.WriteHeader(_message, 0, 0, 0, 1, 0, 0, 0);
            int at = DnsWire.HeaderLength + DnsWire.CopyName(query.Name, 0, _message, DnsWire.HeaderLength);
            NetworkOrder.WriteUInt16(_message, at, DnsWire.TypeA);
            NetworkOrder.WriteUInt16(_message, at + 2, DnsWire.ClassInternet);
            int sent;
            _sockets.SendTo(_socket, _message, 0, at + 4, GroupValue, Port, out sent);
        }

        /// <summary>The name to claim: the base label, or "label-N" after the Nth conflict (section 9).</summary>
        private void SetName(int conflicts)
        {
            _labelLength = _baseLength;
            if (conflicts > 0)
            {
                int suffix = conflicts + 1;
                int digits = suffix >= 100 ? 3 : suffix >= 10 ? 2 : 1;
                _label[_labelLength++] = (byte)'-';
                for (int i = digits - 1; i >= 0; i--)
                {
                    _label[_labelLength + i] = (byte)('0' + suffix % 10);
                    suffix /= 10;
                }

                _labelLength += digits;
            }

            _name[0] = (byte)_labelLength;
            for (int i = 0; i < _labelLength; i++)
            {
                _name[1 + i] = _label[i];
            }

            const string local = "local";
            _name[1 + _labelLength] = (byte)local.Length;
            for (int i = 0; i < local.Length; i++)
            {
                _name[2 + _labelLength + i] = (byte)local[i];
            }

            _name[2 + _labelLength + local.Length] = 0;
        }

        private static bool IsHostLabel(string name)
        {
            if (name == null || name.Length == 0 || name.Length > MaximumLabel - 6 || name[0] == '-' || name[name.Length - 1] == '-')
            {
                return false; // 6 bytes kept for a "-NNN" suffix
            }

            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
