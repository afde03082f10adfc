namespace IoTStack.Net.Wire
{
    /// <summary>A view over an ARP packet for Ethernet and IPv4 (RFC 826).</summary>
    public struct ArpPacket
    {
        public const int Length = 28;
        public const ushort HardwareTypeEthernet = 1;
        public const ushort OperationRequest = 1;
        public const ushort OperationReply = 2;

        private readonly byte[] _buffer;
        private readonly int _offset;

        private ArpPacket(byte[] buffer, int offset)
        {
            _buffer = buffer;
            _offset = offset;
        }

        /// <summary>Validates an ARP packet; trailing bytes (Ethernet padding) are ignored.</summary>
        public static WireError TryParse(byte[] buffer, int offset, int length, out ArpPacket packet)
        {
            packet = default(ArpPacket);
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

            packet = new ArpPacket(buffer, offset);
            return WireError.None;
        }

        /// <summary>Writes a whole ARP packet and returns its length.</summary>
        public static int Write(byte[] buffer, int offset, ushort operation, MacAddress senderHardware, IPv4Address senderProtocol, MacAddress targetHardware, IPv4Address targetProtocol)
        {
            NetworkOrder.WriteUInt16(buffer, offset, HardwareTypeEthernet);
            NetworkOrder.WriteUInt16(buffer, offset + 2, EtherType.IPv4);
            buffer[offset + 4] = MacAddress.Length;
            buffer[offset + 5] = IPv4Address.Length;
            NetworkOrder.WriteUInt16(buffer, offset + 6, operation);
            senderHardware.Write(buffer, offset + 8);
            senderProtocol.Write(buffer, offset + 14);
            targetHardware.Write(buffer, offset + 18);
            targetProtocol.Write(buffer, offset + 24);
            return Length;
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
            get { return IPv4Address.Read(_buffer, _offset + 14); }
        }

        public MacAddress TargetHardwareAddress
        {
            get { return MacAddress.Read(_buffer, _offset + 18); }
        }

        public IPv4Address TargetProtocolAddress
        {
            get { return IPv4Address.Read(_buffer, _offset + 24); }
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
