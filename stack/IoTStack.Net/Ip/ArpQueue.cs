using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>Whole frames waiting for their next hop's MAC address, in fixed buffers, sent in arrival order.</summary>
    internal sealed class ArpQueue
    {
        private readonly byte[][] _frames;
        private readonly int[] _lengths;
        private readonly uint[] _nextHops;
        private readonly long[] _order;
        private long _arrivals;

        internal ArpQueue(int size)
        {
            _frames = new byte[size][];
            _lengths = new int[size];
            _nextHops = new uint[size];
            _order = new long[size];
            for (int i = 0; i < size; i++)
            {
                _frames[i] = new byte[EthernetFrame.MaximumLength];
            }
        }

        internal bool Enqueue(byte[] frame, int offset, int length, uint nextHop)
        {
            for (int i = 0; i < _frames.Length; i++)
            {
                if (_lengths[i] == 0)
                {
                    System.Array.Copy(frame, offset, _frames[i], 0, length);
                    _lengths[i] = length;
                    _nextHops[i] = nextHop;
                    _order[i] = ++_arrivals;
                    return true;
                }
            }

            return false;
        }

        /// <summary>The oldest frame waiting for <paramref name="nextHop"/>, or -1.</summary>
        internal int Oldest(uint nextHop)
        {
            int found = -1;
            for (int i = 0; i < _frames.Length; i++)
            {
                if (_lengths[i] != 0 && _nextHops[i] == nextHop && (found < 0 || _order[i] < _order[found]))
                {
                    found = i;
                }
            }

            return found;
        }

        internal byte[] Frame(int index)
        {
            return _frames[index];
        }

        internal int Length(int index)
        {
            return _lengths[index];
        }

        internal void Remove(int index)
        {
            _lengths[index] = 0;
        }

        /// <summary>Drops every frame for <paramref name="nextHop"/> and returns how many went.</summary>
        internal int RemoveAll(uint nextHop)
        {
            int removed = 0;
            for (int index = Oldest(nextHop); index >= 0; index = Oldest(nextHop))
            {
                Remove(index);
                removed++;
            }

            return removed;
        }
    }
}
