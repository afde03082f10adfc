namespace IoTStack.Net.Wire
{
    /// <summary>
    /// Walks a type-length-value option area as IPv4 (RFC 791 section 3.1) and TCP (RFC 9293 section 3.1)
    /// both lay it out: kind 0 ends the list, kind 1 is a one-byte no-operation, every other kind carries
    /// a length byte that counts the kind and length bytes too, so unknown options are skipped by it.
    /// </summary>
    public struct OptionIterator
    {
        public const byte EndOfList = 0;
        public const byte NoOperation = 1;

        private readonly byte[] _buffer;
        private readonly int _end;
        private int _position;
        private int _kind;
        private int _dataOffset;
        private int _dataLength;
        private WireError _error;

        public OptionIterator(byte[] buffer, int offset, int length)
        {
            _buffer = buffer;
            _position = offset;
            _end = offset + length;
            _kind = -1;
            _dataOffset = 0;
            _dataLength = 0;
            _error = WireError.None;
        }

        /// <summary>The current option's kind (type octet).</summary>
        public int Kind
        {
            get { return _kind; }
        }

        /// <summary>Where the current option's data starts, past its kind and length bytes.</summary>
        public int DataOffset
        {
            get { return _dataOffset; }
        }

        /// <summary>The current option's data length (its length byte minus 2).</summary>
        public int DataLength
        {
            get { return _dataLength; }
        }

        /// <summary>Why the walk stopped early, or None.</summary>
        public WireError Error
        {
            get { return _error; }
        }

        /// <summary>
        /// Moves to the next option other than no-operation. Returns false at end-of-list, at the end of
        /// the area, or on a malformed option (then <see cref="Error"/> says which).
        /// </summary>
        public bool Next()
        {
            while (_position < _end)
            {
                byte kind = _buffer[_position];
                if (kind == EndOfList)
                {
                    _position = _end;
                    return false;
                }

                if (kind == NoOperation)
                {
                    _position++;
                    continue;
                }

                if (_position + 1 >= _end)
                {
                    return Fail(WireError.OptionOverrun);
                }

                int length = _buffer[_position + 1];
                if (length < 2)
                {
                    return Fail(WireError.BadOptionLength);
                }

                if (length > _end - _position)
                {
                    return Fail(WireError.OptionOverrun);
                }

                _kind = kind;
                _dataOffset = _position + 2;
                _dataLength = length - 2;
                _position += length;
                return true;
            }

            return false;
        }

        /// <summary>Walks the whole area and returns the first fault, or None.</summary>
        public static WireError Validate(byte[] buffer, int offset, int length)
        {
            OptionIterator options = new OptionIterator(buffer, offset, length);
            while (options.Next())
            {
            }

            return options.Error;
        }

        private bool Fail(WireError error)
        {
            _error = error;
            _position = _end;
            return false;
        }
    }
}
