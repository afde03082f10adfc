using IoTStack.Boards;
using IoTStack.CostModel.Probe;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.CostModel;

/// <summary>
/// A board (the ESP32 DevKitC's shipped settings, static address) and a peer IoTStack on one virtual switch,
/// in virtual time. Counting is on only inside the board's <see cref="Firmware.FirmwareBoard.Poll"/>, and after
/// <see cref="StartCounting"/>; a board poll that reports nothing done is rolled back.
/// </summary>
internal sealed class Rig
{
    public static readonly IPv4Address PeerIp = new(192, 0, 2, 1);
    public static readonly IPv4Address BoardIp = new(192, 0, 2, 2);
    public static readonly IPv4Address ProberIp = new(192, 0, 2, 3);
    public static readonly MacAddress PeerMac = new(2, 0, 0, 0, 0, 1);
    public static readonly MacAddress BoardMac = new(2, 0, 0, 0, 0, 2);
    public static readonly MacAddress ProberMac = new(2, 0, 0, 0, 0, 3);
    private const int StepLimitMs = 120_000;

    private readonly Firmware.FirmwareBoard _board;
    private readonly string _chip;
    private bool _measuring;
    private readonly ChipModel _model;
    private readonly BoardSideBus _bus;

    /// <param name="mqtt">Whether the board reports to an MQTT broker on the peer (issue 17's <c>--mqtt 192.0.2.1</c>).</param>
    public Rig(string chip, bool mqtt = false)
    {
        _chip = chip;
        Clock = new VirtualClock(1_000);
        Wire = new VirtualSwitch(Clock);
        Peer = new NetStack(new NetStackOptions { ReceiveBufferSize = 16384, TransmitBufferSize = 16384 }, Wire.AddPort(PeerMac), Clock);
        Peer.Configure(PeerIp, IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        _model = ChipModel.Create(chip, Wire.AddPort(BoardMac), Clock);
        ChipKind kind = ChipNames.Parse(chip);
        BoardSettings settings = Emulator.Board.ShippedEsp32Settings(kind, BoardIp);
        if (mqtt)
        {
            settings.MqttBroker = PeerIp;
        }

        CostProbe.Reset();
        _bus = new BoardSideBus(_model);
        _board = Firmware.FirmwareBoard.Create(kind, _bus, BoardMac, Clock, settings)
            ?? throw new InvalidOperationException($"the {chip} model did not come up");
        if (!_board.Start())
        {
            throw new InvalidOperationException("the firmware could not open its sockets");
        }

        Settle(50);
    }

    public VirtualClock Clock { get; }

    public VirtualSwitch Wire { get; }

    public NetStack Peer { get; }

    public long PeerFramesSent => Peer.Counters[Counter.FramesSent];

    public long PeerFramesReceived => Peer.Counters[Counter.FramesReceived];

    /// <summary>From now on the board's polls are counted (the counts start at zero).</summary>
    public void StartCounting()
    {
        CostProbe.Reset();
        _measuring = true;
    }

    public PathCost Result(string path, long packets, long payloadBytes, int top)
    {
        _measuring = false;
        return new PathCost(_chip, path, packets, payloadBytes, CostProbe.Snapshot(top));
    }

    /// <summary>
    /// One board poll, counted if measuring; rolled back when it was idle: it reports nothing done and wrote
    /// nothing to the chip (a frame taken or sent, socket data moved, a command given all write).
    /// </summary>
    public bool PollBoard()
    {
        long writes = _bus.Writes;
        bool busy = PollBoardCounted();
        if (!busy && _bus.Writes == writes)
        {
            CostProbe.Rollback();
        }

        CostProbe.Mark();
        return busy;
    }

    /// <summary>One board poll, counted if measuring, whatever it did.</summary>
    public bool PollBoardCounted()
    {
        CostProbe.Counting = _measuring;
        try
        {
            return _board.Poll();
        }
        finally
        {
            CostProbe.Counting = false;
        }
    }

    /// <summary>
    /// <paramref name="milliseconds"/> of virtual time with the board run as its own loop runs it: polled again at once
    /// while a poll finds work, else when its PollDelay has passed or the chip model's INT line is low (sampled every
    /// millisecond, uncounted); every Poll and PollDelay counted if measuring. Returns the board's polls.
    /// </summary>
    public long RunSleepingLoop(int milliseconds)
    {
        long polls = 0;
        long next = Clock.NowMilliseconds;
        for (int ms = 0; ms < milliseconds; ms++)
        {
            while (Clock.NowMilliseconds >= next || _model.InterruptAsserted)
            {
                polls++;
                CostProbe.Counting = _measuring;
                try
                {
                    next = _board.Poll() ? Clock.NowMilliseconds : Clock.NowMilliseconds + _board.PollDelay();
                }
                finally
                {
                    CostProbe.Counting = false;
                }
            }

            while (Peer.Poll())
            {
            }

            Clock.Advance(1);
        }

        return polls;
    }

    /// <summary>Both sides until neither has anything to do, then a millisecond on.</summary>
    public void Step()
    {
        while (PollBoard() | Peer.Poll())
        {
        }

        Clock.Advance(1);
    }

    public void Settle(int milliseconds)
    {
        for (int i = 0; i < milliseconds; i++)
        {
            Step();
        }
    }

    public void RunUntil(Func<bool> done)
    {
        for (int ms = 0; ms < StepLimitMs; ms++)
        {
            while (PollBoard() | Peer.Poll())
            {
                if (done())
                {
                    return;
                }
            }

            if (done())
            {
                return;
            }

            Clock.Advance(1);
        }

        throw new TimeoutException($"{_chip}: the scenario did not finish in {StepLimitMs} virtual ms");
    }

    /// <summary>A peer connection to the board's <paramref name="port"/>, established.</summary>
    public int ConnectPeer(int port)
    {
        Peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        Peer.Connect(client, BoardIp, port);
        RunUntil(() => State(client) == SocketState.Established);
        return client;
    }

    /// <summary>Sends <paramref name="count"/> bytes of <paramref name="data"/> and runs until the board acknowledged all.</summary>
    public void PushThrough(int client, byte[] data, int count)
    {
        int offset = 0;
        RunUntil(() =>
        {
            if (offset < count && Peer.SendSome(client, data, offset, count - offset, out int sent) == SocketResult.Success)
            {
                offset += sent;
            }

            return offset == count && Info(client).TransmitQueued == 0;
        });
    }

    /// <summary>Reads <paramref name="count"/> bytes (or more, as they come) from the board; returns how many.</summary>
    public int Drain(int client, int count)
    {
        var buffer = new byte[4096];
        int total = 0;
        RunUntil(() =>
        {
            while (total < count && Peer.Receive(client, buffer, 0, Math.Min(buffer.Length, count - total), out int n) == SocketResult.Success && n > 0)
            {
                total += n;
            }

            return total >= count;
        });
        return total;
    }

    /// <summary>Reads one HTTP response with a Content-Length; returns its size, head included.</summary>
    public int ReadHttpResponse(int client)
    {
        var received = new List<byte>();
        var buffer = new byte[2048];
        int expected = -1;
        RunUntil(() =>
        {
            while (Peer.Receive(client, buffer, 0, buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                received.AddRange(buffer.AsSpan(0, n));
            }

            if (expected < 0)
            {
                string text = System.Text.Encoding.ASCII.GetString([.. received]);
                int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                int length = text.IndexOf("Content-Length: ", StringComparison.Ordinal);
                if (end >= 0 && length >= 0)
                {
                    int stop = text.IndexOf("\r\n", length, StringComparison.Ordinal);
                    expected = end + 4 + int.Parse(text[(length + 16)..stop]);
                }
            }

            return expected >= 0 && received.Count >= expected;
        });
        return received.Count;
    }

    private SocketState State(int descriptor) => Info(descriptor).State;

    private SocketInfo Info(int descriptor)
    {
        for (int i = 0; i < Peer.SocketCount; i++)
        {
            if (Peer.GetSocketInfo(i, out SocketInfo info) == SocketResult.Success && info.Descriptor == descriptor)
            {
                return info;
            }
        }

        throw new InvalidOperationException("the peer's socket is gone");
    }
}
