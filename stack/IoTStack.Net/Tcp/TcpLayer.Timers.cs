using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    internal sealed partial class TcpLayer
    {
        /// <summary>Sends what applications queued since the last poll; true when a connection had something to send.</summary>
        internal bool FlushPending()
        {
            if (!_outputPending)
            {
                return false; // an idle poll pays one test, not a scan of the table
            }

            _outputPending = false;
            bool any = false;
            int end = _sockets.StreamEnd;
            for (int i = 0; i < end; i++)
            {
                SocketSlot slot = _sockets[i];
                if (TcpStates.IsConnection(slot.State) && slot.Tcp.OutputPending)
                {
                    Output(slot);
                    any = true;
                }
            }

            return any;
        }

        internal void Timers(long now)
        {
            int end = _sockets.StreamEnd;
            for (int i = 0; i < end; i++)
            {
                SocketSlot slot = _sockets[i];
                if (TcpStates.IsConnection(slot.State))
                {
                    ConnectionTimers(slot, now);
                }
            }

            TupleEntry[] halfOpen = _synQueue.All;
            for (int i = 0; i < halfOpen.Length; i++)
            {
                if (!halfOpen[i].InUse)
                {
                    continue;
                }

                SynEntry entry = (SynEntry)halfOpen[i];
                if (now >= entry.ResendAt)
                {
                    if (entry.Resent >= _options.TcpSynRetries)
                    {
                        entry.InUse = false;
                        continue;
                    }

                    entry.Resent++;
                    entry.ResendAt = now + ((long)_options.TcpInitialRtoMs << entry.Resent);
                    _counters.Add(Counter.TcpRetransmittedSegments);
                    SendSynAck(entry);
                }
            }

            TupleEntry[] waiting = _timeWait.All;
            for (int i = 0; i < waiting.Length; i++)
            {
                TupleEntry entry = waiting[i];
                if (entry.InUse && now - entry.Since >= _options.TcpTimeWaitMs)
                {
                    entry.InUse = false;
                }
            }
        }

        /// <summary>Some connection has output queued by a Send since the last poll: the stack's PollDelay is 0.</summary>
        internal bool OutputPending
        {
            get { return _outputPending; }
        }

        /// <summary>
        /// The earliest moment <see cref="Timers"/> has work, found by the same tests it makes: a connection's timers,
        /// a half-open entry's SYN-ACK retry, a TIME-WAIT entry's end.
        /// </summary>
        internal long NextDeadline(long earliest)
        {
            int end = _sockets.StreamEnd;
            for (int i = 0; i < end; i++)
            {
                SocketSlot slot = _sockets[i];
                if (TcpStates.IsConnection(slot.State))
                {
                    earliest = ConnectionDeadline(slot, earliest);
                }
            }

            TupleEntry[] halfOpen = _synQueue.All;
            for (int i = 0; i < halfOpen.Length; i++)
            {
                if (halfOpen[i].InUse)
                {
                    earliest = Deadlines.Earlier(earliest, ((SynEntry)halfOpen[i]).ResendAt);
                }
            }

            TupleEntry[] waiting = _timeWait.All;
            for (int i = 0; i < waiting.Length; i++)
            {
                if (waiting[i].InUse)
                {
                    earliest = Deadlines.Earlier(earliest, waiting[i].Since + _options.TcpTimeWaitMs);
                }
            }

            return earliest;
        }

        private long ConnectionDeadline(SocketSlot slot, long earliest)
        {
            TcpConnection c = slot.Tcp;
            if (slot.State == SocketState.TimeWait)
            {
                return Deadlines.Earlier(earliest, c.ClosingSince + _options.TcpTimeWaitMs);
            }

            earliest = Deadlines.Earlier(earliest, c.RetransmitDeadline);
            earliest = Deadlines.Earlier(earliest, c.ReorderDeadline);
            earliest = Deadlines.Earlier(earliest, c.AckDeadline);
            earliest = Deadlines.Earlier(earliest, c.PersistDeadline);
            if (slot.UserTimeoutMs > 0 && c.OldestUnacknowledgedSince != 0)
            {
                earliest = Deadlines.Earlier(earliest, c.OldestUnacknowledgedSince + slot.UserTimeoutMs);
            }

            if (slot.KeepAlive && slot.State == SocketState.Established)
            {
                // RFC 1122 section 4.2.3.6: the first probe after the idle time, the next ones an interval apart.
                long probe = c.LastReceivedAt + _options.TcpKeepAliveIdleMs;
                earliest = Deadlines.Earlier(earliest, c.KeepAliveDeadline > probe ? c.KeepAliveDeadline : probe);
            }

            if (slot.State == SocketState.FinWait2 && c.Orphaned)
            {
                earliest = Deadlines.Earlier(earliest, c.ClosingSince + _options.TcpFinWait2TimeoutMs);
            }

            return earliest;
        }

        private void ConnectionTimers(SocketSlot slot, long now)
        {
            TcpConnection c = slot.Tcp;
            if (slot.State == SocketState.TimeWait)
            {
                if (now - c.ClosingSince >= _options.TcpTimeWaitMs)
                {
                    slot.State = SocketState.Closed;
                }

                return;
            }

            if (c.ReorderDeadline != 0 && now >= c.ReorderDeadline)
            {
                ReorderTimeout(slot);
            }

            if (c.RetransmitDeadline != 0 && now >= c.RetransmitDeadline)
            {
                if (c.ProbeArmed)
                {
                    ProbeTimeout(slot);
                }
                else
                {
                    RetransmissionTimeout(slot);
                    if (!TcpStates.IsConnection(slot.State))
                    {
                        return;
                    }
                }
            }

            if (slot.UserTimeoutMs > 0 && c.OldestUnacknowledgedSince != 0 && now - c.OldestUnacknowledgedSince >= slot.UserTimeoutMs)
            {
                // RFC 9293 section 3.8.3 / RFC 5482: data unacknowledged for too long ends the connection.
                _counters.Add(Counter.TcpAborts);
                Abort(slot, SocketResult.TimedOut, true);
                return;
            }

            if (c.AckDeadline != 0 && now >= c.AckDeadline)
            {
                c.AckNow = true;
                Output(slot);
            }

            if (c.PersistDeadline != 0 && now >= c.PersistDeadline)
            {
                if (c.Orphaned && c.PersistBackoff >= _options.TcpMaximumRetransmissions)
                {
                    // Nobody will read for a closed socket: a peer that keeps its window shut must not hold the slot forever.
                    _counters.Add(Counter.TcpAborts);
                    Abort(slot, SocketResult.TimedOut, true);
                    return;
                }

                // A window probe that moves no sequence number: an ACK for SND.UNA - 1 makes the peer answer with its window.
                _counters.Add(Counter.TcpWindowProbes);
                SendSegment(slot, c.SendUnacknowledged - 1, TcpFlags.Ack, 0, 0);
                c.PersistBackoff++;
                long wait = (long)c.Rtt.Rto << (c.PersistBackoff > 6 ? 6 : c.PersistBackoff);
                c.PersistDeadline = now + (wait > _options.TcpMaximumRtoMs ? _options.TcpMaximumRtoMs : wait);
            }

            if (slot.KeepAlive && slot.State == SocketState.Established && now - c.LastReceivedAt >= _options.TcpKeepAliveIdleMs
                && (c.KeepAliveDeadline == 0 || now >= c.KeepAliveDeadline))
            {
                if (c.KeepAliveProbes >= _options.TcpKeepAliveProbes)
                {
                    _counters.Add(Counter.TcpAborts);
                    Abort(slot, SocketResult.TimedOut, true);
                    return;
                }

                // RFC 1122 section 4.2.3.6: a segment with SEG.SEQ = SND.NXT - 1 and no data.
                _counters.Add(Counter.TcpKeepAliveProbes);
                c.KeepAliveProbes++;
                c.KeepAliveDeadline = now + _options.TcpKeepAliveIntervalMs;
                SendSegment(slot, c.SendMax - 1, TcpFlags.Ack, 0, 0);
            }

            if (slot.State == SocketState.FinWait2 && c.Orphaned && now - c.ClosingSince >= _options.TcpFinWait2TimeoutMs)
            {
                slot.Release();
            }
        }

        /// <summary>RFC 6298 section 5.4 to 5.7 and RFC 5681 section 3.1: back off, shrink to one segment, send the lost segments again.</summary>
        private void RetransmissionTimeout(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            _counters.Add(Counter.TcpRetransmissionTimeouts);
            c.Retransmissions++;
            bool opening = TcpStates.IsOpening(slot.State);
            if (c.Retransmissions > (opening ? _options.TcpSynRetries : _options.TcpMaximumRetransmissions))
            {
                _counters.Add(Counter.TcpAborts);
                Abort(slot, SocketResult.TimedOut, !opening);
                return;
            }

            c.Rtt.BackOff();
            c.RetransmitDeadline = 0;
            c.ProbeArmed = false;
            c.ProbeOutstanding = false;
            c.ReorderDeadline = 0;
            if (opening)
            {
                c.SendNext = c.Iss;
                Output(slot);
                _counters.Add(Counter.TcpRetransmittedSegments);
            }
            else
            {
                // RFC 5681 section 3.1 through the connection's algorithm; RFC 6582 section 3.2 step 1's Recover keeps
                // the duplicates of this flight from starting another recovery; RFC 8985 section 6.3 marks what the
                // peer does not hold lost, and a second timeout in a row treats SACK reports as reneged (RFC 2018 section 8).
                c.Algorithm.Timeout(c.Congestion, c.InFlight, c.SendMss, _time.Now);
                c.Recovering = false;
                c.DuplicateAcks = 0;
                c.Recover = c.SendMax;
                c.Sent.MarkAllLost(c.Retransmissions > 1);
                Output(slot);
            }

            StartRetransmitTimer(c); // when nothing was sent (a window shut to zero), the backed-off timer runs on
        }
    }
}
