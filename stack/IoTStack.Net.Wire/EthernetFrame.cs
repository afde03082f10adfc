namespace IoTStack.Net.Wire
{
    /// <summary>A view over an Ethernet II frame (destination, source, EtherType, payload; no FCS).</summary>
    /// <remarks>
    /// A class its owner reuses (<see cref="Parse"/>, <see cref="Attach"/>): on nanoCLR a struct view would be allocated at
    /// every call it is a local of and cloned at every load (DESIGN.md rule 2). <c>TryParse</c> and <c>Wrap</c> make new
    /// ones, for code off the hot paths.
    /// </remarks>
    public sealed class EthernetFrame
    {
        public const int HeaderLength = 14;

        /// <summary>Shortest frame on the wire without its FCS; shorter frames are padded (IEEE 802.3 clause 3.2.8).</summary>
        public const int MinimumLength = 60;

        public const int MaximumPayload = 1500;
        public const int MaximumLength = HeaderLength + MaximumPayload;

        /// <summary>Longest frame accepted on receive: room for one 802.1Q tag.</summary>
        public const int MaximumTaggedLength = MaximumLength + 4;

        private byte[] _buffer;
        private int _offset;
        private int _length;

        public EthernetFrame()
        {
        }

        private EthernetFrame(byte[] buffer, int offset, int length)
        {
            Attach(buffer, offset, length);
        }

        /// <summary>Points this view at a EthernetFrame in a buffer, not validated: for headers this node writes or checked.</summary>
        public EthernetFrame Attach(byte[] buffer, int offset, int length)
        {
            _buffer = buffer;
            _offset = offset;
            _length = length;
            return this;
        }

        /// <summary>Validates a received frame and points this view at it.</summary>
        public WireError Parse(byte[] buffer, int offset, int length)
        {
            WireError error = Validate(buffer, offset, length);
            if (error == WireError.None)
            {
                Attach(buffer, offset, length);
            }

            return error;
        }

        /// <summary>Checks a received frame: in the buffer, a whole header, not longer than one tagged frame, Ethernet II.</summary>
        public static WireError Validate(byte[] buffer, int offset, int length)
        {
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

            return WireError.None;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out EthernetFrame frame)
        {
            frame = new EthernetFrame();
            return frame.Parse(buffer, offset, length);
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
            if (length >= MinimumLength)
            {
                return length;
            }

            System.Array.Clear(buffer, offset + length, MinimumLength - length);
            return MinimumLength;
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
