using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    internal sealed partial class TcpLayer
    {
        internal void Input(Ipv4Packet ip, bool broadcast)
        {
            TcpSegment segment = _segment;
            uint local = ip.DestinationValue;
            uint remote = ip.SourceValue;
            WireError error = segment.Parse(ip.Buffer, ip.PayloadOffset, ip.PayloadLength, remote, local);
            if (error != WireError.None)
            {
                _counters.Drop(ProtocolLayer.Tcp, error);
                return;
            }

            if (broadcast || segment.SourcePort == 0 || segment.DestinationPort == 0)
            {
                // RFC 1122 section 4.2.3.10: no connections to or from broadcast or multicast addresses.
                _counters.Add(Counter.TcpBroadcastDropped);
                return;
            }

            _counters.Add(Counter.TcpSegmentsReceived);
            TcpOptions options = _received;
            segment.ReadOptions(options);
            int localPort = segment.DestinationPort;
            int remotePort = segment.SourcePort;

            SocketSlot slot = FindConnection(local, localPort, remote, remotePort);
            if (slot != null)
            {
                if (slot.State == SocketState.SynSent)
                {
                    SynSentInput(slot, segment, options);
                }
                else
                {
                    Segment(slot, segment, options);
                }

                return;
            }

            TimeWaitEntry waiting = _timeWait.Find(local, localPort, remote, remotePort);
            if (waiting != null && TimeWaitInput(waiting, segment))
            {
                return;
            }

            SynEntry halfOpen = _synQueue.Find(local, localPort, remote, remotePort);
            if (halfOpen != null)
            {
                HalfOpenInput(halfOpen, segment, options);
                return;
            }

            SocketSlot listener = FindListener(local, localPort);
            if (listener != null)
            {
                ListenInput(listener, local, remote, segment, options);
                return;
            }

            _counters.Add(Counter.TcpNoListener);
            SendReset(local, localPort, remote, remotePort, segment);
        }

        /// <summary>
        /// TIME-WAIT (RFC 9293 section 3.10.7.4): acknowledge a retransmitted FIN and restart the wait;
        /// ignore RST (RFC 1337); a new SYN with a higher sequence number may reuse the 4-tuple (RFC 6191).
        /// Returns false when the segment should go on to a listener.
        /// </summary>
        private bool TimeWaitInput(TimeWaitEntry entry, TcpSegment segment)
        {
            if (segment.Has(TcpFlags.Rst))
            {
                return true;
            }

            if (segment.Has(TcpFlags.Syn) && !segment.Has(TcpFlags.Ack) && Sequence.Gt(segment.SequenceNumber, entry.ReceiveNext))
            {
                entry.InUse = false;
                _counters.Add(Counter.TcpTimeWaitReused);
                return false;
            }

            if (segment.Has(TcpFlags.Fin))
            {
                entry.Since = _time.Now; // the wait starts again (it ends TcpTimeWaitMs after Since)
            }
            else if (segment.SequenceNumber == entry.ReceiveNext && segment.PayloadLength == 0)
            {
                return true; // an acceptable bare ACK gets no answer, or two TIME-WAITs would ACK each other forever
            }

            int length = 0;
            if (entry.Timestamps)
            {
                TcpOptionWriter options = _writer.Start(_header, TcpSegment.MinimumHeaderLength);
                options.WriteNoOperation();
                options.WriteNoOperation();
                options.WriteTimestamps((uint)_time.Now, entry.TimestampRecent);
                length = options.Finish();
            }

            Transmit(entry.LocalAddress, entry.LocalPort, entry.RemoteAddress, entry.RemotePort, entry.SendNext, entry.ReceiveNext, TcpFlags.Ack, 0, length, null, 0, 0);
            return true;
        }

        /// <summary>RFC 9293 section 3.10.7.4, for every synchronized state, with RFC 5961's defences and RFC 7323's PAWS.</summary>
        private void Segment(SocketSlot slot, TcpSegment segment, TcpOptions options)
        {
            TcpConnection c = slot.Tcp;
            uint sequence = segment.SequenceNumber;
            int length = segment.SequenceLength;
            bool rst = segment.Has(TcpFlags.Rst);

            // PAWS (RFC 7323 section 5.3), unless TS.Recent is over 24 days old (section 5.5).
            if (c.Timestamps && options.HasTimestamps && !rst && Sequence.Lt(options.TimestampValue, c.TimestampRecent)
                && _time.Now - c.TimestampRecentAt < 24L * 24 * 3600 * 1000)
            {
                _counters.Add(Counter.TcpDuplicateSegments);
                c.AckNow = true;
                Output(slot);
                return;
            }

            if (slot.State == SocketState.SynReceived && segment.Has(TcpFlags.Syn) && segment.Has(TcpFlags.Ack) && !rst
                && sequence + 1 == c.ReceiveNext && segment.AcknowledgmentNumber == c.SendNext)
            {
                // Simultaneous open (RFC 9293 figure 8): the peer's SYN-ACK repeats its SYN, which the sequence
                // check would call old; like Linux, take its ACK.
                if (Acknowledge(slot, segment, options))
                {
                    Output(slot);
                }

                return;
            }

            int window = (int)(c.ReceiveAdvertised - c.ReceiveNext);
            if (window < 0)
            {
                window = 0;
            }

            if (window > slot.ReceiveRing.Capacity)
            {
                window = slot.ReceiveRing.Capacity; // never more than the ring could ever hold
            }

            bool acceptable;
            if (length == 0)
            {
                acceptable = window == 0 ? sequence == c.ReceiveNext : Sequence.InRange(sequence, c.ReceiveNext, c.ReceiveNext + (uint)window);
            }
            else
            {
                acceptable = window > 0 && (Sequence.InRange(sequence, c.ReceiveNext, c.ReceiveNext + (uint)window)
                    || Sequence.InRange(sequence + (uint)length - 1, c.ReceiveNext, c.ReceiveNext + (uint)window));
            }

            // RFC 9293: with a zero window, still take the ACK of a segment at RCV.NXT (a window probe).
            bool probe = !acceptable && window == 0 && sequence == c.ReceiveNext;
            if (!acceptable && !probe)
            {
                _counters.Add(Sequence.Le(sequence + (uint)length, c.ReceiveNext) ? Counter.TcpDuplicateSegments : Counter.TcpOutOfWindow);
                if (!rst)
                {
                    if (slot.State == SocketState.TimeWait && segment.Has(TcpFlags.Fin))
                    {
                        // RFC 9293 section 3.10.7.4, TIME-WAIT: a retransmission of the remote FIN is acknowledged
                        // "and restart the 2 MSL timeout" (the TIME-WAIT table does so too).
                        c.ClosingSince = _time.Now;
                    }

                    c.AckNow = true;
                    Output(slot);
                }

                return;
            }

            c.LastReceivedAt = _time.Now;
            c.LastActivityAt = _time.Now;
            c.KeepAliveProbes = 0;
            c.KeepAliveDeadline = 0;

            if (rst)
            {
                if (slot.State == SocketState.TimeWait)
                {
                    return; // RFC 1337: a reset must not cut TIME-WAIT short
                }

                if (sequence == c.ReceiveNext)
                {
                    _counters.Add(Counter.TcpResetsReceived);
                    Abort(slot, slot.State == SocketState.SynReceived ? SocketResult.ConnectionRefused : SocketResult.ConnectionReset, false);
                }
                else
                {
                    ChallengeAck(slot); // RFC 5961 section 3.2: an in-window RST not exactly at RCV.NXT
                }

                return;
            }

            if (segment.Has(TcpFlags.Syn))
            {
                ChallengeAck(slot); // RFC 5961 section 4.2
                return;
            }

            // RFC 7323 section 4.3: TS.Recent from segments that reach RCV.NXT, once RST and SYN are ruled out.
            if (c.Timestamps && options.HasTimestamps && Sequence.Le(sequence, c.ReceiveNext))
            {
                c.TimestampRecent = options.TimestampValue;
                c.TimestampRecentAt = _time.Now;
            }

            if (!segment.Has(TcpFlags.Ack))
            {
                return;
            }

            if (!Acknowledge(slot, segment, options))
            {
                return;
            }

            if (segment.PayloadLength > 0 && !probe)
            {
                if (slot.State == SocketState.Established || slot.State == SocketState.FinWait1 || slot.State == SocketState.FinWait2)
                {
                    if (c.Orphaned)
                    {
                        // New data for a socket the application has closed: reset, as Linux does.
                        Abort(slot, SocketResult.ConnectionReset, true);
                        return;
                    }

                    ReceiveData(slot, segment, options);
                }
            }
            else if (probe)
            {
                c.AckNow = true;
            }

            if (segment.Has(TcpFlags.Fin) && !probe)
            {
                if (segment.SequenceNumber + (uint)segment.PayloadLength == c.ReceiveNext)
                {
                    ReceiveFin(slot);
                    return;
                }

                c.AckNow = true; // RFC 5681 section 4.2: a FIN beyond a hole is out of order too, acknowledged at once
            }

            Output(slot);
        }

        /// <summary>The ACK field (RFC 9293 section 3.10.7.4, fifth check). Returns false when the segment is done with.</summary>
        private bool Acknowledge(SocketSlot slot, TcpSegment segment, TcpOptions options)
        {
            TcpConnection c = slot.Tcp;
            uint acknowledgment = segment.AcknowledgmentNumber;
            if (slot.State == SocketState.SynReceived)
            {
                if (!Sequence.Gt(acknowledgment, c.SendUnacknowledged) || Sequence.Gt(acknowledgment, c.SendMax))
                {
                    SendReset(slot.LocalAddress, slot.LocalPort, slot.RemoteAddress, slot.RemotePort, segment);
                    return false;
                }

                slot.State = c.FinQueued ? SocketState.FinWait1 : SocketState.Established;
                _counters.Add(Counter.TcpActiveOpens);
                c.SendWindow = segment.Has(TcpFlags.Syn) ? segment.Window : segment.Window << c.SendScale;
                c.SendWindowUpdateSequence = segment.SequenceNumber;
                c.SendWindowUpdateAcknowledgment = acknowledgment;
            }

            // RFC 5961 section 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.NXT].
            if (Sequence.Gt(acknowledgment, c.SendMax) || Sequence.Lt(acknowledgment, c.SendUnacknowledged - (uint)c.MaxSendWindow))
            {
                _counters.Add(Counter.TcpBadAcks);
                c.AckNow = true;
                Output(slot);
                return false;
            }

            int sacked = 0;
            if (c.SackPermitted && options.SackBlockCount > 0)
            {
                for (int i = 0; i < options.SackBlockCount; i++)
                {
                    uint left;
                    uint right;
                    options.GetSackBlock(i, out left, out right);
                    if (Sequence.Gt(left, c.SendUnacknowledged) && Sequence.Lt(left, right) && Sequence.Le(right, c.SendMax))
                    {
                        sacked += c.Sent.MarkSacked(left, right, _time.Now, c.Rtt.Minimum);
                    }
                }
            }

            int window = segment.Has(TcpFlags.Syn) ? segment.Window : segment.Window << c.SendScale; // a SYN's window is never scaled
            if (Sequence.Gt(acknowledgment, c.SendUnacknowledged))
            {
                NewAcknowledgment(slot, acknowledgment, options, sacked);
            }
            else if (acknowledgment == c.SendUnacknowledged && segment.PayloadLength == 0 && !segment.Has(TcpFlags.Fin)
                && c.InFlight > 0 && (window == c.SendWindow || sacked > 0))
            {
                // RFC 5681 section 2 counts an ACK as duplicate only if the window is unchanged; RFC 6675
                // section 2 also counts one whose SACK blocks report data not reported before.
                DuplicateAcknowledgment(slot, sacked);
            }
            else if (sacked > 0)
            {
                DetectLosses(slot, sacked);
            }

            if (Sequence.Lt(c.SendWindowUpdateSequence, segment.SequenceNumber)
                || (c.SendWindowUpdateSequence == segment.SequenceNumber && Sequence.Le(c.SendWindowUpdateAcknowledgment, acknowledgment)))
            {
                c.SendWindow = window;
                c.SendWindowUpdateSequence = segment.SequenceNumber;
                c.SendWindowUpdateAcknowledgment = acknowledgment;
                if (window > c.MaxSendWindow)
                {
                    c.MaxSendWindow = window;
                }

                if (window > 0)
                {
                    c.PersistDeadline = 0;
                    c.PersistBackoff = 0;
                }
            }

            bool finAcknowledged = c.FinAcknowledgedBy(c.SendUnacknowledged);
            if (!finAcknowledged)
            {
                return true;
            }

            switch (slot.State)
            {
                case SocketState.FinWait1:
                    slot.State = SocketState.FinWait2;
                    c.ClosingSince = _time.Now;
                    return true;
                case SocketState.Closing:
                    slot.State = SocketState.TimeWait;
                    EnterTimeWait(slot);
                    return false;
                case SocketState.LastAck:
                    slot.State = SocketState.Closed;
                    Finish(slot);
                    return false;
                default:
                    return true;
            }
        }

        private void NewAcknowledgment(SocketSlot slot, uint acknowledgment, TcpOptions options, int sacked)
        {
            TcpConnection c = slot.Tcp;
            long now = _time.Now;
            int acked = (int)(acknowledgment - c.SendUnacknowledged);
            int data = acked;
            if (c.SendUnacknowledged == c.Iss)
            {
                data--; // our SYN
            }

            if (c.FinAcknowledgedBy(acknowledgment))
            {
                data--; // our FIN
            }

            slot.TransmitRing.Discard(data < 0 ? 0 : data);
            c.Rtt.Acknowledged(acknowledgment, now, c.Timestamps && options.HasTimestamps, options.TimestampEchoReply);
            c.Sent.Acknowledge(acknowledgment, now, c.Rtt.Minimum);
            c.SendUnacknowledged = acknowledgment;
            if (Sequence.Lt(c.SendNext, acknowledgment))
            {
                c.SendNext = acknowledgment;
            }

            c.DuplicateAcks = 0;
            c.Retransmissions = 0;
            if (c.ProbeOutstanding && Sequence.Ge(acknowledgment, c.ProbeEnd))
            {
                ProbeAcknowledged(c);
            }

            if (c.Recovering)
            {
                if (Sequence.Ge(acknowledgment, c.Recover))
                {
                    // RFC 6937 section 3 (and RFC 6582 section 3.2 step 3): recovery ends with the window at ssthresh.
                    c.Recovering = false;
                    c.Congestion.Window = c.Congestion.Threshold;
                }
                else if (!c.SackPermitted && c.Sent.Count > 0)
                {
                    c.Sent.MarkLost(0); // RFC 6582 section 3.2 step 4: a partial acknowledgment reveals the next hole
                }
            }
            else
            {
                c.Algorithm.Acknowledged(c.Congestion, acked, c.SendMss, now, c.Rtt.Smoothed, c.CongestionLimited);
            }

            if (c.SendUnacknowledged == c.SendMax)
            {
                c.RetransmitDeadline = 0;
                c.ProbeArmed = false;
                c.OldestUnacknowledgedSince = 0;
                c.ReorderDeadline = 0;
            }
            else
            {
                c.OldestUnacknowledgedSince = now;
                RestartTimer(slot); // RFC 6298 section 5.3
            }

            DetectLosses(slot, acked + sacked);
        }

        /// <summary>
        /// RFC 5681 section 3.2 and RFC 6582 for a peer without SACK: the third duplicate starts fast retransmit and
        /// recovery; RFC 3042's limited transmit on the first two. With SACK, RACK (<see cref="DetectLosses"/>) decides.
        /// </summary>
        private void DuplicateAcknowledgment(SocketSlot slot, int sacked)
        {
            TcpConnection c = slot.Tcp;
            c.DuplicateAcks++;
            if (!c.Recovering && c.DuplicateAcks <= 2)
            {
                LimitedTransmit(slot);
            }

            if (c.SackPermitted)
            {
                DetectLosses(slot, sacked);
                return;
            }

            // RFC 6582 section 3.2 step 1: not again for losses of the window a timeout or the last recovery already handled.
            if (c.DuplicateAcks == 3 && !c.Recovering && Sequence.Ge(c.SendUnacknowledged, c.Recover) && c.Sent.Count > 0)
            {
                c.Sent.MarkLost(0);
                EnterRecovery(slot);
            }

            if (c.Recovering)
            {
                ReduceRate(slot, c.SendMss); // RFC 6937 section 3: without SACK a duplicate ACK delivered one segment; Segment's Output sends
            }
        }

        /// <summary>
        /// RFC 3042: on the first two duplicate ACKs, send one segment of new data if the peer's window
        /// allows, whatever the congestion window and Nagle say, so that a short flight still earns the
        /// duplicates fast retransmit needs.
        /// </summary>
        private void LimitedTransmit(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            int offset;
            int length = OneSegmentOfNewData(slot, DataPerSegment(c), out offset);
            if (length <= 0 || c.SendNext != c.SendMax || c.Sent.IsFull)
            {
                return;
            }

            SendNew(slot, offset, length, TcpFlags.Ack, false);
        }

        /// <summary>In-order data goes to the reader, out-of-order data waits in the ring's free space.</summary>
        private void ReceiveData(SocketSlot slot, TcpSegment segment, TcpOptions options)
        {
            TcpConnection c = slot.Tcp;
            ByteRing ring = slot.ReceiveRing;
            uint sequence = segment.SequenceNumber;
            int offset = segment.PayloadOffset;
            int length = segment.PayloadLength;
            if (Sequence.Lt(sequence, c.ReceiveNext))
            {
                int skip = (int)(c.ReceiveNext - sequence);
                offset += skip;
                length -= skip;
                sequence = c.ReceiveNext;
            }

            int distance = (int)(sequence - c.ReceiveNext);
            if (distance < 0 || distance > ring.Free)
            {
                c.AckNow = true;
                return;
            }

            if (length > ring.Free - distance)
            {
                length = ring.Free - distance;
            }

            if (length <= 0)
            {
                c.AckNow = true;
                return;
            }

            if (distance > 0)
            {
                bool kept = ring.WriteAt(distance, segment.Buffer, offset, length) && c.Assembler.Add(sequence, sequence + (uint)length);
                c.LastOutOfOrder = sequence;
                _counters.Add(kept ? Counter.TcpOutOfOrderSegments : Counter.TcpOutOfOrderDropped);
                c.AckNow = true; // RFC 5681 section 4.2: out-of-order data is acknowledged at once
                return;
            }

            bool fillsHole = c.Assembler.Count > 0;
            ring.WriteAt(0, segment.Buffer, offset, length);
            ring.Commit(length);
            uint next = c.ReceiveNext + (uint)length;
            uint reach = c.Assembler.Advance(next);
            ring.Commit((int)(reach - next));
            c.ReceiveNext = reach;
            if (length > c.ReceiveMss)
            {
                c.ReceiveMss = length > _options.TcpMaximumSegmentSize ? _options.TcpMaximumSegmentSize : length;
            }

            c.BytesUnacknowledged += length;
            if (fillsHole || c.BytesUnacknowledged > c.ReceiveMss || _options.TcpDelayedAckMs == 0)
            {
                // RFC 1122 section 4.2.3.2 and RFC 5681 section 4.2: at least every second full-sized segment, counted in
                // bytes against the segment size the peer uses, as Linux does (__tcp_ack_snd_check): small segments
                // wait for the delayed ACK or for data to carry it.
                c.AckNow = true;
            }
            else if (c.AckDeadline == 0)
            {
                c.AckDeadline = _time.Now + _options.TcpDelayedAckMs;
            }
        }

        /// <summary>The peer's FIN, in order: acknowledge it at once and move on (RFC 9293 section 3.10.7.4, eighth check).</summary>
        private void ReceiveFin(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            c.ReceiveNext++;
            c.FinReceived = true;
            bool finAcknowledged = c.FinAcknowledgedBy(c.SendUnacknowledged);
            switch (slot.State)
            {
                case SocketState.SynReceived:
                case SocketState.Established:
                    slot.State = SocketState.CloseWait;
                    break;
                case SocketState.FinWait1:
                    slot.State = finAcknowledged ? SocketState.TimeWait : SocketState.Closing;
                    break;
                case SocketState.FinWait2:
                    slot.State = SocketState.TimeWait;
                    break;
            }

            c.AckNow = true;
            Output(slot);
            if (slot.State == SocketState.TimeWait)
            {
                EnterTimeWait(slot);
            }
        }

        /// <summary>TIME-WAIT: an orphaned connection moves to the table and frees its slot; one still held waits in its slot.</summary>
        private void EnterTimeWait(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            StopTimers(c);
            c.ClosingSince = _time.Now;
            Finish(slot);
        }
    }
}
