namespace IoTStack.Net.Wire
{
    /// <summary>
    /// Writes TCP options into a caller's buffer, at most 40 bytes (RFC 9293 section 3.1). Each call
    /// returns false, writing nothing, when the option does not fit.
    /// </summary>
    /// <remarks>A class, reused by its owner through <see cref="Start"/> (a struct local allocates on nanoCLR, DESIGN.md rule 2).</remarks>
    public sealed class TcpOptionWriter
    {
        private byte[] _buffer;
        private int _start;
        private int _limit;
        private int _position;

        public TcpOptionWriter()
        {
        }

        public TcpOptionWriter(byte[] buffer, int offset)
        {
            Start(buffer, offset);
        }

        /// <summary>Starts writing another option area at <paramref name="offset"/>.</summary>
        public TcpOptionWriter Start(byte[] buffer, int offset)
        {
            _buffer = buffer;
            _start = offset;
            _position = offset;
            _limit = offset + TcpSegment.MaximumOptionsLength;
            return this;
        }

        /// <summary>Bytes written so far.</summary>
        public int Length
        {
            get { return _position - _start; }
        }

        public bool WriteNoOperation()
        {
            if (!Room(1))
            {
                return false;
            }

            _buffer[_position++] = OptionIterator.NoOperation;
            return true;
        }

        public bool WriteMaximumSegmentSize(int mss)
        {
            if (!Begin(TcpOptions.KindMaximumSegmentSize, 4))
            {
                return false;
            }

            NetworkOrder.WriteUInt16(_buffer, _position, mss);
            _position += 2;
            return true;
        }

        public bool WriteWindowScale(int shift)
        {
            if (!Begin(TcpOptions.KindWindowScale, 3))
            {
                return false;
            }

            _buffer[_position++] = (byte)shift;
            return true;
        }

        public bool WriteSackPermitted()
        {
            return Begin(TcpOptions.KindSackPermitted, 2);
        }

        public bool WriteTimestamps(uint value, uint echoReply)
        {
            if (!Begin(TcpOptions.KindTimestamps, 10))
            {
                return false;
            }

            NetworkOrder.WriteUInt32(_buffer, _position, value);
            NetworkOrder.WriteUInt32(_buffer, _position + 4, echoReply);
            _position += 8;
            return true;
        }

        /// <summary>
        /// Writes a SACK option with <paramref name="blockCount"/> blocks (1 to 4) taken as left/right edge
        /// pairs from <paramref name="edges"/>.
        /// </summary>
        public bool WriteSack(uint[] edges, int blockCount)
        {
            if (blockCount < 1 || blockCount > TcpOptions.MaximumSackBlocks || !Begin(TcpOptions.KindSack, 2 + 8 * blockCount))
            {
                return false;
            }

            for (int i = 0; i < blockCount * 2; i++)
            {
                NetworkOrder.WriteUInt32(_buffer, _position, edges[i]);
                _position += 4;
            }

            return true;
        }

        /// <summary>
        /// Ends the list: an end-of-list octet and zero padding up to a 4-byte boundary, as the data offset
        /// counts 32-bit words. Returns the padded length, the value for the header's options length.
        /// </summary>
        public int Finish()
        {
            if ((Length & 3) != 0)
            {
                _buffer[_position++] = OptionIterator.EndOfList;
                while ((Length & 3) != 0)
                {
                    _buffer[_position++] = 0;
                }
            }

            return Length;
        }

        private bool Begin(byte kind, int length)
        {
            if (!Room(length))
            {
                return false;
            }

            _buffer[_position] = kind;
            _buffer[_position + 1] = (byte)length;
            _position += 2;
            return true;
        }

        private bool Room(int length)
        {
            return _limit - _position >= length;
        }
    }
}
