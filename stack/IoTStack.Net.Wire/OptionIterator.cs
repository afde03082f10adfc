namespace IoTStack.Net.Wire
{
    /// <summary>
    /// Walks a type-length-value option area as IPv4 (RFC 791 section 3.1) and TCP (RFC 9293 section 3.1)
    /// both lay it out: kind 0 ends the list, kind 1 is a one-byte no-operation, every other kind carries
    /// a length byte that counts the kind and length bytes too, so unknown options are skipped by it.
    /// </summary>
    /// <remarks>
    /// A class, reused by its owner through <see cref="Start"/>: on nanoCLR a struct is allocated at every call it is
    /// a local of (DESIGN.md rule 2). <see cref="Validate"/> walks without one.
    /// </remarks>
    public sealed class OptionIterator
    {
        public const byte EndOfList = 0;
        public const byte NoOperation = 1;

        private byte[] _buffer;
        private int _end;
        private int _position;
        private int _kind;
        private int _dataOffset;
        private int _dataLength;
        private WireError _error;

        public OptionIterator()
        {
            _kind = -1;
        }

        public OptionIterator(byte[] buffer, int offset, int length)
        {
            Start(buffer, offset, length);
        }

        /// <summary>Starts a walk over another option area.</summary>
        public void Start(byte[] buffer, int offset, int length)
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
            WireError error;
            int at = Find(_buffer, _position, _end, out error);
            if (at < 0)
            {
                _error = error;
                _position = _end;
                return false;
            }

            int length = _buffer[at + 1];
            _kind = _buffer[at];
            _dataOffset = at + 2;
            _dataLength = length - 2;
            _position = at + length;
            return true;
        }

        /// <summary>Walks the whole area and returns the first fault, or None.</summary>
        public static WireError Validate(byte[] buffer, int offset, int length)
        {
            int end = offset + length;
            WireError error;
            for (int at = Find(buffer, offset, end, out error); at >= 0; at = Find(buffer, at + buffer[at + 1], end, out error))
            {
            }

            return error;
        }

        /// <summary>
        /// From <paramref name="position"/>, skips no-operations to the next option with a kind and a length that fits
        /// before <paramref name="end"/>, and returns where it starts; -1 at end-of-list or the end of the area, or on a
        /// malformed option (which <paramref name="error"/> then names).
        /// </summary>
        private static int Find(byte[] buffer, int position, int end, out WireError error)
        {
            error = WireError.None;
            while (position < end)
            {
                byte kind = buffer[position];
                if (kind == EndOfList)
                {
                    return -1;
                }

                if (kind == NoOperation)
                {
                    position++;
                    continue;
                }

                if (position + 1 >= end)
                {
                    error = WireError.OptionOverrun;
                    return -1;
                }

                int length = buffer[position + 1];
                if (length < 2)
                {
                    error = WireError.BadOptionLength;
                    return -1;
                }

                if (length > end - position)
                {
                    error = WireError.OptionOverrun;
                    return -1;
                }

                return position;
            }

            return -1;
        }
    }
}
