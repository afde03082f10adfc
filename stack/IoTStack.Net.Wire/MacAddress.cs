namespace IoTStack.Net.Wire
{
    /// <summary>A 48-bit IEEE 802 MAC address, held by value.</summary>
    public struct MacAddress
    {
        public const int Length = 6;

        private ushort _high; // octets 0-1
        private uint _low;    // octets 2-5

        public MacAddress(byte b0, byte b1, byte b2, byte b3, byte b4, byte b5)
        {
            _high = (ushort)((b0 << 8) | b1);
            _low = ((uint)b2 << 24) | ((uint)b3 << 16) | ((uint)b4 << 8) | b5;
        }

        private MacAddress(ushort high, uint low)
        {
            _high = high;
            _low = low;
        }

        public static MacAddress Broadcast
        {
            get { return new MacAddress(0xFFFF, 0xFFFFFFFF); }
        }

        public static MacAddress Zero
        {
            get { return new MacAddress(0, 0); }
        }

        public static MacAddress Read(byte[] buffer, int offset)
        {
            return new MacAddress(NetworkOrder.ReadUInt16(buffer, offset), NetworkOrder.ReadUInt32(buffer, offset + 2));
        }

        public void Write(byte[] buffer, int offset)
        {
            NetworkOrder.WriteUInt16(buffer, offset, _high);
            NetworkOrder.WriteUInt32(buffer, offset + 2, _low);
        }

        /// <summary>
        /// Makes this address the six bytes at <paramref name="offset"/>: for a MacAddress field of a class, changed in
        /// place (on nanoCLR assigning a struct allocates a new one).
        /// </summary>
        public void Load(byte[] buffer, int offset)
        {
            _high = NetworkOrder.ReadUInt16(buffer, offset);
            _low = NetworkOrder.ReadUInt32(buffer, offset + 2);
        }

        /// <summary>Makes this address 00:00:00:00:00:00 in place.</summary>
        public void Clear()
        {
            _high = 0;
            _low = 0;
        }

        /// <summary>Whether the six bytes at <paramref name="offset"/> hold this address (compared in place, nothing copied).</summary>
        public bool Equals(byte[] buffer, int offset)
        {
            return NetworkOrder.ReadUInt16(buffer, offset) == _high && NetworkOrder.ReadUInt32(buffer, offset + 2) == _low;
        }

        /// <summary>Writes ff:ff:ff:ff:ff:ff at <paramref name="offset"/>.</summary>
        public static void WriteBroadcast(byte[] buffer, int offset)
        {
            NetworkOrder.WriteUInt16(buffer, offset, 0xFFFF);
            NetworkOrder.WriteUInt32(buffer, offset + 2, 0xFFFFFFFF);
        }

        /// <summary>Writes the MAC address of IPv4 group <paramref name="group"/> (RFC 1112 section 6.4) at <paramref name="offset"/>.</summary>
        public static void WriteIPv4Multicast(byte[] buffer, int offset, uint group)
        {
            NetworkOrder.WriteUInt16(buffer, offset, 0x0100);
            NetworkOrder.WriteUInt32(buffer, offset + 2, 0x5E000000 | (group & 0x007FFFFF));
        }

        /// <summary>Octet <paramref name="index"/> (0 to 5) in transmission order.</summary>
        public byte this[int index]
        {
            get
            {
                if (index < 2)
                {
                    return (byte)(_high >> (8 * (1 - index)));
                }

                return (byte)(_low >> (8 * (5 - index)));
            }
        }

        public bool IsBroadcast
        {
            get { return _high == 0xFFFF && _low == 0xFFFFFFFF; }
        }

        /// <summary>The individual/group bit (IEEE 802, bit 0 of the first octet): multicast, broadcast included.</summary>
        public bool IsMulticast
        {
            get { return (_high & 0x0100) != 0; }
        }

        /// <summary>The universal/local bit (bit 1 of the first octet).</summary>
        public bool IsLocallyAdministered
        {
            get { return (_high & 0x0200) != 0; }
        }

        public bool IsZero
        {
            get { return _high == 0 && _low == 0; }
        }

        /// <summary>
        /// The Ethernet address an IPv4 multicast group maps to: 01:00:5E plus the low 23 bits of the group
        /// (RFC 1112 section 6.4).
        /// </summary>
        public static MacAddress FromIPv4Multicast(IPv4Address group)
        {
            return new MacAddress(0x0100, 0x5E000000 | (group.Value & 0x007FFFFF));
        }

        public bool Equals(MacAddress other)
        {
            return _high == other._high && _low == other._low;
        }

        public override bool Equals(object obj)
        {
            return obj is MacAddress && Equals((MacAddress)obj);
        }

        public override int GetHashCode()
        {
            return (int)(_low ^ ((uint)_high << 16));
        }

        public static bool operator ==(MacAddress left, MacAddress right)
        {
            return left.Equals(right);
        }

        public static bool operator !=(MacAddress left, MacAddress right)
        {
            return !left.Equals(right);
        }

        /// <summary>Lower-case colon form, as Linux prints it: 02:00:00:00:00:01.</summary>
        public override string ToString()
        {
            char[] text = new char[17];
            for (int i = 0; i < Length; i++)
            {
                byte octet = this[i];
                text[i * 3] = TextFormat.HexDigit(octet >> 4);
                text[i * 3 + 1] = TextFormat.HexDigit(octet);
                if (i < Length - 1)
                {
                    text[i * 3 + 2] = ':';
                }
            }

            return new string(text);
        }

        /// <summary>Parses six two-digit hex octets separated by ':' or '-'.</summary>
        public static bool TryParse(string text, out MacAddress address)
        {
            address = Zero;
            if (text == null || text.Length != 17)
            {
                return false;
            }

            char separator = text[2];
            if (separator != ':' && separator != '-')
            {
                return false;
            }

            ulong value = 0;
            for (int i = 0; i < Length; i++)
            {
                int high = TextFormat.HexValue(text[i * 3]);
                int low = TextFormat.HexValue(text[i * 3 + 1]);
                if (high < 0 || low < 0 || (i < Length - 1 && text[i * 3 + 2] != separator))
                {
                    return false;
                }

                value = (value << 8) | (uint)((high << 4) | low);
            }

            address = new MacAddress((ushort)(value >> 32), (uint)value);
            return true;
        }
    }
}
