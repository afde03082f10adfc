using System.Text;
using IoTStack.Boards;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using Xunit.Abstractions;

namespace IoTStack.Drivers.Tests;

/// <summary>
/// The board's main loop as the ESP32 and Raspberry Pi images now run it (issue 15 item 6): poll again at once while a
/// poll finds work, else sleep until <see cref="Firmware.FirmwareBoard.PollDelay"/> (the firmware on a <see cref="BoardNetwork"/>) or the chip's INT line (read from the chip
/// model) falls. The same scenario runs with the board polled every millisecond, as before: over a seeded lossy wire
/// both must put the same frames on the wire at the same virtual times, which shows the sleeping board missed no
/// timer (its retransmissions leave on time) and no frame, while polling far less.
/// </summary>
public class BoardLoopTests(ITestOutputHelper output)
{
    private static readonly IPv4Address PeerIp = new(192, 0, 2, 1);
    private static readonly IPv4Address BoardIp = new(192, 0, 2, 2);
    private static readonly MacAddress PeerMac = new(0x02, 0, 0, 0, 0, 0x01);
    private static readonly MacAddress BoardMac = new(0x02, 0, 0, 0, 0, 0x02);

    public static TheoryData<string> Chips => new() { "enc28j60", "w5500", "w5500-sockets" };

    /// <summary>A board (the ESP32 DevKitC's shipped settings, static address) and a peer IoTStack on a seeded virtual switch.</summary>
    private sealed class Bench
    {
        private readonly bool _sleeps;
        private long _nextPoll;

        public Bench(string chip, bool sleeps)
        {
            _sleeps = sleeps;
            Wire = new VirtualSwitch(Clock, seed: 15);
            Wire.Observer = frame =>
            {
                if (MacAddress.Read(frame, 6) == BoardMac)
                {
                    Trace.Add($"{Clock.NowMilliseconds} {Convert.ToHexString(frame)}");
                }
            };
            Peer = new NetStack(new NetStackOptions { ReceiveBufferSize = 16384, TransmitBufferSize = 16384 }, Wire.AddPort(PeerMac), Clock);
            Peer.Configure(PeerIp, IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
            Chip = ChipModel.Create(chip, Wire.AddPort(BoardMac), Clock);
            ChipKind kind = ChipNames.Parse(chip);
            BoardSettings settings = Emulator.Board.ShippedEsp32Settings(kind, BoardIp);
            Board = Firmware.FirmwareBoard.Create(kind, Chip.Bus, BoardMac, Clock, settings) ?? throw new InvalidOperationException("no chip");
            Assert.True(Board.Start());
        }

        public VirtualClock Clock { get; } = new(1_000);
        public VirtualSwitch Wire { get; }
        public NetStack Peer { get; }
        public ChipModel Chip { get; }
        public Firmware.FirmwareBoard Board { get; }

        /// <summary>Every frame the board sent: the virtual millisecond and the bytes.</summary>
        public List<string> Trace { get; } = new();

        /// <summary>Board polls so far.</summary>
        public long Polls { get; private set; }

        /// <summary>One virtual millisecond: the board's loop, then the peer until it is idle.</summary>
        public void Step()
        {
            int rounds = 0;
            while (!_sleeps || Clock.NowMilliseconds >= _nextPoll || Chip.InterruptAsserted)
            {
                Assert.True(++rounds < 1_000, "the board's loop spins: a deadline of 0, or INT low, that a poll does not clear");
                Polls++;
                if (Board.Poll())
                {
                    _nextPoll = Clock.NowMilliseconds; // found work: poll again at once
                    continue;
                }

                if (!_sleeps)
                {
                    break;
                }

                _nextPoll = Clock.NowMilliseconds + Board.PollDelay();
            }

            while (Peer.Poll())
            {
            }

            Clock.Advance(1);
        }

        public void Run(int milliseconds)
        {
            for (int i = 0; i < milliseconds; i++)
            {
                Step();
            }
        }

        public void RunUntil(Func<bool> done, int limitMs = 60_000)
        {
            for (int ms = 0; ms < limitMs; ms++)
            {
                if (done())
                {
                    return;
                }

                Step();
            }

            Assert.Fail($"not done after {limitMs} virtual ms");
        }
    }

    /// <summary>Pings, an HTTP download and a TCP echo over a lossy wire, then ten idle seconds; returns the idle polls.</summary>
    private static long Scenario(Bench bench)
    {
        bench.Run(100);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(SocketResult.Success, bench.Peer.StartPing(BoardIp, 56, 1_000, out int ping));
            bench.RunUntil(() => bench.Peer.GetPingStatus(ping, out _) != PingStatus.Pending);
            Assert.Equal(PingStatus.Replied, bench.Peer.GetPingStatus(ping, out _));
            bench.Peer.EndPing(ping);
        }

