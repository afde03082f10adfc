using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Drivers.Tests;

/// <summary>
/// The chips' interrupt output as the models derive it from their registers (ENC28J60 DS39662E section 12; W5500
/// datasheet 1.0.9 sections 4.1, 4.2) with the drivers' setup: low while the host has something to take, high again
/// once it has taken it, so the next event gives a new falling edge.
/// </summary>
public class InterruptLineTests
{
    public static TheoryData<string> FrameChips => new() { "enc28j60", "w5500" };

    private static ChipBench Bench(string chip) => chip == "enc28j60" ? new Enc28j60Bench() : new W5500Bench();

    private static bool Asserted(ChipBench bench) =>
        bench is Enc28j60Bench enc ? enc.Chip.InterruptAsserted : ((W5500Bench)bench).Chip.InterruptAsserted;

    [Theory]
    [MemberData(nameof(FrameChips))]
    public void A_received_frame_pulls_int_low_until_the_driver_has_taken_every_one(string chip)
    {
        var bench = Bench(chip);
        Assert.False(Asserted(bench));
        for (int i = 0; i < 3; i++)
        {
            var frame = bench.FrameToBoard(300, i);
            bench.Peer.Transmit(frame, 0, frame.Length);
        }

        Assert.True(Asserted(bench));
        Assert.NotNull(bench.Receive());
        Assert.True(Asserted(bench)); // two still wait
        Assert.NotNull(bench.Receive());
        Assert.NotNull(bench.Receive());
        Assert.False(Asserted(bench));
        Assert.Null(bench.Receive());
        Assert.False(Asserted(bench));
        var next = bench.FrameToBoard(60, 9);
        bench.Peer.Transmit(next, 0, next.Length);
        Assert.True(Asserted(bench));
    }

    [Fact]
    public void The_enc28j60_drives_int_only_with_eie_intie_set()
    {
        var bench = new Enc28j60Bench();
        var frame = bench.FrameToBoard(100, 1);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.True(bench.Chip.InterruptAsserted);
        // BFC EIE.INTIE (section 12: the global enable gates the pin, PKTIF stays set).
        bench.Chip.Exchange([(byte)(0xA0 | 0x1B), 0x80], 0, 2, [], 0, 0, SpiDataDirection.Write);
        Assert.False(bench.Chip.InterruptAsserted);
        Assert.NotNull(bench.Receive());
    }

    [Fact]
    public void The_w5500_sockets_pull_intn_low_for_a_connection_data_and_an_awaited_send_only()
    {
        var clock = new VirtualClock(1_000);
        var wire = new VirtualSwitch(clock);
        var peer = new NetStack(new NetStackOptions(), wire.AddPort(ChipBench.PeerMac), clock);
        peer.Configure(new IPv4Address(192, 0, 2, 1), IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        var chip = new W5500Model(wire.AddPort(ChipBench.BoardMac), clock);
        var engine = new W5500SocketEngine(chip.Bus, ChipBench.BoardMac, clock);
        var boardIp = new IPv4Address(192, 0, 2, 2);
        Assert.True(engine.Initialise(boardIp, IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any));
        engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        engine.Bind(listener, IPv4Address.Any, 7);
        Assert.Equal(SocketResult.Success, engine.Listen(listener, 1));
        engine.Poll();
        Assert.False(chip.InterruptAsserted);

        bool RunPeerUntil(Func<bool> condition)
        {
            for (int ms = 0; ms < 2_000; ms++)
            {
                while (peer.Poll())
                {
                }

                if (condition())
                {
                    return true;
                }

                clock.Advance(1);
            }

            return false;
        }

        // CON (datasheet 4.2, Sn_IR): the peer's connection is up.
        peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        peer.Connect(client, boardIp, 7);
        Assert.True(RunPeerUntil(() => chip.InterruptAsserted));
        Assert.True(engine.Poll());
        Assert.False(chip.InterruptAsserted);
        Assert.Equal(SocketResult.Success, engine.Accept(listener, out int connection));

        // RECV: data came.
        peer.SendSome(client, new byte[100], 0, 100, out _);
        Assert.True(RunPeerUntil(() => chip.InterruptAsserted));
        engine.Poll();
        Assert.False(chip.InterruptAsserted);
        Assert.Equal(SocketResult.Success, engine.Receive(connection, new byte[200], 0, 200, out int received));
        Assert.Equal(100, received);

        // A SEND's SENDOK that nobody waits for is masked; once a Send had to wait for it (WouldBlock), it pulls INTn low.
        var data = new byte[2000];
        Assert.Equal(SocketResult.Success, engine.SendSome(connection, data, 0, data.Length, out _));
        Assert.False(chip.InterruptAsserted);
        SocketResult result = SocketResult.Success;
        for (int i = 0; i < 10 && result == SocketResult.Success; i++)
        {
            result = engine.SendSome(connection, data, 0, data.Length, out _); // the chip's TCP fills while the peer sleeps
        }

        Assert.Equal(SocketResult.WouldBlock, result);
        Assert.False(chip.InterruptAsserted);
        Assert.True(RunPeerUntil(() => chip.InterruptAsserted)); // the peer's ACKs let the SEND finish
        engine.Poll();
        Assert.False(chip.InterruptAsserted);
        Assert.Equal(SocketResult.Success, engine.SendSome(connection, data, 0, data.Length, out int sent));
        Assert.True(sent > 0);
    }
}
