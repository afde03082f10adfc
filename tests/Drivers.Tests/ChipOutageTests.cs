using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Drivers.Tests;

/// <summary>
/// Issue 10, chip faults seen from a connection: the chip stops answering (MISO stuck) for long enough that a
/// connection gives up with a clear error, never an exception or a hang; when the chip answers again the
/// driver sets it up again and the board serves new connections.
/// </summary>
public class ChipOutageTests
{
    [Theory]
    [InlineData("enc28j60", (byte)0xFF)]
    [InlineData("enc28j60", (byte)0x00)]
    [InlineData("w5500", (byte)0xFF)]
    [InlineData("w5500", (byte)0x00)]
    public void A_connection_over_a_silent_chip_times_out_clearly_and_the_board_serves_again_when_it_returns(string chip, byte stuck)
    {
        var clock = new VirtualClock(1_000);
        var wire = new VirtualSwitch(clock);
        var boardMac = new MacAddress(2, 0, 0, 0, 0, 2);
        var model = ChipModel.Create(chip, wire.AddPort(boardMac), clock);
        model.Strict = false; // a silent chip's answers are nonsense the driver must survive, not datasheet violations to report
        var driver = Boards.BoardNetwork.StartFrameDriver(Boards.ChipNames.Parse(chip), model.Bus, boardMac, clock);
        Assert.NotNull(driver);

        var mask = IPv4Address.MaskFromPrefixLength(24);
        var board = new NetStack(new NetStackOptions(), driver, clock);
        board.Configure(new IPv4Address(192, 0, 2, 2), mask, IPv4Address.Any);
        var peer = new NetStack(new NetStackOptions(), wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 1)), clock);
        peer.Configure(new IPv4Address(192, 0, 2, 1), mask, IPv4Address.Any);
        board.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        board.Bind(listener, IPv4Address.Any, 7);
        board.Listen(listener, 2);
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                for (int round = 0; round < 50 && (board.Poll() | peer.Poll()); round++)
                {
                }

                clock.Advance(1);
            }
        }

        int Connect()
        {
            peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
            peer.Connect(client, new IPv4Address(192, 0, 2, 2), 7);
            Run(200);
            return client;
        }

        int first = Connect();
        Assert.Equal(SocketResult.Success, board.Accept(listener, out int accepted));
        board.SetOption(accepted, SocketOption.UserTimeout, 10_000);

        model.StuckMiso = stuck; // the chip goes silent: every byte read back is the same
        var data = new byte[2000];
        board.SendSome(accepted, data, 0, data.Length, out _);
        Run(15_000);
        var error = board.SendSome(accepted, data, 0, 10, out _);
        Assert.True(error is SocketResult.TimedOut or SocketResult.ConnectionAborted or SocketResult.ConnectionReset or SocketResult.NotConnected,
            $"the board's connection says {error} after 15 s of a silent chip");

        model.StuckMiso = null; // the chip answers again
        Run(2_000);
        board.Close(accepted);
        peer.Close(first);
        int second = Connect();
        int again = -1;
        for (int ms = 0; ms < 10_000 && board.Accept(listener, out again) != SocketResult.Success; ms += 10)
        {
            Run(10); // the chip is set up again first; the peer's SYN may need its retransmission
        }

        Assert.True(again >= 0, $"no connection accepted within 10 s of the chip's return (driver counters: {driver})");
        var hello = "hello again"u8.ToArray();
        peer.SendSome(second, hello, 0, hello.Length, out _);
        Run(50);
        var buffer = new byte[64];
        var table = string.Join(", ", Enumerable.Range(0, board.SocketCount).Select(i => board.GetSocketInfo(i, out var info) == SocketResult.Success ? $"{info.Descriptor}:{info.State}:{info.Remote}" : "-"));
        var received = board.Receive(again, buffer, 0, buffer.Length, out int got);
        Assert.True(received == SocketResult.Success, $"{received} on {again}; table {table}");
        Assert.Equal(hello, buffer[..got]);
    }
}
