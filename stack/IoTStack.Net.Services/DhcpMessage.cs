using IoTStack.Net.Wire;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// A view over a DHCP message (RFC 2131 section 2, figure 1): the BOOTP fixed fields, the magic cookie, and the
    /// options of RFC 2132, walked in place with Pad and End handled and option overload (option 52, RFC 2132 section
    /// 9.3) followed into the file and sname fields. Parses (<see cref="Parse"/>, returning a <see cref="WireError"/>),
    /// reads and writes fields in the caller's buffer, and emits a message (<see cref="Begin"/>, the Add methods,
    /// <see cref="End"/>). Only Ethernet (htype 1, hlen 6) is accepted.
    /// </summary>
    /// <remarks>
    /// A class its owner reuses, as the views in <c>IoTStack.Net.Wire</c> are: on nanoCLR a struct view would be allocated
    /// at every call it is a local of (DESIGN.md rule 2). <see cref="TryParse"/> makes a new one, for tests and tools.
    /// The option walk keeps its place in the view (<see cref="StartOptions"/>, <see cref="NextOption"/>); the current
    /// option is the one found, walked to or last added.
    /// </remarks>
    public sealed class DhcpMessage
    {
        /// <summary>op, htype, hlen, hops, xid, secs, flags, four addresses, chaddr, sname, file: RFC 2131 section 2.</summary>
        public const int FixedLength = 236;

        /// <summary>Where the options start, after the magic cookie (RFC 2131 section 3).</summary>
        public const int OptionsOffset = 240;

        /// <summary>99.130.83.99 (RFC 2131 section 3, RFC 2132 section 2).</summary>
        public const uint MagicCookie = 0x63825363;

        /// <summary>BOOTP's size (RFC 951: a 64-byte vendor field), which some relays and servers still insist on (RFC 1542 section 2.1).</summary>
        public const int MinimumLength = 300;

        public const int BootRequest = 1;
        public const int BootReply = 2;

        /// <summary>htype for Ethernet (10 Mb), the only one taken (RFC 1700 "Hardware Type"), with an hlen of 6.</summary>
        public const int HardwareEthernet = 1;

        /// <summary>The flags field's broadcast bit (RFC 2131 section 2, figure 2).</summary>
        public const int FlagBroadcast = 0x8000;

        // Message types, the value of option 53 (RFC 2132 section 9.6).
        public const int Discover = 1;
        public const int Offer = 2;
        public const int Request = 3;
        public const int Decline = 4;
        public const int Ack = 5;
        public const int Nak = 6;
        public const int Release = 7;
        public const int Inform = 8;

        // Option codes (RFC 2132).
        public const int OptionPad = 0;
        public const int OptionSubnetMask = 1;
        public const int OptionRouter = 3;
        public const int OptionDnsServers = 6;
        public const int OptionHostName = 12;
        public const int OptionNtpServers = 42;
        public const int OptionRequestedAddress = 50;
        public const int OptionLeaseTime = 51;
        public const int OptionOverload = 52;
        public const int OptionMessageType = 53;
        public const int OptionServerIdentifier = 54;
        public const int OptionParameterList = 55;
        public const int OptionMaximumSize = 57;
        public const int OptionRenewalTime = 58;
        public const int OptionRebindingTime = 59;
        public const int OptionClientIdentifier = 61;
        public const int OptionEnd = 255;

        // Fixed fields (RFC 2131 section 2, figure 1).
        private const int OpAt = 0;
        private const int HtypeAt = 1;
        private const int HlenAt = 2;
        private const int HopsAt = 3;
        private const int XidAt = 4;
        private const int SecsAt = 8;
        private const int FlagsAt = 10;
        private const int CiaddrAt = 12;
        private const int YiaddrAt = 16;
        private const int SiaddrAt = 20;
        private const int GiaddrAt = 24;
        private const int ChaddrAt = 28;
        private const int SnameAt = 44;
        private const int FileAt = 108;

        // Option overload's values (RFC 2132 section 9.3): bit 0 the file field holds options, bit 1 the sname field.
        private const int OverloadFile = 1;
        private const int OverloadSname = 2;

        // The walk's areas, in the order RFC 2131 section 4.1 reads them.
        private const int AreaOptions = 0;
        private const int AreaFile = 1;
        private const int AreaSname = 2;
        private const int AreaDone = 3;

        private byte[] _buffer;
        private int _offset;
        private int _length;

        // The option walk.
        private int _area;
        private int _position;
        private int _areaEnd;
        private int _overload;
        private WireError _error;
        private int _code;
        private int _dataOffset;
        private int _dataLength;

        // Emitting.
        private int _capacity;
        private bool _overflow;

        public DhcpMessage()
        {
            _area = AreaDone;
            _code = -1;
        }

        /// <summary>Points this view at a message in a buffer, not validated: for messages this node writes or checked.</summary>
        public DhcpMessage Attach(byte[] buffer, int offset, int length)
        {
            _buffer = buffer;
            _offset = offset;
            _length = length;
            _area = AreaDone;
            _code = -1;
            return this;
        }

        /// <summary>
        /// Validates a message of <paramref name="length"/> bytes (the UDP payload): the fixed fields are there, op is
        /// BOOTREQUEST or BOOTREPLY, the hardware is Ethernet, the magic cookie is right, and every option area the message
        /// uses is well formed: no option runs past its area and each ends with End (RFC 2131 section 4.1, RFC 2132
        /// section 3.2). When it returns None the view is on the message.
        /// </summary>
        public WireError Parse(byte[] buffer, int offset, int length)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < OptionsOffset)
            {
                return WireError.Truncated;
            }

            int op = buffer[offset + OpAt];
            if (op != BootRequest && op != BootReply)
            {
                return WireError.BadOperation;
            }

            if (buffer[offset + HtypeAt] != HardwareEthernet || buffer[offset + HlenAt] != MacAddress.Length)
            {
                return WireError.UnsupportedHardwareType;
            }

            if (NetworkOrder.ReadUInt32(buffer, offset + FixedLength) != MagicCookie)
            {
                return WireError.BadMagicCookie;
            }

            Attach(buffer, offset, length);
            StartOptions();
            while (NextOption())
            {
            }

            WireError error = _error;
            _area = AreaDone;
            _code = -1;
            return error;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out DhcpMessage message)
        {
            message = new DhcpMessage();
            return message.Parse(buffer, offset, length);
        }

        /// <summary>The message's length: what was parsed or attached, or what has been emitted so far.</summary>
        public int Length
        {
            get { return _length; }
        }

        public int Op
        {
            get { return _buffer[_offset + OpAt]; }
            set { _buffer[_offset + OpAt] = (byte)value; }
        }

        public int HardwareType
        {
            get { return _buffer[_offset + HtypeAt]; }
        }

        public int HardwareLength
        {
            get { return _buffer[_offset + HlenAt]; }
        }

        public int Hops
        {
            get { return _buffer[_offset + HopsAt]; }
        }

        /// <summary>xid: chosen by the client, echoed by the server.</summary>
        public uint TransactionId
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + XidAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + XidAt, value); }
        }

        /// <summary>secs: seconds since the client began acquiring or renewing.</summary>
        public int Seconds
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + SecsAt); }
            set { NetworkOrder.WriteUInt16(_buffer, _offset + SecsAt, value); }
        }

        public int Flags
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + FlagsAt); }
            set { NetworkOrder.WriteUInt16(_buffer, _offset + FlagsAt, value); }
        }

        /// <summary>ciaddr, as <see cref="IPv4Address.Value"/>: the client's address when it can answer ARP for it.</summary>
        public uint ClientAddressValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + CiaddrAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + CiaddrAt, value); }
        }

        /// <summary>yiaddr: the address offered or acknowledged.</summary>
        public uint YourAddressValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + YiaddrAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + YiaddrAt, value); }
        }

        /// <summary>siaddr: the next server in bootstrap (not the server identifier, which is option 54).</summary>
        public uint ServerAddressValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + SiaddrAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + SiaddrAt, value); }
        }

        /// <summary>giaddr: the relay agent's address.</summary>
        public uint GatewayAddressValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + GiaddrAt); }
            set { NetworkOrder.WriteUInt32(_buffer, _offset + GiaddrAt, value); }
        }

        /// <summary>Where chaddr starts in the buffer (its first hlen = 6 bytes are the client's MAC address).</summary>
        public int HardwareAddressOffset
        {
            get { return _offset + ChaddrAt; }
        }

        /// <summary>Whether option overload (52) in the options field says the file (1), sname (2) or both (3) hold options; valid after a walk has passed it.</summary>
        public int Overload
        {
            get { return _overload; }
        }

        /// <summary>
        /// Starts a walk over the options: the options field, then, when option overload says so, the file field and then
        /// the sname field (RFC 2131 section 4.1).
        /// </summary>
        public void StartOptions()
        {
            _area = AreaOptions;
            _position = _offset + OptionsOffset;
            _areaEnd = _offset + _length;
            _overload = 0;
            _error = WireError.None;
            _code = -1;
            _dataOffset = 0;
            _dataLength = 0;
        }

        /// <summary>
        /// Moves to the next option other than Pad. Returns false after the last End, or on a malformed area, which
        /// <see cref="OptionError"/> then names: <see cref="WireError.OptionOverrun"/> for an option running past its area,
        /// <see cref="WireError.Truncated"/> for an area without End, <see cref="WireError.BadOptionLength"/> for an option
        /// overload whose length is not 1. An overload value's low two bits are taken (0: none); option 52 is only read in
        /// the options field (RFC 2132 section 9.3).
        /// </summary>
        public bool NextOption()
        {
            while (_area != AreaDone)
            {
                if (_position >= _areaEnd)
                {
                    return Stop(WireError.Truncated); // every option area ends with End (RFC 2131 section 4.1)
                }

                int code = _buffer[_position];
                if (code == OptionPad)
                {
                    _position++;
                    continue;
                }

                if (code == OptionEnd)
                {
                    NextArea();
                    continue;
                }

                if (_position + 2 > _areaEnd || _position + 2 + _buffer[_position + 1] > _areaEnd)
                {
                    return Stop(WireError.OptionOverrun); // options may not be split across fields either (section 4.1)
                }

                _code = code;
                _dataOffset = _position + 2;
                _dataLength = _buffer[_position + 1];
                _position = _dataOffset + _dataLength;
                if (code == OptionOverload && _area == AreaOptions)
                {
                    if (_dataLength != 1)
                    {
                        return Stop(WireError.BadOptionLength);
                    }

                    _overload = _buffer[_dataOffset] & (OverloadFile | OverloadSname);
                }

                return true;
            }

            return false;
        }

        private bool Stop(WireError error)
        {
            _error = error;
            _area = AreaDone;
            _code = -1;
            return false;
        }

        private void NextArea()
        {
            if (_area == AreaOptions && (_overload & OverloadFile) != 0)
            {
                _area = AreaFile;
                _position = _offset + FileAt;
                _areaEnd = _offset + FixedLength;
            }
            else if (_area != AreaSname && (_overload & OverloadSname) != 0)
            {
                _area = AreaSname;
                _position = _offset + SnameAt;
                _areaEnd = _offset + FileAt;
            }
            else
            {
                _area = AreaDone;
                _code = -1;
            }
        }

        /// <summary>Why the last walk stopped early, or None.</summary>
        public WireError OptionError
        {
            get { return _error; }
        }

        /// <summary>The current option's code (-1 for none).</summary>
        public int OptionCode
        {
            get { return _code; }
        }

        /// <summary>Where the current option's data starts in the buffer, past its code and length bytes.</summary>
        public int OptionOffset
        {
            get { return _dataOffset; }
        }

        /// <summary>The current option's data length (its length byte).</summary>
        public int OptionLength
        {
            get { return _dataLength; }
        }

        /// <summary>Makes the first option with <paramref name="code"/> the current one; false when there is none.</summary>
        public bool FindOption(int code)
        {
            StartOptions();
            while (NextOption())
            {
                if (_code == code)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Option 53 (RFC 2132 section 9.6), or 0 when it is missing or not one byte long.</summary>
        public int MessageType
        {
            get { return FindOption(OptionMessageType) && _dataLength == 1 ? _buffer[_dataOffset] : 0; }
        }

        /// <summary>A byte of the current option's data; the caller checks <paramref name="index"/> against <see cref="OptionLength"/>.</summary>
        public int OptionByte(int index)
        {
            return _buffer[_dataOffset + index];
        }

        public int OptionUInt16(int index)
        {
            return NetworkOrder.ReadUInt16(_buffer, _dataOffset + index);
        }

        /// <summary>Four bytes of the current option's data from <paramref name="index"/>: a time in seconds, or an address's value.</summary>
        public uint OptionUInt32(int index)
        {
            return NetworkOrder.ReadUInt32(_buffer, _dataOffset + index);
        }

        /// <summary>The address at <paramref name="index"/> in the current option's data (a struct: off nanoCLR's per-packet paths prefer <see cref="OptionUInt32"/>).</summary>
        public IPv4Address OptionAddress(int index)
        {
            return new IPv4Address(NetworkOrder.ReadUInt32(_buffer, _dataOffset + index));
        }

        /// <summary>Writes a byte of the current option's data (one just added, say).</summary>
        public void SetOptionByte(int index, int value)
        {
            _buffer[_dataOffset + index] = (byte)value;
        }

        /// <summary>
        /// Starts a message in <paramref name="capacity"/> bytes of <paramref name="buffer"/>: every fixed field zero but op,
        /// htype and hlen (Ethernet), and xid, then the magic cookie. Set the other fixed fields through the view, add
        /// options, then call <see cref="End"/>.
        /// </summary>
        public void Begin(byte[] buffer, int offset, int capacity, int op, uint transactionId)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, capacity) || capacity < OptionsOffset + 1)
            {
                throw new System.ArgumentOutOfRangeException("capacity");
            }

            Attach(buffer, offset, OptionsOffset);
            _capacity = capacity;
            _overflow = false;
            System.Array.Clear(buffer, offset, OptionsOffset);
            buffer[offset + OpAt] = (byte)op;
            buffer[offset + HtypeAt] = HardwareEthernet;
            buffer[offset + HlenAt] = MacAddress.Length;
            NetworkOrder.WriteUInt32(buffer, offset + XidAt, transactionId);
            NetworkOrder.WriteUInt32(buffer, offset + FixedLength, MagicCookie);
        }

        /// <summary>
        /// Adds an option with room for <paramref name="length"/> bytes of data and makes it the current one; returns where
        /// its data goes, or -1 when it does not fit (leaving room for End) or is over 255 bytes, and then <see cref="End"/>
        /// fails.
        /// </summary>
        public int AddOption(int code, int length)
        {
            if (length < 0 || length > 255 || _length + 2 + length + 1 > _capacity)
            {
                _overflow = true;
                return -1;
            }

            int at = _offset + _length;
            _buffer[at] = (byte)code;
            _buffer[at + 1] = (byte)length;
            _code = code;
            _dataOffset = at + 2;
            _dataLength = length;
            _length += 2 + length;
            return _dataOffset;
        }

        public void AddByteOption(int code, int value)
        {
            int at = AddOption(code, 1);
            if (at >= 0)
            {
                _buffer[at] = (byte)value;
            }
        }

        public void AddUInt16Option(int code, int value)
        {
            int at = AddOption(code, 2);
            if (at >= 0)
            {
                NetworkOrder.WriteUInt16(_buffer, at, value);
            }
        }

        /// <summary>Adds a four-byte option: a time in seconds, or an address (<see cref="IPv4Address.Value"/>).</summary>
        public void AddUInt32Option(int code, uint value)
        {
            int at = AddOption(code, 4);
            if (at >= 0)
            {
                NetworkOrder.WriteUInt32(_buffer, at, value);
            }
        }

        public void AddBytesOption(int code, byte[] data, int offset, int length)
        {
            int at = AddOption(code, length);
            if (at >= 0)
            {
                System.Array.Copy(data, offset, _buffer, at, length);
            }
        }

        /// <summary>
        /// Ends the options with End, pads with Pad up to <paramref name="minimumLength"/> (as far as the capacity allows),
        /// and returns the message's length; -1 when an option did not fit.
        /// </summary>
        public int End(int minimumLength)
        {
            if (_overflow)
            {
                return -1;
            }

            _buffer[_offset + _length] = OptionEnd;
            _length++;
            int end = minimumLength < _capacity ? minimumLength : _capacity;
            if (_length < end)
            {
                System.Array.Clear(_buffer, _offset + _length, end - _length);
                _length = end;
            }

            _code = -1;
            return _length;
        }
    }
}
