using System.Globalization;
using IoTStack.Emulator.Chips;
using IoTStack.Net;
using IoTStack.Net.Sockets;

namespace IoTStack.Emulator;

/// <summary>What the emulator shows of a board: its socket table, its non-zero counters and its SPI bus.</summary>
public static class BoardView
{
    public static readonly string[] SocketColumns = ["#", "type", "state", "local", "remote", "rx queued", "tx queued"];

    /// <summary>A row per socket in use (IoTStack), or per hardware socket with its Sn_SR (W5500 sockets).</summary>
    public static List<string[]> Sockets(Board board)
    {
        var rows = new List<string[]>();
        if (board.Stack is { } stack)
        {
            for (int i = 0; i < stack.SocketCount; i++)
            {
                if (stack.GetSocketInfo(i, out var info) == SocketResult.Success)
                {
                    rows.Add([Text(i), info.Type.ToString(), info.State.ToString(), info.Local.ToString(), info.Remote.ToString(), Text(info.ReceiveQueued), Text(info.TransmitQueued)]);
                }
            }
        }
        else if (board.Chip is W5500Model w5500)
        {
            for (int k = 0; k < 8; k++)
            {
                byte status = (byte)w5500.Status(k);
                if (status != 0)
                {
                    rows.Add([Text(k), "hardware", $"{W5500StatusName(status)} (Sn_SR {status:X2})", "", "", "", ""]);
                }
            }
        }

        return rows;
    }

    /// <summary>The stack's counters that are not zero (none for a W5500 running its own TCP/IP).</summary>
    public static List<(string Name, long Value)> Counters(Board board)
    {
        var counters = new List<(string, long)>();
        for (var counter = (Counter)0; board.Stack is { } stack && counter < Counter.Count; counter++)
        {
            if (stack.Counters[counter] != 0)
            {
                counters.Add((NetCounters.NameOf(counter), stack.Counters[counter]));
            }
        }

        return counters;
    }

    /// <summary>The bus meter: transactions, bytes, and the time they take at <paramref name="hertz"/>.</summary>
    public static string Bus(Board board, long hertz) =>
        $"SPI {board.Chip.Transactions:N0} transactions, {board.Chip.BytesClocked:N0} bytes = {board.Chip.BusTime(hertz).TotalMilliseconds:N0} ms of bus time at {hertz / 1e6:0.#} MHz";

    /// <summary>Sn_SR values, W5500 datasheet 1.0.9 §4.2 (Socket n Status Register).</summary>
    public static string W5500StatusName(byte status) => status switch
    {
        0x00 => "CLOSED",
        0x13 => "INIT",
        0x14 => "LISTEN",
        0x15 => "SYNSENT",
        0x16 => "SYNRECV",
        0x17 => "ESTABLISHED",
        0x18 => "FIN_WAIT",
        0x1A => "CLOSING",
        0x1B => "TIME_WAIT",
        0x1C => "CLOSE_WAIT",
        0x1D => "LAST_ACK",
        0x22 => "UDP",
        0x42 => "MACRAW",
        _ => "?",
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
