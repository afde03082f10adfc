using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// Loss detection and recovery: RACK-TLP (RFC 8985) over the SACK scoreboard, duplicate ACKs for a peer without SACK
    /// (RFC 5681, RFC 6582), proportional rate reduction while recovering (RFC 6937), and the timers that drive them.
    /// The congestion window's own rules are the connection's <see cref="CongestionControl"/>.
    /// </summary>
    internal sealed partial class TcpLayer
    {
        /// <summary>WCDelAckT (RFC 8985 section 7.2): the longest a peer may delay the ACK of a lone segment.</summary>
        private const int WorstCaseDelayedAckMs = 200;

        /// <summary>The least a probe waits (the TLP draft's max(2 * SRTT, 10 ms)): a host's own delay in answering must not draw one.</summary>
        private const int MinimumProbeTimeoutMs = 10;

        /// <summary>
        /// After an ACK that delivered <paramref name="delivered"/> bytes (cumulatively or by SACK): RACK marks what it now
        /// knows is lost, recovery starts on the first loss, and while recovering the window follows PRR.
        /// </summary>
        private void DetectLosses(SocketSlot slot, int delivered)
        {
            TcpConnection c = slot.Tcp;
            if (c.SackPermitted && (c.Sent.SackedBytes > 0 || c.Sent.Retransmitted > 0))
            {
                long wait;
                int lost = c.Sent.DetectLosses(_time.Now, ReorderingWindow(c), c.SendMss, out wait);
                c.ReorderDeadline = wait > 0 ? _time.Now + wait : 0;
                if (lost > 0)
                {
                    _counters.Add(Counter.TcpRackLosses, lost);
                    if (!c.Recovering)
                    {
                        EnterRecovery(slot);
                    }
                }
            }

            if (c.Recovering)
            {
                ReduceRate(slot, delivered);
            }
        }

        /// <summary>
        /// RACK's reordering window (RFC 8985 section 6.2 step 4): none once recovering or once DupThresh segments are
        /// SACKed while no reordering has been seen, else a quarter of the least round trip, at most the smoothed one.
        /// </summary>
        private static int ReorderingWindow(TcpConnection c)
        {
            if (!c.Sent.Reordering && (c.Recovering || c.Sent.SackedBytes >= 3 * c.SendMss))
            {
                return 0;
            }

            int window = c.Rtt.Minimum / 4;
            return window < c.Rtt.Smoothed ? window : c.Rtt.Smoothed;
        }

        /// <summary>A congestion event starts fast recovery: the algorithm sets ssthresh, PRR starts counting (RFC 6937 section 3).</summary>
        private void EnterRecovery(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            _counters.Add(Counter.TcpFastRetransmits);
            c.Algorithm.CongestionEvent(c.Congestion, c.InFlight, c.SendMss, _time.Now);
            c.Recovering = true;
            c.Recover = c.SendMax;
            c.PrrDelivered = 0;
            c.PrrOut = 0;
            c.RecoverFlight = c.InFlight > 0 ? c.InFlight : 1;
            c.RescueSent = false;
            c.ProbeOutstanding = false; // the loss the probe was for is being recovered
        }

        /// <summary>
        /// Proportional rate reduction (RFC 6937 section 3.1): while the pipe is above ssthresh, send in proportion to what
        /// was delivered so the flight comes down to ssthresh as recovery ends; below it, slow start back up to it, by no
        /// more than what was delivered plus one segment (PRR-SSRB).
        /// </summary>
        private static void ReduceRate(SocketSlot slot, int delivered)
        {
            TcpConnection c = slot.Tcp;
            int mss = c.SendMss;
            c.PrrDelivered += delivered;
            int pipe = c.Pipe;
            int threshold = c.Congestion.Threshold;
            int sendCount;
            if (pipe > threshold)
            {
                sendCount = (int)(((long)c.PrrDelivered * threshold + c.RecoverFlight - 1) / c.RecoverFlight) - c.PrrOut;
            }
            else
            {
                int limit = c.PrrDelivered - c.PrrOut;
                if (limit < delivered)
                {
                    limit = delivered;
                }

                limit += mss;
                sendCount = threshold - pipe < limit ? threshold - pipe : limit;
            }

            if (sendCount < 0)
            {
                sendCount = 0;
            }

            if (c.PrrOut == 0 && sendCount < mss && c.Sent.LostBytes > 0)
            {
                sendCount = mss; // the fast retransmission itself goes at once
            }

            c.Congestion.Window = pipe + sendCount;
        }

        /// <summary>
        /// RFC 8985 section 7.4: the probe's episode ended. A probe that sent data again and drew no sign that the original
        /// arrived (no DSACK here) repaired a loss, and congestion control must answer it as one.
        /// </summary>
        private void ProbeAcknowledged(TcpConnection c)
        {
            c.ProbeOutstanding = false;
            if (c.ProbeResent && !c.Recovering)
            {
                _counters.Add(Counter.TcpLossProbeRecoveries);
                c.Algorithm.CongestionEvent(c.Congestion, c.InFlight + c.SendMss, c.SendMss, _time.Now);
                c.Congestion.Window = c.Congestion.Threshold;
            }
        }

        /// <summary>(Re)starts the timer for what is in flight: the loss probe's when it comes first, else the retransmission timer (RFC 6298 section 5.3).</summary>
        private void RestartTimer(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            long rto = _time.Now + c.Rtt.Rto;
            long probe = ProbeDeadline(slot);
            c.ProbeArmed = probe != 0 && probe < rto;
            c.RetransmitDeadline = c.ProbeArmed ? probe : rto;
        }

        /// <summary>
        /// When a tail loss probe would go (RFC 8985 section 7.2): two round trips out (at least 10 ms), plus WCDelAckT when
        /// one segment is in flight, whose ACK the peer may delay; 0 when none may be sent (no SACK, recovering, a probe
        /// out, no round trip known, timeouts under way).
        /// </summary>
        private long ProbeDeadline(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            if (!c.SackPermitted || c.Recovering || c.ProbeOutstanding || !c.Rtt.Measured || c.Retransmissions != 0
                || c.Sent.LostBytes != 0 || slot.State == SocketState.SynReceived)
            {
                return 0;
            }

            long probe = 2 * c.Rtt.Smoothed;
            if (probe < MinimumProbeTimeoutMs)
            {
                probe = MinimumProbeTimeoutMs;
            }

            if (c.InFlight <= c.SendMss)
            {
                probe += WorstCaseDelayedAckMs;
            }

            return _time.Now + probe;
        }

        /// <summary>
        /// The loss probe fired (RFC 8985 section 7.3): send one new segment if there is one the peer's window takes, else
        /// the last segment again, so that a lost tail draws an ACK with SACK blocks instead of waiting for the timeout.
        /// </summary>
        private void ProbeTimeout(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            long now = _time.Now;
            long rto = c.OldestUnacknowledgedSince + c.Rtt.Rto;
            long probe = ProbeDeadline(slot);
            if (probe == 0)
            {
                c.ProbeArmed = false; // recovery or a timeout began meanwhile: the retransmission timer takes over
                c.RetransmitDeadline = rto > now ? rto : now;
                return;
            }

            long due = probe - now + c.LastActivityAt;
            if (due > now)
            {
                // Sent or heard from since it was armed: the probe goes two round trips from then (rescheduled here, not
                // at every segment sent), never after the retransmission timer would have fired.
                c.ProbeArmed = due < rto;
                c.RetransmitDeadline = c.ProbeArmed ? due : rto;
                return;
            }

            c.ProbeArmed = false;
            c.RetransmitDeadline = 0;
            _counters.Add(Counter.TcpLossProbes);
            int offset;
            int length = OneSegmentOfNewData(slot, SegmentSize(slot), out offset);
            c.ProbeResent = length <= 0 || c.Sent.IsFull;
            if (!c.ProbeResent)
            {
                SendNew(slot, offset, length, TcpFlags.Ack | TcpFlags.Psh, false);
            }
            else if (c.Sent.Count > 0)
            {
                Resend(slot, c.Sent.Count - 1);
            }

            c.ProbeOutstanding = true;
            c.ProbeEnd = c.SendMax;
            c.RetransmitDeadline = _time.Now + c.Rtt.Rto;
            c.ProbeArmed = false;
        }

        /// <summary>RACK's reordering timer fired: segments sent before the delivered one have had their time (section 6.2).</summary>
        private void ReorderTimeout(SocketSlot slot)
        {
            slot.Tcp.ReorderDeadline = 0;
            DetectLosses(slot, 0);
            Output(slot);
        }

        /// <summary>Sends segments marked lost, oldest first, while the congestion window has room for them; true when one went.</summary>
        private bool RetransmitLost(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            bool any = false;
            int index = c.Sent.FirstLost();
            while (index >= 0)
            {
                if (c.Congestion.Window - c.Pipe < c.Sent.Length(index))
                {
                    c.CongestionLimited = true;
                    break;
                }

                Resend(slot, index);
                any = true;
                index = c.Sent.FirstLost();
            }

            return any;
        }

        /// <summary>
        /// RFC 6675 section 4, NextSeg rule 4: once per recovery, when nothing lost waits and no new data may go (the peer's
        /// window is full or the application has no more) but the congestion window has room, send the highest segment the
        /// peer does not hold again. When the retransmission of a hole is itself lost and nothing sent after it can be
        /// delivered, RACK has nothing to go on and only the retransmission timer would find it.
        /// </summary>
        private bool RescueRetransmission(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            if (!c.SackPermitted || !c.Recovering || c.RescueSent || c.Sent.LostBytes > 0)
            {
                return false; // SACK-based recovery's rule: without SACK, NewReno's partial ACKs find the next hole
            }

            int index = c.Sent.Count - 1;
            while (index >= 0 && c.Sent.Has(index, SentSegments.SackedFlag))
            {
                index--;
            }

            if (index < 0 || c.Congestion.Window - c.Pipe < c.Sent.Length(index))
            {
                return false;
            }

            c.RescueSent = true;
            Resend(slot, index);
            return true;
        }

        /// <summary>Sends recorded segment <paramref name="index"/> again, as it was (its FIN too), without moving SND.NXT.</summary>
        private void Resend(SocketSlot slot, int index)
        {
            TcpConnection c = slot.Tcp;
            uint start = c.Sent.Start(index);
            TcpFlags flags = TcpFlags.Ack;
            if (c.Sent.Has(index, SentSegments.FinFlag))
            {
                flags |= TcpFlags.Fin;
            }

            if (c.Sent.Has(index, SentSegments.PushFlag))
            {
                flags |= TcpFlags.Psh;
            }

            c.Rtt.Cancel(); // Karn: no round-trip sample while data sent twice is in flight
            SendSegment(slot, start, flags, (int)(start - c.SendUnacknowledged), c.Sent.DataLength(index));
            c.Sent.Resent(index, _time.Now);
            _counters.Add(Counter.TcpRetransmittedSegments);
            c.PrrOut += c.Sent.Length(index);

            StartRetransmitTimer(c);
        }

        /// <summary>Sends new data at SND.NXT (and the FIN after it), records the segment, and keeps the timers running.</summary>
        private void SendNew(SocketSlot slot, int offset, int length, TcpFlags flags, bool fin)
        {
            TcpConnection c = slot.Tcp;
            long now = _time.Now;
            uint start = c.SendNext;
            if (start == c.SendUnacknowledged && c.Congestion.EpochStart != 0)
            {
                // Sending again after idleness (RFC 9438 section 5.8): the idle time does not count towards CUBIC's growth,
                // so its epoch moves on by it, as Linux's bictcp_cwnd_event does.
                c.Congestion.EpochStart += now - c.LastActivityAt;
            }

            SendSegment(slot, start, flags, offset, length);
            if (length > 0)
            {
                c.Rtt.Begin(start, now);
            }

            c.SendNext += (uint)length;
            if (fin)
            {
                c.FinSent = true;
                c.FinSequence = c.SendNext;
                c.SendNext++;
            }

            c.SendMax = c.SendNext;
            c.Sent.Append(start, c.SendNext, now, fin, (flags & TcpFlags.Psh) != 0);
            c.PrrOut += (int)(c.SendNext - start); // counted from zero when recovery begins (RFC 6937)
            if (c.RetransmitDeadline == 0)
            {
                RestartTimer(slot);
            }
            else if (!c.ProbeArmed && (int)(start - c.SendUnacknowledged) <= c.SendMss)
            {
                // The lone segment in flight had the retransmission timer, its probe being WCDelAckT later; with more in
                // flight a probe may now come first (RFC 8985 section 7.2). An armed probe moves later lazily: see ProbeTimeout.
                long probe = ProbeDeadline(slot);
                if (probe != 0 && probe < c.RetransmitDeadline)
                {
                    c.RetransmitDeadline = probe;
                    c.ProbeArmed = true;
                }
            }

            if (c.OldestUnacknowledgedSince == 0)
            {
                c.OldestUnacknowledgedSince = now;
            }
        }
    }
}
