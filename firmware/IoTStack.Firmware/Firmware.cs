using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Firmware
{
    /// <summary>
    /// The device application: TCP and UDP echo on 7 (RFC 862), TCP discard on 9 (RFC 863), TCP chargen on 19
    /// (RFC 864), and HTTP/1.1 with keep-alive on 80 (GET / status page, GET /stats as JSON, GET /bytes?n=N,
    /// POST /echo; 400, 404, 405, 413 otherwise), all on <see cref="ISocketEngine"/>, so it runs on IoTStack or
    /// on a W5500's own sockets. Every buffer is taken at construction; serving allocates nothing.
    /// </summary>
    public sealed class Firmware
    {
        /// <summary>The largest body POST /echo takes; more gets 413.</summary>
        public const long MaximumEchoBody = 64L * 1024 * 1024;

        private readonly ISocketEngine _sockets;
        private readonly NetStack _stack;
        private readonly IClock _clock;
        private readonly Session[] _sessions;
        private readonly byte[] _datagram;
        private readonly HttpRequest _request = new HttpRequest();
        private int _busy; // sessions in use: Accept asks for a free one without scanning them
        private readonly int _headTimeout;
        private bool _connectionWaits; // the last poll found every session busy and a connection in a backlog, or one turned away

        /// <summary>
        /// While every session is busy and a connection waits in a backlog, an HTTP session that has waited this long for
        /// its request head (idle between keep-alive requests, or trickling one) is closed to make room: a real client's
        /// head arrives in one round trip, a slowloris connection's never.
        /// </summary>
        private const int StalledHeadMs = 1000;

        /// <summary>
        /// How long a request head may stall while the HTTP listener turns clients away (SocketEvents.Overflow): a client
        /// refused now, not one that waits in a backlog. A real client sends its head with the handshake's last ACK.
        /// </summary>
        private const int TurnedAwayHeadMs = 250;

        /// <summary>The stall that gives way while <see cref="_connectionWaits"/>: <see cref="StalledHeadMs"/> or <see cref="TurnedAwayHeadMs"/>.</summary>
        private int _giveWayMs = StalledHeadMs;

        /// <summary>How often a board with sessions free asks the HTTP listener whether it turned a client away.</summary>
        private const int OverflowCheckMs = 20;

        private long _overflowCheckAt;
        private readonly byte[] _page;
        private readonly AsciiWriter _body;
        private readonly StatusPage _status;
        private readonly long _started;
        private int _echoListener;
        private int _discardListener;
        private int _chargenListener;
        private int _httpListener;
        private int _udpEcho;
        private readonly uint[] _echoGroups;

        /// <summary>The session whose response is being sent out of the shared page buffer, or null.</summary>
        private Session _pageOwner;

        /// <summary>
        /// A session moved bytes in this poll: it may move more at once (the rest of a body, data still in the socket), so
        /// Poll reports work and the loop polls again rather than sleeping to a deadline that knows nothing of sessions.
        /// </summary>
        private bool _moved;

        /// <param name="sockets">Where the services run.</param>
        /// <param name="stack">The software stack behind <paramref name="sockets"/>: the status page's counters, socket table and wall clock; or null.</param>
        /// <param name="settings">Sessions and buffer sizes, all taken here.</param>
        public Firmware(ISocketEngine sockets, NetStack stack, IClock clock, FirmwareSettings settings)
            : this(sockets, stack, stack, clock, settings)
        {
        }

        /// <param name="sockets">Where the services run.</param>
        /// <param name="net">The interface under <paramref name="sockets"/>, for the status page's wall clock; or null.</param>
        /// <param name="stack">The software stack behind <paramref name="sockets"/> for the status page's counters and socket table, or null
        /// (the W5500's own TCP/IP).</param>
        /// <param name="settings">Sessions and buffer sizes, all taken here.</param>
        public Firmware(ISocketEngine sockets, INetInterface net, NetStack stack, IClock clock, FirmwareSettings settings)
        {
            if (sockets == null || clock == null || settings == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : clock == null ? "clock" : "settings");
            }

            settings.Validate();
            _sockets = sockets;
            _stack = stack;
            _clock = clock;
            _started = clock.NowMilliseconds;
            _sessions = new Session[settings.Sessions];
            for (int i = 0; i < _sessions.Length; i++)
            {
                _sessions[i] = new Session(settings.RequestBufferSize, settings.OutputBufferSize);
            }

            _datagram = new byte[settings.DatagramBufferSize];
            _echoGroups = settings.EchoGroups;
            _headTimeout = settings.HeadTimeoutMs;
            _page = new byte[settings.PageBufferSize];
            _body = new AsciiWriter(_page);
            _status = new StatusPage(net, stack, clock, _started);
        }

        /// <summary>DHCP, DNS, mDNS and SNTP, polled with the services and shown on the status page; null for none.</summary>
        public Net.Services.NetServices Services
        {
            get { return _services; }
            set
            {
                _services = value;
                _status.Services = value;
            }
        }

        private Net.Services.NetServices _services;

        /// <summary>The board's MAC for /stats when the chip runs TCP/IP itself (IoTStack's own is read from the stack).</summary>
        public MacAddress MacAddress
        {
            set { _status.MacAddress = value; }
        }

        /// <summary>Requests served, for the status page and the tests.</summary>
        public long Requests { get; private set; }

        /// <summary>Connections served at once.</summary>
        public int Sessions
        {
            get { return _sessions.Length; }
        }

        /// <summary>Sessions serving a connection now.</summary>
        public int SessionsInUse
        {
            get { return _busy; }
        }

        /// <summary>Opens the listeners (each with <paramref name="backlog"/>) and the UDP echo socket, which joins
        /// <see cref="FirmwareSettings.EchoGroups"/>; false when one cannot be opened or joined.</summary>
        /// <param name="backlog">Connections each listener holds before Accept: 4 on IoTStack; 1 on a W5500's own sockets, where
        /// every waiting connection is one of the chip's eight hardware sockets (datasheet 4.2, Sn_MR).</param>
        public bool Start(int backlog)
        {
            return Listen(7, backlog, out _echoListener) && Listen(9, backlog, out _discardListener) && Listen(19, backlog, out _chargenListener)
                && Listen(80, backlog, out _httpListener)
                && _sockets.Open(SocketKind.Datagram, IpProtocol.Udp, out _udpEcho) == SocketResult.Success
                && _sockets.Bind(_udpEcho, IPv4Address.Any, 7) == SocketResult.Success
                && JoinEchoGroups();
        }

        private bool JoinEchoGroups()
        {
            for (int i = 0; _echoGroups != null && i < _echoGroups.Length; i++)
            {
                if (EchoGroup(_echoGroups[i], true) != SocketResult.Success)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The UDP echo joins (or leaves) <paramref name="group"/> (as <see cref="IPv4Address.Value"/>) while it runs: IP_ADD_MEMBERSHIP
        /// and IP_DROP_MEMBERSHIP on its socket.</summary>
        public SocketResult EchoGroup(uint group, bool join)
        {
            return _sockets.SetOption(_udpEcho, join ? SocketOption.AddMembership : SocketOption.DropMembership, (int)group);
        }

        /// <summary>Runs the sockets and the services, then serves every connection once (<see cref="Serve"/>); true when there was
        /// something to do (a session that moved bytes counts: it may move more at once).</summary>
        public bool Poll()
        {
            bool worked = _sockets.Poll();
            worked |= _services != null && _services.Poll();
            return Serve() | worked;
        }

        /// <summary>
        /// Serves every connection once without running the sockets or the services, for a loop that runs them itself (a
        /// board's <c>BoardNetwork.Poll</c>); true when there was something to do.
        /// </summary>
        public bool Serve()
        {
            _moved = false;
            bool worked = Accept(_echoListener, ServiceKind.Echo);
            worked |= Accept(_discardListener, ServiceKind.Discard);
            worked |= Accept(_chargenListener, ServiceKind.Chargen);
            worked |= Accept(_httpListener, ServiceKind.Http);
            int length;
            uint from;
            int fromPort;
            while (true)
            {
                // The sender as numbers, not a SocketEndpoint: on nanoCLR that would be a heap object per datagram.
                SocketResult result = _sockets.ReceiveFrom(_udpEcho, _datagram, 0, _datagram.Length, out length, out from, out fromPort);
                if (result != SocketResult.Success && result != SocketResult.MessageSize)
                {
                    break;
                }

                int sent;
                _sockets.SendTo(_udpEcho, _datagram, 0, length, from, fromPort, out sent);
                worked = true;
            }

            for (int i = 0; i < _sessions.Length; i++)
            {
                Session session = _sessions[i];
                if (session.InUse && !Serve(session))
                {
                    End(session, false);
                    worked = true;
                }
            }

            // A client waits: in a backlog while every session is busy, or turned away by the HTTP listener (its backlog or the
            // stack's connection slots full; on the W5500's own sockets, no socket left in LISTEN). Either way the session
            // stalled longest on a request head makes room. Asked only while sessions are in use: an idle board asks nothing.
            SocketEvents listeners = SocketEvents.None;
            if (_busy == _sessions.Length)
            {
                listeners = _sockets.PollSocket(_httpListener) | _sockets.PollSocket(_echoListener) | _sockets.PollSocket(_discardListener)
                    | _sockets.PollSocket(_chargenListener);
            }
            else if (_busy > 0)
            {
                // Whether the HTTP listener turned someone away, asked every OverflowCheckMs rather than on every poll: a
                // session moving bulk data polls often, and asking costs a scan of the connections (IoTStack) or SPI reads
                // of the listener's sockets (W5500).
                long now = _clock.NowMilliseconds;
                if (now >= _overflowCheckAt || now < _overflowCheckAt - OverflowCheckMs)
                {
                    _overflowCheckAt = now + OverflowCheckMs;
                    listeners = _sockets.PollSocket(_httpListener) & SocketEvents.Overflow;
                }
            }

            bool turnedAway = (listeners & SocketEvents.Overflow) != 0;
            _connectionWaits = turnedAway || (listeners & SocketEvents.Readable) != 0;
            _giveWayMs = turnedAway ? TurnedAwayHeadMs : StalledHeadMs;
            if (_connectionWaits)
            {
                worked |= MakeRoom();
            }

            return worked | _moved;
        }

        /// <summary>Closes a session's connection (with RST when <paramref name="abort"/>) and frees the session.</summary>
        private void End(Session session, bool abort)
        {
            EndLookup(session);
            if (_pageOwner == session)
            {
                _pageOwner = null; // a page cut short by the connection's end
            }

            if (abort)
            {
                _sockets.SetOption(session.Socket, SocketOption.Linger, 0);
            }

            _sockets.Close(session.Socket);
            session.Kind = ServiceKind.None;
            _busy--;
        }

        /// <summary>
        /// Every session busy and a connection waiting, or a client turned away: the HTTP session that has waited longest for a
        /// request head, if over <see cref="_giveWayMs"/>, is closed so the next poll accepts the newcomer (a partial head with RST).
        /// </summary>
        private bool MakeRoom()
        {
            Session oldest = null;
            for (int i = 0; i < _sessions.Length; i++)
            {
                Session session = _sessions[i];
                if (session.Kind == ServiceKind.Http && session.Phase == HttpPhase.ReadingHead && (oldest == null || session.HeadSince < oldest.HeadSince))
                {
                    oldest = session;
                }
            }

            if (oldest == null || _clock.NowMilliseconds - oldest.HeadSince < _giveWayMs)
            {
                return false;
            }

            StalledHeadsClosed++;
            End(oldest, oldest.RequestLength > 0);
            return true;
        }

        /// <summary>HTTP connections closed for a request head that did not come in time, or to make room for a waiting client.</summary>
        public int StalledHeadsClosed { get; private set; }

        /// <summary>
        /// Milliseconds until <see cref="Poll"/> must run again though nothing arrives: the sockets' and the services'
        /// deadlines, and an HTTP session's wait for its request head (its timeout, or the moment it gives way to a waiting
        /// connection). Otherwise a session that moved bytes makes Poll return true (the loop polls again at once), and one
        /// that could not waits for its socket (data, room to send, the peer's close: a frame, or the chip's interrupt) or
        /// for a lookup, whose retries are the resolver's deadline.
        /// </summary>
        public int PollDelay()
        {
            int delay = _sockets.PollDelay();
            if (_services != null)
            {
                int services = _services.PollDelay();
                delay = services < delay ? services : delay;
            }

            int serve = ServeDelay();
            return serve < delay ? serve : delay;
        }

        /// <summary>
        /// Milliseconds until <see cref="Serve"/> must run again though nothing arrives (an HTTP session's wait for its
        /// request head); int.MaxValue when no session waits on a deadline.
        /// </summary>
        public int ServeDelay()
        {
            int delay = int.MaxValue;

            // An HTTP session waiting for its head: its timeout, or while a connection waits for a session the moment it
            // may give way (not merely with every session busy: with nobody waiting that deadline would keep the loop awake).
            long now = _clock.NowMilliseconds;
            int wait = _connectionWaits && (_headTimeout == 0 || _giveWayMs < _headTimeout) ? _giveWayMs : _headTimeout;
            for (int i = 0; i < _sessions.Length && wait > 0; i++)
            {
                Session session = _sessions[i];
                if (session.Kind == ServiceKind.Http && session.Phase == HttpPhase.ReadingHead)
                {
                    long due = session.HeadSince + wait - now;
                    delay = due <= 0 ? 0 : due < delay ? (int)due : delay;
                }
            }

            return delay;
        }

        private bool Listen(int port, int backlog, out int socket)
        {
            return _sockets.Open(SocketKind.Stream, IpProtocol.Tcp, out socket) == SocketResult.Success
                && _sockets.Bind(socket, IPv4Address.Any, port) == SocketResult.Success
                && _sockets.Listen(socket, backlog) == SocketResult.Success;
        }

        private bool Accept(int listener, ServiceKind kind)
        {
            // Only as many as there are free sessions. The rest wait in the listen backlog, as in a server's accept queue,
            // until a session frees; a SYN that finds the backlog full is dropped and retried by its client. (Accepting and
            // closing at once, as before, turned away a client that came while a finishing session was still held, and
            // ab -k -c 4 gave up on a board with three sessions when its fourth connection closed in its face.)
            bool accepted = false;
            int socket;
            while (_busy < _sessions.Length && _sockets.Accept(listener, out socket) == SocketResult.Success)
            {
                accepted = true;
                FreeSession().Start(kind, socket, _clock.NowMilliseconds);
                _busy++;
            }

            return accepted;
        }

        private Session FreeSession()
        {
            for (int i = 0; i < _sessions.Length; i++)
            {
                if (!_sessions[i].InUse)
                {
                    return _sessions[i];
                }
            }

            return null;
        }

        /// <summary>Moves one connection along; false when it is finished and should be closed.</summary>
        private bool Serve(Session session)
        {
            if (!Flush(session))
            {
                return false;
            }

            switch (session.Kind)
            {
                case ServiceKind.Echo:
                    return session.OutStart < session.OutEnd || Read(session, session.Out, 0, session.Out.Length, true);
                case ServiceKind.Discard:
                    return Read(session, session.Request, 0, session.Request.Length, false);
                case ServiceKind.Chargen:
                    if (session.OutStart == session.OutEnd)
                    {
                        Pattern(session, session.Out.Length);
                    }

                    return Read(session, session.Request, 0, session.Request.Length, false) && Flush(session);
                default:
                    return ServeHttp(session);
            }
        }

        /// <summary>Reads what waits; with <paramref name="toOut"/> it becomes output (echo). False once the peer has closed or failed.</summary>
        private bool Read(Session session, byte[] buffer, int offset, int count, bool toOut)
        {
            int received;
            SocketResult result = _sockets.Receive(session.Socket, buffer, offset, count, out received);
            if (result == SocketResult.WouldBlock)
            {
                return true;
            }

            if (result != SocketResult.Success || received == 0)
            {
                return false;
            }

            _moved = true;
            if (toOut)
            {
                session.OutStart = 0;
                session.OutEnd = received;
                return Flush(session);
            }

            return true;
        }

        /// <summary>Sends what the output buffer holds, as far as the socket takes it; false on a failed socket.</summary>
        private bool Flush(Session session)
        {
            while (session.OutStart < session.OutEnd)
            {
                int sent;
                SocketResult result = _sockets.SendSome(session.Socket, session.Out, session.OutStart, session.OutEnd - session.OutStart, out sent);
                if (result == SocketResult.WouldBlock || (result == SocketResult.Success && sent == 0))
                {
                    return true;
                }

                if (result != SocketResult.Success)
                {
                    return false;
                }

                session.OutStart += sent;
                _moved = true;
            }

            session.OutStart = 0;
            session.OutEnd = 0;
            return true;
        }

        /// <summary>One period of the chargen stream: RFC 864's 95 printable characters, byte p being 32 + p % 95.</summary>
        private static readonly byte[] Printable = PrintableCharacters();

        private static byte[] PrintableCharacters()
        {
            byte[] printable = new byte[95];
            for (int i = 0; i < printable.Length; i++)
            {
                printable[i] = (byte)(32 + i);
            }

            return printable;
        }

        /// <summary>
        /// The chargen stream from <see cref="Session.Position"/>: copied a period at a time from <see cref="Printable"/>
        /// by native copies, not a byte at a time (about 12 IL a byte on nanoCLR's interpreter; issue 15).
        /// </summary>
        private static void Pattern(Session session, int count)
        {
            int phase = (int)(session.Position % 95);
            int at = 0;
            while (at < count)
            {
                int run = 95 - phase < count - at ? 95 - phase : count - at;
                System.Array.Copy(Printable, phase, session.Out, at, run);
                at += run;
                phase = 0;
            }

            session.Position += count;
            session.OutStart = 0;
            session.OutEnd = count;
        }

        private bool ServeHttp(Session session)
        {
            switch (session.Phase)
            {
                case HttpPhase.SendingResponse:
                    return session.OutStart < session.OutEnd || Finish(session);
                case HttpPhase.WaitingForPage:
                    return Page(session, session.PageJson);
                case HttpPhase.SendingPage:
                    return SendPage(session);
                case HttpPhase.StreamingBytes:
                    if (session.OutStart == session.OutEnd)
                    {
                        if (session.Remaining == 0)
                        {
                            return Finish(session);
                        }

                        int chunk = session.Remaining < session.Out.Length ? (int)session.Remaining : session.Out.Length;
                        Pattern(session, chunk);
                        session.Remaining -= chunk;
                        return Flush(session);
                    }

                    return true;
                case HttpPhase.StreamingEcho:
                    return StreamEcho(session);
                case HttpPhase.Resolving:
                    return Resolved(session);
                default:
                    return ReadHead(session);
            }
        }

        private bool ReadHead(Session session)
        {
            HttpRequest request = _request;
            int parsed = request.Parse(session.Request, session.RequestLength);
            if (parsed == 0)
            {
                if (session.RequestLength == session.Request.Length)
                {
                    return Respond(session, 400, "Bad Request", false); // a head longer than the buffer
                }

                int received;
                SocketResult result = _sockets.Receive(session.Socket, session.Request, session.RequestLength, session.Request.Length - session.RequestLength, out received);
                if (result == SocketResult.WouldBlock)
                {
                    if (_headTimeout > 0 && _clock.NowMilliseconds - session.HeadSince >= _headTimeout)
                    {
                        // No whole head in time: an idle keep-alive connection is closed, one trickling a head reset.
                        StalledHeadsClosed++;
                        if (session.RequestLength > 0)
                        {
                            _sockets.SetOption(session.Socket, SocketOption.Linger, 0);
                        }

                        return false;
                    }

                    return true;
                }

                if (result != SocketResult.Success || received == 0)
                {
                    return false;
                }

                session.RequestLength += received;
                _moved = true;
                parsed = request.Parse(session.Request, session.RequestLength);
                if (parsed == 0)
                {
                    return true;
                }
            }

            if (parsed < 0 || request.Chunked)
            {
                return Respond(session, 400, "Bad Request", false);
            }

            Requests++;
            session.Http11 = request.Http11;
            session.KeepAlive = request.Http11 ? !request.Close : request.KeepAlive;
            byte[] r = session.Request;
            bool get = Ascii.Equals(r, 0, request.MethodLength, "GET", false);
            bool post = Ascii.Equals(r, 0, request.MethodLength, "POST", false);
            int length = request.TargetLength < _target.Length ? request.TargetLength : _target.Length;
            System.Array.Copy(r, request.TargetStart, _target, 0, length); // the head is consumed next; body bytes may follow it
            Consume(session, request.HeadLength);
            return Route(session, request, length, get, post);
        }

        private bool Route(Session session, HttpRequest request, int length, bool get, bool post)
        {
            byte[] head = _target;
            if (Matches(head, length, "/"))
            {
                return get ? Page(session, false) : MethodNotAllowed(session, "GET");
            }

            if (Matches(head, length, "/stats"))
            {
                return get ? Page(session, true) : MethodNotAllowed(session, "GET");
            }

            if (length >= 9 && Ascii.StartsWith(head, 0, length, "/bytes?n="))
            {
                long count;
                if (!get)
                {
                    return MethodNotAllowed(session, "GET");
                }

                if (!Ascii.TryParseNumber(head, 9, length - 9, out count))
                {
                    return Respond(session, 400, "Bad Request", session.KeepAlive);
                }

                WriteHead(session, 200, "OK", "application/octet-stream", count);
                session.Phase = HttpPhase.StreamingBytes;
                session.Remaining = count;
                session.Position = 0;
                return Flush(session) && ServeHttp(session); // the first of the body now, so head and body leave together
            }

            if (length >= 14 && Ascii.StartsWith(head, 0, length, "/resolve?name="))
            {
                return get ? Resolve(session, head, 14, length - 14) : MethodNotAllowed(session, "GET");
            }

            if (Matches(head, length, "/echo"))
            {
                if (!post)
                {
                    return MethodNotAllowed(session, "POST");
                }

                if (request.ContentLength > MaximumEchoBody)
                {
                    session.KeepAlive = false; // the body will not be read
                    return Respond(session, 413, "Content Too Large", false);
                }

                WriteHead(session, 200, "OK", "application/octet-stream", request.ContentLength);
                session.Phase = HttpPhase.StreamingEcho;
                session.Remaining = request.ContentLength;
                return Flush(session);
            }

            return Respond(session, 404, "Not Found", session.KeepAlive);
        }

        private readonly byte[] _target = new byte[256];

        private static bool Matches(byte[] target, int length, string path)
        {
            return Ascii.Equals(target, 0, length, path, false);
        }

        /// <summary>Streams the request body back as the response body, through the output buffer.</summary>
        private bool StreamEcho(Session session)
        {
            if (session.OutStart < session.OutEnd)
            {
                return true;
            }

            if (session.Remaining == 0)
            {
                return Finish(session);
            }

            int room = session.Remaining < session.Out.Length ? (int)session.Remaining : session.Out.Length;
            int taken = 0;
            if (session.RequestLength > 0)
            {
                // Body bytes that came with the head.
                taken = session.RequestLength < room ? session.RequestLength : room;
                System.Array.Copy(session.Request, 0, session.Out, 0, taken);
                Consume(session, taken);
            }
            else
            {
                SocketResult result = _sockets.Receive(session.Socket, session.Out, 0, room, out taken);
                if (result == SocketResult.WouldBlock)
                {
                    return true;
                }

                if (result != SocketResult.Success || taken == 0)
                {
                    return false;
                }

                _moved = true;
            }

            session.Remaining -= taken;
            session.OutStart = 0;
            session.OutEnd = taken;
            return Flush(session);
        }

        /// <summary>GET /resolve?name=NAME: the board looks the name up (DNS, or mDNS for .local) and answers with the address.</summary>
        private bool Resolve(Session session, byte[] target, int offset, int length)
        {
            if (_services == null)
            {
                return Respond(session, 503, "Service Unavailable", session.KeepAlive);
            }

            int query;
            Net.Sockets.SocketResult started = _services.Dns.Resolve(target, offset, length, out query);
            if (started == Net.Sockets.SocketResult.InvalidArgument)
            {
                return Respond(session, 400, "Bad Request", session.KeepAlive);
            }

            if (started != Net.Sockets.SocketResult.Success)
            {
                return Respond(session, 503, "Service Unavailable", session.KeepAlive);
            }

            session.Query = query;
            session.Phase = HttpPhase.Resolving;
            return Resolved(session);
        }

        /// <summary>
        /// The lookup's answer once it has one: 200 with the address; 404 when the name does not exist or has no
        /// address, 504 when no server answered, 502 for a broken answer. The body names the outcome.
        /// </summary>
        private bool Resolved(Session session)
        {
            IPv4Address address;
            Net.Services.DnsStatus status = _services.Dns.GetStatus(session.Query, out address);
            if (status == Net.Services.DnsStatus.Pending || _pageOwner != null)
            {
                return true; // still looking, or the page buffer is sending another session's page
            }

            EndLookup(session);
            _body.Clear();
            int code = 502;
            string reason = "Bad Gateway";
            if (status == Net.Services.DnsStatus.Resolved)
            {
                _body.Address(address);
                code = 200;
                reason = "OK";
            }
            else
            {
                _body.Text(StatusPage.LookupName(status));
                if (status == Net.Services.DnsStatus.NameError || status == Net.Services.DnsStatus.NoAddress)
                {
                    code = 404;
                    reason = "Not Found";
                }
                else if (status == Net.Services.DnsStatus.TimedOut || status == Net.Services.DnsStatus.NoServer)
                {
                    code = 504;
                    reason = "Gateway Timeout";
                }
            }

            _body.Byte((byte)'\n');
            WriteHead(session, code, reason, "text/plain", _body.Length);
            System.Array.Copy(_page, 0, session.Out, session.OutEnd, _body.Length);
            session.OutEnd += _body.Length;
            session.Phase = HttpPhase.SendingResponse;
            return Flush(session);
        }

        private void EndLookup(Session session)
        {
            if (session.Query >= 0 && _services != null)
            {
                _services.Dns.Release(session.Query);
            }

            session.Query = -1;
        }

        /// <summary>
        /// The status page or /stats, through the one page buffer the sessions take turns with: a page that fits it goes
        /// with a Content-Length (keep-alive for HTTP/1.0 clients too); a longer one is rendered a chunk at a time (whole
        /// sockets and counters per chunk) and sent with chunked transfer coding to an HTTP/1.1 client (RFC 9112
        /// section 7.1), to the close to an HTTP/1.0 one, so a page of any length needs no buffer its size. Another
        /// session asking meanwhile waits its turn.
        /// </summary>
        private bool Page(Session session, bool json)
        {
            if (_pageOwner != null && _pageOwner != session)
            {
                session.PageJson = json;
                session.Phase = HttpPhase.WaitingForPage;
                return true;
            }

            // The address the request came in on: the stack's own, or the W5500's, which only the socket knows.
            SocketEndpoint local;
            uint address = _sockets.GetLocalAddress(session.Socket, out local) == SocketResult.Success ? local.Address.Value : 0;
            _pageOwner = session;
            session.Page.Start(json, Requests, _sessions.Length, address);
            _status.StalledHeadsClosed = StalledHeadsClosed;
            _body.Clear();
            bool whole = _status.Render(_body, session.Page);
            session.PageChunked = !whole && session.Http11;
            if (!whole && !session.Http11)
            {
                session.KeepAlive = false; // an HTTP/1.0 body without a length ends with the connection
            }

            AsciiWriter head = session.Writer;
            head.Clear();
            Status(head, 200, "OK");
            head.Text("Content-Type: ").Text(json ? "application/json" : "text/html; charset=utf-8").Text("\r\n");
            if (whole)
            {
                head.Text("Content-Length: ").Number(_body.Length).Text("\r\n");
            }
            else if (session.PageChunked)
            {
                head.Text("Transfer-Encoding: chunked\r\n");
            }

            Connection(head, session.KeepAlive);
            if (session.PageChunked)
            {
                head.Hex(_body.Length).Text("\r\n");
            }

            session.OutStart = 0;
            session.OutEnd = head.Length;
            session.PageChunks = whole ? -1 : 1;
            session.PageSent = 0;
            session.Phase = HttpPhase.SendingPage;
            return SendPage(session);
        }

        /// <summary>
        /// Sends what the session's buffer holds (the head, a chunk's size line), then the chunk from the page buffer;
        /// renders the next chunk when both are out; ends with the last chunk, and frees the page buffer.
        /// </summary>
        private bool SendPage(Session session)
        {
            while (true)
            {
                if (!Flush(session))
                {
                    return false;
                }

                if (session.OutStart < session.OutEnd)
                {
                    return true; // the socket is full
                }

                while (session.PageSent < _body.Length)
                {
                    int sent;
                    SocketResult result = _sockets.SendSome(session.Socket, _page, session.PageSent, _body.Length - session.PageSent, out sent);
                    if (result == SocketResult.WouldBlock || (result == SocketResult.Success && sent == 0))
                    {
                        return true;
                    }

                    if (result != SocketResult.Success)
                    {
                        return false;
                    }

                    session.PageSent += sent;
                    _moved = true;
                }

                if (session.PageChunks < 0)
                {
                    _pageOwner = null; // the last chunk is out
                    session.Phase = HttpPhase.SendingResponse;
                    return Finish(session);
                }

                NextChunk(session);
            }
        }

        private void NextChunk(Session session)
        {
            AsciiWriter line = session.Writer;
            line.Clear();
            if (session.PageChunked)
            {
                line.Text("\r\n"); // the end of the chunk just sent
            }

            _body.Clear();
            bool done = _status.Render(_body, session.Page); // true at once when the page is complete
            if (_body.Length > 0)
            {
                session.PageChunks++;
                if (session.PageChunked)
                {
                    line.Hex(_body.Length).Text("\r\n");
                }
            }

            if (done && _body.Length == 0)
            {
                if (session.PageChunked)
                {
                    line.Text("0\r\n\r\n");
                }

                session.PageChunks = -1;
            }

            session.OutStart = 0;
            session.OutEnd = line.Length;
            session.PageSent = 0;
        }

        private bool MethodNotAllowed(Session session, string allow)
        {
            session.Writer.Clear();
            Status(session.Writer, 405, "Method Not Allowed");
            session.Writer.Text("Allow: ").Text(allow).Text("\r\nContent-Length: 0\r\n");
            Connection(session.Writer, session.KeepAlive);
            session.OutStart = 0;
            session.OutEnd = session.Writer.Length;
            session.Phase = HttpPhase.SendingResponse;
            return Flush(session);
        }

        private bool Respond(Session session, int code, string reason, bool keepAlive)
        {
            session.KeepAlive = keepAlive;
            session.Writer.Clear();
            Status(session.Writer, code, reason);
            session.Writer.Text("Content-Length: 0\r\n");
            Connection(session.Writer, keepAlive);
            session.OutStart = 0;
            session.OutEnd = session.Writer.Length;
            session.Phase = HttpPhase.SendingResponse;
            return Flush(session);
        }

        private void WriteHead(Session session, int code, string reason, string contentType, long contentLength)
        {
            session.Writer.Clear();
            Status(session.Writer, code, reason);
            session.Writer.Text("Content-Type: ").Text(contentType).Text("\r\nContent-Length: ").Number(contentLength).Text("\r\n");
            Connection(session.Writer, session.KeepAlive);
            session.OutStart = 0;
            session.OutEnd = session.Writer.Length;
        }

        private static void Status(AsciiWriter writer, int code, string reason)
        {
            writer.Text("HTTP/1.1 ").Number(code).Byte((byte)' ').Text(reason).Text("\r\nServer: IoTStack\r\n");
        }

        private static void Connection(AsciiWriter writer, bool keepAlive)
        {
            writer.Text(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
        }

        /// <summary>The response is out: keep the connection for the next request, or end it.</summary>
        private bool Finish(Session session)
        {
            if (!session.KeepAlive)
            {
                return false;
            }

            session.Phase = HttpPhase.ReadingHead;
            session.HeadSince = _clock.NowMilliseconds;
            return session.RequestLength == 0 || ReadHead(session); // a pipelined request may already wait
        }

        /// <summary>Drops the first bytes of the request buffer (a head, or body bytes passed on).</summary>
        private static void Consume(Session session, int count)
        {
            System.Array.Copy(session.Request, count, session.Request, 0, session.RequestLength - count);
            session.RequestLength -= count;
        }
    }
}
