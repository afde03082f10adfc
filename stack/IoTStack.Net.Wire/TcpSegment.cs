namespace IoTStack.Net.Wire
{
    /// <summary>A view over a TCP segment: header, options and data (RFC 9293 section 3.1).</summary>
    /// <remarks>
    /// A class its owner reuses (<see cref="Parse"/>, <see cref="Attach"/>): on nanoCLR a struct view would be allocated at
    /// every call it is a local of and cloned at every load (DESIGN.md rule 2). <c>TryParse</c> and <c>Wrap</c> make new
    /// ones, for code off the hot paths.
    /// </remarks>
    public sealed class TcpSegment
    {
        public const int MinimumHeaderLength = 20;
        public const int MaximumHeaderLength = 60;
        public const int MaximumOptionsLength = MaximumHeaderLength - MinimumHeaderLength;

        private byte[] _buffer;
        private int _offset;
        private int _length;

        public TcpSegment()
        {
        }

        private TcpSegment(byte[] buffer, int offset, int length)
        {
            Attach(buffer, offset, length);
        }

        /// <summary>Points this view at a TcpSegment in a buffer, not validated: for headers this node writes or checked.</summary>
        public TcpSegment Attach(byte[] buffer, int offset, int length)
        {
            _buffer = buffer;
            _offset = offset;
            _length = length;
            return this;
        }

        /// <summary>
        /// Validates a segment of <paramref name="length"/> bytes (the IPv4 payload) between the two
        /// addresses: data offset, pseudo-header checksum, then the option list's structure.
        /// </summary>
        public WireError Parse(byte[] buffer, int offset, int length, uint source, uint destination)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < MinimumHeaderLength)
            {
                return WireError.Truncated;
            }

            int headerLength = (buffer[offset + 12] >> 4) * 4;
            if (headerLength < MinimumHeaderLength)
            {
                return WireError.BadDataOffset;
            }

            if (headerLength > length)
            {
                return WireError.Truncated;
            }

            uint sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Tcp, length);
            if (InternetChecksum.Complement(InternetChecksum.Add(sum, buffer, offset, length)) != 0)
            {
                return WireError.BadChecksum;
            }

            WireError options = OptionIterator.Validate(buffer, offset + MinimumHeaderLength, headerLength - MinimumHeaderLength);
            if (options != WireError.None)
            {
                return options;
            }

            Attach(buffer, offset, length);
            return WireError.None;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, IPv4Address source, IPv4Address destination, out TcpSegment segment)
        {
            segment = new TcpSegment();
            return segment.Parse(buffer, offset, length, source.Value, destination.Value);
        }

        /// <summary>
        /// Writes a header with room for <paramref name="optionsLength"/> bytes of options (a multiple of 4,
        /// written afterwards at offset + 20), checksum and urgent pointer zero, and returns its length.
        /// </summary>
        public static int WriteHeader(byte[] buffer, int offset, int sourcePort, int destinationPort, uint sequenceNumber, uint acknowledgmentNumber, TcpFlags flags, int window, int optionsLength)
        {
            int headerLength = MinimumHeaderLength + optionsLength;
            NetworkOrder.WriteUInt16(buffer, offset, sourcePort);
            NetworkOrder.WriteUInt16(buffer, offset + 2, destinationPort);
            NetworkOrder.WriteUInt32(buffer, offset + 4, sequenceNumber);
            NetworkOrder.WriteUInt32(buffer, offset + 8, acknowledgmentNumber);
            buffer[offset + 12] = (byte)((headerLength / 4) << 4);
            buffer[offset + 13] = (byte)flags;
            NetworkOrder.WriteUInt16(buffer, offset + 14, window);
            NetworkOrder.WriteUInt32(buffer, offset + 16, 0);
            return headerLength;
        }

        /// <summary>Computes and stores the checksum over a whole segment of <paramref name="length"/> bytes.</summary>
        public static void FillChecksum(byte[] buffer, int offset, int length, IPv4Address source, IPv4Address destination)
        {
            NetworkOrder.WriteUInt16(buffer, offset + 16, 0);
            uint sum = InternetChecksum.AddPseudoHeader(0, source.Value, destination.Value, IpProtocol.Tcp, length);
            NetworkOrder.WriteUInt16(buffer, offset + 16, InternetChecksum.Complement(InternetChecksum.Add(sum, buffer, offset, length)));
        }

        public byte[] Buffer
        {
            get { return _buffer; }
        }

        /// <summary>Segment length in bytes: header plus data.</summary>
        public int Length
        {
            get { return _length; }
        }

        public ushort SourcePort
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset); }
        }

        public ushort DestinationPort
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 2); }
        }

        public uint SequenceNumber
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + 4); }
        }

        public uint AcknowledgmentNumber
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + 8); }
        }

        public int HeaderLength
        {
            get { return (_buffer[_offset + 12] >> 4) * 4; }
        }

        /// <summary>The four reserved bits of the data-offset octet (RFC 9293: must be zero; the old NS bit is the lowest).</summary>
        public int ReservedBits
        {
            get { return _buffer[_offset + 12] & 0xF; }
        }

        public TcpFlags Flags
        {
            get { return (TcpFlags)_buffer[_offset + 13]; }
        }

        public bool Has(TcpFlags flag)
        {
            return (_buffer[_offset + 13] & (byte)flag) != 0;
        }

        /// <summary>The window field as sent, before any window scaling.</summary>
        public ushort Window
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 14); }
        }

        public ushort Checksum
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 16); }
        }

        public ushort UrgentPointer
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 18); }
        }

        public int OptionsOffset
        {
            get { return _offset + MinimumHeaderLength; }
        }

        public int OptionsLength
        {
            get { return HeaderLength - MinimumHeaderLength; }
        }

        public int PayloadOffset
        {
            get { return _offset + HeaderLength; }
        }

        public int PayloadLength
        {
            get { return _length - HeaderLength; }
        }

        /// <summary>SEG.LEN of RFC 9293 section 3.4: data bytes plus one for SYN and one for FIN.</summary>
        public int SequenceLength
        {
            get
            {
                int length = PayloadLength;
                if (Has(TcpFlags.Syn))
                {
                    length++;
                }

                if (Has(TcpFlags.Fin))
                {
                    length++;
                }

                return length;
            }
        }

        /// <summary>Reads the options this stack understands (see <see cref="TcpOptions"/>).</summary>
        public TcpOptions ReadOptions()
        {
            return TcpOptions.Read(_buffer, OptionsOffset, OptionsLength);
        }

        /// <summary>As <see cref="ReadOptions()"/>, into an instance the caller reuses.</summary>
        public void ReadOptions(TcpOptions options)
        {
            options.Load(_buffer, OptionsOffset, OptionsLength);
        }
    }
}
