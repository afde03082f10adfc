using IoTStack.Boards;
using IoTStack.Boards.CommandLine;
using IoTStack.Emulator.Network;
using IoTStack.Emulator.Pcap;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>
/// The run command's demo, in virtual time on the virtual switch: an emulated board (chip model, driver,
/// stack, firmware) and a client stack that pings it, echoes through it over UDP and TCP, meets a closed
/// port and downloads over HTTP. Prints each step, the board's socket table and counters; returns whether
/// every step worked.
/// </summary>
public sealed class StackDemo
{
    private readonly VirtualClock _clock = new(0);
    private readonly VirtualSwitch _wire;
    private readonly Board _board;
    private readonly NetStack _client;
    private readonly ChipKind _chip;
    private readonly byte[] _buffer = new byte[4096];
    private readonly long _busHz;

    public long BusHz => _busHz;

    public StackDemo(PcapWriter? capture, ChipKind chip = ChipKind.Enc28j60, int spiHz = 0)
    {
        _chip = chip;
        _wire = new VirtualSwitch(_clock) { Capture = capture };
        var mask = IPv4Address.MaskFromPrefixLength(24);
        var options = new BoardCommandLine(BoardProfiles.ShippedSettings(BoardProfiles.EmulatedEnc28j60));
        options.Settings.Chip = chip;
        options.Settings.Mac = WireDemo.BoardMac;
        options.Settings.SpiClockHz = spiHz;
        options.Settings.Address = WireDemo.BoardIp;
        options.Settings.Sessions = 4;
        options.Settings.TcpReceiveBufferSize = 4096;
        options.Settings.TcpTransmitBufferSize = 4096;
        _busHz = options.Settings.BusClockHz;
        _board = Board.Start(options, _wire.AddPort(WireDemo.BoardMac), _clock);
        _client = new NetStack(new NetStackOptions { PingMaxDataLength = 4000, ReceiveBufferSize = 8192 }, _wire.AddPort(WireDemo.PeerMac), _clock);
        _client.Configure(WireDemo.PeerIp, mask, IPv4Address.Any);
    }

    /// <summary>The board under demonstration (its stack, chip and firmware).</summary>
    public Board Board => _board;

    public VirtualSwitch Wire => _wire;

    public VirtualClock Clock => _clock;

    /// <summary>Raised when a step ends, worked or not.</summary>
    public event Action<DemoStep>? StepDone;

    /// <summary>Called after every virtual millisecond, for a live view.</summary>
    public Action? Tick { get; set; }

    /// <summary>The plain run: each step as a line, then the summary; true when every step worked.</summary>
    public bool Run(TextWriter output)
    {
        output.WriteLine(Headline);
        StepDone += step => output.WriteLine(step);
        bool ok = RunSteps();
        output.WriteLine();
        WriteSummary(output);
        return ok;
    }

    public string Headline => $"board {WireDemo.BoardIp} on an emulated {ChipNames.NameOf(_chip)}, client {WireDemo.PeerIp}, both on a virtual switch (virtual time)";

    /// <summary>Pings, echoes, meets a closed port and downloads; true when every step worked.</summary>
    public bool RunSteps()
    {
        bool ok = true;
        // A W5500 running its own TCP/IP takes no IP fragments (datasheet 1.1), so 4000-byte pings are for IoTStack.
        foreach (int size in _board.Stack is null ? new[] { 56, 1472 } : new[] { 56, 1472, 4000 })
        {
            ok &= Step($"ping {WireDemo.BoardIp} with {size} bytes", Ping(size, out int rtt), $"reply in {rtt} ms (virtual)");
        }

        _client.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        var message = "hello, board"u8.ToArray();
        _client.SendTo(socket, message, 0, message.Length, WireDemo.BoardIp, 7, out _);
        Run(10);
        var reply = _client.ReceiveFrom(socket, _buffer, 0, _buffer.Length, out int received, out var from);
        ok &= Step("UDP echo on port 7", reply == SocketResult.Success && _buffer.AsSpan(0, received).SequenceEqual(message), $"'{System.Text.Encoding.ASCII.GetString(_buffer, 0, received)}' from {from}");

        _client.Connect(socket, WireDemo.BoardIp, 9999);
        _client.SendSome(socket, message, 0, message.Length, out _);
        Run(10);
        var refused = _client.Receive(socket, _buffer, 0, _buffer.Length, out _);
        ok &= Step("UDP to closed port 9999", refused == SocketResult.ConnectionRefused, $"{refused} (ICMP port unreachable)");
        _client.Close(socket);

        var data = new byte[20_000];
        new Random(1).NextBytes(data);
        var echoed = Tcp(7, data, data.Length, out long echoMs);
        ok &= Step("TCP echo on port 7, 20,000 bytes", echoed.AsSpan().SequenceEqual(data), $"{echoed.Length} bytes back in {echoMs} ms (virtual)");

        var stats = Http("/stats", out long statsMs);
        ok &= Step("HTTP GET /stats", stats.Status == 200 && System.Text.Encoding.ASCII.GetString(stats.Body).Contains($"\"address\":\"{WireDemo.BoardIp}\""), $"{stats.Status}, {stats.Body.Length} bytes of JSON in {statsMs} ms (virtual)");
        var bytes = Http("/bytes?n=200000", out long bytesMs);
        bool pattern = bytes.Body.Length == 200_000 && bytes.Body.Select((b, i) => b == 32 + i % 95).All(x => x);
        ok &= Step("HTTP GET /bytes?n=200000", bytes.Status == 200 && pattern, $"{bytes.Status}, {bytes.Body.Length} bytes, pattern {(pattern ? "exact" : "BROKEN")}, in {bytesMs} ms (virtual)");
        return ok;
    }

