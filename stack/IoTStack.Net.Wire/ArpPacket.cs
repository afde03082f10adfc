namespace IoTStack.Net.Wire
{
    /// <summary>A view over an ARP packet for Ethernet and IPv4 (RFC 826).</summary>
    /// <remarks>
    /// A class its owner reuses (<see cref="Parse"/>, <see cref="Attach"/>): on nanoCLR a struct view would be allocated at
    /// every call it is a local of and cloned at every load (DESIGN.md rule 2). <c>TryParse</c> and <c>Wrap</c> make new
    /// ones, for code off the hot paths.
    /// </remarks>
    public sealed class ArpPacket
    {
        public const int Length = 28;
        public const ushort HardwareTypeEthernet = 1;
        public const ushort OperationRequest = 1;
        public const ushort OperationReply = 2;

        private byte[] _buffer;
        private int _offset;

        public ArpPacket()
        {
        }

        private ArpPacket(byte[] buffer, int offset)
        {
            Attach(buffer, offset);
        }

        /// <summary>Points this view at a ArpPacket in a buffer, not validated: for headers this node writes or checked.</summary>
        public ArpPacket Attach(byte[] buffer, int offset)
        {
            _buffer = buffer;
            _offset = offset;
            return this;
        }

        /// <summary>Validates an ARP packet; trailing bytes (Ethernet padding) are ignored.</summary>
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

            if (NetworkOrder.ReadUInt16(buffer, offset) != HardwareTypeEthernet || buffer[offset + 4] != MacAddress.Length)
            {
                return WireError.UnsupportedHardwareType;
            }

            if (NetworkOrder.ReadUInt16(buffer, offset + 2) != EtherType.IPv4 || buffer[offset + 5] != IPv4Address.Length)
            {
                return WireError.UnsupportedProtocolType;
            }

            ushort operation = NetworkOrder.ReadUInt16(buffer, offset + 6);
            if (operation != OperationRequest && operation != OperationReply)
            {
                return WireError.BadOperation;
            }

            Attach(buffer, offset);
            return WireError.None;
        }

        /// <summary>As <see cref="Parse"/>, into a new view.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out ArpPacket packet)
        {
            packet = new ArpPacket();
            return packet.Parse(buffer, offset, length);
        }

        /// <summary>Writes a whole ARP packet and returns its length.</summary>
        public static int Write(byte[] buffer, int offset, ushort operation, MacAddress senderHardware, IPv4Address senderProtocol, MacAddress targetHardware, IPv4Address targetProtocol)
        {
            Write(buffer, offset, operation, senderProtocol.Value, targetProtocol.Value);
            senderHardware.Write(buffer, offset + SenderHardwareOffset);
            targetHardware.Write(buffer, offset + TargetHardwareOffset);
            return Length;
        }

        /// <summary>
        /// Writes an ARP packet for Ethernet and IPv4 with both hardware addresses zero (the caller writes them at
        /// <see cref="SenderHardwareOffset"/> and <see cref="TargetHardwareOffset"/>) and returns its length.
        /// </summary>
        public static int Write(byte[] buffer, int offset, ushort operation, uint senderProtocol, uint targetProtocol)
        {
            NetworkOrder.WriteUInt16(buffer, offset, HardwareTypeEthernet);
            NetworkOrder.WriteUInt16(buffer, offset + 2, EtherType.IPv4);
            buffer[offset + 4] = MacAddress.Length;
            buffer[offset + 5] = IPv4Address.Length;
            NetworkOrder.WriteUInt16(buffer, offset + 6, operation);
            System.Array.Clear(buffer, offset + SenderHardwareOffset, MacAddress.Length);
            NetworkOrder.WriteUInt32(buffer, offset + 14, senderProtocol);
            System.Array.Clear(buffer, offset + TargetHardwareOffset, MacAddress.Length);
            NetworkOrder.WriteUInt32(buffer, offset + 24, targetProtocol);
            return Length;
        }

        /// <summary>Where the sender's hardware address sits in a packet.</summary>
        public const int SenderHardwareOffset = 8;

        /// <summary>Where the target's hardware address sits in a packet.</summary>
        public const int TargetHardwareOffset = 18;

        public byte[] Buffer
        {
            get { return _buffer; }
        }

        public int Offset
        {
            get { return _offset; }
        }

        /// <summary><see cref="SenderProtocolAddress"/> as a number (<see cref="IPv4Address.Value"/>).</summary>
        public uint SenderProtocolValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + 14); }
        }

        /// <summary><see cref="TargetProtocolAddress"/> as a number.</summary>
        public uint TargetProtocolValue
        {
            get { return NetworkOrder.ReadUInt32(_buffer, _offset + 24); }
        }

        public ushort Operation
        {
            get { return NetworkOrder.ReadUInt16(_buffer, _offset + 6); }
        }

        public MacAddress SenderHardwareAddress
        {
            get { return MacAddress.Read(_buffer, _offset + 8); }
        }

        public IPv4Address SenderProtocolAddress
        {
            get { return new IPv4Address(SenderProtocolValue); }
        }

        public MacAddress TargetHardwareAddress
        {
            get { return MacAddress.Read(_buffer, _offset + 18); }
        }

        public IPv4Address TargetProtocolAddress
        {
            get { return new IPv4Address(TargetProtocolValue); }
        }

        /// <summary>
        /// A request whose sender and target protocol addresses are equal: a gratuitous ARP or an
        /// RFC 5227 announcement.
        /// </summary>
        public bool IsGratuitous
        {
            get { return SenderProtocolAddress == TargetProtocolAddress; }
        }

        /// <summary>An RFC 5227 probe: sender protocol address 0.0.0.0.</summary>
        public bool IsProbe
        {
            get { return Operation == OperationRequest && SenderProtocolAddress.IsAny; }
        }
    }
}
