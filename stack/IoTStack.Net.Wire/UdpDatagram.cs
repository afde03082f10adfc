namespace IoTStack.Net.Wire
{
    /// <summary>A view over a UDP datagram (RFC 768).</summary>
    /// <remarks>
    /// A class its owner reuses (<see cref="Parse"/>, <see cref="Attach"/>): on nanoCLR a struct view would be allocated at
    /// every call it is a local of and cloned at every load (DESIGN.md rule 2). <c>TryParse</c> and <c>Wrap</c> make new
    /// ones, for code off the hot paths.
    /// </remarks>
    public sealed class UdpDatagram
    {
        public const int HeaderLength = 8;

        private byte[] _buffer;
        private int _offset;

        public UdpDatagram()
        {
        }

        private UdpDatagram(byte[] buffer, int offset)
        {
            Attach(buffer, offset);
        }

        /// <summary>Points this view at a UdpDatagram in a buffer, not validated: for headers this node writes or checked.</summary>
        public UdpDatagram Attach(byte[] buffer, int offset)
        {
            _buffer = buffer;
            _offset = offset;
            return this;
        }

        /// <summary>
        /// Validates a datagram carried in <paramref name="length"/> bytes of IPv4 payload between the two
        /// addresses: header, length field, and the pseudo-header checksum unless it is zero ("none",
        /// RFC 768). Bytes beyond the length field are ignored.
        /// </summary>
        public WireError Parse(byte[] buffer, int offset, int length, uint source, uint destination)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < HeaderLength)
            {
                return WireError.Truncated;
            }

            int udpLength = NetworkOrder.ReadUInt16(buffer, offset + 4);
            if (udpLength < HeaderLength)
            {
                return WireError.LengthTooShort;
            }

            if (udpLength > length)
            {
                return WireError.LengthBeyondBuffer;
            }

            if (NetworkOrder.ReadUInt16(buffer, offset + 6) != 0 && ChecksumOf(buffer, offset, udpLength, source, destination) != 0)
            {
                return WireError.BadChecksum;
            }

            Attach(buffer, offset);
            return WireError.None;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, IPv4Address source, IPv4Address destination, out UdpDatagram datagram)
        {
            datagram = new UdpDatagram();
            return datagram.Parse(buffer, offset, length, source.Value, destination.Value);
        }

        /// <summary>Writes the header (checksum zero) for <paramref name="payloadLength"/> bytes of data and returns its length.</summary>
        public static int WriteHeader(byte[] buffer, int offset, int sourcePort, int destinationPort, int payloadLength)
        {
            NetworkOrder.WriteUInt16(buffer, offset, sourcePort);
            NetworkOrder.WriteUInt16(buffer, offset + 2, destinationPort);
            NetworkOrder.WriteUInt16(buffer, offset + 4, HeaderLength + payloadLength);
            NetworkOrder.WriteUInt16(buffer, offset + 6, 0);
            return HeaderLength;
        }

        /// <summary>
        /// Computes and stores the checksum of the datagram the header's length field covers. A computed
        /// zero is sent as 0xFFFF, since zero means "no checksum" (RFC 768).
        /// </summary>
        public static void FillChecksum(byte[] buffer, int offset, IPv4Address source, IPv4Address destination)
        {
            int length = NetworkOrder.ReadUInt16(buffer, offset + 4);
            NetworkOrder.WriteUInt16(buffer, offset + 6, 0);
            ushort checksum = ChecksumOf(buffer, offset, length, source.Value, destination.Value);
            NetworkOrder.WriteUInt16(buffer, offset + 6, checksum == 0 ? 0xFFFF : checksum);
        }

        public ushort SourcePort
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset); }
        }

        public ushort DestinationPort
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 2); }
        }

        /// <summary>The length field: header plus data.</summary>
        public int Length
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 4); }
        }

        public ushort Checksum
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 6); }
        }

        public int PayloadOffset
        {
            get { return _offset + HeaderLength; }
        }

        public int PayloadLength
        {
            get { return Length - HeaderLength; }
        }

        private static ushort ChecksumOf(byte[] buffer, int offset, int length, uint source, uint destination)
        {
            uint sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Udp, length);
            return InternetChecksum.Complement(InternetChecksum.Add(sum, buffer, offset, length));
        }
    }
}
