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
    private readonly string _chip;
    private readonly byte[] _buffer = new byte[4096];

    public StackDemo(PcapWriter? capture, string chip = "enc28j60")
    {
        _chip = chip;
        _wire = new VirtualSwitch(_clock) { Capture = capture };
        var mask = IPv4Address.MaskFromPrefixLength(24);
        _board = Board.Start(new BoardOptions { Chip = chip, Address = WireDemo.BoardIp, Mac = WireDemo.BoardMac, Sockets = 10, ReceiveBuffer = 4096, TransmitBuffer = 4096 }, _wire.AddPort(WireDemo.BoardMac), _clock);
        _client = new NetStack(new NetStackOptions { PingMaxDataLength = 4000, ReceiveBufferSize = 8192 }, _wire.AddPort(WireDemo.PeerMac), _clock);
        _client.Configure(WireDemo.PeerIp, mask, IPv4Address.Any);
    }

    public bool Run(TextWriter output)
    {
        output.WriteLine($"board {WireDemo.BoardIp} on an emulated {_chip}, client {WireDemo.PeerIp}, both on a virtual switch (virtual time)");
        bool ok = true;
        // A W5500 running its own TCP/IP takes no IP fragments (datasheet 1.1), so 4000-byte pings are for IoTStack.
        foreach (int size in _board.Stack is null ? new[] { 56, 1472 } : new[] { 56, 1472, 4000 })
        {
            ok &= Step(output, $"ping {WireDemo.BoardIp} with {size} bytes", Ping(size, out int rtt), $"reply in {rtt} ms (virtual)");
        }

        _client.Open(SocketType.Datagram, IpProtocol.Udp, out int socket);
        var message = "hello, board"u8.ToArray();
        _client.SendTo(socket, message, 0, message.Length, WireDemo.BoardIp, 7, out _);
        Run(10);
        var reply = _client.ReceiveFrom(socket, _buffer, 0, _buffer.Length, out int received, out var from);
        ok &= Step(output, "UDP echo on port 7", reply == SocketError.Success && _buffer.AsSpan(0, received).SequenceEqual(message), $"'{System.Text.Encoding.ASCII.GetString(_buffer, 0, received)}' from {from}");

        _client.Connect(socket, WireDemo.BoardIp, 9999);
        _client.Send(socket, message, 0, message.Length, out _);
        Run(10);
        var refused = _client.Receive(socket, _buffer, 0, _buffer.Length, out _);
        ok &= Step(output, "UDP to closed port 9999", refused == SocketError.ConnectionRefused, $"{refused} (ICMP port unreachable)");
        _client.Close(socket);

        var data = new byte[20_000];
        new Random(1).NextBytes(data);
        var echoed = Tcp(7, data, data.Length, out long echoMs);
        ok &= Step(output, "TCP echo on port 7, 20,000 bytes", echoed.AsSpan().SequenceEqual(data), $"{echoed.Length} bytes back in {echoMs} ms (virtual)");

        var stats = Http("/stats", out long statsMs);
        ok &= Step(output, "HTTP GET /stats", stats.Status == 200 && System.Text.Encoding.ASCII.GetString(stats.Body).Contains($"\"address\":\"{WireDemo.BoardIp}\""), $"{stats.Status}, {stats.Body.Length} bytes of JSON in {statsMs} ms (virtual)");
        var bytes = Http("/bytes?n=200000", out long bytesMs);
        bool pattern = bytes.Body.Length == 200_000 && bytes.Body.Select((b, i) => b == 32 + i % 95).All(x => x);
        ok &= Step(output, "HTTP GET /bytes?n=200000", bytes.Status == 200 && pattern, $"{bytes.Status}, {bytes.Body.Length} bytes, pattern {(pattern ? "exact" : "BROKEN")}, in {bytesMs} ms (virtual)");

        output.WriteLine();
        if (_board.Stack is null)
        {
            output.WriteLine($"wire: {_wire.FramesForwarded} frames forwarded (the W5500 keeps its own TCP/IP state)");
            return ok;
        }

        output.WriteLine("board sockets:");
        for (int i = 0; i < _board.Stack.SocketCount; i++)
        {
            if (_board.Stack.GetSocketInfo(i, out var info) == SocketError.Success)
            {
                output.WriteLine($"  {info.Type,-9} {info.State,-10} {info.Local,-22} {info.Remote,-22} rx {info.ReceiveQueued} tx {info.TransmitQueued}");
            }
        }

        output.WriteLine("board counters (non-zero):");
        for (var counter = (Counter)0; counter < Counter.Count; counter++)
        {
            if (_board.Stack.Counters[counter] != 0)
            {
                output.WriteLine($"  {NetCounters.NameOf(counter),-28} {_board.Stack.Counters[counter]}");
            }
        }

        output.WriteLine($"wire: {_wire.FramesForwarded} frames forwarded");
        return ok;
    }

    private static bool Step(TextWriter output, string what, bool worked, string detail)
    {
        output.WriteLine($"{(worked ? "ok  " : "FAIL")}  {what}: {detail}");
        return worked;
    }

    private bool Ping(int size, out int roundTrip)
    {
        roundTrip = 0;
        if (_client.StartPing(WireDemo.BoardIp, size, 1000, out int ping) != SocketError.Success)
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
        _client.Open(SocketType.Stream, IpProtocol.Tcp, out int socket);
        _client.Connect(socket, WireDemo.BoardIp, port);
        int offset = 0;
        for (int ms = 0; ms < 30_000 && received.Length < expect; ms++)
        {
            if (offset < request.Length && _client.Send(socket, request, offset, request.Length - offset, out int sent) == SocketError.Success)
            {
                offset += sent;
            }

            Run(1);
            SocketError result;
            int n;
            while ((result = _client.Receive(socket, _buffer, 0, _buffer.Length, out n)) == SocketError.Success && n > 0)
            {
                received.Write(_buffer, 0, n);
            }

            if (result == SocketError.Success && n == 0 || result is not (SocketError.Success or SocketError.WouldBlock or SocketError.NotConnected))
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
        }
    }
}
