using System.Diagnostics;
using IoTStack.Boards;
using IoTStack.Boards.CommandLine;
using IoTStack.Emulator.Network;
using IoTStack.Emulator.Pcap;
using IoTStack.Emulator.Tap;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>
/// The board on a real network: its chip model sits on a virtual switch (so faults and the capture apply),
/// and a second switch port is bridged to a Linux TAP device. The switch's clock follows the wall clock. The board
/// runs as its own loop does (<see cref="Board.Turn"/>): polled at its deadline or when the chip's INT line is low.
/// </summary>
public sealed class TapMode
{
    private readonly BoardCommandLine _board;
    private readonly string _tapName;
    private readonly LinkFaults _faults;
    private readonly int _seed;

    public TapMode(BoardCommandLine board, string tapName, LinkFaults faults, int seed)
    {
        _board = board;
        _tapName = tapName;
        _faults = faults;
        _seed = seed;
    }

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled or the duration passes; returns the exit code. Lines read from
    /// <paramref name="input"/> are commands to the running board (<see cref="Command"/>), carried out between turns.
    /// </summary>
    public int Run(PcapWriter? pcap, double durationSeconds, TextReader input, TextWriter output, CancellationToken stop)
    {
        var commands = new System.Collections.Concurrent.ConcurrentQueue<string>();
        new Thread(() =>
        {
            string? line;
            while ((line = input.ReadLine()) is not null)
            {
                commands.Enqueue(line);
            }
        }) { IsBackground = true, Name = "commands" }.Start();
        var clock = new VirtualClock(0);
        var wire = new VirtualSwitch(clock, _seed) { Faults = _faults, Capture = pcap };
        // The TAP side's port: frames Linux sends enter the switch here, frames for Linux leave here.
        var linuxSide = wire.AddPort(new MacAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0xFE));
        using var tap = new TapDevice(_tapName, _board.Settings.Mac); // first: without root or /dev/net/tun nothing else matters
        var board = Board.Start(_board, wire.AddPort(_board.Settings.Mac), clock);
        string address = _board.Settings.Dhcp ? "(address by DHCP)" : $"{_board.Settings.Address}/{_board.PrefixLength}";
        output.WriteLine($"board {address} ({_board.ChipName}, MAC {_board.Settings.Mac}) on TAP {_tapName}; "
            + "serving echo 7, discard 9, chargen 19, HTTP 80. Ctrl-C stops.");
        var frame = new byte[2048];
        var watch = Stopwatch.StartNew();
        long nextReport = 1000;
        long bytesIn = 0, bytesOut = 0, framesIn = 0, framesOut = 0;
        long lastWork = 0;
        long busBefore = 0;
        while (!stop.IsCancellationRequested && (durationSeconds <= 0 || watch.ElapsedMilliseconds < durationSeconds * 1000))
        {
            long now = watch.ElapsedMilliseconds;
            if (now > clock.NowMilliseconds)
            {
                clock.Advance(now - clock.NowMilliseconds);
            }

            bool worked = false;
            int length;
            for (int i = 0; i < 32 && (length = tap.Receive(frame, 0, frame.Length)) > 0; i++)
            {
                linuxSide.Transmit(frame, 0, length);
                framesIn++;
                bytesIn += length;
                worked = true;
            }

            while (commands.TryDequeue(out var command))
            {
                output.WriteLine(Command(board, command));
            }

            worked |= board.Turn(); // as the device's loop: at its deadline or when the chip's INT is low
            while ((length = linuxSide.Receive(frame, 0, frame.Length)) > 0)
            {
                tap.Transmit(frame, 0, length);
                framesOut++;
                bytesOut += length;
                worked = true;
            }

            if (worked)
            {
                lastWork = now;
            }
            else if (now - lastWork > 2)
            {
                tap.WaitForFrame(1); // nothing for 2 ms: give the core back, but wake the moment Linux sends a frame
            }

            if (now >= nextReport)
            {
                nextReport += 1000;
                output.WriteLine(StatusLine(now, board, wire, framesIn, bytesIn, framesOut, bytesOut) + BusShare(board, ref busBefore, 1000));
            }
        }

        output.WriteLine(StatusLine(watch.ElapsedMilliseconds, board, wire, framesIn, bytesIn, framesOut, bytesOut));
        output.WriteLine(BoardView.Bus(board, _board.Settings.BusClockHz));
        return 0;
    }

    /// <summary>"join GROUP" or "leave GROUP": the firmware's UDP echo joins or leaves a multicast group; returns the line to print.</summary>
    private static string Command(Board board, string line)
    {
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return "";
        }

        if (words.Length != 2 || words[0] is not ("join" or "leave") || !IPv4Address.TryParse(words[1], out var group) || !group.IsMulticast)
        {
            return $"unknown command '{line}' (join GROUP, leave GROUP)";
        }

        bool join = words[0] == "join";
        var result = board.Firmware.EchoGroup(group.Value, join);
        return result == Net.Sockets.SocketResult.Success ? $"{(join ? "joined" : "left")} {group}" : $"{words[0]} {group}: {result}";
    }

    /// <summary>
    /// The share of the last <paramref name="intervalMs"/> a real bus at the modeled clock would have been busy:
    /// over 100% means a board with this SPI clock could not have kept up with what Linux sent.
    /// </summary>
    private string BusShare(Board board, ref long bytesBefore, long intervalMs)
    {
        long bytes = board.Chip.BytesClocked - bytesBefore;
        bytesBefore = board.Chip.BytesClocked;
        double busyMs = bytes * 8.0 * 1000 / _board.Settings.BusClockHz;
        return $"  SPI {bytes / 1024} KB/s, bus busy {100 * busyMs / intervalMs:0}% at {_board.Settings.BusClockHz / 1e6:0.#} MHz";
    }

    private static string StatusLine(long ms, Board board, VirtualSwitch wire, long framesIn, long bytesIn, long framesOut, long bytesOut)
    {
        string line = $"{ms / 1000.0,7:F1} s  in {framesIn} frames {bytesIn} B  out {framesOut} frames {bytesOut} B  "
            + $"HTTP requests {board.Firmware.Requests}  board polls {board.Polls}";
        if (board.Stack is { } stack)
        {
            line += $"  retransmits {stack.Counters[Counter.TcpRetransmittedSegments]}  sockets open {board.OpenSockets()}/{stack.SocketCount}";
            if (board.Firmware.Services is { } services)
            {
                line += services.Dhcp is { } dhcp ? $"  DHCP {dhcp.State} {stack.Address}" : "";
                line += stack.WallClockSet ? $"  time {DateTimeOffset.FromUnixTimeMilliseconds(stack.WallClockMilliseconds):HH:mm:ss}Z" : "";
            }
        }

        else if (board.Chip is Chips.W5500Model w5500)
        {
            line += "  Sn_SR";
            for (int k = 0; k < 8; k++)
            {
                line += $" {w5500.Status(k):X2}";
            }
        }

        if (board.Runtime.Mqtt is { } mqtt)
        {
            var summary = new Firmware.AsciiWriter(new byte[256]);
            summary.Text(mqtt.Client.IsConnected ? "  MQTT connected " : "  MQTT down ").Number(mqtt.Client.Connections);
            mqtt.Transport?.WriteSummary(summary);
            line += System.Text.Encoding.ASCII.GetString(summary.Buffer, 0, summary.Length);
        }

        if (wire.Faults.Any)
        {
            line += $"  wire lost {wire.FramesLost} corrupted {wire.FramesCorrupted} duplicated {wire.FramesDuplicated}";
        }

        return line;
    }
}
