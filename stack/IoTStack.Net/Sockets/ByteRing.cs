namespace IoTStack.Net.Sockets
{
    /// <summary>A circular byte buffer of fixed capacity, taken once.</summary>
    public sealed class ByteRing
    {
        private readonly byte[] _data;
        private int _start;
        private int _count;

        public ByteRing(int capacity)
        {
            _data = new byte[capacity];
        }

        public int Capacity
        {
            get { return _data.Length; }
        }

        public int Count
        {
            get { return _count; }
        }

        public int Free
        {
            get { return _data.Length - _count; }
        }

        public void Clear()
        {
            _start = 0;
            _count = 0;
        }

        /// <summary>Appends up to <paramref name="length"/> bytes, as many as fit; returns how many.</summary>
        public int Write(byte[] source, int offset, int length)
        {
            if (length > Free)
            {
                length = Free;
            }

            int tail = (_start + _count) % _data.Length;
            int first = _data.Length - tail;
            if (first > length)
            {
                first = length;
            }

            System.Array.Copy(source, offset, _data, tail, first);
            System.Array.Copy(source, offset + first, _data, 0, length - first);
            _count += length;
            return length;
        }

        /// <summary>Appends one byte if there is room.</summary>
        public bool WriteByte(byte value)
        {
            if (_count == _data.Length)
            {
                return false;
            }

            _data[(_start + _count) % _data.Length] = value;
            _count++;
            return true;
        }

        /// <summary>
        /// Writes into the free space <paramref name="skip"/> bytes past the data, without counting the bytes
        /// as data yet (TCP keeps out-of-order segments there until <see cref="Commit"/>). Returns false,
        /// writing nothing, when the range does not fit in the free space.
        /// </summary>
        public bool WriteAt(int skip, byte[] source, int offset, int length)
        {
            if (skip < 0 || length < 0 || skip > Free - length)
            {
                return false;
            }

            int at = (_start + _count + skip) % _data.Length;
            int first = _data.Length - at;
            if (first > length)
            {
                first = length;
            }

            System.Array.Copy(source, offset, _data, at, first);
            System.Array.Copy(source, offset + first, _data, 0, length - first);
            return true;
        }

        /// <summary>Counts <paramref name="length"/> bytes already placed by <see cref="WriteAt"/> as data.</summary>
        public void Commit(int length)
        {
            _count += length;
        }

        /// <summary>Copies up to <paramref name="length"/> bytes starting <paramref name="skip"/> bytes in, without removing them.</summary>
        public int Peek(int skip, byte[] destination, int offset, int length)
        {
            if (skip >= _count)
            {
                return 0;
            }

            if (length > _count - skip)
            {
                length = _count - skip;
            }

            int head = (_start + skip) % _data.Length;
            int first = _data.Length - head;
            if (first > length)
            {
                first = length;
            }

            System.Array.Copy(_data, head, destination, offset, first);
            System.Array.Copy(_data, 0, destination, offset + first, length - first);
            return length;
        }

        /// <summary>The byte <paramref name="skip"/> bytes in.</summary>
        public byte PeekByte(int skip)
        {
            return _data[(_start + skip) % _data.Length];
        }

        /// <summary>Removes up to <paramref name="length"/> bytes from the front; returns how many.</summary>
        public int Discard(int length)
        {
            if (length > _count)
            {
                length = _count;
            }

            _start = (_start + length) % _data.Length;
            _count -= length;
            return length;
        }

        /// <summary>Copies and removes up to <paramref name="length"/> bytes from the front.</summary>
        public int Read(byte[] destination, int offset, int length)
        {
            return Discard(Peek(0, destination, offset, length));
        }
    }
}
