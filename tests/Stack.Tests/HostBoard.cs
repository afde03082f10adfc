using IoTStack.Drivers.Enc28j60;
using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>
/// One of the three boards an application runs on (IoTStack over an ENC28J60, IoTStack over a W5500 in MACRAW mode, the
/// W5500's own hardware sockets) on a virtual wire with a peer, a software stack serving TCP and UDP echo on port 7. The
/// peer and the virtual clock are polled as one more <see cref="IPollable"/> (<see cref="Wire"/>): with a
/// <see cref="NetHost"/> on the host's poll thread and under its lock, each poll a millisecond of virtual time; without
/// one, by <see cref="Run"/> from the test's own loop. Timeouts are therefore virtual milliseconds.
/// </summary>
public sealed class HostBoard : IDisposable
{
    public static readonly TheoryData<string> Kinds = new() { "enc28j60", "w5500", "w5500-sockets" };

    public static readonly IPv4Address BoardIp = new(192, 0, 2, 2);
    public static readonly IPv4Address PeerIp = new(192, 0, 2, 1);
    private static readonly IPv4Address Mask = IPv4Address.MaskFromPrefixLength(24);
    private static readonly MacAddress BoardMac = new(0x02, 0, 0, 0, 0, 0x02);

    public readonly VirtualClock Clock = new(1_000);
    public readonly NetStack Peer;
    public readonly ISocketEngine Engine;
    public readonly PeerWire Wire;
    private NetHost? _host;

    public HostBoard(string kind)
    {
        var wire = new VirtualSwitch(Clock);
        Peer = new NetStack(new NetStackOptions { TcpConnections = 6, TcpListeners = 2 }, wire.AddPort(new MacAddress(0x02, 0, 0, 0, 0, 0x01)), Clock);
        Peer.Configure(PeerIp, Mask, IPv4Address.Any);
        Wire = new PeerWire(this);
        Engine = kind switch
        {
            "enc28j60" => Stack(Enc28j60(wire)),
            "w5500" => Stack(MacRaw(wire)),
            _ => HardwareSockets(wire),
        };
    }

    /// <summary>The board's host, started on first use, polling the peer and the clock with the engine.</summary>
    public NetHost Host
    {
        get
        {
            if (_host == null)
            {
                _host = new NetHost(Engine, Clock, [Wire]);
                _host.Start();
            }

            return _host;
        }
    }

    /// <summary>Starts the board's host with more work polled on its thread (the services).</summary>
    public NetHost StartHost(IPollable more)
    {
        _host = new NetHost(Engine, Clock, [Wire, more]);
        _host.Start();
        return _host;
    }

    public void Dispose() => _host?.Stop();

    /// <summary>Calls the peer's stack from the test thread, under the host's lock when there is a host.</summary>
    public T AtPeer<T>(Func<NetStack, T> call)
    {
        if (_host == null)
        {
            return call(Peer);
        }

        lock (_host.SyncRoot)
        {
            return call(Peer);
        }
    }

    /// <summary>Without a host: polls board and peer until the condition holds, at most <paramref name="milliseconds"/> of virtual time.</summary>
    public bool Run(Func<bool> done, int milliseconds)
    {
        for (int ms = 0; ms < milliseconds; ms++)
        {
            if (done())
            {
                return true;
            }

            for (int round = 0; round < 100 && (Engine.Poll() | Wire.Serve()); round++)
            {
            }

            Wire.Poll();
        }

        return done();
    }

    private IFrameDevice Enc28j60(VirtualSwitch wire)
    {
        var driver = new Enc28j60Driver(new Enc28j60Model(wire.AddPort(BoardMac)).Bus, BoardMac, Clock, fullDuplex: true);
        Assert.True(driver.Initialise());
        return driver;
    }

    private IFrameDevice MacRaw(VirtualSwitch wire)
    {
        var driver = new W5500MacRawDriver(new W5500Model(wire.AddPort(BoardMac)).Bus, BoardMac, Clock);
        Assert.True(driver.Initialise());
        return driver;
    }

    private NetStack Stack(IFrameDevice device)
    {
        var stack = new NetStack(new NetStackOptions(), device, Clock);
        stack.Configure(BoardIp, Mask, IPv4Address.Any);
        return stack;
    }

    private W5500SocketEngine HardwareSockets(VirtualSwitch wire)
    {
        var engine = new W5500SocketEngine(new W5500Model(wire.AddPort(BoardMac), Clock).Bus, BoardMac, Clock);
        Assert.True(engine.Initialise(BoardIp, Mask, IPv4Address.Any));
        return engine;
    }

    /// <summary>
    /// The peer's side of the wire: each Poll moves virtual time on a millisecond and lets the peer run its echo services
    /// (TCP connections it accepted on port 7 or opened with <see cref="Echo"/>, datagrams to UDP port 7).
    /// </summary>
    public sealed class PeerWire : IPollable
    {
        private readonly HostBoard _board;
        private readonly int _listener;
        private readonly int _udp;
        private readonly List<Pending> _connections = [];
        private readonly byte[] _datagram = new byte[2048];

        public PeerWire(HostBoard board)
        {
            _board = board;
            NetStack peer = board.Peer;
            peer.Open(SocketKind.Stream, IpProtocol.Tcp, out _listener);
            peer.Bind(_listener, IPv4Address.Any, 7);
            peer.Listen(_listener, 4);
            peer.Open(SocketKind.Datagram, IpProtocol.Udp, out _udp);
            peer.Bind(_udp, IPv4Address.Any, 7);
        }

        /// <summary>Bytes the peer echoed, and connections whose stream ended (it closes them).</summary>
        public long Echoed { get; private set; }

        public int Ended { get; private set; }

        /// <summary>The peer echoes on a connection it opened (call under the host's lock, as <see cref="AtPeer"/> does).</summary>
        public void Echo(int connection) => _connections.Add(new Pending(connection));

        public bool Poll()
        {
            _board.Clock.Advance(1);
            bool worked = _board.Peer.Poll();
            return Serve() | worked;
        }

        public int PollDelay() => 1;

        public bool Serve()
        {
            NetStack peer = _board.Peer;
            bool worked = false;
            while (peer.Accept(_listener, out int connection) == SocketResult.Success)
            {
                _connections.Add(new Pending(connection));
                worked = true;
            }

            while (peer.ReceiveFrom(_udp, _datagram, 0, _datagram.Length, out int length, out uint address, out int port) == SocketResult.Success)
            {
                peer.SendTo(_udp, _datagram, 0, length, address, port, out _);
                worked = true;
            }

            foreach (Pending c in _connections.ToArray())
            {
                if (c.Count == 0)
                {
                    SocketResult result = peer.Receive(c.Socket, c.Buffer, 0, c.Buffer.Length, out int n);
                    if (result == SocketResult.Success && n == 0 || result != SocketResult.Success && result != SocketResult.WouldBlock)
                    {
                        peer.Close(c.Socket);
                        _connections.Remove(c);
                        Ended++;
                        worked = true;
                        continue;
                    }

                    c.Start = 0;
                    c.Count = n;
                }

                if (c.Count > 0 && peer.SendSome(c.Socket, c.Buffer, c.Start, c.Count, out int sent) == SocketResult.Success && sent > 0)
                {
                    c.Start += sent;
                    c.Count -= sent;
                    Echoed += sent;
                    worked = true;
                }
            }

            return worked;
        }

        private sealed class Pending(int socket)
        {
            public readonly int Socket = socket;
            public readonly byte[] Buffer = new byte[1024];
            public int Start;
            public int Count;
        }
    }
}
