using System.Security.Cryptography;
using IoTStack.Drivers;
using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using Xunit.Abstractions;

namespace IoTStack.Drivers.Tests;

/// <summary>
/// The drivers on the device's SPI path (<see cref="FullDuplexFrame"/> and one raw transfer per chip select, as
/// NanoSpiBus does), at the largest transfers each chip makes: a limit of that path fails here, not on a board.
/// </summary>
public class DeviceBusPathTests(ITestOutputHelper output)
{
    private static readonly IPv4Address PeerIp = new(192, 0, 2, 1);
    private static readonly IPv4Address BoardIp = new(192, 0, 2, 2);
    private static readonly IPv4Address Mask = IPv4Address.MaskFromPrefixLength(24);
    private static readonly MacAddress BoardMac = new(2, 0, 0, 0, 0, 2);

    [Fact]
    public void Ten_megabytes_each_way_through_the_w5500_socket_engine_come_back_exact()
    {
        var clock = new VirtualClock(1_000);
        var wire = new VirtualSwitch(clock);
        var peerOptions = new NetStackOptions { ReceiveBufferSize = 16384, TransmitBufferSize = 16384 };
        var peer = new NetStack(peerOptions, wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 1)), clock);
        peer.Configure(PeerIp, Mask, IPv4Address.Any);
        var model = new W5500Model(wire.AddPort(BoardMac), clock);
        var engine = new W5500SocketEngine(model.Bus, BoardMac, clock);
        Assert.True(engine.Initialise(BoardIp, Mask, IPv4Address.Any));

        engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        engine.Bind(listener, IPv4Address.Any, 7);
        Assert.Equal(SocketResult.Success, engine.Listen(listener, 1));
        peer.Open(SocketKind.Stream, IpProtocol.Tcp, out int client);
        peer.Connect(client, BoardIp, 7);
        int connection = 0;
        for (int ms = 0; ms < 1_000 && connection == 0; ms++)
        {
            while (engine.Poll() | peer.Poll())
            {
            }

            engine.Accept(listener, out connection);
            clock.Advance(1);
        }

        Assert.NotEqual(0, connection);
        var data = new byte[10 * 1024 * 1024];
        new Random(14).NextBytes(data);
        byte[] inward = Move(clock, peer, client, engine, connection, data, engine, peer);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(inward));
        byte[] outward = Move(clock, engine, connection, peer, client, data, engine, peer);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(outward));
        output.WriteLine($"10 MB each way exact; longest SPI transfer {model.Bus.LongestTransfer} bytes, {model.Transactions} transfers");
        Assert.Equal(FullDuplexFrame.MaximumLength, model.Bus.LongestTransfer); // a full 2 KB buffer met the frame's limit
    }

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    public void A_full_size_frame_each_way_crosses_the_frame_drivers_bus_path(string chip)
    {
        var clock = new VirtualClock(1_000);
        var wire = new VirtualSwitch(clock);
        var peer = new NetStack(new NetStackOptions(), wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 1)), clock);
        peer.Configure(PeerIp, Mask, IPv4Address.Any);
        var model = ChipModel.Create(chip, wire.AddPort(BoardMac), clock);
        var driver = Boards.BoardNetwork.StartFrameDriver(Boards.ChipNames.Parse(chip), model.Bus, BoardMac, clock);
        Assert.NotNull(driver);
        var board = new NetStack(new NetStackOptions(), driver, clock);
        board.Configure(BoardIp, Mask, IPv4Address.Any);
        board.Open(SocketKind.Datagram, IpProtocol.Udp, out int echo);
        board.Bind(echo, IPv4Address.Any, 7);
        peer.Open(SocketKind.Datagram, IpProtocol.Udp, out int sender);
        var datagram = new byte[1472]; // a 1,514-byte frame, the largest untagged one
        new Random(3).NextBytes(datagram);
        var buffer = new byte[2048];
        int received = 0;
        for (int ms = 0; ms < 3_000 && received == 0; ms++)
        {
            if (ms % 500 == 0)
            {
                peer.SendTo(sender, datagram, 0, datagram.Length, BoardIp, 7, out _);
            }

            while (board.Poll() | peer.Poll())
            {
            }

            if (board.ReceiveFrom(echo, buffer, 0, buffer.Length, out int n, out SocketEndpoint from) == SocketResult.Success)
            {
                board.SendTo(echo, buffer, 0, n, from.Address, from.Port, out _);
            }

            if (peer.Receive(sender, buffer, 0, buffer.Length, out int back) == SocketResult.Success)
            {
                received = back;
            }

            clock.Advance(1);
        }

        Assert.Equal(datagram, buffer[..received]);
        output.WriteLine($"{chip}: longest SPI transfer {model.Bus.LongestTransfer} bytes");
        Assert.InRange(model.Bus.LongestTransfer, 1514, FullDuplexFrame.MaximumLength);
    }

    private static byte[] Move(VirtualClock clock, ISocketEngine from, int source, ISocketEngine to, int sink, byte[] data, ISocketEngine engine, NetStack peer)
    {
        using var received = new MemoryStream(data.Length);
        var buffer = new byte[4096];
        int offset = 0;
        for (int ms = 0; ms < 600_000 && received.Length < data.Length; ms++)
        {
            while (engine.Poll() | peer.Poll())
            {
            }

            if (offset < data.Length && from.SendSome(source, data, offset, data.Length - offset, out int sent) == SocketResult.Success)
            {
                offset += sent;
            }

            while (to.Receive(sink, buffer, 0, buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                received.Write(buffer, 0, n);
            }

            clock.Advance(1);
        }

        return received.ToArray();
    }
}
