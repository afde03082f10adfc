using IoTStack.Emulator.Network;
using IoTStack.Emulator.Pcap;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>
/// Two stacks on the virtual switch in virtual time: a board serving UDP echo on port 7 and a client
/// that pings it, echoes through it and meets a closed port. Prints each step, the board's socket
/// table and counters; returns whether every step worked.
/// </summary>
public sealed class StackDemo
{
    private readonly VirtualClock _clock = new(0);
    private readonly VirtualSwitch _wire;
    private readonly NetStack _board;
    private readonly NetStack _client;
    private readonly int _echo;
    private readonly byte[] _buffer = new byte[4096];

    public StackDemo(PcapWriter? capture)
    {
        _wire = new VirtualSwitch(_clock) { Capture = capture };
        var options = new NetStackOptions { PingMaxDataLength = 4000 };
        var mask = IPv4Address.MaskFromPrefixLength(24);
        _board = new NetStack(options, _wire.AddPort(WireDemo.BoardMac), _clock);
        _board.Configure(WireDemo.BoardIp, mask, IPv4Address.Any);
        _client = new NetStack(options, _wire.AddPort(WireDemo.PeerMac), _clock);
        _client.Configure(WireDemo.PeerIp, mask, IPv4Address.Any);
        _board.Open(SocketType.Datagram, IpProtocol.Udp, out _echo);
        _board.Bind(_echo, IPv4Address.Any, 7);
    }

    public bool Run(TextWriter output)
    {
        bool ok = true;
        foreach (int size in new[] { 56, 1472, 4000 })
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

        output.WriteLine();
        output.WriteLine("board sockets:");
        for (int i = 0; i < _board.SocketCount; i++)
        {
            if (_board.GetSocketInfo(i, out var info) == SocketError.Success)
            {
                output.WriteLine($"  {info.Type,-9} {info.State,-10} {info.Local,-22} {info.Remote,-22} rx {info.ReceiveQueued} tx {info.TransmitQueued}");
            }
        }

        output.WriteLine("board counters (non-zero):");
        for (var counter = (Counter)0; counter < Counter.Count; counter++)
        {
            if (_board.Counters[counter] != 0)
            {
                output.WriteLine($"  {NetCounters.NameOf(counter),-28} {_board.Counters[counter]}");
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

    /// <summary>Advances virtual time, polling both stacks and letting the board echo what it receives.</summary>
    private void Run(int milliseconds)
    {
        for (int i = 0; i < milliseconds; i++)
        {
            while (_board.Poll() | _client.Poll())
            {
                while (_board.ReceiveFrom(_echo, _buffer, 0, _buffer.Length, out int n, out var from) == SocketError.Success)
                {
                    _board.SendTo(_echo, _buffer, 0, n, from.Address, from.Port, out _);
                }
            }

            _clock.Advance(1);
        }
    }
}
