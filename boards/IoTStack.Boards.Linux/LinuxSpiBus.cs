using System.Device.Spi;
using IoTStack.Drivers;

namespace IoTStack.Boards.Linux;

/// <summary>
/// <see cref="ISpiBus"/> over a Linux spidev device: each call is one <c>TransferFullDuplex</c>, which the
/// kernel runs as one SPI message with chip select held for all of it (spidev's SPI_IOC_MESSAGE with one
/// transfer). The header and the data go out back to back from one buffer taken at construction; a read's
/// data phase clocks out zeros and what comes back is copied into the caller's buffer. Allocates nothing.
/// </summary>
public sealed class LinuxSpiBus : ISpiBus, IDisposable
{
    /// <summary>Room for the largest frame the drivers move in one transfer (1,518 bytes) and its header.</summary>
    public const int MaximumTransfer = 2048;

    private readonly SpiDevice _device;
    private readonly byte[] _out = new byte[MaximumTransfer];
    private readonly byte[] _in = new byte[MaximumTransfer];

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
        int total = headerLength + dataLength;
        if (total > MaximumTransfer)
        {
            throw new ArgumentOutOfRangeException(nameof(dataLength), $"one transfer holds at most {MaximumTransfer} bytes");
        }

        Buffer.BlockCopy(header, headerOffset, _out, 0, headerLength);
        if (direction == SpiDataDirection.Write)
        {
            Buffer.BlockCopy(data, dataOffset, _out, headerLength, dataLength);
        }
        else
        {
            Array.Clear(_out, headerLength, dataLength);
        }

        _device.TransferFullDuplex(_out.AsSpan(0, total), _in.AsSpan(0, total));
        Transfers++;
        if (direction == SpiDataDirection.Read)
        {
            Buffer.BlockCopy(_in, headerLength, data, dataOffset, dataLength);
        }
    }

    public void Dispose() => _device.Dispose();
}
