namespace IoTStack.Net.Wire
{
    /// <summary>An IPv4 address held by value; <see cref="Value"/> is a.b.c.d as (a &lt;&lt; 24) | ... | d.</summary>
    public struct IPv4Address
    {
        public const int Length = 4;

        private readonly uint _value;

        public IPv4Address(uint value)
        {
            _value = value;
        }

        public IPv4Address(byte a, byte b, byte c, byte d)
        {
            _value = ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;
        }

        public uint Value
        {
            get { return _value; }
        }

        /// <summary>0.0.0.0: "this host" as a source, "any address" when binding.</summary>
        public static IPv4Address Any
        {
            get { return new IPv4Address(0); }
        }

        /// <summary>255.255.255.255, the limited broadcast address (RFC 919).</summary>
        public static IPv4Address Broadcast
        {
            get { return new IPv4Address(0xFFFFFFFF); }
        }

        public static IPv4Address Loopback
        {
            get { return new IPv4Address(0x7F000001); }
        }

        public static IPv4Address Read(byte[] buffer, int offset)
        {
            return new IPv4Address(NetworkOrder.ReadUInt32(buffer, offset));
        }

        public void Write(byte[] buffer, int offset)
        {
            NetworkOrder.WriteUInt32(buffer, offset, _value);
        }

        public bool IsAny
        {
            get { return _value == 0; }
        }

        public bool IsBroadcast
        {
            get { return _value == 0xFFFFFFFF; }
        }

        /// <summary>127.0.0.0/8 (RFC 1122 section 3.2.1.3).</summary>
        public bool IsLoopback
        {
            get { return IsLoopbackValue(_value); }
        }

        /// <summary>224.0.0.0/4, class D (RFC 1112).</summary>
        public bool IsMulticast
        {
            get { return IsMulticastValue(_value); }
        }

        /// <summary>169.254.0.0/16 (RFC 3927).</summary>
        public bool IsLinkLocal
        {
            get { return IsLinkLocalValue(_value); }
        }

        // The same tests on a Value, for code that keeps addresses as numbers (on nanoCLR an IPv4Address passed or
        // returned is a heap object).

        /// <summary>127.0.0.0/8 (RFC 1122 section 3.2.1.3).</summary>
        public static bool IsLoopbackValue(uint value)
        {
            return (value >> 24) == 127;
        }

        /// <summary>224.0.0.0/4, class D (RFC 1112).</summary>
        public static bool IsMulticastValue(uint value)
        {
            return (value >> 28) == 0xE;
        }

        /// <summary>169.254.0.0/16 (RFC 3927).</summary>
        public static bool IsLinkLocalValue(uint value)
        {
            return (value >> 16) == 0xA9FE;
        }

        /// <summary>The network mask of a prefix length from 0 to 32.</summary>
        public static IPv4Address MaskFromPrefixLength(int prefixLength)
        {
            if (prefixLength <= 0)
            {
                return Any;
            }

            return new IPv4Address(prefixLength >= 32 ? 0xFFFFFFFF : ~(0xFFFFFFFF >> prefixLength));
        }

        /// <summary>True when both addresses share the network under <paramref name="mask"/>.</summary>
        public bool IsInSameSubnet(IPv4Address other, IPv4Address mask)
        {
            return ((_value ^ other._value) & mask._value) == 0;
        }

        /// <summary>The directed broadcast address of this address's subnet (RFC 919, RFC 922).</summary>
        public IPv4Address DirectedBroadcast(IPv4Address mask)
        {
            return new IPv4Address(_value | ~mask._value);
        }

        public bool Equals(IPv4Address other)
        {
            return _value == other._value;
        }

        public override bool Equals(object obj)
        {
            return obj is IPv4Address && Equals((IPv4Address)obj);
        }

        public override int GetHashCode()
        {
            return (int)_value;
        }

        public static bool operator ==(IPv4Address left, IPv4Address right)
        {
            return left._value == right._value;
        }

        public static bool operator !=(IPv4Address left, IPv4Address right)
        {
            return left._value != right._value;
        }

        /// <summary>Dotted decimal.</summary>
        public override string ToString()
        {
            return (_value >> 24) + "." + ((_value >> 16) & 0xFF) + "." + ((_value >> 8) & 0xFF) + "." + (_value & 0xFF);
        }

        /// <summary>
        /// Parses strict dotted decimal: four parts of 0 to 255, no leading zeros (which other parsers
        /// read as octal), no spaces.
        /// </summary>
        public static bool TryParse(string text, out IPv4Address address)
        {
            address = Any;
            if (text == null)
            {
                return false;
            }

            uint value = 0;
            int parts = 0;
            int i = 0;
            while (i < text.Length && parts < 4)
            {
                int start = i;
                int part = 0;
                while (i < text.Length && text[i] >= '0' && text[i] <= '9' && i - start < 3)
                {
                    part = part * 10 + (text[i] - '0');
                    i++;
                }

                int digits = i - start;
                if (digits == 0 || part > 255 || (digits > 1 && text[start] == '0'))
                {
                    return false;
                }

                value = (value << 8) | (uint)part;
                parts++;
                if (parts < 4)
                {
                    if (i >= text.Length || text[i] != '.')
                    {
                        return false;
                    }

                    i++;
                }
            }

            if (parts != 4 || i != text.Length)
            {
                return false;
            }

            address = new IPv4Address(value);
            return true;
        }
    }
}