        bench.Wire.Faults = new LinkFaults { Loss = 0.05 };
        int http = Connect(bench, 80);
        byte[] request = Encoding.ASCII.GetBytes("GET /bytes?n=30000 HTTP/1.1\r\nHost: board\r\n\r\n");
        Assert.Equal(SocketResult.Success, bench.Peer.SendSome(http, request, 0, request.Length, out int sent));
        Assert.Equal(request.Length, sent);
        byte[] response = Read(bench, http, 30_000);
        string head = Encoding.ASCII.GetString(response, 0, Array.IndexOf(response, (byte)'\r'));
        Assert.Equal("HTTP/1.1 200 OK", head);
        int body = response.Length - 30_000;
        for (int p = 0; p < 30_000; p++)
        {
            Assert.Equal((byte)(32 + p % 95), response[body + p]); // the board's /bytes pattern
        }

        int echo = Connect(bench, 7);
        var data = new byte[12_000];
        new Random(6).NextBytes(data);
        int offset = 0;
        var echoed = new List<byte>();
        var buffer = new byte[4096];
        bench.RunUntil(() =>
        {
            if (offset < data.Length && bench.Peer.SendSome(echo, data, offset, data.Length - offset, out int n) == SocketResult.Success)
            {
                offset += n;
            }

            while (bench.Peer.Receive(echo, buffer, 0, buffer.Length, out int got) == SocketResult.Success && got > 0)
            {
                echoed.AddRange(buffer.AsSpan(0, got).ToArray());
            }

            return echoed.Count == data.Length;
        });
        Assert.Equal(data, echoed.ToArray());

        bench.Wire.Faults = new LinkFaults();
        bench.Peer.Close(http);
        bench.Peer.Close(echo);
        bench.Run(5_000); // closes, TIME-WAIT and the ARP entries' refresh settle
        long before = bench.Polls;
        bench.Run(10_000);
        return bench.Polls - before;
    }

    private static int Connect(Bench bench, int port)
    {
        bench.Peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
        bench.Peer.Connect(socket, BoardIp, port);
        bench.RunUntil(() => bench.Peer.Connect(socket, BoardIp, port) == SocketResult.IsConnected);
        return socket;
    }

    /// <summary>Reads a response whose body is <paramref name="bodyLength"/> bytes; returns head and body.</summary>
    private static byte[] Read(Bench bench, int socket, int bodyLength)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        bench.RunUntil(() =>
        {
            while (bench.Peer.Receive(socket, buffer, 0, buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                received.AddRange(buffer.AsSpan(0, n).ToArray());
            }

            int end = IndexOfHeadEnd(received);
            return end >= 0 && received.Count >= end + bodyLength;
        });
        return received.ToArray();
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (int i = 3; i < bytes.Count; i++)
        {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n')
            {
                return i + 1;
            }
        }

        return -1;
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public void A_board_that_sleeps_to_its_deadline_or_int_sends_what_a_board_polled_every_millisecond_sends(string chip)
    {
        var polled = new Bench(chip, sleeps: false);
        long idlePolledEveryMs = Scenario(polled);
        var sleeping = new Bench(chip, sleeps: true);
        long idlePolls = Scenario(sleeping);

        Assert.Equal(polled.Trace.Count, sleeping.Trace.Count);
        for (int i = 0; i < polled.Trace.Count; i++)
        {
            Assert.True(polled.Trace[i] == sleeping.Trace[i], $"frame {i} of {polled.Trace.Count} differs: {polled.Trace[i][..40]} / {sleeping.Trace[i][..40]}");
        }

        if (sleeping.Board.Stack is { } stack)
        {
            Assert.True(stack.Counters[Counter.TcpRetransmittedSegments] > 0, "the lossy wire made the board retransmit");
        }

        output.WriteLine($"{chip}: {polled.Trace.Count} frames alike; polls {polled.Polls:N0} every ms, {sleeping.Polls:N0} sleeping; "
            + $"idle 10 s: {idlePolledEveryMs:N0} and {idlePolls:N0}");
        Assert.Equal(10_000, idlePolledEveryMs);
        Assert.True(sleeping.Polls * 10 < polled.Polls, $"{sleeping.Polls} polls sleeping, {polled.Polls} polled every ms");
        // Idle: IoTStack wakes at its 250 ms cap (the drivers' link check), the W5500's sockets at their 100 ms sweep.
        long perTenSeconds = chip == "w5500-sockets" ? 100 : 40;
        Assert.InRange(idlePolls, perTenSeconds - 2, perTenSeconds + 2);
    }
}
