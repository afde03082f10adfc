using IoTStack.Drivers;

namespace IoTStack.Emulator.Chips;

/// <summary>
/// A chip model on the device's SPI path: each <see cref="ISpiBus.Transfer"/> is framed by the portable
/// <see cref="FullDuplexFrame"/> and clocked as one raw full-duplex transfer, exactly the shape of
/// NanoSpiBus (nanoFramework), LinuxSpiBus and MeadowSpiBus. The chip decodes the raw bytes as the real one
/// does, so the frame's limits (FullDuplexFrame.MaximumLength, 1,536 bytes a transfer) and its zeroed read phase are met on the desktop.
/// </summary>
public sealed class DeviceSpiBus : ISpiBus
{
    private readonly ChipModel _chip;
    private readonly FullDuplexFrame _frame = new();

    public DeviceSpiBus(ChipModel chip)
    {
        _chip = chip;
    }

    /// <summary>The longest transfer seen, header included (what a board's SPI driver must carry).</summary>
    public int LongestTransfer { get; private set; }

    public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
    {
        int total = _frame.Prepare(header, headerOffset, headerLength, data, dataOffset, dataLength, direction);
        LongestTransfer = Math.Max(LongestTransfer, total);
        _chip.TransferRaw(_frame.Out, _frame.In, total);
        _frame.Complete(headerLength, data, dataOffset, dataLength, direction);
    }
}
