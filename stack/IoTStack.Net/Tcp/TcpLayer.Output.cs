using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Tcp
{
    internal sealed partial class TcpLayer
    {
        /// <summary>
        /// Sends what the connection may send now: new or retransmitted data within the send and
        /// congestion windows (Nagle permitting), the FIN once the data is out, and an ACK when one is owed.
        /// </summary>
        internal void Output(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            c.OutputPending = false;
            SocketState state = slot.State;
            if (TcpStates.IsOpening(state))
            {
                if (c.SendNext == c.Iss)
                {
                    SendSyn(slot, state == SocketState.SynReceived);
                }

                return;
            }

            if (!TcpStates.IsConnection(state))
            {
                return;
            }

            bool sent = false;
            if (TcpStates.MaySend(state))
            {
                if (c.Sent.LostBytes > 0)
                {
                    sent = RetransmitLost(slot);
                }

                sent |= SendNewData(slot);
                if (!sent && c.Sent.Count > 0 && c.Recovering)
                {
                    sent = RescueRetransmission(slot);
                }
            }

            if (!sent && c.AckNow)
            {
                SendAck(slot);
            }
        }

        /// <summary>
        /// New data from SND.NXT within the peer's window and the congestion window's room over the pipe, Nagle and sender
        /// SWS avoidance permitting, then the FIN once the data is out; true when a segment went. Locals keep the per-segment
        /// work to field reads: on nanoCLR every property is a call.
        /// </summary>
        private bool SendNewData(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            int offset = (int)(c.SendNext - c.SendUnacknowledged);
            int available = slot.TransmitRing.Count - offset;
            bool finWaiting = c.FinQueued && !c.FinSent;
            if (available <= 0 && !finWaiting)
            {
                return false; // nothing to send: the common case of a receiver's ACK
            }

            if (available < 0)
            {
                available = 0;
            }

            SentSegments segments = c.Sent;
            int pipe = (int)(c.SendMax - c.SendUnacknowledged) - segments.SackedBytes - segments.LostBytes;
            int mss = SegmentSize(slot);
            bool limited = false;
            bool sent = false;
            int capacity = segments.Capacity;
            while (segments.Count < capacity)
            {
                int usable = c.SendWindow - offset; // the peer's window
                int room = c.Congestion.Window - pipe; // the congestion window
                if (room < usable)
                {
                    usable = room;
                    limited = available > room;
                }

                int length = available;
                if (length > usable)
                {
                    length = usable < 0 ? 0 : usable;
                }

                if (length > mss)
                {
                    length = mss;
                }

                // The FIN goes after the last data byte; a lost one is sent again from the record of its segment.
                bool fin = finWaiting && length == available;
                if (length == 0 && !fin)
                {
                    if (available > 0 && c.SendWindow == 0 && c.SendNext == c.SendUnacknowledged && c.PersistDeadline == 0)
                    {
                        // RFC 9293 section 3.8.6.1: probe a zero window until it opens.
                        c.PersistBackoff = 0;
                        c.PersistDeadline = _time.Now + c.Rtt.Rto;
                    }

                    break;
                }

                if (length > 0 && length < mss && !fin && !slot.NoDelay && c.SendNext != c.SendUnacknowledged
                    && Sequence.Gt(c.SendSmallEnd, c.SendUnacknowledged))
                {
                    // Nagle (RFC 1122 section 4.2.3.4) in Minshall's form, as Linux has it (tcp_minshall_check): a small
                    // segment waits only while an earlier small one is unacknowledged, so a response's short tail after
                    // full segments goes at once instead of waiting for an ACK the peer delays (RFC 1122 4.2.3.2).
                    break;
                }

                if (length > 0 && length < mss && length < available && length < c.MaxSendWindow / 2 && c.SendNext != c.SendUnacknowledged)
                {
                    break; // sender SWS avoidance (RFC 1122 section 4.2.3.4): no small window-limited segments while ACKs are due
                }

                TcpFlags flags = TcpFlags.Ack;
                if (length > 0 && length == available)
                {
                    flags |= TcpFlags.Psh;
                }

                if (fin)
                {
                    flags |= TcpFlags.Fin;
                }

                SendNew(slot, offset, length, flags, fin);
                if (length > 0 && length < mss)
                {
                    c.SendSmallEnd = c.SendNext;
                }

                sent = true;
                if (fin)
                {
                    break;
                }

                offset += length;
                available -= length;
                pipe += length;
            }

            c.CongestionLimited = limited;
            return sent;
        }

        /// <summary>
        /// The new data one segment may carry from SND.NXT whatever the congestion window says (limited transmit, a loss
        /// probe): what is queued, within the peer's window, at most <paramref name="cap"/>; <paramref name="offset"/> is
        /// SND.NXT's place in the transmit ring.
        /// </summary>
        private static int OneSegmentOfNewData(SocketSlot slot, int cap, out int offset)
        {
            TcpConnection c = slot.Tcp;
            offset = (int)(c.SendNext - c.SendUnacknowledged);
            int length = slot.TransmitRing.Count - offset;
            int window = c.SendWindow - offset;
            if (length > window)
            {
                length = window;
            }

            return length > cap ? cap : length;
        }

        /// <summary>
        /// The data one segment carries: <see cref="DataPerSegment"/>, and at most half the transmit ring when that
        /// holds less than two, so a full ring is two segments: a peer acknowledges more than one full-sized segment
        /// at once, where a ring's worth in one smaller segment would wait for its delayed ACK each time.
        /// </summary>
        private static int SegmentSize(SocketSlot slot)
        {
            int mss = DataPerSegment(slot.Tcp);
            int half = slot.TransmitRing.Capacity / 2;
            return half < mss && half >= MinimumSegment ? half : mss;
        }

        /// <summary>
        /// Data bytes that fit in one segment: the MSS less the options every segment carries (RFC 6691:
        /// the MSS counts data only, so timestamps and SACK blocks come out of it).
        /// </summary>
        private static int DataPerSegment(TcpConnection c)
        {
            int options = c.Timestamps ? 12 : 0;
            if (c.SackPermitted && c.Assembler.Count > 0)
            {
                int blocks = c.Assembler.Count;
                int room = c.Timestamps ? 3 : TcpOptions.MaximumSackBlocks;
                options += 4 + 8 * (blocks < room ? blocks : room);
            }

            return c.SendMss - options;
        }

        private void StartRetransmitTimer(TcpConnection c)
        {
            if (c.RetransmitDeadline == 0)
            {
                c.RetransmitDeadline = _time.Now + c.Rtt.Rto;
                c.ProbeArmed = false;
            }

            if (c.OldestUnacknowledgedSince == 0)
            {
                c.OldestUnacknowledgedSince = _time.Now;
            }
        }

        /// <summary>A pure acknowledgment with the current window (and SACK blocks when out-of-order data waits).</summary>
        internal void SendAck(SocketSlot slot)
        {
            // SND.MAX, not SND.NXT: after a timeout rewinds SND.NXT the peer may already hold data up to SND.MAX.
            SendSegment(slot, slot.Tcp.SendMax, TcpFlags.Ack, 0, 0);
        }

        private void SendSegment(SocketSlot slot, uint sequence, TcpFlags flags, int offset, int length)
        {
            TcpConnection c = slot.Tcp;
            TcpOptionWriter options = _writer.Start(_header, TcpSegment.MinimumHeaderLength);
            if (c.Timestamps)
            {
                options.WriteNoOperation();
                options.WriteNoOperation();
                options.WriteTimestamps((uint)_time.Now, c.TimestampRecent);
            }

            // A segment sent again may have been cut when fewer SACK blocks rode along: the blocks give way so that data and
            // options stay within the peer's MSS (RFC 6691).
            int fit = (c.SendMss - (c.Timestamps ? 12 : 0) - length - 4) / 8;
            if (c.SackPermitted && c.Assembler.Count > 0 && fit > 0)
            {
                int blocks = c.Assembler.Count;
                int room = c.Timestamps ? 3 : TcpOptions.MaximumSackBlocks;
                if (blocks > room)
                {
                    blocks = room;
                }

                if (blocks > fit)
                {
                    blocks = fit;
                }

                // RFC 2018 section 4: the first block MUST be the one holding the segment that triggered this ACK (the
                // latest out-of-order one); the others follow in sequence order.
                int recent = 0;
                for (int i = 0; i < c.Assembler.Count; i++)
                {
                    if (Sequence.Ge(c.LastOutOfOrder, c.Assembler.Start(i)) && Sequence.Lt(c.LastOutOfOrder, c.Assembler.End(i)))
                    {
                        recent = i;
                    }
                }

                _sackEdges[0] = c.Assembler.Start(recent);
                _sackEdges[1] = c.Assembler.End(recent);
                for (int i = 0, n = 1; n < blocks; i++)
                {
                    if (i != recent)
                    {
                        _sackEdges[2 * n] = c.Assembler.Start(i);
                        _sackEdges[2 * n + 1] = c.Assembler.End(i);
                        n++;
                    }
                }

                options.WriteNoOperation();
                options.WriteNoOperation();
                options.WriteSack(_sackEdges, blocks);
            }

            int window = ReceiveWindowField(slot);
            Transmit(slot.LocalAddress, slot.LocalPort, slot.RemoteAddress, slot.RemotePort, sequence, c.ReceiveNext, flags, window, options.Finish(), slot.TransmitRing, offset, length);
            c.AckNow = false;
            c.AckDeadline = 0;
            c.BytesUnacknowledged = 0;
            c.LastActivityAt = _time.Now;
        }

        /// <summary>
        /// The window field to send, from the receive ring's free space, and the right edge it promises.
        /// RFC 1122 section 4.2.3.3: the edge moves only by at least min(half the buffer, one MSS), so a slow
        /// reader does not invite silly small segments; RFC 9293 section 3.8.6.2.2: it never moves back.
        /// </summary>
        private int ReceiveWindowField(SocketSlot slot)
        {
            TcpConnection c = slot.Tcp;
            int advertised = (int)(c.ReceiveAdvertised - c.ReceiveNext);
            if (advertised < 0)
            {
                advertised = 0;
            }

            int window = slot.ReceiveRing.Free;
            if (window < advertised || window - advertised < WindowStep(slot))
            {
                window = advertised;
            }

            int field = window >> c.ReceiveScale;
            if (field > 0xFFFF)
            {
                field = 0xFFFF;
            }

            uint edge = c.ReceiveNext + (uint)(field << c.ReceiveScale);
            if (Sequence.Gt(edge, c.ReceiveAdvertised))
            {
                c.ReceiveAdvertised = edge;
            }

            return field;
        }

        /// <summary>The least worthwhile move of the right window edge: min(half the receive buffer, one MSS).</summary>
        private static int WindowStep(SocketSlot slot)
        {
            int half = slot.ReceiveRing.Capacity / 2;
            return half < slot.Tcp.SendMss ? half : slot.Tcp.SendMss;
        }

        /// <summary>A reset for a segment that has no connection (RFC 9293 section 3.10.7.1).</summary>
        private void SendReset(uint local, int localPort, uint remote, int remotePort, TcpSegment segment)
        {
            if (segment.Has(TcpFlags.Rst))
            {
                return;
            }

            if (segment.Has(TcpFlags.Ack))
            {
                Transmit(local, localPort, remote, remotePort, segment.AcknowledgmentNumber, 0, TcpFlags.Rst, 0, 0, null, 0, 0);
            }
            else
            {
                Transmit(local, localPort, remote, remotePort, 0, segment.SequenceNumber + (uint)segment.SequenceLength, TcpFlags.Rst | TcpFlags.Ack, 0, 0, null, 0, 0);
            }

            _counters.Add(Counter.TcpResetsSent);
        }

        /// <summary>
        /// Writes the fixed header in front of options already in <see cref="_header"/>, and header and data straight
        /// into the IP layer's outgoing frame (the MSS keeps a segment within one frame), checksums them, and sends.
        /// </summary>
        private void Transmit(uint local, int localPort, uint remote, int remotePort, uint sequence, uint acknowledgment, TcpFlags flags, int window, int optionsLength, ByteRing data, int offset, int length)
        {
            int headerLength = TcpSegment.WriteHeader(_header, 0, localPort, remotePort, sequence, acknowledgment, flags, window, optionsLength);
            byte[] frame = _ip.OutgoingFrame;
            const int at = Ipv4Layer.TransportOffset;
            System.Array.Copy(_header, 0, frame, at, headerLength);
            if (length > 0)
            {
                data.Peek(offset, frame, at + headerLength, length);
            }

            uint sum = InternetChecksum.AddPseudoHeader(0, local, remote, IpProtocol.Tcp, headerLength + length);
            sum = InternetChecksum.Add(sum, frame, at, headerLength + length);
            NetworkOrder.WriteUInt16(frame, at + 16, InternetChecksum.Complement(sum));
            if (_ip.SendInFrame(local, remote, IpProtocol.Tcp, headerLength + length, _options.TimeToLive) == SocketResult.Success)
            {
                _counters.Add(Counter.TcpSegmentsSent);
            }
            else
            {
                _counters.Add(Counter.TcpSendFailures);
            }
        }
    }
}
