using IoTStack.Net.Sockets;

namespace IoTStack.Net.Services
{
    /// <summary>
    /// The network services a board runs next to its stack, wired together: DHCP hands its DNS and NTP servers
    /// to the resolver and the time client, the resolver sends .local names to mDNS. Any of them may be absent.
    /// Poll it with the stack, on the same thread: pass it to <see cref="NetHost"/> with the engine, and call the services
    /// (<see cref="DnsResolver"/>'s lookups, for one) while holding the host's <see cref="NetHost.SyncRoot"/>.
    /// </summary>
    public sealed class NetServices : IPollable
    {
        /// <param name="hostName">The board's name: DHCP option 12 and NAME.local by mDNS; null for neither.</param>
        /// <param name="dhcp">Whether to take the address by DHCP (else the stack keeps the one it was given).</param>
        /// <param name="sockets">The socket engine the services open their UDP sockets on.</param>
        /// <param name="net">The interface under it (a <see cref="NetStack"/> is both; so is the W5500's socket engine).</param>
        public NetServices(ISocketEngine sockets, INetInterface net, string hostName, bool dhcp)
            : this(sockets, net, hostName, dhcp, 4, 8)
        {
        }

        /// <param name="lookups">Name lookups the resolver runs at once.</param>
        /// <param name="cachedNames">Answers the resolver keeps until their TTL runs out.</param>
        public NetServices(ISocketEngine sockets, INetInterface net, string hostName, bool dhcp, int lookups, int cachedNames)
            : this(sockets, net, hostName, dhcp, lookups, cachedNames, DefaultMdnsServices)
        {
        }

        /// <summary>DNS-SD services the mDNS responder holds unless told otherwise: one, the firmware's HTTP page.</summary>
        public const int DefaultMdnsServices = 1;

        /// <param name="mdnsServices">DNS-SD services an application may register with <see cref="Mdns"/> (MdnsResponder.Register).</param>
        public NetServices(ISocketEngine sockets, INetInterface net, string hostName, bool dhcp, int lookups, int cachedNames, int mdnsServices)
        {
            if (sockets == null || net == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : "net");
            }

            Sockets = sockets;
            Interface = net;
            // One message buffer for DHCP, DNS and mDNS: polled in turn on one thread, none keeps a message between calls,
            // and on a plain ESP32 the two buffers saved are 2 KB of an 80 KB heap.
            byte[] message = new byte[MdnsResponder.MessageCapacity];
            Dns = new DnsResolver(sockets, net, lookups, cachedNames, message);
            Sntp = new SntpClient(sockets, net);
            if (hostName != null)
            {
                Mdns = new MdnsResponder(sockets, net, hostName, 2, mdnsServices, message);
                Dns.Mdns = Mdns;
            }

            if (dhcp)
            {
                Dhcp = new DhcpClient(sockets, net, hostName, message) { Resolver = Dns, Sntp = Sntp };
            }
        }

        /// <summary>
        /// UDP sockets the services open with these arguments: DNS and SNTP always, mDNS with a name, DHCP when asked;
        /// a board's socket budget counts them (NetStackOptions.UdpSockets).
        /// </summary>
        public static int SocketsNeeded(string hostName, bool dhcp)
        {
            return 2 + (hostName != null ? 1 : 0) + (dhcp ? 1 : 0);
        }

        public ISocketEngine Sockets { get; private set; }

        public INetInterface Interface { get; private set; }

        public DhcpClient Dhcp { get; private set; }

        public DnsResolver Dns { get; private set; }

        public MdnsResponder Mdns { get; private set; }

        public SntpClient Sntp { get; private set; }

        /// <summary>Starts DHCP, the mDNS responder and the time client (which waits for a server and an address).</summary>
        public SocketResult Start()
        {
            SocketResult error = SocketResult.Success;
            if (Dhcp != null)
            {
                error = Dhcp.Start();
            }

            if (error == SocketResult.Success && Mdns != null)
            {
                error = Mdns.Start();
            }

            Sntp.Start();
            return error;
        }

        /// <summary>Milliseconds until <see cref="Poll"/> has work though nothing arrives: the earliest of the services' own.</summary>
        public int PollDelay()
        {
            int delay = Dns.PollDelay();
            delay = Earlier(delay, Sntp.PollDelay());
            if (Dhcp != null)
            {
                delay = Earlier(delay, Dhcp.PollDelay());
            }

            return Mdns != null ? Earlier(delay, Mdns.PollDelay()) : delay;
        }

        private static int Earlier(int a, int b)
        {
            return a < b ? a : b;
        }

        public bool Poll()
        {
            bool worked = Dhcp != null && Dhcp.Poll();
            worked |= Dns.Poll();
            worked |= Mdns != null && Mdns.Poll();
            worked |= Sntp.Poll();
            return worked;
        }
    }
}
