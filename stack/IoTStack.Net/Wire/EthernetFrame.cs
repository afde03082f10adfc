namespace IoTStack.Net.Wire
{
    /// <summary>A view over an Ethernet II frame (destination, source, EtherType, payload; no FCS).</summary>
    public struct EthernetFrame
    {
        public const int HeaderLength = 14;

        /// <summary>Shortest frame on the wire without its FCS; shorter frames are padded (IEEE 802.3 clause 3.2.8).</summary>
        public const int MinimumLength = 60;

        public const int MaximumPayload = 1500;
        public const int MaximumLength = HeaderLength + MaximumPayload;

        /// <summary>Longest frame accepted on receive: room for one 802.1Q tag.</summary>
        public const int MaximumTaggedLength = MaximumLength + 4;

        private readonly byte[] _buffer;
        private readonly int _offset;
        private readonly int _length;

        private EthernetFrame(byte[] buffer, int offset, int length)
        {
            _buffer = buffer;
            _offset = offset;
            _length = length;
        }

        /// <summary>Validates a received frame and returns a view over it.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out EthernetFrame frame)
        {
            frame = default(EthernetFrame);
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < HeaderLength)
            {
                return WireError.Truncated;
            }

            if (length > MaximumTaggedLength)
            {
                return WireError.FrameTooLong;
            }

            if (NetworkOrder.ReadUInt16(buffer, offset + 12) < Wire.EtherType.Minimum)
            {
                return WireError.NotEthernetII;
            }

            frame = new EthernetFrame(buffer, offset, length);
            return WireError.None;
        }

        /// <summary>A view for building a frame of <paramref name="length"/> bytes in a caller's buffer (not validated).</summary>
        public static EthernetFrame Wrap(byte[] buffer, int offset, int length)
        {
            return new EthernetFrame(buffer, offset, length);
        }

        /// <summary>Writes the 14-byte header and returns its length.</summary>
        public static int WriteHeader(byte[] buffer, int offset, MacAddress destination, MacAddress source, ushort etherType)
        {
            destination.Write(buffer, offset);
            source.Write(buffer, offset + 6);
            NetworkOrder.WriteUInt16(buffer, offset + 12, etherType);
            return HeaderLength;
        }

        /// <summary>
        /// Zero-fills a frame up to the 60-byte minimum and returns the length to transmit, so no stale
        /// buffer bytes leak onto the wire as padding.
        /// </summary>
        public static int Pad(byte[] buffer, int offset, int length)
        {
            for (int i = length; i < MinimumLength; i++)
            {
                buffer[offset + i] = 0;
            }

            return length < MinimumLength ? MinimumLength : length;
        }

        public byte[] Buffer
        {
            get { return _buffer; }
        }

        public int Offset
        {
            get { return _offset; }
        }

        public int Length
        {
            get { return _length; }
        }

        public MacAddress Destination
        {
            get { return MacAddress.Read(_buffer, _offset); }
            set { value.Write(_buffer, _offset); }
        }

        public MacAddress Source
        {
            get { return MacAddress.Read(_buffer, _offset + 6); }
            set { value.Write(_buffer, _offset + 6); }
        }

        public ushort EtherType
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 12); }
            set { NetworkOrder.WriteUInt16(_buffer, _offset + 12, value); }
        }

        public int PayloadOffset
        {
            get { return _offset + HeaderLength; }
        }

        public int PayloadLength
        {
            get { return _length - HeaderLength; }
        }
    }
}
