namespace IoTStack.Net.Wire
{
    /// <summary>
    /// The TCP options of one segment that this stack understands, read in place: MSS (RFC 9293
    /// section 3.7.1), window scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
    /// </summary>
    /// <remarks>
    /// Unknown options are skipped by their length. A known option whose length is wrong is ignored and
    /// counted in <see cref="IgnoredCount"/>, as Linux does, rather than failing the whole segment.
    /// Values are as sent: the TCP layer applies limits such as the window-scale maximum of 14.
    /// </remarks>
    /// <remarks>A class its owner reuses through <see cref="Load"/> (a struct local allocates on nanoCLR, DESIGN.md rule 2).</remarks>
    public sealed class TcpOptions
    {
        public const byte KindMaximumSegmentSize = 2;
        public const byte KindWindowScale = 3;
        public const byte KindSackPermitted = 4;
        public const byte KindSack = 5;
        public const byte KindTimestamps = 8;

        /// <summary>At most four SACK blocks fit in 40 bytes of options (RFC 2018 section 3).</summary>
        public const int MaximumSackBlocks = 4;

        private readonly OptionIterator _iterator = new OptionIterator();
        private byte[] _buffer;
        private int _sackOffset;

        public bool HasMaximumSegmentSize;
        public ushort MaximumSegmentSize;
        public bool HasWindowScale;
        public byte WindowScale;
        public bool SackPermitted;
        public bool HasTimestamps;
        public uint TimestampValue;
        public uint TimestampEchoReply;
        public int SackBlockCount;
        public int IgnoredCount;

        /// <summary>Reads an option area that <see cref="OptionIterator.Validate"/> accepted into a new instance.</summary>
        public static TcpOptions Read(byte[] buffer, int offset, int length)
        {
            TcpOptions options = new TcpOptions();
            options.Load(buffer, offset, length);
            return options;
        }

        /// <summary>Forgets what was read before and reads an option area that <see cref="OptionIterator.Validate"/> accepted.</summary>
        public void Load(byte[] buffer, int offset, int length)
        {
            HasMaximumSegmentSize = false;
            MaximumSegmentSize = 0;
            HasWindowScale = false;
            WindowScale = 0;
            SackPermitted = false;
            HasTimestamps = false;
            TimestampValue = 0;
            TimestampEchoReply = 0;
            SackBlockCount = 0;
            IgnoredCount = 0;
            _sackOffset = 0;
            _buffer = buffer;
            _iterator.Start(buffer, offset, length);
            while (_iterator.Next())
            {
                Take(_iterator.Kind, _iterator.DataOffset, _iterator.DataLength);
            }
        }

        /// <summary>SACK block <paramref name="index"/>: the left edge and the right edge (first sequence number past the block).</summary>
        public void GetSackBlock(int index, out uint leftEdge, out uint rightEdge)
        {
            int at = _sackOffset + index * 8;
            leftEdge = NetworkOrder.ReadUInt32(_buffer, at);
            rightEdge = NetworkOrder.ReadUInt32(_buffer, at + 4);
        }

        private void Take(int kind, int dataOffset, int dataLength)
        {
            switch (kind)
            {
                case KindMaximumSegmentSize:
                    if (Expect(dataLength == 2))
                    {
                        HasMaximumSegmentSize = true;
                        MaximumSegmentSize = NetworkOrder.ReadUInt16(_buffer, dataOffset);
                    }

                    break;
                case KindWindowScale:
                    if (Expect(dataLength == 1))
                    {
                        HasWindowScale = true;
                        WindowScale = _buffer[dataOffset];
                    }

                    break;
                case KindSackPermitted:
                    if (Expect(dataLength == 0))
                    {
                        SackPermitted = true;
                    }

                    break;
                case KindTimestamps:
                    if (Expect(dataLength == 8))
                    {
                        HasTimestamps = true;
                        TimestampValue = NetworkOrder.ReadUInt32(_buffer, dataOffset);
                        TimestampEchoReply = NetworkOrder.ReadUInt32(_buffer, dataOffset + 4);
                    }

                    break;
                case KindSack:
                    if (Expect(dataLength > 0 && dataLength % 8 == 0 && dataLength / 8 <= MaximumSackBlocks))
                    {
                        SackBlockCount = dataLength / 8;
                        _sackOffset = dataOffset;
                    }

                    break;
            }
        }

        private bool Expect(bool lengthIsRight)
        {
            if (!lengthIsRight)
            {
                IgnoredCount++;
            }

            return lengthIsRight;
        }
    }
}
