using System.Device.Spi;
using IoTStack.Emulator.Chips;

namespace IoTStack.Boards.Tests;

/// <summary>
/// A System.Device.Spi device whose far end is a chip model: what the Linux adapter hands the kernel
/// (one full-duplex transfer per chip-select frame) goes to the model as a raw frame, and the model decodes
/// it as the chip would. The settings are checked against the chip (mode 0, 8 bits MSB first, a clock the
/// datasheet allows); the half-duplex calls, which would split a frame over two chip selects, fail.
/// </summary>
public sealed class ModelSpiDevice : SpiDevice
{
    private readonly ChipModel _model;
    private readonly SpiConnectionSettings _settings;
    private readonly byte[] _mosi = new byte[4096];
    private readonly byte[] _miso = new byte[4096];

    public ModelSpiDevice(ChipModel model, SpiConnectionSettings settings, int chipMaximumHz)
    {
        if (settings.Mode != SpiMode.Mode0 || settings.DataBitLength != 8 || settings.DataFlow != DataFlow.MsbFirst)
        {
            throw new ArgumentException($"the chip takes SPI mode 0, 8 bits, MSB first, not {settings.Mode}, {settings.DataBitLength} bits, {settings.DataFlow}");
        }

        if (settings.ClockFrequency <= 0 || settings.ClockFrequency > chipMaximumHz)
        {
            throw new ArgumentException($"{settings.ClockFrequency} Hz is beyond the chip's {chipMaximumHz} Hz");
        }

        _model = model;
        _settings = settings;
    }

    public override SpiConnectionSettings ConnectionSettings => _settings;

    public long Frames { get; private set; }

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        if (writeBuffer.Length != readBuffer.Length)
        {
            throw new ArgumentException("full duplex: as many bytes in as out");
        }

        writeBuffer.CopyTo(_mosi);
        _model.TransferRaw(_mosi, _miso, writeBuffer.Length);
        _miso.AsSpan(0, readBuffer.Length).CopyTo(readBuffer);
        Frames++;
    }

    public override byte ReadByte() => throw new NotSupportedException("one full-duplex transfer per chip-select frame");

    public override void Read(Span<byte> buffer) => throw new NotSupportedException("one full-duplex transfer per chip-select frame");

    public override void WriteByte(byte value) => throw new NotSupportedException("one full-duplex transfer per chip-select frame");

    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException("one full-duplex transfer per chip-select frame");
}
