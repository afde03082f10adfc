using IoTStack.Net.Wire;

namespace IoTStack.Net.Sockets
{
    /// <summary>
    /// Datagrams kept whole in a byte ring, each behind an 8-byte record header (length, remote
    /// address, remote port), so boundaries and senders survive queueing.
    /// </summary>
    public sealed class DatagramQueue
    {
        public const int RecordHeaderLength = 8;

        private readonly ByteRing _ring;
        private readonly byte[] _header = new byte[RecordHeaderLength];
        private int _datagrams;

        public DatagramQueue(ByteRing ring)
        {
            _ring = ring;
        }

        public int Datagrams
        {
            get { return _datagrams; }
        }

        /// <summary>Bytes held, record headers included.</summary>
        public int Queued
        {
            get { return _ring.Count; }
        }

        /// <summary>Length of the next datagram, or -1 when none is queued.</summary>
        public int NextLength
        {
            get { return _datagrams == 0 ? -1 : (_ring.PeekByte(0) << 8) | _ring.PeekByte(1); }
        }

        public void Clear()
        {
            _ring.Clear();
            _datagrams = 0;
        }

        /// <summary>Queues a datagram whole, or not at all when it does not fit.</summary>
        public bool Enqueue(uint remoteAddress, int remotePort, byte[] buffer, int offset, int length)
        {
            if (length > 0xFFFF || RecordHeaderLength + length > _ring.Free)
            {
                return false;
            }

            NetworkOrder.WriteUInt16(_header, 0, length);
            NetworkOrder.WriteUInt32(_header, 2, remoteAddress);
            NetworkOrder.WriteUInt16(_header, 6, remotePort);
            _ring.Write(_header, 0, RecordHeaderLength);
            _ring.Write(buffer, offset, length);
            _datagrams++;
            return true;
        }

        /// <summary>
        /// Removes the next datagram, copying as much as fits into the buffer. Returns the datagram's full
        /// length (more than <paramref name="count"/> when it was cut short), or -1 when none is queued.
        /// </summary>
        public int Dequeue(byte[] buffer, int offset, int count, out uint remoteAddress, out int remotePort)
        {
            remoteAddress = 0;
            remotePort = 0;
            if (_datagrams == 0)
            {
                return -1;
            }

            _ring.Read(_header, 0, RecordHeaderLength);
            int length = NetworkOrder.ReadUInt16(_header, 0);
            remoteAddress = NetworkOrder.ReadUInt32(_header, 2);
            remotePort = NetworkOrder.ReadUInt16(_header, 6);
            _ring.Read(buffer, offset, length < count ? length : count);
            if (length > count)
            {
                _ring.Discard(length - count);
            }

            _datagrams--;
            return length;
        }
    }
}
