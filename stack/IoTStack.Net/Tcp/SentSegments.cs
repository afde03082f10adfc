namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// The segments sent and not yet cumulatively acknowledged, oldest first: where each begins and ends in sequence space,
    /// when it was last sent, and whether the peer reported it held (SACK), loss detection marked it lost, or it was sent
    /// again. This is the scoreboard of RFC 6675 and RFC 8985 (RACK needs each segment's transmission time); the bytes
    /// themselves stay in the transmit ring. Parallel arrays of primitives, sized once: on nanoCLR an array of objects would
    /// cost a heap object per record.
    /// </summary>
    internal sealed class SentSegments
    {
        internal const int SackedFlag = 1;
        internal const int LostFlag = 2;
        internal const int RetransmittedFlag = 4;
        internal const int FinFlag = 8;
        internal const int PushFlag = 16;

        // The segments are contiguous: one ends where the next begins, and the last at SND.MAX (_end). Send times are
        // the stack clock's milliseconds truncated to an int, compared by difference (they wrap after 24 days).
        private readonly uint[] _starts;
        private readonly int[] _sentAt;
        private readonly byte[] _flags;
        private uint _end;

        /// <summary>Segments recorded (a field, not a property: it is read for every segment sent).</summary>
        internal int Count;

        internal int Capacity
        {
            get { return _starts.Length; }
        }

        /// <summary>Bytes (sequence space) of segments the peer reported held beyond SND.UNA.</summary>
        internal int SackedBytes;

        /// <summary>Bytes of segments marked lost and not yet sent again.</summary>
        internal int LostBytes;

        /// <summary>Segments sent again and still unacknowledged: RACK must look at send times, not only at sequence order.</summary>
        internal int Retransmitted;

        /// <summary>RACK.xmit_ts and RACK.end_seq (RFC 8985 section 5.2): when the most recently sent delivered segment was sent, and its end.</summary>
        internal int RackSentAt;
        internal uint RackEnd;

        /// <summary>RACK.rtt: the round trip of that segment; -1 until a segment has been delivered.</summary>
        internal int RackRtt;

        /// <summary>RACK.fack: the highest end of any delivered segment.</summary>
        internal uint HighestDelivered;

        /// <summary>RACK.reord: a segment was delivered below one delivered before it without having been sent again.</summary>
        internal bool Reordering;

        internal SentSegments(int capacity)
        {
            _starts = new uint[capacity];
            _sentAt = new int[capacity];
            _flags = new byte[capacity];
        }

        internal bool IsFull
        {
            get { return Count == _starts.Length; }
        }

        internal uint Start(int index)
        {
            return _starts[index];
        }

        internal uint End(int index)
        {
            return index + 1 < Count ? _starts[index + 1] : _end;
        }

        internal bool Has(int index, int flag)
        {
            return (_flags[index] & flag) != 0;
        }

        /// <summary>Data bytes of a segment: its sequence space less the FIN's one.</summary>
        internal int DataLength(int index)
        {
            return Length(index) - ((_flags[index] & FinFlag) != 0 ? 1 : 0);
        }

        internal void Clear(uint sequence)
        {
            Count = 0;
            _end = sequence;
            SackedBytes = 0;
            LostBytes = 0;
            Retransmitted = 0;
            RackSentAt = 0;
            RackEnd = sequence;
            RackRtt = -1;
            HighestDelivered = sequence;
            Reordering = false;
        }

        /// <summary>A new segment [start, end) sent at <paramref name="now"/>; the caller checks <see cref="IsFull"/> first.</summary>
        internal void Append(uint start, uint end, long now, bool fin, bool push)
        {
            _starts[Count] = start;
            _sentAt[Count] = (int)now;
            _flags[Count] = (byte)((fin ? FinFlag : 0) | (push ? PushFlag : 0));
            Count++;
            _end = end;
        }

        /// <summary>The segment was sent again: it is no longer waiting to be, and its send time is now.</summary>
        internal void Resent(int index, long now)
        {
            int flags = _flags[index];
            if ((flags & LostFlag) != 0)
            {
                LostBytes -= Length(index);
            }

            if ((flags & RetransmittedFlag) == 0)
            {
                Retransmitted++;
            }

            _flags[index] = (byte)((flags & ~LostFlag) | RetransmittedFlag);
            _sentAt[index] = (int)now;
        }

        /// <summary>Marks a segment lost unless the peer holds it or it already waits to be sent again; true when it was newly marked.</summary>
        internal bool MarkLost(int index)
        {
            int flags = _flags[index];
            if ((flags & (SackedFlag | LostFlag)) != 0)
            {
                return false;
            }

            _flags[index] = (byte)(flags | LostFlag);
            LostBytes += Length(index);
            return true;
        }

        /// <summary>Marks the segments wholly inside a SACK block [left, right) held; returns the bytes newly reported.</summary>
        internal int MarkSacked(uint left, uint right, long now, int minimumRtt)
        {
            int newly = 0;
            for (int i = Find(left); i < Count && Sequence.Lt(_starts[i], right); i++)
            {
                int flags = _flags[i];
                if ((flags & SackedFlag) != 0 || Sequence.Lt(_starts[i], left) || Sequence.Gt(End(i), right))
                {
                    continue;
                }

                int length = Length(i);
                if ((flags & LostFlag) != 0)
                {
                    LostBytes -= length;
                }

                Deliver(i, now, minimumRtt);
                _flags[i] = (byte)((flags & ~LostFlag) | SackedFlag);
                SackedBytes += length;
                newly += length;
            }

            return newly;
        }

        /// <summary>The first segment that ends after <paramref name="sequence"/> (binary search: the segments are in sequence order).</summary>
        internal int Find(uint sequence)
        {
            int low = 0;
            int high = Count;
            while (low < high)
            {
                int middle = (low + high) >> 1;
                if (Sequence.Le(End(middle), sequence))
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }

        /// <summary>Forgets the segments the cumulative ACK covers, trimming one it covers in part; returns how many went.</summary>
        internal int Acknowledge(uint acknowledgment, long now, int minimumRtt)
        {
            // Usually the first one or two: a scan from the front costs less IL than a search.
            int gone = 0;
            while (gone < Count && Sequence.Le(gone + 1 < Count ? _starts[gone + 1] : _end, acknowledgment))
            {
                gone++;
            }

            if (gone == 0)
            {
                if (Count > 0 && Sequence.Gt(acknowledgment, _starts[0]))
                {
                    Forget(0);
                    _starts[0] = acknowledgment;
                    Recount(0);
                }

                return 0;
            }

            // Without segments sent again or SACKed, send times rise with sequence numbers and nothing arrived out of order:
            // the last one acknowledged is all RACK needs.
            int first = Retransmitted == 0 && SackedBytes == 0 ? gone - 1 : 0;
            for (int i = first; i < gone; i++)
            {
                if ((_flags[i] & SackedFlag) == 0)
                {
                    Deliver(i, now, minimumRtt);
                }
            }

            if (SackedBytes != 0 || LostBytes != 0 || Retransmitted != 0)
            {
                for (int i = 0; i < gone; i++)
                {
                    Forget(i);
                }
            }

            int left = Count - gone;
            System.Array.Copy(_starts, gone, _starts, 0, left);
            System.Array.Copy(_sentAt, gone, _sentAt, 0, left);
            System.Array.Copy(_flags, gone, _flags, 0, left);
            Count = left;
            if (Count > 0 && Sequence.Gt(acknowledgment, _starts[0]))
            {
                Forget(0);
                _starts[0] = acknowledgment;
                Recount(0);
            }

            return gone;
        }

        /// <summary>
        /// The retransmission timer expired: every segment the peer does not hold is lost (RFC 8985 section 6.3). With
        /// <paramref name="reneged"/> the SACK reports are dropped too (RFC 2018 section 8: a receiver may discard what it
        /// reported), so everything is sent again.
        /// </summary>
        internal void MarkAllLost(bool reneged)
        {
            for (int i = 0; i < Count; i++)
            {
                if (reneged && (_flags[i] & SackedFlag) != 0)
                {
                    _flags[i] = (byte)(_flags[i] & ~SackedFlag);
                    SackedBytes -= Length(i);
                }

                MarkLost(i);
            }
        }

        /// <summary>The first segment waiting to be sent again, or -1.</summary>
        internal int FirstLost()
        {
            if (LostBytes == 0)
            {
                return -1;
            }

            for (int i = 0; i < Count; i++)
            {
                if ((_flags[i] & LostFlag) != 0)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// RFC 8985 section 6.2 steps 2 and 3: a newly delivered segment moves RACK to it when it was sent after the one
        /// RACK holds. A segment sent again gives no sample when its ACK came sooner than a round trip could (it was the
        /// original that arrived). One delivered below an earlier delivery without having been sent again shows reordering.
        /// </summary>
        private void Deliver(int index, long now, int minimumRtt)
        {
            uint end = End(index);
            int sentAt = _sentAt[index];
            bool resent = (_flags[index] & RetransmittedFlag) != 0;
            if (Sequence.Lt(end, HighestDelivered))
            {
                Reordering |= !resent;
            }
            else
            {
                HighestDelivered = end;
            }

            int rtt = (int)now - sentAt;
            if (resent && rtt < minimumRtt)
            {
                return;
            }

            int later = sentAt - RackSentAt;
            if (RackRtt < 0 || later > 0 || (later == 0 && Sequence.Gt(end, RackEnd)))
            {
                RackSentAt = sentAt;
                RackEnd = end;
                RackRtt = rtt;
            }
        }

        /// <summary>
        /// RFC 8985 section 6.2 step 5: a segment sent before the one RACK holds, and not delivered, is lost once RACK.rtt and
        /// the reordering window have passed since it was sent. RFC 6675's IsLost holds beside it for segments not yet sent
        /// again: more than (DupThresh - 1) * SMSS bytes SACKed above one mark it lost at once, whatever the clock's
        /// granularity. Returns how many were newly marked; <paramref name="wait"/> is the milliseconds until the next one
        /// could be (the reordering timer), 0 for none.
        /// </summary>
        internal int DetectLosses(long now, int reorderingWindow, int mss, out long wait)
        {
            wait = 0;
            int marked = 0;
            if (RackRtt < 0)
            {
                return 0;
            }

            int sackedAbove = SackedBytes;
            for (int i = 0; i < Count; i++)
            {
                int flags = _flags[i];
                if ((flags & SackedFlag) != 0)
                {
                    sackedAbove -= Length(i);
                    continue;
                }

                if ((flags & LostFlag) != 0)
                {
                    continue;
                }

                if ((flags & RetransmittedFlag) == 0 && sackedAbove > 2 * mss)
                {
                    MarkLost(i);
                    marked++;
                    continue;
                }

                int sentAt = _sentAt[i];
                int later = sentAt - RackSentAt;
                if (later > 0 || (later == 0 && !Sequence.Lt(End(i), RackEnd)))
                {
                    continue; // sent after the delivered one: nothing says it is late yet
                }

                // Strictly later: send times are whole milliseconds, so a segment sent in the same millisecond as the
                // delivered one, or a millisecond before it, may be as far in flight as its round trip allows.
                long remaining = sentAt + RackRtt + reorderingWindow - (int)now;
                if (remaining < 0)
                {
                    MarkLost(i);
                    marked++;
                }
                else if (wait == 0 || remaining + 1 < wait)
                {
                    wait = remaining + 1;
                }
            }

            return marked;
        }

        /// <summary>A segment's sequence space, its FIN included.</summary>
        internal int Length(int index)
        {
            return (int)(End(index) - _starts[index]);
        }

        /// <summary>Takes a segment out of the byte and retransmission counts before it goes or shrinks.</summary>
        private void Forget(int index)
        {
            int flags = _flags[index];
            if ((flags & SackedFlag) != 0)
            {
                SackedBytes -= Length(index);
            }

            if ((flags & LostFlag) != 0)
            {
                LostBytes -= Length(index);
            }

            if ((flags & RetransmittedFlag) != 0)
            {
                Retransmitted--;
            }
        }

        /// <summary>Puts a segment back into the counts after it shrank.</summary>
        private void Recount(int index)
        {
            int flags = _flags[index];
            if ((flags & SackedFlag) != 0)
            {
                SackedBytes += Length(index);
            }

            if ((flags & LostFlag) != 0)
            {
                LostBytes += Length(index);
            }

            if ((flags & RetransmittedFlag) != 0)
            {
                Retransmitted++;
            }
        }
    }
}
