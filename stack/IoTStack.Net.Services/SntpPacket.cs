using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// A view over an SNTP packet (RFC 4330 section 4): leap indicator, version and mode in the first byte, stratum, poll,
    /// precision, root delay and dispersion, the reference identifier (a kiss-o'-death's code at stratum 0), and the
    /// reference, originate, receive and transmit timestamps. <see cref="Parse"/> makes the checks RFC 4330 section 5 asks
    /// of a client on an answer; <see cref="WriteClientRequest"/> emits the client's request.
    /// </summary>
    /// <remarks>
    /// A class its owner reuses, as the views in <c>IoTStack.Net.Wire</c> are (DESIGN.md rule 2); <see cref="TryParse"/>
    /// makes a new one, for tests and tools. Timestamps are read as their two 32-bit halves, seconds and fraction, so
    /// nothing on the way allocates a struct on nanoCLR.
    /// </remarks>
    public sealed class SntpPacket
    {
        /// <summary>The packet without the optional key identifier and message digest (RFC 4330 section 4).</summary>
        public const int Length = 48;

        public const int ModeClient = 3;
        public const int ModeServer = 4;
        public const int ModeBroadcast = 5;

        /// <summary>The version this client sends (NTPv4; RFC 4330 section 5).</summary>
        public const int Version = 4;

        /// <summary>Leap indicator 3: alarm condition, the clock is not synchronised (RFC 4330 section 4).</summary>
        public const int LeapUnsynchronized = 3;

        /// <summary>The highest stratum a server with time may have; 16 to 255 are reserved (RFC 4330 section 4).</summary>
        public const int MaximumStratum = 15;

        // Kiss codes (RFC 4330 section 8), the reference identifier's four ASCII bytes at stratum 0.
        public const uint KissDeny = 0x44454E59; // "DENY": access denied, stop
        public const uint KissRestrict = 0x52535452; // "RSTR": access restricted, stop
        public const uint KissRate = 0x52415445; // "RATE": ask less often

        /// <summary>Seconds from the NTP era 0 epoch (1900-01-01) to the Unix epoch (1970-01-01).</summary>
        public const long UnixEpochInNtpSeconds = 2208988800L;

        // Fields (RFC 4330 section 4, figure 1).
        private const int FlagsAt = 0;
        private const int StratumAt = 1;
        private const int PollAt = 2;
        private const int PrecisionAt = 3;
        private const int RootDelayAt = 4;
        private const int RootDispersionAt = 8;
        private const int ReferenceIdentifierAt = 12;
        private const int ReferenceTimestampAt = 16;
        private const int OriginateTimestampAt = 24;
        private const int ReceiveTimestampAt = 32;
        private const int TransmitTimestampAt = 40;

        private byte[] _buffer;
        private int _offset;

        public SntpPacket()
        {
        }

        /// <summary>Points this view at a packet in a buffer, not validated: for packets this node writes or checked.</summary>
        public SntpPacket Attach(byte[] buffer, int offset)
        {
            _buffer = buffer;
            _offset = offset;
            return this;
        }

        /// <summary>
        /// Checks an answer of <paramref name="length"/> bytes (the UDP payload) as RFC 4330 section 5 asks a client to, in
        /// this order: 48 bytes at least (<see cref="WireError.Truncated"/>), version 1 to 4 (<see cref="WireError.BadVersion"/>),
        /// mode server or broadcast (<see cref="WireError.BadOperation"/>), stratum 0 (<see cref="WireError.KissOfDeath"/>,
        /// section 8), leap indicator 3 or stratum above 15 (<see cref="WireError.Unsynchronized"/>), a zero transmit
        /// timestamp (<see cref="WireError.BadTimestamp"/>). After None, and after the last three, the view is on the packet:
        /// it is an answer, if not a time to use, and the caller still matches its originate timestamp (<see cref="IsAnswerTo"/>)
        /// and reads a kiss code. Whether it answers the request sent is the caller's check.
        /// </summary>
        public WireError Parse(byte[] buffer, int offset, int length)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < Length)
            {
                return WireError.Truncated;
            }

            int flags = buffer[offset + FlagsAt];
            int version = (flags >> 3) & 7;
            if (version < 1 || version > Version)
            {
                return WireError.BadVersion;
            }

            int mode = flags & 7;
            if (mode != ModeServer && mode != ModeBroadcast)
            {
                return WireError.BadOperation;
            }

            Attach(buffer, offset);
            int stratum = buffer[offset + StratumAt];
            if (stratum == 0)
            {
                return WireError.KissOfDeath;
            }

            if (flags >> 6 == LeapUnsynchronized || stratum > MaximumStratum)
            {
                return WireError.Unsynchronized;
            }

            if (TransmitSeconds == 0 && TransmitFraction == 0)
            {
                return WireError.BadTimestamp;
            }

            return WireError.None;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out SntpPacket packet)
        {
            packet = new SntpPacket();
            return packet.Parse(buffer, offset, length);
        }

        /// <summary>Points the view at <paramref name="buffer"/> and zeroes the 48 bytes of a packet there, for the setters to fill.</summary>
        public void Begin(byte[] buffer, int offset)
        {
            Attach(buffer, offset);
            System.Array.Clear(buffer, offset, Length);
        }

        /// <summary>
        /// Writes a client request (RFC 4330 section 5): LI 0, version 4, mode 3, every other field zero but the transmit
        /// timestamp, which the server copies into its answer's originate field. Returns its length.
        /// </summary>
        /// <remarks>
        /// A client may send a random nonce there rather than its time: it only has to recognise the copy (as chrony and
        /// systemd-timesyncd do), and the request then tells the server nothing of its clock.
        /// </remarks>
        public int WriteClientRequest(byte[] buffer, int offset, uint transmitSeconds, uint transmitFraction)
        {
            Begin(buffer, offset);
            buffer[offset + FlagsAt] = (Version << 3) | ModeClient;
            NetworkOrder.WriteUInt32(buffer, offset + TransmitTimestampAt, transmitSeconds);
            NetworkOrder.WriteUInt32(buffer, offset + TransmitTimestampAt + 4, transmitFraction);
            return Length;
        }

        /// <summary>LI: 0 no warning, 1 or 2 a leap second at the end of the day, 3 not synchronised.</summary>
        public int LeapIndicator
        {
            get { return _buffer[_offset + FlagsAt] >> 6; }
            set { _buffer[_offset + FlagsAt] = (byte)((_buffer[_offset + FlagsAt] & 0x3F) | ((value & 3) << 6)); }
        }

        /// <summary>VN.</summary>
        public int VersionNumber
        {
            get { return (_buffer[_offset + FlagsAt] >> 3) & 7; }
            set { _buffer[_offset + FlagsAt] = (byte)((_buffer[_offset + FlagsAt] & 0xC7) | ((value & 7) << 3)); }
        }

        public int Mode
        {
            get { return _buffer[_offset + FlagsAt] & 7; }
            set { _buffer[_offset + FlagsAt] = (byte)((_buffer[_offset + FlagsAt] & 0xF8) | (value & 7)); }
        }

        /// <summary>0 kiss-o'-death, 1 primary reference, 2 to 15 secondary, 16 to 255 reserved.</summary>
        public int Stratum
        {
            get { return _buffer[_offset + StratumAt]; }
            set { _buffer[_offset + StratumAt] = (byte)value; }
        }

        /// <summary>The poll interval as a signed power of two seconds.</summary>
        public int Poll
        {
            get { return (sbyte)_buffer[_offset + PollAt]; }
            set { _buffer[_offset + PollAt] = (byte)value; }
        }

        /// <summary>The clock's precision as a signed power of two seconds.</summary>
        public int Precision
        {
            get { return (sbyte)_buffer[_offset + PrecisionAt]; }
            set { _buffer[_offset + PrecisionAt] = (byte)value; }
        }

        /// <summary>Root delay, a signed 16.16 fixed-point number of seconds, as its raw bits.</summary>
        public uint RootDelay
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + RootDelayAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + RootDelayAt, value); }
        }

        /// <summary>Root dispersion, an unsigned 16.16 fixed-point number of seconds, as its raw bits.</summary>
        public uint RootDispersion
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + RootDispersionAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + RootDispersionAt, value); }
        }

        /// <summary>The reference source (stratum 1: four ASCII bytes; above: an IPv4 address); the kiss code at stratum 0.</summary>
        public uint ReferenceIdentifier
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + ReferenceIdentifierAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + ReferenceIdentifierAt, value); }
        }

        /// <summary>The kiss code (<see cref="KissRate"/>, <see cref="KissDeny"/>, ...) of a stratum 0 packet, else 0.</summary>
        public uint KissCode
        {
            get { return Stratum == 0 ? ReferenceIdentifier : 0; }
        }

        public uint ReferenceSeconds
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + ReferenceTimestampAt); }
        }

        public uint ReferenceFraction
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + ReferenceTimestampAt + 4); }
        }

        /// <summary>When the request left the client, as the server copied it from the request's transmit field.</summary>
        public uint OriginateSeconds
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + OriginateTimestampAt); }
        }

        public uint OriginateFraction
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + OriginateTimestampAt + 4); }
        }

        /// <summary>When the request reached the server.</summary>
        public uint ReceiveSeconds
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + ReceiveTimestampAt); }
        }

        public uint ReceiveFraction
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + ReceiveTimestampAt + 4); }
        }

        /// <summary>When the packet left its sender.</summary>
        public uint TransmitSeconds
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + TransmitTimestampAt); }
        }

        public uint TransmitFraction
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + TransmitTimestampAt + 4); }
        }

        public void SetReferenceTimestamp(uint seconds, uint fraction)
        {
            WriteTimestamp(ReferenceTimestampAt, seconds, fraction);
        }

        public void SetOriginateTimestamp(uint seconds, uint fraction)
        {
            WriteTimestamp(OriginateTimestampAt, seconds, fraction);
        }

        public void SetReceiveTimestamp(uint seconds, uint fraction)
        {
            WriteTimestamp(ReceiveTimestampAt, seconds, fraction);
        }

        public void SetTransmitTimestamp(uint seconds, uint fraction)
        {
            WriteTimestamp(TransmitTimestampAt, seconds, fraction);
        }

        /// <summary>
        /// Whether the originate timestamp is the transmit timestamp of the request sent (RFC 4330 section 5): that the
        /// packet answers it.
        /// </summary>
        public bool IsAnswerTo(uint transmitSeconds, uint transmitFraction)
        {
            return OriginateSeconds == transmitSeconds && OriginateFraction == transmitFraction;
        }

        /// <summary>
        /// An NTP timestamp as Unix milliseconds. RFC 4330 section 3: with the top bit of the seconds clear the time is in
        /// era 1 (from 2036-02-07), so the 32-bit field stays right until 2104.
        /// </summary>
        public static long ToUnixMilliseconds(uint seconds, uint fraction)
        {
            long since1900 = (seconds & 0x80000000u) != 0 ? seconds : seconds + 0x100000000L;
            return (since1900 - UnixEpochInNtpSeconds) * 1000 + (((long)fraction * 1000) >> 32);
        }

        private void WriteTimestamp(int at, uint seconds, uint fraction)
        {
            NetworkOrder.WriteUInt32(_buffer, _offset + at, seconds);
            NetworkOrder.WriteUInt32(_buffer, _offset + at + 4, fraction);
        }
    }
}
