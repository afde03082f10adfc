using System.Device.Spi;
using IoTStack.Boards.Linux;
using IoTStack.Drivers;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Boards.Tests;

/// <summary>The Linux adapter (spidev through System.Device.Spi) against the chip models, byte for byte.</summary>
public class LinuxAdapterTests
{
    /// <summary>Records every frame; answers each MOSI byte with its complement, so a test sees which bytes came back where.</summary>
    private sealed class RecordingSpiDevice : SpiDevice
    {
        public List<byte[]> Frames { get; } = new();

        public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 0);

        public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            Frames.Add(writeBuffer.ToArray());
            for (int i = 0; i < readBuffer.Length; i++)
            {
                readBuffer[i] = (byte)~(i + 1);
            }
        }

        public override byte ReadByte() => throw new NotSupportedException();

        public override void Read(Span<byte> buffer) => throw new NotSupportedException();

        public override void WriteByte(byte value) => throw new NotSupportedException();

        public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException();
    }

    [Fact]
    public void A_transfer_is_one_full_duplex_frame_of_header_and_data_and_a_read_gets_the_data_phase_back()
    {
        var device = new RecordingSpiDevice();
        var bus = new LinuxSpiBus(device);
        var header = new byte[] { 0xEE, 0x12, 0x34, 0x56 };
        var data = new byte[] { 0, 0xA1, 0xA2, 0xA3, 0 };
        bus.Transfer(header, 1, 3, data, 1, 3, SpiDataDirection.Write);
        Assert.Equal([0x12, 0x34, 0x56, 0xA1, 0xA2, 0xA3], device.Frames.Single());
        Assert.Equal([0, 0xA1, 0xA2, 0xA3, 0], data); // a write leaves the caller's buffer alone

        bus.Transfer(header, 1, 2, data, 1, 3, SpiDataDirection.Read);
        Assert.Equal([0x12, 0x34, 0, 0, 0], device.Frames[1]); // the data phase clocks out zeros
        Assert.Equal([0, 0xFC, 0xFB, 0xFA, 0], data); // what came back after the header, where the caller asked
        Assert.Equal(2, bus.Transfers);
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.Transfer(header, 0, 3, new byte[2100], 0, 2100, SpiDataDirection.Write));
    }

    [Theory]
    [InlineData("rpi-enc28j60", 0, 0, 12_000_000)]
    [InlineData("rpi-w5500", 0, 0, 25_000_000)]
    public void A_profile_becomes_the_spidev_settings_it_names(string name, int bus, int chipSelect, int clock)
    {
        var settings = LinuxSpiBus.Settings(BoardProfiles.Find(name)!);
        Assert.Equal(bus, settings.BusId);
        Assert.Equal(chipSelect, settings.ChipSelectLine);
        Assert.Equal(clock, settings.ClockFrequency);
        Assert.Equal(SpiMode.Mode0, settings.Mode);
        Assert.Equal(8, settings.DataBitLength);
        Assert.Equal(DataFlow.MsbFirst, settings.DataFlow);
    }

    [Fact]
    public void A_clock_beyond_the_chip_or_another_mode_is_refused_by_the_model_device()
    {
        var profile = BoardProfiles.RaspberryPiEnc28j60;
        var wire = new VirtualSwitch(new VirtualClock(0));
        var tooFast = LinuxSpiBus.Settings(profile);
        tooFast.ClockFrequency = 25_000_000;
        Assert.Throws<ArgumentException>(() => new ModelSpiDevice(new Enc28j60Model(wire.AddPort(profile.Mac)), tooFast, profile.ChipMaximumClockHz));
        var mode3 = LinuxSpiBus.Settings(profile);
        mode3.Mode = SpiMode.Mode3;
        Assert.Throws<ArgumentException>(() => new ModelSpiDevice(new Enc28j60Model(wire.AddPort(profile.Mac)), mode3, profile.ChipMaximumClockHz));
    }

    public static TheoryData<string, string> Boards => new()
    {
        { "rpi-enc28j60", "enc28j60" },
        { "rpi-w5500", "w5500" },
        { "rpi-w5500", "w5500-sockets" },
    };

    [Theory]
    [MemberData(nameof(Boards))]
    public void The_firmware_runs_through_the_linux_adapter_on_the_chip_model(string profileName, string mode)
    {
        var profile = BoardProfiles.Find(profileName)!;
        var (bytes, transactions, frames, echoed) = Run(profile, mode, throughAdapter: true);
        Assert.True(echoed, "the TCP echo did not come back whole");
        Assert.Equal(transactions, frames); // one spidev transfer per bus transaction, no more, no fewer
        // The same conversation with the driver straight on the model clocks the very same bytes: the adapter adds nothing.
        var direct = Run(profile, mode, throughAdapter: false);
        Assert.Equal(direct.Bytes, bytes);
        Assert.Equal(direct.Transactions, transactions);
    }

    /// <summary>A board on the profile's chip, and a client stack that pings it and echoes 20 KB over TCP, in virtual time.</summary>
    private static (long Bytes, long Transactions, long Frames, bool Echoed) Run(BoardProfile profile, string mode, bool throughAdapter)
    {
        var clock = new VirtualClock(0);
        var wire = new VirtualSwitch(clock);
        var model = ChipModel.Create(mode, wire.AddPort(profile.Mac), clock);
        ModelSpiDevice? device = throughAdapter ? new ModelSpiDevice(model, LinuxSpiBus.Settings(profile), profile.ChipMaximumClockHz) : null;
        ISpiBus bus = device is null ? model.Bus : new LinuxSpiBus(device);
        var board = Firmware.FirmwareBoard.Create(ChipNames.Parse(mode), bus, profile.Mac, clock, new BoardSettings());
        Assert.NotNull(board);
        Assert.True(board.Start());
        var client = new NetStack(new NetStackOptions(), wire.AddPort(new MacAddress(0x02, 0, 0, 0, 0, 0x01)), clock);
        client.Configure(new IPv4Address(192, 0, 2, 1), IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        void Run(int ms)
        {
            for (int i = 0; i < ms; i++)
            {
                for (int round = 0; round < 100 && (board.Poll() | client.Poll()); round++)
                {
                }

                clock.Advance(1);
            }
        }

        Assert.Equal(SocketResult.Success, client.StartPing(new IPv4Address(192, 0, 2, 2), 1000, 1000, out int ping));
        Run(20);
        Assert.Equal(Net.Ip.PingStatus.Replied, client.GetPingStatus(ping, out _));
        var data = new byte[20_000];
        new Random(3).NextBytes(data);
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
        client.Connect(socket, new IPv4Address(192, 0, 2, 2), 7);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int sent = 0;
        for (int ms = 0; ms < 5_000 && received.Length < data.Length; ms++)
        {
            if (sent < data.Length && client.SendSome(socket, data, sent, data.Length - sent, out int n) == SocketResult.Success)
            {
                sent += n;
            }

            Run(1);
            while (client.Receive(socket, buffer, 0, buffer.Length, out int got) == SocketResult.Success && got > 0)
            {
                received.Write(buffer, 0, got);
            }
        }

        return (model.BytesClocked, model.Transactions, device?.Frames ?? model.Transactions, received.ToArray().AsSpan().SequenceEqual(data));
    }
}
