namespace IoTStack.Net.Wire
{
    /// <summary>
    /// A socket address: the triad of protocol, IP address and port that names one end of a
    /// conversation. Two of them (local and remote) make the 4-tuple that tells connections apart.
    /// </summary>
    public struct SocketEndpoint
    {
        private readonly IpProtocol _protocol;
        private readonly IPv4Address _address;
        private readonly ushort _port;

        public SocketEndpoint(IpProtocol protocol, IPv4Address address, int port)
        {
            _protocol = protocol;
            _address = address;
            _port = (ushort)port;
        }

        public IpProtocol Protocol
        {
            get { return _protocol; }
        }

        public IPv4Address Address
        {
            get { return _address; }
        }

        public ushort Port
        {
            get { return _port; }
        }

        public bool Equals(SocketEndpoint other)
        {
            return _protocol == other._protocol && _address == other._address && _port == other._port;
        }

        public override bool Equals(object obj)
        {
            return obj is SocketEndpoint && Equals((SocketEndpoint)obj);
        }

        public override int GetHashCode()
        {
            return (int)(_address.Value ^ ((uint)_port << 16) ^ (uint)_protocol);
        }

        public static bool operator ==(SocketEndpoint left, SocketEndpoint right)
        {
            return left.Equals(right);
        }

        public static bool operator !=(SocketEndpoint left, SocketEndpoint right)
        {
            return !left.Equals(right);
        }

        /// <summary>For example "tcp 192.0.2.2:80"; a raw socket shows its protocol number.</summary>
        public override string ToString()
        {
            return ProtocolName(_protocol) + " " + _address.ToString() + ":" + _port;
        }

        private static string ProtocolName(IpProtocol protocol)
        {
            switch (protocol)
            {
                case IpProtocol.Tcp: return "tcp";
                case IpProtocol.Udp: return "udp";
                case IpProtocol.Icmp: return "icmp";
                case IpProtocol.Igmp: return "igmp";
                default: return "ip" + (int)protocol;
            }
        }
    }
}
