namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// Out-of-order data held in the receive ring's free space, as a fixed number of disjoint sequence
    /// ranges above RCV.NXT (a contig list like smoltcp's assembler). When a segment would need more
    /// ranges than there are, it is not kept; the sender retransmits it.
    /// </summary>
    internal sealed class Assembler
    {
        private readonly uint[] _starts;
        private readonly uint[] _ends;
        private int _count;

        internal Assembler(int ranges)
        {
            _starts = new uint[ranges];
            _ends = new uint[ranges];
        }

        internal int Count
        {
            get { return _count; }
        }

        internal uint Start(int index)
        {
            return _starts[index];
        }

        internal uint End(int index)
        {
            return _ends[index];
        }

        internal void Clear()
        {
            _count = 0;
        }

        /// <summary>Bytes the ranges cover in all.</summary>
        internal long Covered
        {
            get
            {
                long sum = 0;
                for (int i = 0; i < _count; i++)
                {
                    sum += _ends[i] - _starts[i];
                }

                return sum;
            }
        }

        /// <summary>Records [start, end), merging with ranges it touches; false when no range is left for it.</summary>
        internal bool Add(uint start, uint end)
        {
            int i = 0;
            while (i < _count && Sequence.Lt(_ends[i], start))
            {
                i++;
            }

            int j = i;
            while (j < _count && Sequence.Le(_starts[j], end))
            {
                j++;
            }

            if (i == j)
            {
                if (_count == _starts.Length)
                {
                    return false;
                }

                for (int k = _count; k > i; k--)
                {
                    _starts[k] = _starts[k - 1];
                    _ends[k] = _ends[k - 1];
                }

                _starts[i] = start;
                _ends[i] = end;
                _count++;
                return true;
            }

            uint mergedStart = Sequence.Lt(_starts[i], start) ? _starts[i] : start;
            uint mergedEnd = Sequence.Gt(_ends[j - 1], end) ? _ends[j - 1] : end;
            _starts[i] = mergedStart;
            _ends[i] = mergedEnd;
            int removed = j - i - 1;
            for (int k = i + 1; k + removed < _count; k++)
            {
                _starts[k] = _starts[k + removed];
                _ends[k] = _ends[k + removed];
            }

            _count -= removed;
            return true;
        }

        /// <summary>Forgets what lies below <paramref name="upTo"/> (acknowledged now), trimming a range that straddles it.</summary>
        internal void Forget(uint upTo)
        {
            int keep = 0;
            for (int i = 0; i < _count; i++)
            {
                if (Sequence.Le(_ends[i], upTo))
                {
                    continue;
                }

                _starts[keep] = Sequence.Lt(_starts[i], upTo) ? upTo : _starts[i];
                _ends[keep] = _ends[i];
                keep++;
            }

            _count = keep;
        }

        /// <summary>The end of the held range that covers <paramref name="sequence"/>, or the sequence itself when none does.</summary>
        internal uint EndOfRangeCovering(uint sequence)
        {
            for (int i = 0; i < _count; i++)
            {
                if (Sequence.InRange(sequence, _starts[i], _ends[i]))
                {
                    return _ends[i];
                }
            }

            return sequence;
        }

        /// <summary>
        /// With data now in order up to <paramref name="next"/>, returns how far in-order data reaches once
        /// held ranges that start at or before it are joined, and forgets those ranges.
        /// </summary>
        internal uint Advance(uint next)
        {
            while (_count > 0 && Sequence.Le(_starts[0], next))
            {
                if (Sequence.Gt(_ends[0], next))
                {
                    next = _ends[0];
                }

                for (int k = 1; k < _count; k++)
                {
                    _starts[k - 1] = _starts[k];
                    _ends[k - 1] = _ends[k];
                }

                _count--;
            }

            return next;
        }
    }
}