    /// <summary>The board's socket table and counters, the wire and the SPI bus, as text.</summary>
    public void WriteSummary(TextWriter output)
    {
        var sockets = BoardView.Sockets(_board);
        output.WriteLine(_board.Stack is null ? "board sockets (the W5500's own, by Sn_SR):" : "board sockets:");
        foreach (var row in sockets)
        {
            output.WriteLine(row[3].Length == 0 ? $"  {row[0],2} {row[1],-9} {row[2]}" : $"  {row[0],2} {row[1],-9} {row[2],-10} {row[3],-22} {row[4],-22} rx {row[5]} tx {row[6]}");
        }

        var counters = BoardView.Counters(_board);
        if (counters.Count > 0)
        {
            output.WriteLine("board counters (non-zero):");
            foreach (var (name, value) in counters)
            {
                output.WriteLine($"  {name,-28} {value}");
            }
        }

        output.WriteLine($"wire: {_wire.FramesForwarded} frames forwarded");
        output.WriteLine("bus: " + BoardView.Bus(_board, _busHz));
    }

    private bool Step(string what, bool worked, string detail)
    {
        StepDone?.Invoke(new DemoStep(what, worked, detail));
        return worked;
    }

    private bool Ping(int size, out int roundTrip)
    {
        roundTrip = 0;
        if (_client.StartPing(WireDemo.BoardIp, size, 1000, out int ping) != SocketResult.Success)
        {
            return false;
        }

        for (int i = 0; i < 1000 && _client.GetPingStatus(ping, out _) == PingStatus.Pending; i++)
        {
            Run(1);
        }

        var status = _client.GetPingStatus(ping, out roundTrip);
        _client.EndPing(ping);
        return status == PingStatus.Replied;
    }

    /// <summary>Sends <paramref name="request"/> over a new TCP connection to <paramref name="port"/> and reads until <paramref name="expect"/> bytes came back or the board closed.</summary>
    private byte[] Tcp(int port, byte[] request, int expect, out long elapsedMs)
    {
        long start = _clock.NowMilliseconds;
        var received = new MemoryStream();
        _client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
        _client.Connect(socket, WireDemo.BoardIp, port);
        int offset = 0;
        for (int ms = 0; ms < 30_000 && received.Length < expect; ms++)
        {
            if (offset < request.Length && _client.SendSome(socket, request, offset, request.Length - offset, out int sent) == SocketResult.Success)
            {
                offset += sent;
            }

            Run(1);
            SocketResult result;
            int n;
            while ((result = _client.Receive(socket, _buffer, 0, _buffer.Length, out n)) == SocketResult.Success && n > 0)
            {
                received.Write(_buffer, 0, n);
            }

            if (result == SocketResult.Success && n == 0 || result is not (SocketResult.Success or SocketResult.WouldBlock or SocketResult.NotConnected))
            {
                break;
            }
        }

        _client.Close(socket);
        Run(5);
        elapsedMs = _clock.NowMilliseconds - start;
        return received.ToArray();
    }

    private (int Status, byte[] Body) Http(string path, out long elapsedMs)
    {
        var request = System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {WireDemo.BoardIp}\r\nConnection: close\r\n\r\n");
        var response = Tcp(80, request, int.MaxValue, out elapsedMs);
        int head = response.AsSpan().IndexOf("\r\n\r\n"u8);
        if (head < 12 || !int.TryParse(System.Text.Encoding.ASCII.GetString(response, 9, 3), out int status))
        {
            return (0, []);
        }

        return (status, response[(head + 4)..]);
    }

    /// <summary>Advances virtual time, polling the board (its chip, stack and firmware) and the client.</summary>
    private void Run(int milliseconds)
    {
        for (int i = 0; i < milliseconds; i++)
        {
            for (int round = 0; round < 100 && (_board.Poll() | _client.Poll()); round++)
            {
            }

            _clock.Advance(1);
            Tick?.Invoke();
        }
    }
}

/// <summary>One step of the demo and how it went.</summary>
public sealed record DemoStep(string What, bool Worked, string Detail)
{
    public override string ToString() => $"{(Worked ? "ok  " : "FAIL")}  {What}: {Detail}";
}
