using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// The three-way handshake, passive and active, and the options it negotiates (RFC 9293 section 3.5,
    /// RFC 7323, RFC 2018): half-open entries in the SYN queue.
    /// </summary>
    internal sealed partial class TcpLayer
    {
        /// <summary>RFC 9293 section 3.10.7.2: a SYN to a listener opens a half-open entry; anything else is refused or ignored.</summary>
        private void ListenInput(SocketSlot listener, uint local, uint remote, TcpSegment segment, TcpOptions options)
        {
            if (segment.Has(TcpFlags.Rst))
            {
                return;
            }

            if (segment.Has(TcpFlags.Ack))
            {
                SendReset(local, segment.DestinationPort, remote, segment.SourcePort, segment);
                return;
            }

            if (!segment.Has(TcpFlags.Syn) || segment.Has(TcpFlags.Fin))
            {
                return;
            }

            // The backlog counts established connections nobody accepted yet. Half-open entries live in the SYN
            // queue, bounded by its own size with the oldest evicted, so a SYN flood can neither fill the backlog
            // nor hold slots: new clients get in as soon as (and while) it runs.
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
            if (evicted)
            {
                _counters.Add(Counter.TcpSynQueueEvictions);
            }

            entry.ListenerIndex = listener.Index;
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

            entry.InUse = false;
            CompleteHandshake(listener, entry, segment, options);
        }

        /// <summary>The handshake's last ACK arrived for a half-open entry: take a socket slot and establish.</summary>
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
                SendReset(entry.LocalAddress, entry.LocalPort, entry.RemoteAddress, entry.RemotePort, segment);
                return;
            }

            Establish(slot, listener, entry, segment);
            Segment(slot, segment, options);
        }

        /// <summary>A passive connection from the parameters its SYN negotiated (held in a half-open entry).</summary>
        private void Establish(SocketSlot slot, SocketSlot listener, SynEntry entry, TcpSegment ack)
        {
            slot.Open(IpProtocol.Tcp, listener.TimeToLive);
            Open(slot);
            TcpConnection c = slot.Tcp;
            slot.NoDelay = listener.NoDelay;
            slot.KeepAlive = listener.KeepAlive;
            slot.LingerSeconds = listener.LingerSeconds;
            slot.UserTimeoutMs = listener.UserTimeoutMs;
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
            c.Irs = entry.Irs;
            c.ReceiveNext = entry.Irs + 1;
            ApplyOptions(c, entry.PeerScale, entry.SackPermitted, entry.Timestamps, entry.TimestampRecent);
            c.ReceiveAdvertised = c.ReceiveNext + (uint)OfferedWindow(_options.ReceiveBufferSize);
            c.SendWindow = ack.Window << c.SendScale;
            c.MaxSendWindow = c.SendWindow;
            c.SendWindowUpdateSequence = ack.SequenceNumber;
            c.SendWindowUpdateAcknowledgment = ack.AcknowledgmentNumber;
            if (entry.Resent == 0)
            {
                UpdateRtt(c, (int)(_time.Now - entry.Since));
            }

            slot.State = SocketState.Established;
            c.AcceptPending = true;
            _acceptsWaiting = true;
            c.ListenerIndex = listener.Index;
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

            c.Irs = segment.SequenceNumber;
            c.ReceiveNext = c.Irs + 1;
            // Our SYN offered this much, unscaled (RFC 7323 section 2.2); the edge starts from the peer's ISN.
            c.ReceiveAdvertised = c.ReceiveNext + (uint)OfferedWindow(slot.ReceiveRing.Free);
            c.SendMss = Mss(PeerMss(options));
            c.CongestionWindow = InitialWindow(c.SendMss);
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

            if (c.Timing)
            {
                UpdateRtt(c, (int)(_time.Now - c.TimedAt));
                c.Timing = false;
            }

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
                c.Timing = true; // Karn: only a SYN sent once gives a round-trip sample
                c.TimedSequence = c.Iss;
                c.TimedAt = _time.Now;
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

        /// <summary>A SYN-ACK with the given TSval.</summary>
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
    }
}
