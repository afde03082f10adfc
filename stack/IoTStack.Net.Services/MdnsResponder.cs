using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// Multicast DNS (RFC 6762) for one host name and the services an application registers (DNS-SD, RFC 6763): once the
    /// interface has an address the responder probes for NAME.local and each service instance name (section 8.1), takes
    /// NAME-2.local or "Instance (2)" and so on if someone else holds one (section 9; RFC 6763 appendix D), announces them
    /// (section 8.3), then answers A, PTR, SRV, TXT and ANY queries: multicast to 224.0.0.251:5353, unicast when the
    /// question asks for it (QU, section 5.4), and to a one-shot querier such as <c>dig @224.0.0.251 -p 5353</c> the legacy
    /// way (section 6.7: its ID, the question, TTL 10 s). It also resolves other .local names for <see cref="DnsResolver"/>.
    /// Polled; allocates nothing after construction.
    /// </summary>
    public sealed class MdnsResponder
    {
        public const int Port = 5353;

        /// <summary>RFC 6762 section 10: records that name a host (A, SRV) live 120 s; legacy unicast answers at most 10 s (section 6.7).</summary>
        public const int RecordTtlSeconds = 120;

        /// <summary>RFC 6762 section 10: the other records (PTR, TXT) live 75 minutes.</summary>
        public const int ServiceTtlSeconds = 4500;

        private const int LegacyTtlSeconds = 10;

        /// <summary>The largest message sent or read: an Ethernet frame's UDP payload (RFC 6762 section 17).</summary>
        public const int MessageCapacity = 1472;

        private const int ProbeIntervalMs = 250;
        private const int ProbeCount = 3;
        private const int AnnouncementIntervalMs = 1000;
        private const int AnnouncementCount = 2;
        private const int QueryAttempts = 3;
        private const int MaximumLabel = 63;

        /// <summary>The longest instance name taken: 6 bytes of the label are kept for a " (NNN)" after conflicts.</summary>
        public const int MaximumInstanceName = MaximumLabel - 6;

        /// <summary>The longest TXT record data taken (RFC 6763 section 6.2 suggests under 200 bytes, at most about 400).</summary>
        public const int MaximumText = 400;

        // Each registered service is SlotBytes of _services: <instance>.<type>.local at InstanceAt (at most 1 + 63 + 29
        // bytes), the registered instance label's length at BaseLengthAt, <type>.local at TypeAt ("_" and 15 characters,
        // RFC 6335 section 5.1, then _tcp or _udp and local: at most 29 bytes).
        private const int SlotBytes = 128;
        private const int InstanceAt = 0;
        private const int BaseLengthAt = 95;
        private const int TypeAt = 96;

        // What a message carries for a service (_want) and the host (_wantHost): answers in the low bits, additional
        // records the same bits shifted by Additional.
        private const int WantPtr = 1;
        private const int WantSrv = 2;
        private const int WantTxt = 4;
        private const int WantServiceType = 8;
        private const int WantAddress = 1;
        private const int Additional = 4;

        /// <summary>The records of a service the Want bits name: PTR, SRV, TXT, the enumeration PTR.</summary>
        private const int ServiceRecords = 4;

        /// <summary>Not a wire type: the enumeration PTR, _services._dns-sd._udp.local to a service type (RFC 6763 section 9).</summary>
        private const int ServiceTypePointer = 0x10000;

        /// <summary>Room a record other than TXT's data takes at most: two names of under 96 bytes, type, class, TTL, length, SRV's fields.</summary>
        private const int RecordRoom = 2 * 96 + 16;

        private const int HostConflict = -2;

        /// <summary>RFC 6763 section 9: the name that lists the service types on the link.</summary>
        private static readonly byte[] ServicesName =
        {
            9, (byte)'_', (byte)'s', (byte)'e', (byte)'r', (byte)'v', (byte)'i', (byte)'c', (byte)'e', (byte)'s',
            7, (byte)'_', (byte)'d', (byte)'n', (byte)'s', (byte)'-', (byte)'s', (byte)'d',
            4, (byte)'_', (byte)'u', (byte)'d', (byte)'p', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0
        };

        /// <summary>224.0.0.251, made when asked: a static struct would be one more object on nanoCLR's heap.</summary>
        public static IPv4Address Group
        {
            get { return new IPv4Address(GroupValue); }
        }

        /// <summary><see cref="Group"/> as a number, for sending without a struct (nanoCLR allocates one per load).</summary>
        private const uint GroupValue = 0xE00000FB;

        private readonly ISocketEngine _sockets;
        private readonly INetInterface _net;
        private readonly DnsQueryTable _queries;
        private readonly int _baseLength;
        private readonly byte[] _name = new byte[DnsWire.MaximumNameLength];
        private readonly byte[] _message;
        private readonly byte[] _owner = new byte[DnsWire.MaximumNameLength];
        private readonly byte[] _current = new byte[DnsWire.MaximumNameLength];
        private readonly byte[] _services;
        private readonly int[] _ports; // 0: a free slot
        private readonly byte[][] _texts;
        private readonly int[] _renames;
        private readonly int[] _want;
        private int _wantHost;

        // When each record was last multicast as an answer (the clock's milliseconds cut to 32 bits, 0: never): the host's
        // address, and for each service slot its PTR, SRV, TXT and enumeration PTR, in the order of the Want bits.
        private int _hostMulticast;
        private readonly int[] _multicast;

        // A multicast answer that holds a shared record waits 20-120 ms (RFC 6762 section 6): its answers, per service slot
        // and for the host, gathered from every query until it goes at _pendingAt (0: none waiting).
        private readonly int[] _pending;
        private int _pendingHost;
        private long _pendingAt;
        private int _written;
        private int _socket; // 0: none, as everywhere in the socket API
        private MdnsState _state;
        private int _step;
        private long _next;
        private uint _address;

        /// <param name="hostName">The label to claim under .local: letters, digits and hyphens, 1 to 57 of them (RFC 952, RFC 1123 section 2.1).</param>
        /// <param name="queries">How many .local lookups may be in flight at once.</param>
        public MdnsResponder(ISocketEngine sockets, INetInterface net, string hostName, int queries)
            : this(sockets, net, hostName, queries, 0, null)
        {
        }

        /// <param name="services">How many DNS-SD services <see cref="Register"/> may hold at once.</param>
        /// <param name="message">The buffer messages are read and built in, at least <see cref="MessageCapacity"/> bytes; null for one of
        /// its own. Services polled on one thread may share one (<see cref="NetServices"/> does): none keeps a message between calls.</param>
        public MdnsResponder(ISocketEngine sockets, INetInterface net, string hostName, int queries, int services, byte[] message)
        {
            if (sockets == null || net == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : "net");
            }

            if (!IsHostLabel(hostName) || services < 0 || (message != null && message.Length < MessageCapacity))
            {
                throw new System.ArgumentException("a host name is 1 to 57 letters, digits and hyphens; services 0 or more; a message buffer MessageCapacity bytes");
            }

            _sockets = sockets;
            _net = net;
            _queries = new DnsQueryTable(queries < 1 ? 1 : queries);
            _message = message != null ? message : new byte[MessageCapacity];
            _services = new byte[services * SlotBytes];
            _ports = new int[services];
            _texts = new byte[services][];
            _renames = new int[services];
            _want = new int[services];
            _multicast = new int[services * ServiceRecords];
            _pending = new int[services];
            for (int i = 0; i < hostName.Length; i++)
            {
                _name[1 + i] = (byte)hostName[i];
            }

            _baseLength = hostName.Length;
            SetName(0);
        }

        public MdnsState State
        {
            get { return _state; }
        }

        /// <summary>Queries for our names answered, and host names lost to another host, since start.</summary>
        public int QueriesAnswered { get; private set; }

        public int Conflicts { get; private set; }

        /// <summary>Writes the name held now ("board.local", or "board-2.local" after a conflict) as ASCII; returns its length.</summary>
        public int WriteHostName(byte[] buffer, int offset)
        {
            return WriteText(_name, 0, buffer, offset);
        }

        /// <summary>Writes a registered service's instance name as held now ("board._http._tcp.local", "board (2)._http._tcp.local" after a conflict); returns its length.</summary>
        public int WriteServiceName(int service, byte[] buffer, int offset)
        {
            return WriteText(_services, service * SlotBytes + InstanceAt, buffer, offset);
        }

        /// <summary>
        /// Registers a service (RFC 6763): <paramref name="instance"/> (1 to <see cref="MaximumInstanceName"/> printable ASCII
        /// characters) of <paramref name="serviceType"/> ("_http._tcp": an underscore and 1 to 15 characters, then _tcp or _udp,
        /// section 7) on <paramref name="port"/>, with <paramref name="text"/> as its TXT record data in section 6 form
        /// (length-prefixed "key=value" strings; null or empty for none, sent as the single zero byte section 6.1 asks for).
        /// The text is kept, not copied. A responder already started probes again for all its names. Returns the service's
        /// index for <see cref="Unregister"/>, or -1 when the table is full or an argument is not as above.
        /// </summary>
        public int Register(string instance, string serviceType, int port, byte[] text)
        {
            int slot = 0;
            while (slot < _ports.Length && _ports[slot] != 0)
            {
                slot++;
            }

            int at = slot * SlotBytes;
            int instanceLength = instance == null ? -1 : DnsWire.ToAscii(instance, _current);
            if (slot == _ports.Length || instanceLength < 1 || instanceLength > MaximumInstanceName || port < 1 || port > 65535
                || (text != null && text.Length > MaximumText) || !SetType(at, serviceType))
            {
                return -1;
            }

            System.Array.Copy(_current, 0, _services, at + InstanceAt + 1, instanceLength);
            _services[at + BaseLengthAt] = (byte)instanceLength;
            _ports[slot] = port;
            _texts[slot] = text;
            _renames[slot] = 0;
            SetInstance(slot);
            if (_state >= MdnsState.Probing)
            {
                BeginProbing(_net.Clock.NowMilliseconds);
            }

            return slot;
        }

        /// <summary>Withdraws a registered service, with a goodbye (its records at TTL 0, RFC 6762 section 10.1) once it was announced.</summary>
        public void Unregister(int service)
        {
            if (service < 0 || service >= _ports.Length || _ports[service] == 0)
            {
                return;
            }

            if (_state >= MdnsState.Announcing)
            {
                SetWants(0, 0);
                _want[service] = WantPtr | WantSrv | WantTxt;
                Send(0, GroupValue, Port, 0, 0);
            }

            _ports[service] = 0;
            _texts[service] = null;
            _pending[service] = 0;
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
            // RFC 6762 section 11: IP TTL 255 on what the responder sends, multicast or unicast.
            _sockets.SetOption(_socket, SocketOption.TimeToLive, 255);
            _sockets.SetOption(_socket, SocketOption.MulticastTimeToLive, 255);
            // The responder's own probes and announcements must not come back to it as a rival's.
            _sockets.SetOption(_socket, SocketOption.MulticastLoopback, 0);
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

            _pendingAt = 0;
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
                DnsQueryTable.Finish(lookup, DnsStatus.Resolved, new IPv4Address(_address), RecordTtlSeconds); // our own name: no one else answers for it
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
            if (_pendingAt != 0 && now >= _pendingAt)
            {
                SendPending();
                worked = true;
            }

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

            if (_pendingAt != 0 && _pendingAt < earliest)
            {
                earliest = _pendingAt;
            }

            return Deadlines.Delay(earliest, _net.Clock.NowMilliseconds, int.MaxValue);
        }

        /// <summary>The probe and announce sequence; an address change starts it again.</summary>
        private bool Claim(long now)
        {
            uint address = _net.AddressValue;
            if (address != _address)
            {
                _address = address;
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

            // Section 8.3: every record we own, in one message.
            SetWants(WantPtr | WantSrv | WantTxt | WantServiceType, WantAddress);
            Send(0, GroupValue, Port, int.MaxValue, 0);
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

        /// <summary>Answers the questions that ask for our names (while probing, a rival probe may take one from us).</summary>
        private void Query(int length, uint from, int fromPort)
        {
            int questions = NetworkOrder.ReadUInt16(_message, 4);
            int answers = NetworkOrder.ReadUInt16(_message, 6);
            int authorities = NetworkOrder.ReadUInt16(_message, 8);
            int at = DnsWire.HeaderLength;
            int asked = -1;
            bool unicast = false;
            SetWants(0, 0);
            for (int i = 0; i < questions; i++)
            {
                int next;
                if (DnsWire.ReadName(_message, length, at, _owner, out next) < 0 || next + 4 > length)
                {
                    return;
                }

                int questionClass = NetworkOrder.ReadUInt16(_message, next + 2);
                if ((questionClass & ~DnsWire.ClassTopBit) == DnsWire.ClassInternet && Match(NetworkOrder.ReadUInt16(_message, next)))
                {
                    asked = asked < 0 ? at : asked;
                    unicast |= (questionClass & DnsWire.ClassTopBit) != 0;
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
                int id = NetworkOrder.ReadUInt16(_message, 0);
                int questionLength = RepeatQuestion(length, asked);
                AddAdditionals();
                Send(id, from, fromPort, LegacyTtlSeconds, questionLength);
            }
            else
            {
                KnownAnswers(length, at, answers);
                if (!unicast && Shared())
                {
                    Defer();
                }
                else
                {
                    if (!unicast)
                    {
                        Multicasting(authorities > 0);
                    }

                    if (AddAdditionals())
                    {
                        Send(0, unicast ? from : GroupValue, Port, int.MaxValue, 0);
                    }
                }
            }

            QueriesAnswered++;
        }

        /// <summary>Whether the answers hold a shared record (a PTR: other hosts may answer the same question).</summary>
        private bool Shared()
        {
            for (int slot = 0; slot < _want.Length; slot++)
            {
                if ((_want[slot] & (WantPtr | WantServiceType)) != 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// RFC 6762 section 6: an answer that holds a shared record waits a random 20-120 ms, so the hosts that share it do
        /// not all answer at once; what further queries ask meanwhile goes in the same response.
        /// </summary>
        private void Defer()
        {
            for (int slot = 0; slot < _want.Length; slot++)
            {
                _pending[slot] |= _want[slot];
            }

            _pendingHost |= _wantHost;
            if (_pendingAt == 0)
            {
                _pendingAt = _net.Clock.NowMilliseconds + 20 + _net.NextRandom() % 101;
            }
        }

        /// <summary>The deferred response, when it falls due: rate limited as any multicast answer, while the names are ours.</summary>
        private void SendPending()
        {
            _pendingAt = 0;
            for (int slot = 0; slot < _want.Length; slot++)
            {
                _want[slot] = _pending[slot];
                _pending[slot] = 0;
            }

            _wantHost = _pendingHost;
            _pendingHost = 0;
            if (_state != MdnsState.Ready && _state != MdnsState.Announcing)
            {
                return;
            }

            Multicasting(false);
            if (AddAdditionals())
            {
                Send(0, GroupValue, Port, int.MaxValue, 0);
            }
        }

        /// <summary>
        /// RFC 6762 section 6: a record is multicast at most once a second, or a quarter of a second in answer to a probe
        /// (<paramref name="probe"/>: a query with an authority section, which defends our names). An answer multicast
        /// sooner is left out, so a flood of queries draws one response a second, not one a query; the rest are stamped as
        /// sent now. Answers only: what rides along as an additional record is not held back.
        /// </summary>
        private void Multicasting(bool probe)
        {
            int now = (int)_net.Clock.NowMilliseconds;
            now = now == 0 ? 1 : now;
            int limit = probe ? 250 : 1000;
            if ((_wantHost & WantAddress) != 0)
            {
                if (_hostMulticast != 0 && now - _hostMulticast < limit)
                {
                    _wantHost &= ~WantAddress;
                }
                else
                {
                    _hostMulticast = now;
                }
            }

            for (int slot = 0; slot < _want.Length; slot++)
            {
                int want = _want[slot];
                for (int record = 0; want != 0 && record < ServiceRecords; record++)
                {
                    int bit = 1 << record;
                    int i = slot * ServiceRecords + record;
                    if ((want & bit) == 0)
                    {
                        continue;
                    }

                    if (_multicast[i] != 0 && now - _multicast[i] < limit)
                    {
                        want &= ~bit;
                    }
                    else
                    {
                        _multicast[i] = now;
                    }
                }

                _want[slot] = want;
            }
        }

        /// <summary>Marks what a question of <paramref name="type"/> for the name in _owner asks of us; false when nothing.</summary>
        private bool Match(int type)
        {
            bool any = type == DnsWire.TypeAny;
            bool ours = false;
            if ((type == DnsWire.TypeA || any) && DnsWire.NameEquals(_owner, 0, _name, 0))
            {
                _wantHost = WantAddress;
                ours = true;
            }

            bool browsing = type == DnsWire.TypePtr || any;
            bool enumerating = browsing && DnsWire.NameEquals(_owner, 0, ServicesName, 0);
            for (int slot = 0; slot < _ports.Length; slot++)
            {
                int at = slot * SlotBytes;
                if (_ports[slot] == 0)
                {
                    continue;
                }

                int want = enumerating && FirstOfType(slot) ? WantServiceType : 0; // RFC 6763 section 9
                if (browsing && DnsWire.NameEquals(_owner, 0, _services, at + TypeAt))
                {
                    want |= WantPtr;
                }

                if (DnsWire.NameEquals(_owner, 0, _services, at + InstanceAt))
                {
                    want |= (type == DnsWire.TypeSrv || any ? WantSrv : 0) | (type == DnsWire.TypeTxt || any ? WantTxt : 0);
                }

                _want[slot] |= want;
                ours |= want != 0;
            }

            return ours;
        }

        /// <summary>
        /// RFC 6763 section 12: a PTR answer brings the instance's SRV, TXT and our address as additional records, an SRV
        /// answer our address; a record already among the answers is not repeated. False when there is nothing to send.
        /// </summary>
        private bool AddAdditionals()
        {
            bool any = _wantHost != 0;
            for (int slot = 0; slot < _want.Length; slot++)
            {
                int want = _want[slot];
                if ((want & WantPtr) != 0)
                {
                    want |= (WantSrv | WantTxt) << Additional;
                }

                if ((want & (WantPtr | WantSrv)) != 0 && _wantHost == 0)
                {
                    _wantHost = WantAddress << Additional;
                }

                want &= ~((want & (WantSrv | WantTxt)) << Additional);
                _want[slot] = want;
                any |= want != 0;
            }

            return any;
        }

        /// <summary>
        /// RFC 6762 section 7.1: drops the answers the querier lists as known with at least half their TTL left (our
        /// address, our PTR records).
        /// </summary>
        private void KnownAnswers(int length, int at, int answers)
        {
            for (int i = 0; i < answers; i++)
            {
                int next;
                if (DnsWire.ReadName(_message, length, at, _owner, out next) < 0 || next + 10 > length)
                {
                    return;
                }

                int type = NetworkOrder.ReadUInt16(_message, next);
                uint ttl = NetworkOrder.ReadUInt32(_message, next + 4);
                int dataLength = NetworkOrder.ReadUInt16(_message, next + 8);
                int data = next + 10;
                if (data + dataLength > length)
                {
                    return;
                }

                if (type == DnsWire.TypeA && dataLength == 4 && ttl >= RecordTtlSeconds / 2 && DnsWire.NameEquals(_owner, 0, _name, 0)
                    && NetworkOrder.ReadUInt32(_message, data) == _address)
                {
                    _wantHost = 0;
                }

                int end;
                if (type == DnsWire.TypePtr && ttl >= ServiceTtlSeconds / 2 && DnsWire.ReadName(_message, data + dataLength, data, _current, out end) > 0)
                {
                    bool enumeration = DnsWire.NameEquals(_owner, 0, ServicesName, 0);
                    for (int slot = 0; slot < _want.Length; slot++)
                    {
                        int name = slot * SlotBytes;
                        if (enumeration ? DnsWire.NameEquals(_current, 0, _services, name + TypeAt)
                            : DnsWire.NameEquals(_owner, 0, _services, name + TypeAt) && DnsWire.NameEquals(_current, 0, _services, name + InstanceAt))
                        {
                            _want[slot] &= enumeration ? ~WantServiceType : ~WantPtr;
                        }
                    }
                }

                at = data + dataLength;
            }
        }

        /// <summary>
        /// Section 8.2: two hosts probing for one name. The proposed records (the authority section) are compared; the host
        /// whose records sort lower (an A record's address, an SRV record's data) defers for a second and probes again.
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

                int type = NetworkOrder.ReadUInt16(_message, next);
                int dataLength = NetworkOrder.ReadUInt16(_message, next + 8);
                int data = next + 10;
                if (data + dataLength > length)
                {
                    return;
                }

                bool loses = false;
                if (i >= answers && type == DnsWire.TypeA && dataLength == 4 && DnsWire.NameEquals(_owner, 0, _name, 0))
                {
                    loses = NetworkOrder.ReadUInt32(_message, data) > _address;
                }
                else if (i >= answers && type == DnsWire.TypeSrv)
                {
                    int slot = ServiceNamed();
                    loses = slot >= 0 && CompareService(data, dataLength, slot) > 0;
                }

                if (loses)
                {
                    BeginProbing(_net.Clock.NowMilliseconds + 1000);
                    return;
                }

                at = data + dataLength;
            }
        }

        /// <summary>Answers to our lookups; and, for one of our names, another host's claim: a conflict (section 9).</summary>
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

            int lost = _state == MdnsState.WaitingForAddress ? -1 : Conflict(length, at, records);
            if (lost != -1)
            {
                int losses;
                if (lost == HostConflict)
                {
                    losses = ++Conflicts;
                    SetName(losses);
                }
                else
                {
                    losses = _renames[lost] < 998 ? ++_renames[lost] : 998; // "(999)" is the longest suffix kept room for
                    SetInstance(lost);
                }

                BeginProbing(_net.Clock.NowMilliseconds + (losses >= 15 ? 5000 : 0)); // section 8.1: slow down after 15
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

        /// <summary>
        /// A record of another host's for one of our names: an A record with another address (<see cref="HostConflict"/>),
        /// or an SRV record for a service's instance name with other data (the service's index); -1 for none.
        /// </summary>
        private int Conflict(int length, int at, int records)
        {
            for (int i = 0; i < records; i++)
            {
                int next;
                if (DnsWire.ReadName(_message, length, at, _owner, out next) < 0 || next + 10 > length)
                {
                    return -1;
                }

                int type = NetworkOrder.ReadUInt16(_message, next);
                int dataLength = NetworkOrder.ReadUInt16(_message, next + 8);
                int data = next + 10;
                if (data + dataLength > length)
                {
                    return -1;
                }

                if (type == DnsWire.TypeA && dataLength == 4 && DnsWire.NameEquals(_owner, 0, _name, 0) && NetworkOrder.ReadUInt32(_message, data) != _address)
                {
                    return HostConflict;
                }

                int slot = type == DnsWire.TypeSrv ? ServiceNamed() : -1;
                if (slot >= 0 && CompareService(data, dataLength, slot) != 0)
                {
                    return slot;
                }

                at = data + dataLength;
            }

            return -1;
        }

        /// <summary>The registered service whose instance name is in _owner, or -1.</summary>
        private int ServiceNamed()
        {
            for (int slot = 0; slot < _ports.Length; slot++)
            {
                if (_ports[slot] != 0 && DnsWire.NameEquals(_owner, 0, _services, slot * SlotBytes + InstanceAt))
                {
                    return slot;
                }
            }

            return -1;
        }

        /// <summary>
        /// Another host's SRV data at <paramref name="data"/> against ours for the service (priority 0, weight 0, port,
        /// NAME.local), compared as section 8.2 says (unsigned bytes of the uncompressed data): above 0 when theirs sorts
        /// later, 0 when equal or unreadable.
        /// </summary>
        private int CompareService(int data, int dataLength, int slot)
        {
            int end;
            int theirs = dataLength < 7 ? -1 : DnsWire.ReadName(_message, data + dataLength, data + 6, _current, out end);
            if (theirs < 0)
            {
                return 0;
            }

            if (NetworkOrder.ReadUInt32(_message, data) != 0)
            {
                return 1; // their priority or weight above our zeros
            }

            int ours = _name[0] + 8; // the label, "local" and the root
            int difference = NetworkOrder.ReadUInt16(_message, data + 4) - _ports[slot];
            for (int i = 0; difference == 0 && i < theirs && i < ours; i++)
            {
                difference = _current[i] - _name[i];
            }

            return difference != 0 ? difference : theirs - ours;
        }

        /// <summary>
        /// A probe (section 8.1): "who has these names?" (ANY, unicast response wanted) for the host name and each service's
        /// instance name, with our proposed A, SRV and TXT records as authority (section 8.2).
        /// </summary>
        private void SendProbe()
        {
            int at = WriteQuestion(_name, 0, DnsWire.HeaderLength);
            int questions = 1;
            for (int slot = 0; slot < _ports.Length; slot++)
            {
                if (_ports[slot] != 0)
                {
                    at = WriteQuestion(_services, slot * SlotBytes + InstanceAt, at);
                    questions++;
                }
            }

            SetWants(WantSrv | WantTxt, WantAddress);
            at = WriteRecords(at, 0, DnsWire.ClassInternet, int.MaxValue);
            DnsWire.WriteHeader(_message, 0, 0, 0, questions, 0, _written, 0);
            int sent;
            _sockets.SendTo(_socket, _message, 0, at, GroupValue, Port, out sent);
        }

        private int WriteQuestion(byte[] name, int offset, int at)
        {
            at += DnsWire.CopyName(name, offset, _message, at);
            NetworkOrder.WriteUInt16(_message, at, DnsWire.TypeAny);
            NetworkOrder.WriteUInt16(_message, at + 2, DnsWire.ClassInternet | DnsWire.ClassTopBit);
            return at + 4;
        }

        /// <summary>
        /// A legacy querier's question (section 6.7), uncompressed into _owner as asked, class IN; returns its length. The
        /// message is read before it is overwritten.
        /// </summary>
        private int RepeatQuestion(int length, int asked)
        {
            int next;
            int nameLength = DnsWire.ReadName(_message, length, asked, _owner, out next);
            _owner[nameLength] = _message[next];
            _owner[nameLength + 1] = _message[next + 1];
            _owner[nameLength + 2] = 0;
            _owner[nameLength + 3] = DnsWire.ClassInternet;
            return nameLength + 4;
        }

        /// <summary>Marks <paramref name="want"/> for every registered service (the service type once per type) and <paramref name="host"/> for the address.</summary>
        private void SetWants(int want, int host)
        {
            for (int slot = 0; slot < _want.Length; slot++)
            {
                _want[slot] = _ports[slot] == 0 ? 0 : FirstOfType(slot) ? want : want & ~WantServiceType;
            }

            _wantHost = host;
        }

        /// <summary>Whether no registered service before this one has its type.</summary>
        private bool FirstOfType(int slot)
        {
            for (int i = 0; i < slot; i++)
            {
                if (_ports[i] != 0 && DnsWire.NameEquals(_services, i * SlotBytes + TypeAt, _services, slot * SlotBytes + TypeAt))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// A response of the marked records, multicast or unicast, the unique ones with the cache-flush bit when it goes to
        /// the port 5353 caches (section 10.2), after the <paramref name="questionLength"/> bytes of question in _owner for a
        /// legacy querier; TTLs at most <paramref name="ttlLimit"/> (0: a goodbye).
        /// </summary>
        private void Send(int id, uint to, int port, int ttlLimit, int questionLength)
        {
            int at = DnsWire.HeaderLength;
            for (int i = 0; i < questionLength; i++)
            {
                _message[at++] = _owner[i];
            }

            int recordClass = DnsWire.ClassInternet | (port == Port ? DnsWire.ClassTopBit : 0);
            at = WriteRecords(at, 0, recordClass, ttlLimit);
            int answers = _written;
            at = WriteRecords(at, Additional, recordClass, ttlLimit);
            DnsWire.WriteHeader(_message, 0, id, DnsWire.FlagResponse | DnsWire.FlagAuthoritative, questionLength > 0 ? 1 : 0, answers, 0, _written);
            int sent;
            _sockets.SendTo(_socket, _message, 0, at, to, port, out sent);
        }

        /// <summary>The records marked in the bits at <paramref name="shift"/>; counts them in _written.</summary>
        private int WriteRecords(int at, int shift, int recordClass, int ttlLimit)
        {
            _written = 0;
            if (((_wantHost >> shift) & WantAddress) != 0)
            {
                at = WriteRecord(at, 0, DnsWire.TypeA, recordClass, ttlLimit);
            }

            for (int slot = 0; slot < _want.Length; slot++)
            {
                int want = _want[slot] >> shift;
                if ((want & WantPtr) != 0)
                {
                    at = WriteRecord(at, slot, DnsWire.TypePtr, recordClass, ttlLimit);
                }

                if ((want & WantSrv) != 0)
                {
                    at = WriteRecord(at, slot, DnsWire.TypeSrv, recordClass, ttlLimit);
                }

                if ((want & WantTxt) != 0)
                {
                    at = WriteRecord(at, slot, DnsWire.TypeTxt, recordClass, ttlLimit);
                }

                if ((want & WantServiceType) != 0)
                {
                    at = WriteRecord(at, slot, ServiceTypePointer, recordClass, ttlLimit);
                }
            }

            return at;
        }

        /// <summary>
        /// One record: A for the host; PTR type to instance, SRV and TXT for the service in <paramref name="slot"/>; the
        /// enumeration PTR for <see cref="ServiceTypePointer"/>. PTR records are shared (no cache-flush bit, section 10.2).
        /// A record that would not fit is left out.
        /// </summary>
        private int WriteRecord(int at, int slot, int kind, int recordClass, int ttlLimit)
        {
            int name = slot * SlotBytes;
            byte[] text = kind == DnsWire.TypeTxt ? _texts[slot] : null;
            int textLength = text == null ? 0 : text.Length;
            if (at + RecordRoom + textLength > _message.Length)
            {
                return at;
            }

            int ttl = kind == DnsWire.TypeA || kind == DnsWire.TypeSrv ? RecordTtlSeconds : ServiceTtlSeconds;
            if (kind == DnsWire.TypeA)
            {
                at += DnsWire.CopyName(_name, 0, _message, at);
            }
            else if (kind == DnsWire.TypePtr)
            {
                at += DnsWire.CopyName(_services, name + TypeAt, _message, at);
            }
            else if (kind == ServiceTypePointer)
            {
                at += DnsWire.CopyName(ServicesName, 0, _message, at);
            }
            else
            {
                at += DnsWire.CopyName(_services, name + InstanceAt, _message, at);
            }

            bool shared = kind == DnsWire.TypePtr || kind == ServiceTypePointer;
            NetworkOrder.WriteUInt16(_message, at, kind == ServiceTypePointer ? DnsWire.TypePtr : kind);
            NetworkOrder.WriteUInt16(_message, at + 2, shared ? recordClass & ~DnsWire.ClassTopBit : recordClass);
            NetworkOrder.WriteUInt32(_message, at + 4, (uint)(ttl < ttlLimit ? ttl : ttlLimit));
            int data = at + 10;
            int end;
            if (kind == DnsWire.TypeA)
            {
                NetworkOrder.WriteUInt32(_message, data, _address);
                end = data + IPv4Address.Length;
            }
            else if (kind == DnsWire.TypePtr)
            {
                end = data + DnsWire.CopyName(_services, name + InstanceAt, _message, data);
            }
            else if (kind == ServiceTypePointer)
            {
                end = data + DnsWire.CopyName(_services, name + TypeAt, _message, data);
            }
            else if (kind == DnsWire.TypeSrv)
            {
                NetworkOrder.WriteUInt32(_message, data, 0); // RFC 2782: priority 0, weight 0
                NetworkOrder.WriteUInt16(_message, data + 4, (ushort)_ports[slot]);
                end = data + 6 + DnsWire.CopyName(_name, 0, _message, data + 6);
            }
            else if (textLength == 0)
            {
                _message[data] = 0; // RFC 6763 section 6.1: no keys is one empty string
                end = data + 1;
            }
            else
            {
                System.Array.Copy(text, 0, _message, data, textLength);
                end = data + textLength;
            }

            NetworkOrder.WriteUInt16(_message, at + 8, (ushort)(end - data));
            _written++;
            return end;
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
            int at = 1 + _baseLength;
            if (conflicts > 0)
            {
                _name[at++] = (byte)'-';
                at = WriteNumber(_name, at, conflicts + 1);
            }

            _name[0] = (byte)(at - 1);
            WriteLocal(_name, at);
        }

        /// <summary>
        /// A service's instance name: the registered label, or "label (N)" after its (N-1)th conflict (RFC 6763 appendix D,
        /// as Apple's and Avahi's responders name it), then its type.
        /// </summary>
        private void SetInstance(int slot)
        {
            int start = slot * SlotBytes;
            int at = start + InstanceAt + 1 + _services[start + BaseLengthAt];
            int renames = _renames[slot];
            if (renames > 0)
            {
                _services[at++] = (byte)' ';
                _services[at++] = (byte)'(';
                at = WriteNumber(_services, at, renames + 1);
                _services[at++] = (byte)')';
            }

            _services[start + InstanceAt] = (byte)(at - start - InstanceAt - 1);
            DnsWire.CopyName(_services, start + TypeAt, _services, at);
        }

        /// <summary>Writes "_name._tcp" (or _udp) as &lt;type&gt;.local in wire form at the slot; false when it is not a service type (RFC 6763 section 7).</summary>
        private bool SetType(int start, string serviceType)
        {
            int length = serviceType == null ? -1 : DnsWire.ToAscii(serviceType, _owner);
            int at = start + TypeAt;
            if (length < 6 || length > 21 || DnsWire.EncodeName(_owner, 0, length, _services, at) != length + 2)
            {
                return false;
            }

            int protocol = at + 1 + _services[at];
            if (_services[at + 1] != '_' || _services[protocol] != 4 || _services[protocol + 1] != '_' || _services[protocol + 5] != 0)
            {
                return false;
            }

            WriteLocal(_services, protocol + 5);
            return true;
        }

        /// <summary>Writes a value of 2 to 999 in decimal; returns where it ends.</summary>
        private static int WriteNumber(byte[] buffer, int at, int value)
        {
            int digits = value >= 100 ? 3 : value >= 10 ? 2 : 1;
            for (int i = digits - 1; i >= 0; i--)
            {
                buffer[at + i] = (byte)('0' + value % 10);
                value /= 10;
            }

            return at + digits;
        }

        /// <summary>Ends a name in wire form at <paramref name="at"/> with the label "local" and the root.</summary>
        private static void WriteLocal(byte[] name, int at)
        {
            const string local = "local";
            name[at] = (byte)local.Length;
            for (int i = 0; i < local.Length; i++)
            {
                name[at + 1 + i] = (byte)local[i];
            }

            name[at + 1 + local.Length] = 0;
        }

        /// <summary>A name in wire form as dotted ASCII; returns its length.</summary>
        private static int WriteText(byte[] name, int offset, byte[] buffer, int at)
        {
            int written = 0;
            while (name[offset] != 0)
            {
                int length = name[offset];
                if (written > 0)
                {
                    buffer[at + written++] = (byte)'.';
                }

                System.Array.Copy(name, offset + 1, buffer, at + written, length);
                written += length;
                offset += length + 1;
            }

            return written;
        }

        private static bool IsHostLabel(string name)
        {
            if (name == null || name.Length == 0 || name.Length > MaximumInstanceName || name[0] == '-' || name[name.Length - 1] == '-')
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
