namespace IoTStack.Net.Wire
{
    /// <summary>A view over an ICMPv4 message (RFC 792): type, code, checksum, four bytes of rest-of-header, body.</summary>
    /// <remarks>
    /// A class its owner reuses (<see cref="Parse"/>, <see cref="Attach"/>): on nanoCLR a struct view would be allocated at
    /// every call it is a local of and cloned at every load (DESIGN.md rule 2). <c>TryParse</c> and <c>Wrap</c> make new
    /// ones, for code off the hot paths.
    /// </remarks>
    public sealed class Icmpv4Message
    {
        public const int HeaderLength = 8;

        public const byte TypeEchoReply = 0;
        public const byte TypeDestinationUnreachable = 3;
        public const byte TypeSourceQuench = 4;
        public const byte TypeRedirect = 5;
        public const byte TypeEchoRequest = 8;
        public const byte TypeTimeExceeded = 11;
        public const byte TypeParameterProblem = 12;

        public const byte CodeNetUnreachable = 0;
        public const byte CodeHostUnreachable = 1;
        public const byte CodeProtocolUnreachable = 2;
        public const byte CodePortUnreachable = 3;
        public const byte CodeFragmentationNeeded = 4;
        public const byte CodeTimeToLiveExceeded = 0;
        public const byte CodeReassemblyTimeExceeded = 1;

        private byte[] _buffer;
        private int _offset;
        private int _length;

        public Icmpv4Message()
        {
        }

        private Icmpv4Message(byte[] buffer, int offset, int length)
        {
            Attach(buffer, offset, length);
        }

        /// <summary>Points this view at a Icmpv4Message in a buffer, not validated: for headers this node writes or checked.</summary>
        public Icmpv4Message Attach(byte[] buffer, int offset, int length)
        {
            _buffer = buffer;
            _offset = offset;
            _length = length;
            return this;
        }

        /// <summary>Validates a message of <paramref name="length"/> bytes (the IPv4 payload), checksum included.</summary>
        public WireError Parse(byte[] buffer, int offset, int length)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < HeaderLength)
            {
                return WireError.Truncated;
            }

            if (InternetChecksum.Compute(buffer, offset, length) != 0)
            {
                return WireError.BadChecksum;
            }

            Attach(buffer, offset, length);
            return WireError.None;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out Icmpv4Message message)
        {
            message = new Icmpv4Message();
            return message.Parse(buffer, offset, length);
        }

        /// <summary>Writes an echo request or reply header (checksum zero) and returns its length; the data follows it.</summary>
        public static int WriteEcho(byte[] buffer, int offset, byte type, ushort identifier, ushort sequenceNumber)
        {
            buffer[offset] = type;
            buffer[offset + 1] = 0;
            NetworkOrder.WriteUInt16(buffer, offset + 2, 0);
            NetworkOrder.WriteUInt16(buffer, offset + 4, identifier);
            NetworkOrder.WriteUInt16(buffer, offset + 6, sequenceNumber);
            return HeaderLength;
        }

        /// <summary>
        /// Writes an error message (destination unreachable, time exceeded, parameter problem) that quotes
        /// the offending datagram, fills its checksum, and returns its length. RFC 792 asks for the IP
        /// header plus 8 bytes of data; RFC 1812 section 4.3.2.3 allows more (the caller chooses).
        /// </summary>
        public static int WriteError(byte[] buffer, int offset, byte type, byte code, uint restOfHeader, byte[] original, int originalOffset, int quoteLength)
        {
            buffer[offset] = type;
            buffer[offset + 1] = code;
            NetworkOrder.WriteUInt16(buffer, offset + 2, 0);
            NetworkOrder.WriteUInt32(buffer, offset + 4, restOfHeader);
            System.Array.Copy(original, originalOffset, buffer, offset + HeaderLength, quoteLength);
            int length = HeaderLength + quoteLength;
            FillChecksum(buffer, offset, length);
            return length;
        }

        /// <summary>Computes and stores the checksum over a whole message of <paramref name="length"/> bytes.</summary>
        public static void FillChecksum(byte[] buffer, int offset, int length)
        {
            NetworkOrder.WriteUInt16(buffer, offset + 2, 0);
            NetworkOrder.WriteUInt16(buffer, offset + 2, InternetChecksum.Compute(buffer, offset, length));
        }

        public int Length
        {
            get { return _length; }
        }

        public byte Type
        {
            get { return _buffer[_offset]; }
        }

        public byte Code
        {
            get { return _buffer[_offset + 1]; }
        }

        public ushort Checksum
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 2); }
        }

        /// <summary>The four type-specific bytes after the checksum.</summary>
        public uint RestOfHeader
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + 4); }
        }

        /// <summary>Echo identifier (types 0 and 8).</summary>
        public ushort Identifier
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 4); }
        }

        /// <summary>Echo sequence number (types 0 and 8).</summary>
        public ushort SequenceNumber
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 6); }
        }

        /// <summary>Next-hop MTU of a fragmentation-needed message (RFC 1191 section 4).</summary>
        public ushort NextHopMtu
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 6); }
        }

        /// <summary>Octet pointer of a parameter problem message (RFC 792).</summary>
        public byte Pointer
        {
            get { return _buffer[_offset + 4]; }
        }

        /// <summary>Echo data, or for error messages the quoted datagram (its IP header first).</summary>
        public int PayloadOffset
        {
            get { return _offset + HeaderLength; }
        }

        public int PayloadLength
        {
            get { return _length - HeaderLength; }
        }

        /// <summary>True for the error types whose body quotes an offending datagram.</summary>
        public bool IsError
        {
            get { return IsErrorType(Type); }
        }

        /// <summary>The RFC 792 error messages (as opposed to queries such as echo and timestamp).</summary>
        public static bool IsErrorType(byte type)
        {
            return type == TypeDestinationUnreachable || type == TypeSourceQuench || type == TypeRedirect
                || type == TypeTimeExceeded || type == TypeParameterProblem;
        }

        public byte[] Buffer
        {
            get { return _buffer; }
        }
    }
}
