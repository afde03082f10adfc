using IoTStack.Boards;
using IoTStack.Drivers;
using IoTStack.Drivers.Enc28j60;
using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Fuzz;

/// <summary>
/// What the fuzzer feeds (issue 10): frames into a running stack with open sockets and services, and register and
/// buffer bytes into each chip driver. A target returns normally whatever the input; an exception, a hang or a
/// crash is a finding. Deterministic: the clocks are virtual and start at fixed times, so a finding replays.
/// </summary>
public static class FuzzTargets
{
    public static readonly string[] Names = ["stack", ChipNames.Enc28j60, ChipNames.W5500, ChipNames.W5500Sockets, "dhcp", "sntp", "mdns", "mqtt", "tls"];

    public static void Run(string target, byte[] input)
    {
        switch (target)
        {
            case "stack": _ = Stack(input); break;
            case ChipNames.Enc28j60: Enc28j60(input); break;
            case ChipNames.W5500: W5500(input); break;
            case ChipNames.W5500Sockets: W5500Sockets(input); break;
            case "dhcp": _ = Dhcp(input); break;
            case "sntp": _ = Sntp(input); break;
            case "mdns": _ = Mdns(input); break;
            case "mqtt": _ = Mqtt(input); break;
            case "tls": _ = TlsTarget.Run(input); break;
            default: throw new ArgumentException($"unknown target {target} ({string.Join(", ", Names)})");
        }
    }

