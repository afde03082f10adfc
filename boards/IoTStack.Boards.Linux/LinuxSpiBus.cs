using System.Device.Spi;
using IoTStack.Drivers;

namespace IoTStack.Boards.Linux;

/// <summary>
/// <see cref="ISpiBus"/> over a Linux spidev device: each call is one <c>TransferFullDuplex</c>, which the
/// kernel runs as one SPI message with chip select held for all of it (spidev's SPI_IOC_MESSAGE with one
/// transfer), framed by <see cref="FullDuplexFrame"/> as on every platform. Allocates nothing.
/// </summary>
public sealed class LinuxSpiBus : ISpiBus, IDisposable
{
    private readonly SpiDevice _device;
    private readonly FullDuplexFrame _frame = new();

    public LinuxSpiBus(SpiDevice device)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
    }

    /// <summary>The settings a profile asks for: its bus and chip-select line, clock, mode, 8 bits MSB first.</summary>
    public static SpiConnectionSettings Settings(BoardProfile profile) => new(profile.SpiBus, profile.ChipSelectPin)
    {
        ClockFrequency = profile.ClockHz,
        Mode = (SpiMode)profile.SpiMode,
        DataBitLength = 8,
        DataFlow = DataFlow.MsbFirst,
    };

    /// <summary>Opens /dev/spidevB.C for a profile.</summary>
    public static LinuxSpiBus Open(BoardProfile profile) => new(SpiDevice.Create(Settings(profile)));

    public long Transfers { get; private set; }

    public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
    {
        int total = _frame.Prepare(header, headerOffset, headerLength, data, dataOffset, dataLength, direction);
        _device.TransferFullDuplex(_frame.Out.AsSpan(0, total), _frame.In.AsSpan(0, total));
        Transfers++;
        _frame.Complete(headerLength, data, dataOffset, dataLength, direction);
    }

    public void Dispose() => _device.Dispose();
}
