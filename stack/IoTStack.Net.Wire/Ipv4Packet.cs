namespace IoTStack.Net.Wire
{
    /// <summary>A view over an IPv4 datagram: header, options and payload (RFC 791 section 3.1).</summary>
    /// <remarks>
    /// A class its owner reuses (<see cref="Parse"/>, <see cref="Attach"/>): on nanoCLR a struct view would be allocated at
    /// every call it is a local of and cloned at every load (DESIGN.md rule 2). <c>TryParse</c> and <c>Wrap</c> make new
    /// ones, for code off the hot paths.
    /// </remarks>
    public sealed class Ipv4Packet
    {
        public const int MinimumHeaderLength = 20;
        public const int MaximumHeaderLength = 60;
        public const int MaximumLength = 65535;
        public const byte DefaultTimeToLive = 64;

        private const int FlagReserved = 0x8000;
        private const int FlagDontFragment = 0x4000;
        private const int FlagMoreFragments = 0x2000;
        private const int FragmentOffsetMask = 0x1FFF;

        private byte[] _buffer;
        private int _offset;

        public Ipv4Packet()
        {
        }

        private Ipv4Packet(byte[] buffer, int offset)
        {
            Attach(buffer, offset);
        }

        /// <summary>Points this view at a Ipv4Packet in a buffer, not validated: for headers this node writes or checked.</summary>
        public Ipv4Packet Attach(byte[] buffer, int offset)
        {
            _buffer = buffer;
            _offset = offset;
            return this;
        }

        /// <summary>
        /// Validates a received datagram: version, IHL, total length against the bytes received (trailing
        /// link padding is allowed and ignored), header checksum, options, and that the fragment ends
        /// within 65535 bytes.
        /// </summary>
        public WireError Parse(byte[] buffer, int offset, int length)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < MinimumHeaderLength)
            {
                return WireError.Truncated;
            }

            if ((buffer[offset] >> 4) != 4)
            {
                return WireError.BadVersion;
            }

            int headerLength = (buffer[offset] & 0xF) * 4;
            if (headerLength < MinimumHeaderLength)
            {
                return WireError.BadHeaderLength;
            }

            if (headerLength > length)
            {
                return WireError.Truncated;
            }

            int totalLength = NetworkOrder.ReadUInt16(buffer, offset + 2);
            if (totalLength < headerLength)
            {
                return WireError.LengthTooShort;
            }

            if (totalLength > length)
            {
                return WireError.LengthBeyondBuffer;
            }

            if (InternetChecksum.Complement(InternetChecksum.Add(0, buffer, offset, headerLength)) != 0)
            {
                return WireError.BadChecksum;
            }

            WireError options = OptionIterator.Validate(buffer, offset + MinimumHeaderLength, headerLength - MinimumHeaderLength);
            if (options != WireError.None)
            {
                return options;
            }

            int fragmentOffset = (NetworkOrder.ReadUInt16(buffer, offset + 6) & FragmentOffsetMask) * 8;
            if (fragmentOffset + totalLength - headerLength > MaximumLength)
            {
                return WireError.BadFragmentOffset;
            }

            Attach(buffer, offset);
            return WireError.None;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out Ipv4Packet packet)
        {
            packet = new Ipv4Packet();
            return packet.Parse(buffer, offset, length);
        }

        /// <summary>
        /// Starts a header of <paramref name="headerLength"/> bytes (20 plus options, a multiple of 4) in a
        /// caller's buffer: version and IHL set, every other header byte zero. Options go at
        /// <see cref="OptionsOffset"/>; set the fields, then <see cref="FillChecksum"/>.
        /// </summary>
        public static Ipv4Packet Init(byte[] buffer, int offset, int headerLength)
        {
            return new Ipv4Packet().Begin(buffer, offset, headerLength);
        }

        /// <summary>As <see cref="Init"/>, reusing this view.</summary>
        public Ipv4Packet Begin(byte[] buffer, int offset, int headerLength)
        {
            System.Array.Clear(buffer, offset + 1, headerLength - 1);
            buffer[offset] = (byte)(0x40 | (headerLength / 4));
            return Attach(buffer, offset);
        }

        /// <summary>A view over a header already in a buffer, not validated: for headers this node wrote or checked.</summary>
        public static Ipv4Packet Wrap(byte[] buffer, int offset)
        {
            return new Ipv4Packet(buffer, offset);
        }

        /// <summary>Writes an option-free header, checksum included, and returns its length (20).</summary>
        public static int WriteHeader(byte[] buffer, int offset, IPv4Address source, IPv4Address destination, IpProtocol protocol, int payloadLength, ushort identification, byte timeToLive, bool dontFragment)
        {
            Ipv4Packet packet = Init(buffer, offset, MinimumHeaderLength);
            packet.TotalLength = MinimumHeaderLength + payloadLength;
            packet.Identification = identification;
            packet.DontFragment = dontFragment;
            packet.TimeToLive = timeToLive;
            packet.Protocol = protocol;
            packet.Source = source;
            packet.Destination = destination;
            packet.FillChecksum();
            return MinimumHeaderLength;
        }

        public byte[] Buffer
        {
            get { return _buffer; }
        }

        public int Offset
        {
            get { return _offset; }
        }

        public int Version
        {
            get { return _buffer[_offset] >> 4; }
        }

        public int HeaderLength
        {
            get { return (_buffer[_offset] & 0xF) * 4; }
        }

        /// <summary>The DSCP and ECN octet (RFC 2474, RFC 3168).</summary>
        public byte DifferentiatedServices
        {
            get { return _buffer[_offset + 1]; }
            set { _buffer[_offset + 1] = value; }
        }

        public int TotalLength
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 2); }
            set { NetworkOrder.WriteUInt16(_buffer, _offset + 2, value); }
        }

        public ushort Identification
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 4); }
            set { NetworkOrder.WriteUInt16(_buffer, _offset + 4, value); }
        }

        /// <summary>The reserved flag bit (must be zero, RFC 791); exposed so input can count it.</summary>
        public bool ReservedFlag
        {
            get { return (FlagsAndOffset & FlagReserved) != 0; }
        }

        public bool DontFragment
        {
            get { return (FlagsAndOffset & FlagDontFragment) != 0; }
            set { SetFlag(FlagDontFragment, value); }
        }

        public bool MoreFragments
        {
            get { return (FlagsAndOffset & FlagMoreFragments) != 0; }
            set { SetFlag(FlagMoreFragments, value); }
        }

        /// <summary>The fragment offset in bytes (the field counts 8-byte units).</summary>
        public int FragmentOffset
        {
            get { return (FlagsAndOffset & FragmentOffsetMask) * 8; }
            set { FlagsAndOffset = (FlagsAndOffset & ~FragmentOffsetMask) | ((value / 8) & FragmentOffsetMask); }
        }

        /// <summary>True for any piece of a fragmented datagram (more fragments, or a non-zero offset).</summary>
        public bool IsFragment
        {
            get { return (FlagsAndOffset & (FlagMoreFragments | FragmentOffsetMask)) != 0; }
        }

        public byte TimeToLive
        {
            get { return _buffer[_offset + 8]; }
            set { _buffer[_offset + 8] = value; }
        }

        public IpProtocol Protocol
        {
            get { return (IpProtocol)_buffer[_offset + 9]; }
            set { _buffer[_offset + 9] = (byte)value; }
        }

        public ushort HeaderChecksum
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 10); }
        }

        public IPv4Address Source
        {
            get { return new IPv4Address(SourceValue); }
            set { SourceValue = value.Value; }
        }

        public IPv4Address Destination
        {
            get { return new IPv4Address(DestinationValue); }
            set { DestinationValue = value.Value; }
        }

        /// <summary><see cref="Source"/> as a number (<see cref="IPv4Address.Value"/>): no struct to allocate on nanoCLR.</summary>
        public uint SourceValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + 12); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + 12, value); }
        }

        /// <summary><see cref="Destination"/> as a number.</summary>
        public uint DestinationValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + 16); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + 16, value); }
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
            get { return TotalLength - HeaderLength; }
        }

        /// <summary>Computes and stores the header checksum over the header as it stands.</summary>
        public void FillChecksum()
        {
            NetworkOrder.WriteUInt16(_buffer, _offset + 10, 0);
            NetworkOrder.WriteUInt16(_buffer, _offset + 10, InternetChecksum.Compute(_buffer, _offset, HeaderLength));
        }

        private int FlagsAndOffset
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 6); }
            set { NetworkOrder.WriteUInt16(_buffer, _offset + 6, value); }
        }

        private void SetFlag(int flag, bool on)
        {
            FlagsAndOffset = on ? (FlagsAndOffset | flag) : (FlagsAndOffset & ~flag);
        }
    }
}
