using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// The three-way handshake, passive and active, and the options it negotiates (RFC 9293 section 3.5,
    /// RFC 7323, RFC 2018): half-open entries in the SYN queue, and SYN cookies once the queue is full.
    /// </summary>
    internal sealed partial class TcpLayer
    {
        /// <summary>Minutes of the stack clock a SYN cookie stays valid: the current one and the two before (Linux's MAX_SYNCOOKIE_AGE).</summary>
        private const int CookieAges = 3;

        /// <summary>The peer MSS values a cookie can carry in its 3-bit index; a peer's MSS rounds down to one (the first is our floor in <see cref="Mss"/>).</summary>
        private static readonly int[] CookieMssTable = new int[] { 64, 256, 536, 1024, 1300, 1400, 1440, 1460 };

        /// <summary>The low TSval bits of a cookie SYN-ACK: the peer's window scale (15: none) and SACK-permitted.</summary>
        private const uint CookieOptionBits = 0x1F;

        private const uint CookieSackBit = 0x10;

        private const int CookieNoScale = 15;

        /// <summary>The negotiated parameters of a connection completed from a cookie: the same shape as a half-open entry, never in the queue.</summary>
        private readonly SynEntry _cookieEntry = new SynEntry();

        /// <summary>When cookies were last sent: an ACK to a listener is checked as a cookie only while they may be outstanding.</summary>
        private long _cookiesSentAt = long.MinValue / 2;

        /// <summary>RFC 9293 section 3.10.7.2: a SYN to a listener opens a half-open entry (or gets a cookie); anything else is refused or ignored.</summary>
        private void ListenInput(SocketSlot listener, uint local, uint remote, TcpSegment segment, TcpOptions options)
        {
            if (segment.Has(TcpFlags.Rst))
            {
                return;
            }

            if (segment.Has(TcpFlags.Ack))
            {
                // An ACK that is not a returning SYN cookie is bad in LISTEN: reset it (section 3.10.7.2). A failed cookie
                // gets the same, as in Linux (cookie_v4_check hands the segment back to the listener, which resets it).
                if (segment.Has(TcpFlags.Syn) || !CookieAckInput(listener, local, remote, segment, options))
                {
                    SendReset(local, segment.DestinationPort, remote, segment.SourcePort, segment);
                }

                return;
            }

            if (!segment.Has(TcpFlags.Syn) || segment.Has(TcpFlags.Fin))
            {
                return;
            }

            // The backlog counts established connections nobody accepted yet. Half-open entries live in the SYN
            // queue, bounded by its own size; when it is full a SYN gets a cookie (or, with cookies off, the oldest entry
            // goes), so a SYN flood can neither fill the backlog nor hold slots: new clients get in while it runs.
            // A full backlog drops the SYN, as Linux (tcp_abort_on_overflow 0, its default) and lwIP do: it is a moment's
            // state, and the client's SYN retransmission finds room once the application has accepted. A RST would turn a
            // burst of clients into refusals.
            if (PendingAccepts(listener.Descriptor) >= listener.Backlog)
            {
                _counters.Add(Counter.TcpBacklogDrops);
                listener.TurnedAway = true;
                return;
            }

            // With reclaiming on, a slot is taken only when the handshake completes: a spoofed SYN must not reset anyone.
            if (!_sockets.CanAllocateConnection && !_options.TcpReclaimIdleConnections)
            {
                listener.TurnedAway = true;
                Refuse(local, remote, segment);
                return;
            }

            bool evicted;
            SynEntry entry = _synQueue.Claim(out evicted);
            if (evicted && _options.TcpSynCookies)
            {
                entry = _cookieEntry; // the oldest entry stays: this SYN's state goes out in the SYN-ACK instead
            }
            else if (evicted)
            {
                _counters.Add(Counter.TcpSynQueueEvictions);
            }

            entry.ListenerDescriptor = listener.Descriptor;
            entry.LocalAddress = local;
            entry.LocalPort = segment.DestinationPort;
            entry.RemoteAddress = remote;
            entry.RemotePort = segment.SourcePort;
            entry.Irs = segment.SequenceNumber;
            entry.PeerMss = PeerMss(options);
            entry.Timestamps = PeerTimestamps(options);
            entry.PeerScale = PeerScale(options);
            entry.SackPermitted = PeerSackPermitted(options);
            entry.TimestampRecent = options.TimestampValue;
            entry.Since = _time.Now;
            entry.ResendAt = _time.Now + _options.TcpInitialRtoMs;
            entry.Resent = 0;
            if (entry == _cookieEntry)
            {
                SendCookie(entry);
                return;
            }

            entry.InUse = true;
            entry.Iss = InitialSequence(local, entry.LocalPort, remote, entry.RemotePort);
            SendSynAck(entry);
        }

        private void Refuse(uint local, uint remote, TcpSegment segment)
        {
            _counters.Add(Counter.TcpConnectionsRefused);
            if (_options.TcpRefuseWithReset)
            {
                SendReset(local, segment.DestinationPort, remote, segment.SourcePort, segment);
            }
        }

        private int PendingAccepts(int listenerDescriptor)
        {
            int count = 0;
            for (int i = 0; i < _sockets.StreamEnd; i++)
            {
                if (IsPendingAccept(_sockets[i], listenerDescriptor))
                {
                    count++;
                }
            }

            return count;
        }

        /// <summary>A segment for a half-open entry: the ACK that completes the handshake takes a socket slot.</summary>
        private void HalfOpenInput(SynEntry entry, TcpSegment segment, TcpOptions options)
        {
            SocketSlot listener = _sockets.Resolve(entry.ListenerDescriptor);
            if (listener == null || listener.State != SocketState.Listen)
            {
                entry.InUse = false;
                SendReset(entry.LocalAddress, entry.LocalPort, entry.RemoteAddress, entry.RemotePort, segment);
                return;
            }

            uint sequence = segment.SequenceNumber;
            if (segment.Has(TcpFlags.Rst))
            {
                // RFC 5961 section 3.2: only an exactly placed RST ends it.
                if (sequence == entry.Irs + 1)
                {
                    _counters.Add(Counter.TcpResetsReceived);
                    entry.InUse = false;
                }

                return;
            }

            if (segment.Has(TcpFlags.Syn))
            {
                if (sequence == entry.Irs && !segment.Has(TcpFlags.Ack))
                {
                    SendSynAck(entry); // the peer did not get ours
                }

                return;
            }

            if (!segment.Has(TcpFlags.Ack))
            {
                return;
            }

            if (segment.AcknowledgmentNumber != entry.Iss + 1
                || !Sequence.InRange(sequence, entry.Irs + 1, entry.Irs + 1 + (uint)OfferedWindow(_options.ReceiveBufferSize)))
            {
                // (A data segment past a lost handshake ACK still completes it: its data waits out of order.)
                SendReset(entry.LocalAddress, entry.LocalPort, entry.RemoteAddress, entry.RemotePort, segment);
                return;
            }

            CompleteHandshake(listener, entry, segment, options);
        }

        /// <summary>
        /// The handshake's last ACK arrived, for a half-open entry or a cookie: take a socket slot and establish. With no slot
        /// the ACK is refused with RST, or with <see cref="NetStackOptions.TcpRefuseWithReset"/> off dropped, as Linux drops it
        /// when its accept queue is full (tcp_abort_on_overflow 0): the half-open entry stays and the client's retransmission
        /// (of its data, or of the ACK to our repeated SYN-ACK; a cookie is checked again) finds the slot the application has
        /// freed since, told by the listener's Overflow.
        /// </summary>
        private void CompleteHandshake(SocketSlot listener, SynEntry entry, TcpSegment segment, TcpOptions options)
        {
            SocketSlot slot = _sockets.AllocateConnection();
            if (slot == null && _options.TcpReclaimIdleConnections && ReclaimIdle())
            {
                slot = _sockets.AllocateConnection();
            }

            if (slot == null)
            {
                listener.TurnedAway = true;
                _counters.Add(Counter.TcpConnectionsRefused);
                if (_options.TcpRefuseWithReset)
                {
                    entry.InUse = false;
                    SendReset(entry.LocalAddress, entry.LocalPort, entry.RemoteAddress, entry.RemotePort, segment);
                }

                return;
            }

            entry.InUse = false;
            Establish(slot, listener, entry, segment);
            Segment(slot, segment, options);
        }

        /// <summary>A passive connection from the parameters its SYN negotiated (held in a half-open entry or decoded from a cookie).</summary>
        private void Establish(SocketSlot slot, SocketSlot listener, SynEntry entry, TcpSegment ack)
        {
            slot.Open(IpProtocol.Tcp, listener.TimeToLive);
            Open(slot);
            TcpConnection c = slot.Tcp;
            slot.NoDelay = listener.NoDelay;
            slot.KeepAlive = listener.KeepAlive;
            slot.LingerSeconds = listener.LingerSeconds;
            slot.UserTimeoutMs = listener.UserTimeoutMs;
            slot.CongestionAlgorithm = listener.CongestionAlgorithm;
            slot.ReuseAddress = listener.ReuseAddress; // as Linux's children inherit sk_reuse: a new listener may bind the port
            slot.LocalAddress = entry.LocalAddress;
            slot.LocalPort = entry.LocalPort;
            slot.RemoteAddress = entry.RemoteAddress;
            slot.RemotePort = entry.RemotePort;
            Initialise(slot, entry.Iss, entry.PeerMss);
            c.SendUnacknowledged = entry.Iss + 1;
            c.SendNext = entry.Iss + 1;
            c.SendMax = entry.Iss + 1;
            c.Recover = c.SendMax;
            c.ReceiveNext = entry.Irs + 1;
            ApplyOptions(c, entry.PeerScale, entry.SackPermitted, entry.Timestamps, entry.TimestampRecent);
            c.ReceiveAdvertised = c.ReceiveNext + (uint)OfferedWindow(_options.ReceiveBufferSize);
            c.SendWindow = ack.Window << c.SendScale;
            c.MaxSendWindow = c.SendWindow;
            c.SendWindowUpdateSequence = ack.SequenceNumber;
            c.SendWindowUpdateAcknowledgment = ack.AcknowledgmentNumber;
            if (entry.Resent == 0)
            {
                c.Rtt.Sample((int)(_time.Now - entry.Since));
            }

            slot.State = SocketState.Established;
            c.AcceptPending = true;
            _acceptsWaiting = true;
            c.ListenerDescriptor = listener.Descriptor;
            c.AcceptOrder = ++_acceptOrder;
            _counters.Add(Counter.TcpPassiveOpens);
        }

        /// <summary>RFC 9293 section 3.10.7.3: the answer to our SYN.</summary>
        private void SynSentInput(SocketSlot slot, TcpSegment segment, TcpOptions options)
        {
            TcpConnection c = slot.Tcp;
            bool ack = segment.Has(TcpFlags.Ack);
            uint acknowledgment = segment.AcknowledgmentNumber;
            if (ack && (Sequence.Le(acknowledgment, c.Iss) || Sequence.Gt(acknowledgment, c.SendMax)))
            {
                SendReset(slot.LocalAddress, slot.LocalPort, slot.RemoteAddress, slot.RemotePort, segment);
                return;
            }

            if (segment.Has(TcpFlags.Rst))
            {
                if (ack)
                {
                    _counters.Add(Counter.TcpResetsReceived);
                    _counters.Add(Counter.TcpConnectionsRefused);
                    Abort(slot, SocketResult.ConnectionRefused, false);
                }

                return;
            }

            if (!segment.Has(TcpFlags.Syn))
            {
                return;
            }

            c.ReceiveNext = segment.SequenceNumber + 1;
            // Our SYN offered this much, unscaled (RFC 7323 section 2.2); the edge starts from the peer's ISN.
            c.ReceiveAdvertised = c.ReceiveNext + (uint)OfferedWindow(slot.ReceiveRing.Free);
            c.SendMss = Mss(PeerMss(options));
            c.Congestion.Reset(CongestionControl.InitialWindow(c.SendMss));
            ApplyOptions(c, PeerScale(options), PeerSackPermitted(options), PeerTimestamps(options), options.TimestampValue);
            c.SendWindow = segment.Window; // the window of a SYN is never scaled (RFC 7323 section 2.2)
            c.MaxSendWindow = c.SendWindow;
            c.SendWindowUpdateSequence = segment.SequenceNumber;
            c.SendWindowUpdateAcknowledgment = acknowledgment;
            c.LastReceivedAt = _time.Now;
            if (!ack)
            {
                // Simultaneous open (RFC 9293 figure 8): answer with SYN-ACK from SYN-RECEIVED.
                slot.State = SocketState.SynReceived;
                c.SendNext = c.Iss;
                Output(slot);
                return;
            }

            c.Rtt.Acknowledged(acknowledgment, _time.Now, false, 0);

            c.SendUnacknowledged = acknowledgment;
            c.Recover = acknowledgment;
            c.RetransmitDeadline = 0;
            c.OldestUnacknowledgedSince = 0;
            c.Retransmissions = 0;
            slot.State = SocketState.Established;
            _counters.Add(Counter.TcpActiveOpens);
            c.AckNow = true;
            Output(slot);
        }

        /// <summary>The MSS a SYN announces, or RFC 9293 section 3.7.1's 536 when it announces none.</summary>
        private static int PeerMss(TcpOptions options)
        {
            return options.HasMaximumSegmentSize ? options.MaximumSegmentSize : MinimumReceiveMss;
        }

        /// <summary>The peer's shift count when both ends scale windows, else -1; above 14 counts as 14 (RFC 7323 section 2.3).</summary>
        private int PeerScale(TcpOptions options)
        {
            if (!options.HasWindowScale || !_options.TcpWindowScaling)
            {
                return -1;
            }

            return options.WindowScale > 14 ? 14 : options.WindowScale;
        }

        private bool PeerSackPermitted(TcpOptions options)
        {
            return options.SackPermitted && _options.TcpSelectiveAcknowledgments;
        }

        private bool PeerTimestamps(TcpOptions options)
        {
            return options.HasTimestamps && _options.TcpTimestamps;
        }

        /// <summary>What both SYNs agreed: window scaling only when both offered it (RFC 7323 section 2.2), SACK and timestamps likewise.</summary>
        private void ApplyOptions(TcpConnection c, int peerScale, bool sackPermitted, bool timestamps, uint timestampRecent)
        {
            c.WindowScaling = peerScale >= 0;
            c.SendScale = c.WindowScaling ? peerScale : 0;
            c.ReceiveScale = c.WindowScaling ? _receiveScale : 0;
            c.SackPermitted = sackPermitted;
            c.Timestamps = timestamps;
            c.TimestampRecent = timestampRecent;
        }

        /// <summary>The window a SYN or SYN-ACK offers: what there is room for, in a field a SYN never scales (RFC 7323 section 2.2).</summary>
        private static int OfferedWindow(int space)
        {
            return space > 0xFFFF ? 0xFFFF : space;
        }

        /// <summary>Our SYN (active open) or SYN-ACK (simultaneous open) with the options we offer.</summary>
        private void SendSyn(SocketSlot slot, bool withAck)
        {
            TcpConnection c = slot.Tcp;
            // A first SYN offers what the options allow; a simultaneous open's SYN-ACK what both offered.
            int length = WriteSynOptions(withAck ? c.WindowScaling : _options.TcpWindowScaling,
                withAck ? c.SackPermitted : _options.TcpSelectiveAcknowledgments,
                withAck ? c.Timestamps : _options.TcpTimestamps, (uint)_time.Now, c.TimestampRecent);
            int window = OfferedWindow(slot.ReceiveRing.Free);
            if (c.SendMax == c.Iss)
            {
                c.Rtt.Begin(c.Iss, _time.Now); // Karn: only a SYN sent once gives a round-trip sample
            }

            Transmit(slot.LocalAddress, slot.LocalPort, slot.RemoteAddress, slot.RemotePort, c.Iss, withAck ? c.ReceiveNext : 0,
                withAck ? TcpFlags.Syn | TcpFlags.Ack : TcpFlags.Syn, window, length, null, 0, 0);
            c.ReceiveAdvertised = c.ReceiveNext + (uint)window;
            c.SendNext = c.Iss + 1;
            if (Sequence.Gt(c.SendNext, c.SendMax))
            {
                c.SendMax = c.SendNext;
            }

            StartRetransmitTimer(c);
        }

        /// <summary>The SYN-ACK of a half-open passive connection, offering what its SYN offered.</summary>
        private void SendSynAck(SynEntry entry)
        {
            SendSynAck(entry, (uint)_time.Now);
        }

        /// <summary>A SYN-ACK with the given TSval (a cookie's carries the options it must remember).</summary>
        private void SendSynAck(SynEntry entry, uint timestampValue)
        {
            int length = WriteSynOptions(entry.PeerScale >= 0, entry.SackPermitted, entry.Timestamps, timestampValue, entry.TimestampRecent);
            Transmit(entry.LocalAddress, entry.LocalPort, entry.RemoteAddress, entry.RemotePort, entry.Iss, entry.Irs + 1,
                TcpFlags.Syn | TcpFlags.Ack, OfferedWindow(_options.ReceiveBufferSize), length, null, 0, 0);
        }

        private int WriteSynOptions(bool windowScale, bool sackPermitted, bool timestamps, uint timestampValue, uint echo)
        {
            TcpOptionWriter options = _writer.Start(_header, TcpSegment.MinimumHeaderLength);
            options.WriteMaximumSegmentSize(_options.TcpMaximumSegmentSize);
            if (sackPermitted)
            {
                options.WriteSackPermitted();
            }

            if (timestamps)
            {
                if (!sackPermitted)
                {
                    options.WriteNoOperation();
                    options.WriteNoOperation();
                }

                options.WriteTimestamps(timestampValue, echo);
            }

            if (windowScale)
            {
                options.WriteNoOperation();
                options.WriteWindowScale(_receiveScale);
            }

            return options.Finish();
        }

        /// <summary>
        /// A SYN-ACK whose ISN is a SYN cookie (RFC 4987 section 3.6) and no state kept. The cookie carries the peer's
        /// MSS (rounded down to <see cref="CookieMssTable"/>); window scale and SACK-permitted ride in the low bits of
        /// our TSval, which the peer echoes, so without timestamps the connection has neither (as in Linux).
        /// </summary>
        private void SendCookie(SynEntry entry)
        {
            if (!entry.Timestamps)
            {
                entry.PeerScale = -1;
                entry.SackPermitted = false;
            }

            entry.Iss = Cookie(entry.LocalAddress, entry.LocalPort, entry.RemoteAddress, entry.RemotePort, entry.Irs,
                CookieMinute(), CookieMssIndex(entry.PeerMss));
            uint now = (uint)_time.Now;
            uint value = (now & ~CookieOptionBits) | (uint)(entry.PeerScale >= 0 ? entry.PeerScale : CookieNoScale) | (entry.SackPermitted ? CookieSackBit : 0);
            if (Sequence.Gt(value, now))
            {
                value -= CookieOptionBits + 1; // never a TSval ahead of the clock the later ones come from (RFC 7323 section 5.4)
            }

            _cookiesSentAt = _time.Now;
            _counters.Add(Counter.TcpSynCookiesSent);
            SendSynAck(entry, value);
        }

        /// <summary>
        /// An ACK to a listener with no half-open entry: while cookies may be outstanding, ACK - 1 is checked as one for
        /// the 4-tuple and SEQ - 1 (RFC 4987 section 3.6), and a good one completes the handshake as a half-open entry
        /// would. False when the segment is not a valid cookie.
        /// </summary>
        private bool CookieAckInput(SocketSlot listener, uint local, uint remote, TcpSegment segment, TcpOptions options)
        {
            if (!_options.TcpSynCookies || _time.Now - _cookiesSentAt >= CookieAges * 60000L)
            {
                return false;
            }

            int localPort = segment.DestinationPort;
            int remotePort = segment.SourcePort;
            uint irs = segment.SequenceNumber - 1;
            uint iss = segment.AcknowledgmentNumber - 1;
            int index = CookieCheck(local, localPort, remote, remotePort, irs, iss);
            if (index < 0)
            {
                _counters.Add(Counter.TcpSynCookiesFailed);
                return false;
            }

            _counters.Add(Counter.TcpSynCookiesValid);
            SynEntry entry = _cookieEntry;
            entry.ListenerDescriptor = listener.Descriptor;
            entry.LocalAddress = local;
            entry.LocalPort = localPort;
            entry.RemoteAddress = remote;
            entry.RemotePort = remotePort;
            entry.Iss = iss;
            entry.Irs = irs;
            entry.PeerMss = CookieMssTable[index];
            entry.Timestamps = PeerTimestamps(options);
            uint echoed = options.TimestampEchoReply & CookieOptionBits;
            int scale = (int)(echoed & 0xF);
            entry.PeerScale = entry.Timestamps && scale <= 14 && _options.TcpWindowScaling ? scale : -1;
            entry.SackPermitted = entry.Timestamps && (echoed & CookieSackBit) != 0 && _options.TcpSelectiveAcknowledgments;
            entry.TimestampRecent = options.TimestampValue;
            entry.Since = _time.Now;
            entry.Resent = 1; // nothing timed the SYN-ACK: no round-trip sample (Karn's rule keeps ambiguous ones out too)
            CompleteHandshake(listener, entry, segment, options);
            return true;
        }

        /// <summary>Minutes of the stack clock: the coarse counter in a cookie.</summary>
        private uint CookieMinute()
        {
            return (uint)(_time.Now / 60000);
        }

        /// <summary>The largest table MSS at most the peer's, or the first entry.</summary>
        private static int CookieMssIndex(int peerMss)
        {
            int index = 0;
            for (int i = 1; i < CookieMssTable.Length; i++)
            {
                if (CookieMssTable[i] <= peerMss)
                {
                    index = i;
                }
            }

            return index;
        }

        /// <summary>
        /// The cookie: two low bits of the minute (bits 31-30), the MSS index (29-27), and 27 bits of a keyed SipHash
        /// over the 4-tuple, the peer's ISN, the minute and the index, so none of them can be changed or guessed blind.
        /// </summary>
        private uint Cookie(uint local, int localPort, uint remote, int remotePort, uint irs, uint minute, int mssIndex)
        {
            ulong data = ((ulong)irs << 24) | ((ulong)(minute & 0xFFFF) << 3) | (uint)mssIndex;
            uint hash = (uint)SipHash.FourTupleWith(_key0, _key1, local, localPort, remote, remotePort, data);
            return ((minute & 3) << 30) | ((uint)mssIndex << 27) | (hash & 0x07FFFFFF);
        }

        /// <summary>The MSS index of a valid cookie made in the last <see cref="CookieAges"/> minutes, else -1.</summary>
        private int CookieCheck(uint local, int localPort, uint remote, int remotePort, uint irs, uint cookie)
        {
            uint minute = CookieMinute();
            for (uint age = 0; age < CookieAges; age++)
            {
                uint made = minute - age;
                if ((made & 3) == cookie >> 30)
                {
                    int index = (int)((cookie >> 27) & 7);
                    return Cookie(local, localPort, remote, remotePort, irs, made, index) == cookie ? index : -1;
                }
            }

            return -1;
        }
    }
}