    /// <summary>
    /// The input is frames, each a 2-byte big-endian length and its bytes, given to a stack (192.0.2.2) with a
    /// TCP listener on 7, an established connection from 192.0.2.1 on it, a UDP socket in group 239.1.2.3 (IGMP), mDNS, a DNS lookup and
    /// SNTP waiting for answers; and to a second stack that is asking for a DHCP lease. Then five seconds of
    /// timers. The first stack's peer (the connection's other end) is quiet while the frames arrive. Returns the first
    /// stack, so a test can see how deep a seed got (its counters).
    /// </summary>
    public static NetStack Stack(byte[] input)
    {
        var clock = new VirtualClock(1_000_000);
        var peerDevice = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 1), 64);
        var boardDevice = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 2), 64) { Peer = peerDevice };
        peerDevice.Peer = boardDevice;
        var mask = IPv4Address.MaskFromPrefixLength(24);
        var board = new NetStack(new NetStackOptions(), boardDevice, clock);
        var peer = new NetStack(new NetStackOptions(), peerDevice, clock);
        board.Configure(new IPv4Address(192, 0, 2, 2), mask, new IPv4Address(192, 0, 2, 1));
        peer.Configure(new IPv4Address(192, 0, 2, 1), mask, IPv4Address.Any);
        board.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        board.Bind(listener, IPv4Address.Any, 7);
        board.Listen(listener, 2);
        board.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp);
        board.Bind(udp, IPv4Address.Any, 9);
        board.SetOption(udp, SocketOption.AddMembership, unchecked((int)0xEF010203));
        peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        peer.Connect(client, new IPv4Address(192, 0, 2, 2), 7);
        int connection = -1;
        for (int i = 0; i < 50 && board.Accept(listener, out connection) != SocketResult.Success; i++)
        {
            peer.Poll();
            board.Poll();
            clock.Advance(1);
        }

        var services = new NetServices(board, board, "board", dhcp: false);
        services.Dns.SetServers(new IPv4Address(192, 0, 2, 1), IPv4Address.Any, IPv4Address.Any);
        services.Sntp.Server = new IPv4Address(192, 0, 2, 1);
        services.Start();
        services.Dns.Resolve("board.example", out _);

        var dhcpDevice = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 3), 64);
        var dhcpFeeder = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 4), 64) { Peer = dhcpDevice };
        dhcpDevice.Peer = dhcpFeeder;
        var dhcpStack = new NetStack(new NetStackOptions(), dhcpDevice, clock);
        var dhcp = new DhcpClient(dhcpStack, dhcpStack, "fuzz");
        dhcp.Start();
        var buffer = new byte[4096];
        for (int at = 0; at + 2 <= input.Length;)
        {
            int length = Math.Min((input[at] << 8) | input[at + 1], input.Length - at - 2);
            length = Math.Min(length, 1514);
            var frame = input.AsSpan(at + 2, length).ToArray();
            at += 2 + length;
            peerDevice.Transmit(frame, 0, frame.Length); // straight into the board's receive queue
            dhcpFeeder.Transmit(frame, 0, frame.Length);
            board.Poll();
            services.Poll();
            dhcpStack.Poll();
            dhcp.Poll();
            board.Receive(connection, buffer, 0, buffer.Length, out _);
            board.ReceiveFrom(udp, buffer, 0, buffer.Length, out _, out _);
            clock.Advance(1);
        }

        for (int ms = 0; ms < 5_000; ms += 10)
        {
            clock.Advance(10);
            board.Poll();
            services.Poll();
            dhcpStack.Poll();
            dhcp.Poll();
        }

        return board;
    }

    /// <summary>
    /// Splits the input into messages as the stack target splits frames (a 2-byte big-endian length before each, at most
    /// <paramref name="maximum"/> bytes), with the length of each given to <paramref name="each"/>.
    /// </summary>
    private static void Messages(byte[] input, int maximum, Action<byte[]> each)
    {
        for (int at = 0; at + 2 <= input.Length;)
        {
            int length = Math.Min(Math.Min((input[at] << 8) | input[at + 1], input.Length - at - 2), maximum);
            each(input.AsSpan(at + 2, length).ToArray());
            at += 2 + length;
        }
    }

    /// <summary>Two stacks on a crossover cable, at 192.0.2.1 (the server's) and, unless <paramref name="configureClient"/> is false, 192.0.2.2.</summary>
    private static (VirtualClock Clock, NetStack Server, NetStack Client) ServicePair(bool configureClient)
    {
        var clock = new VirtualClock(1_000_000);
        var serverDevice = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 1), 64);
        var clientDevice = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 2), 64) { Peer = serverDevice };
        serverDevice.Peer = clientDevice;
        var mask = IPv4Address.MaskFromPrefixLength(24);
        var server = new NetStack(new NetStackOptions(), serverDevice, clock);
        var client = new NetStack(new NetStackOptions(), clientDevice, clock);
        server.Configure(new IPv4Address(192, 0, 2, 1), mask, IPv4Address.Any);
        if (configureClient)
        {
            client.Configure(new IPv4Address(192, 0, 2, 2), mask, IPv4Address.Any);
        }

        return (clock, server, client);
    }

    /// <summary>Everything a DhcpMessage view can be asked of a message it parsed: fixed fields and a walk over every option.</summary>
    private static void ReadAll(DhcpMessage view, byte[] message)
    {
        if (view.Parse(message, 0, message.Length) != WireError.None)
        {
            return;
        }

        _ = view.Op + view.HardwareType + view.HardwareLength + view.Hops + view.Seconds + view.Flags + view.MessageType;
        _ = view.TransactionId ^ view.ClientAddressValue ^ view.YourAddressValue ^ view.ServerAddressValue ^ view.GatewayAddressValue;
        view.StartOptions();
        while (view.NextOption())
        {
            if (view.OptionOffset < 0 || view.OptionOffset + view.OptionLength > message.Length)
            {
                throw new InvalidOperationException($"option {view.OptionCode} at {view.OptionOffset}+{view.OptionLength} outside {message.Length} bytes");
            }

            for (int i = 0; i + 4 <= view.OptionLength; i += 4)
            {
                _ = view.OptionAddress(i).Value ^ view.OptionUInt32(i);
            }
        }

        if (view.OptionError != WireError.None)
        {
            throw new InvalidOperationException($"a parsed message failed its own walk: {view.OptionError}");
        }
    }

    /// <summary>
    /// The input is DHCP messages (each a 2-byte length and its bytes), read by a <see cref="DhcpMessage"/> view as they are
    /// and, with the transaction id and client MAC of the client's last request written in (so they reach its option
    /// parsing), broadcast from a server at 192.0.2.1:67 to a <see cref="DhcpClient"/> asking for a lease. Then a minute of timers.
    /// Returns the client, for tests that check the seeds reach its deeper states.
    /// </summary>
    public static DhcpClient Dhcp(byte[] input)
    {
        var (clock, server, client) = ServicePair(configureClient: false);
        server.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        server.SetOption(socket, SocketOption.Broadcast, 1);
        server.Bind(socket, IPv4Address.Any, DhcpClient.ServerPort);
        var dhcp = new DhcpClient(client, client, "fuzz");
        dhcp.Start();
        var view = new DhcpMessage();
        var request = new byte[1500];
        uint xid = 0;
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                client.Poll();
                dhcp.Poll();
                server.Poll();
                while (server.ReceiveFrom(socket, request, 0, request.Length, out int length, out uint _, out int _) == SocketResult.Success)
                {
                    if (view.Parse(request, 0, length) != WireError.None || view.Op != DhcpMessage.BootRequest)
                    {
                        throw new InvalidOperationException($"the client sent a message its own view refuses ({length} bytes)");
                    }

                    xid = view.TransactionId;
                }

                clock.Advance(1);
            }
        }

        Run(10);
        Messages(input, 1472, message =>
        {
            ReadAll(view, message);
            if (message.Length >= DhcpMessage.OptionsOffset)
            {
                NetworkOrder.WriteUInt32(message, 4, xid);
                new MacAddress(2, 0, 0, 0, 0, 2).Write(message, 28);
            }

            server.SendTo(socket, message, 0, message.Length, IPv4Address.Broadcast, DhcpClient.ClientPort, out _);
            Run(5);
        });

        for (int s = 0; s < 60; s++)
        {
            clock.Advance(1_000);
            Run(1);
        }

        return dhcp;
    }

    /// <summary>
    /// The input is SNTP answers (each a 2-byte length and its bytes), read by an <see cref="SntpPacket"/> view as they are
    /// and, with the originate timestamp set to the client's last request's nonce when they are long enough, sent from
    /// 192.0.2.1:123 to an <see cref="SntpClient"/> waiting for its answer. Then ten minutes of timers. Returns the client.
    /// </summary>
    public static SntpClient Sntp(byte[] input)
    {
        var (clock, server, client) = ServicePair(configureClient: true);
        server.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        server.Bind(socket, IPv4Address.Any, SntpClient.Port);
        var sntp = new SntpClient(client, client) { Server = new IPv4Address(192, 0, 2, 1), TimeoutMs = 50, RetryMs = 100, IntervalMs = 200 };
        sntp.Start();
        var view = new SntpPacket();
        var request = new byte[1500];
        var nonce = new byte[8];
        int port = 0;
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                client.Poll();
                sntp.Poll();
                server.Poll();
                while (server.ReceiveFrom(socket, request, 0, request.Length, out int length, out uint _, out int from) == SocketResult.Success)
                {
                    port = from;
                    if (length != SntpPacket.Length || (request[0] & 0x3F) != 0x23)
                    {
                        throw new InvalidOperationException($"the client sent a request that is not version 4 mode 3 ({length} bytes)");
                    }

                    Array.Copy(request, 40, nonce, 0, 8);
                }

                clock.Advance(1);
            }
        }

        Run(10);
        Messages(input, 1472, message =>
        {
            if (view.Parse(message, 0, message.Length) is WireError.None or WireError.KissOfDeath or WireError.Unsynchronized or WireError.BadTimestamp)
            {
                _ = view.Stratum + view.Poll + view.Precision + view.LeapIndicator + view.KissCode + view.RootDelay + view.RootDispersion;
                _ = SntpPacket.ToUnixMilliseconds(view.TransmitSeconds, view.TransmitFraction) - SntpPacket.ToUnixMilliseconds(view.ReceiveSeconds, view.ReceiveFraction);
            }

            if (message.Length >= SntpPacket.Length)
            {
                Array.Copy(nonce, 0, message, 24, 8);
            }

            if (port != 0)
            {
                server.SendTo(socket, message, 0, message.Length, new IPv4Address(192, 0, 2, 2), port, out _);
            }

            Run(5);
        });

        for (int s = 0; s < 600; s++)
        {
            clock.Advance(1_000);
            Run(1);
        }

        return sntp;
    }

    /// <summary>
    /// The input is mDNS messages (each a 2-byte length and its bytes) sent from 192.0.2.1 to 224.0.0.251:5353, from port
    /// 5353 or, when the message's first byte is odd, from port 40000 (a legacy querier), to an <see cref="MdnsResponder"/>
    /// at 192.0.2.2 named "board" with two DNS-SD services (board._http._tcp with a TXT record, board._ipp._tcp with none)
    /// and a lookup of peer.local waiting: the messages reach it while it probes, until one of length 0 lets 1.5 s pass (probes and
    /// announcements done), and after that while it answers. Then the
    /// first service is withdrawn (a goodbye) and ten seconds of timers. Every response it sends must parse. Returns the responder.
    /// </summary>
    public static MdnsResponder Mdns(byte[] input)
    {
        var (clock, server, client) = ServicePair(configureClient: true);
        server.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        server.SetOption(socket, SocketOption.ReuseAddress, 1);
        server.Bind(socket, IPv4Address.Any, MdnsResponder.Port);
        server.SetOption(socket, SocketOption.AddMembership, unchecked((int)0xE00000FB));
        server.Open(SocketKind.Datagram, IpProtocol.Udp, out int legacy);
        server.Bind(legacy, IPv4Address.Any, 40000);
        // What the fuzzer sends must not come back to the peer's own 5353 socket as if the responder had sent it.
        server.SetOption(socket, SocketOption.MulticastLoopback, 0);
        server.SetOption(legacy, SocketOption.MulticastLoopback, 0);
        var mdns = new MdnsResponder(client, client, "board", 2, 2, null);
        mdns.Register("board", "_http._tcp", 80, [6, (byte)'p', (byte)'a', (byte)'t', (byte)'h', (byte)'=', (byte)'/']);
        mdns.Register("board", "_ipp._tcp", 631, null);
        mdns.Start();
        mdns.Resolve([4, (byte)'p', (byte)'e', (byte)'e', (byte)'r', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0], out _);
        var reply = new byte[1500];
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                client.Poll();
                mdns.Poll();
                server.Poll();
                foreach (int from in new[] { socket, legacy })
                {
                    while (server.ReceiveFrom(from, reply, 0, reply.Length, out int length, out uint _, out int _) == SocketResult.Success)
                    {
                        CheckMdns(reply, length);
                    }
                }

                clock.Advance(1);
            }
        }

        Run(10);
        Messages(input, 1472, message =>
        {
            if (message.Length == 0)
            {
                Run(1_500);
                return;
            }

            server.SendTo((message[0] & 1) != 0 ? legacy : socket, message, 0, message.Length, MdnsResponder.Group, MdnsResponder.Port, out _);
            Run(5);
        });

        mdns.Unregister(0);
        for (int s = 0; s < 100; s++)
        {
            clock.Advance(100);
            Run(1);
        }

        return mdns;
    }

    /// <summary>A message the responder sent: every name, through its pointers, and every record inside the message.</summary>
    private static void CheckMdns(byte[] message, int length)
    {
        var name = new byte[DnsWire.MaximumNameLength];
        int at = DnsWire.HeaderLength;
        int questions = NetworkOrder.ReadUInt16(message, 4);
        int records = NetworkOrder.ReadUInt16(message, 6) + NetworkOrder.ReadUInt16(message, 8) + NetworkOrder.ReadUInt16(message, 10);
        for (int i = 0; i < questions + records; i++)
        {
            if (DnsWire.ReadName(message, length, at, name, out int next) < 0 || next + (i < questions ? 4 : 10) > length)
            {
                throw new InvalidOperationException($"the responder sent a message whose entry {i} does not parse ({length} bytes)");
            }

            at = i < questions ? next + 4 : next + 10 + NetworkOrder.ReadUInt16(message, next + 8);
        }

        if (at != length)
        {
            throw new InvalidOperationException($"the responder sent {length} bytes, its records end at {at}");
        }
    }

    /// <summary>
    /// The input is what a broker sends (chunks, each a 2-byte length and its bytes), written raw to an <see cref="MqttClient"/>
    /// (5.0 when the first input byte is odd, else 3.1.1, with one topic alias) connected to 192.0.2.1:1883 that subscribes to
    /// "fuzz/#" and publishes at QoS 1 and 2 as it goes. A chunk of length 0 closes the connection and waits (at most half a
    /// second) for the client to connect again. Then two minutes of timers. The client must never throw, and must stay within its window.
    /// </summary>
    public static MqttClient Mqtt(byte[] input)
    {
        var (clock, server, client) = ServicePair(configureClient: true);
        server.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        server.Bind(listener, IPv4Address.Any, 1883);
        server.Listen(listener, 2);
        var options = new MqttClientOptions
        {
            Version = input.Length > 0 && (input[0] & 1) != 0 ? 5 : 4,
            BrokerAddress = new IPv4Address(192, 0, 2, 1).Value,
            KeepAliveSeconds = 5,
            ReconnectMinimumMs = 20,
            ReconnectMaximumMs = 200,
            MaximumPacketSize = 256,
            InFlight = 3,
            TopicAliases = 1,
            CleanSession = false,
        };
        var mqtt = new MqttClient(client, client, options);
        int delivered = 0;
        mqtt.MessageReceived += (sender, message) =>
        {
            if (message.TopicOffset < 0 || message.PayloadLength < 0 || message.PayloadOffset + message.PayloadLength > message.Buffer.Length)
            {
                throw new InvalidOperationException("a message outside the receive buffer");
            }

            delivered++;
        };
        mqtt.Subscribe("fuzz/#"u8.ToArray(), 2);
        mqtt.Start();
        int connection = 0;
        var sink = new byte[2048];
        byte[] topic = "fuzz/out"u8.ToArray();
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                client.Poll();
                mqtt.Poll();
                server.Poll();
                if (server.Accept(listener, out int accepted) == SocketResult.Success)
                {
                    if (connection != 0)
                    {
                        server.Close(connection);
                    }

                    connection = accepted;
                }

                if (connection != 0)
                {
                    server.Receive(connection, sink, 0, sink.Length, out _); // what the client sends is read and dropped
                }

                if (mqtt.InFlightCount < 0 || mqtt.InFlightCount > options.InFlight)
                {
                    throw new InvalidOperationException($"{mqtt.InFlightCount} messages in flight");
                }

                clock.Advance(1);
            }
        }

        Run(20);
        int n = 0;
        Messages(input.Length > 0 ? input.AsSpan(1).ToArray() : input, 1400, chunk =>
        {
            if (chunk.Length == 0 && connection != 0)
            {
                server.Close(connection);
                connection = 0;
                for (int wait = 0; wait < 100 && connection == 0; wait++)
                {
                    Run(5); // the client's back-off is at most 200 ms: the next chunk goes to its new connection
                }
            }
            else if (connection != 0)
            {
                server.SendSome(connection, chunk, 0, chunk.Length, out _);
            }

            mqtt.Publish(topic, chunk, 0, Math.Min(chunk.Length, 64), 1 + (n++ & 1), false);
            Run(5);
        });

        for (int s = 0; s < 120; s++)
        {
            clock.Advance(1_000);
            Run(1);
        }

        return mqtt;
    }

    /// <summary>An SPI bus whose chip answers every read with the next input bytes (zeros once they run out); each transfer is a millisecond.</summary>
    private sealed class FuzzedBus(byte[] input, VirtualClock clock) : ISpiBus
    {
        private int _at;

        public bool Exhausted => _at >= input.Length;

        public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
        {
            clock.Advance(1); // so every wait in a driver times out
            if (direction == SpiDataDirection.Read)
            {
                for (int i = 0; i < dataLength; i++)
                {
                    data[dataOffset + i] = _at < input.Length ? input[_at++] : (byte)0;
                }
            }
        }
    }

    // A property, not a static field: nothing instrumented may run before SharpFuzz maps AFL's coverage memory,
    // and a static field's initialiser would run as soon as Program touched this class.
    private static MacAddress BoardMac => new(2, 0, 0, 0, 0, 2);

    /// <summary>The driver's whole life on a chip that says what the input says: start, receive, send, link.</summary>
    private static void Frames(IFrameDevice driver, Func<bool> initialise, FuzzedBus bus)
    {
        initialise();
        var buffer = new byte[1518];
        var frame = new byte[1514];
        EthernetFrame.WriteHeader(frame, 0, new MacAddress(2, 0, 0, 0, 0, 1), BoardMac, EtherType.IPv4);
        for (int round = 0; round < 200 && !bus.Exhausted; round++)
        {
            int length = driver.Receive(buffer, 0, buffer.Length);
            if (length < 0 || length > buffer.Length)
            {
                throw new InvalidOperationException($"the driver returned a length of {length}");
            }

            _ = driver.IsLinkUp;
            driver.Transmit(frame, 0, round % 2 == 0 ? 60 : frame.Length);
        }
    }

    public static void Enc28j60(byte[] input)
    {
        var clock = new VirtualClock(0);
        var bus = new FuzzedBus(input, clock);
        var driver = new Enc28j60Driver(bus, BoardMac, clock, fullDuplex: true);
        Frames(driver, driver.Initialise, bus);
    }

    public static void W5500(byte[] input)
    {
        var clock = new VirtualClock(0);
        var bus = new FuzzedBus(input, clock);
        var driver = new W5500MacRawDriver(bus, BoardMac, clock);
        Frames(driver, driver.Initialise, bus);
    }

    /// <summary>The W5500's own sockets on a chip that says what the input says: a listener, a client, UDP.</summary>
    public static void W5500Sockets(byte[] input)
    {
        var clock = new VirtualClock(0);
        var bus = new FuzzedBus(input, clock);
        var engine = new W5500SocketEngine(bus, BoardMac, clock);
        engine.Initialise(new IPv4Address(192, 0, 2, 2), IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        engine.Bind(listener, IPv4Address.Any, 7);
        engine.Listen(listener, 1);
        engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        engine.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp);
        engine.Bind(udp, IPv4Address.Any, 9);
        var buffer = new byte[2048];
        for (int round = 0; round < 200 && !bus.Exhausted; round++)
        {
            engine.Poll();
            if (engine.Accept(listener, out int connection) == SocketResult.Success)
            {
                engine.Receive(connection, buffer, 0, buffer.Length, out _);
                engine.SendSome(connection, buffer, 0, 100, out _);
                engine.Close(connection);
            }

            engine.Connect(client, new IPv4Address(192, 0, 2, 1), 80);
            engine.SendSome(client, buffer, 0, 10, out _);
            engine.ReceiveFrom(udp, buffer, 0, buffer.Length, out int received, out _);
            if (received < 0 || received > buffer.Length)
            {
                throw new InvalidOperationException($"the engine returned a datagram of {received} bytes");
            }

            engine.SendTo(udp, buffer, 0, 64, new IPv4Address(192, 0, 2, 1), 9, out _);
            _ = engine.PollSocket(listener);
        }
    }
}
