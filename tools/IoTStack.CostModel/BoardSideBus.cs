using IoTStack.CostModel.Probe;
using IoTStack.Drivers;
using IoTStack.Emulator.Chips;

namespace IoTStack.CostModel;

/// <summary>
/// The board's SPI bus as the ESP32 image has it (NanoSpiBus: a <see cref="FullDuplexFrame"/> and one native
/// full-duplex transfer per chip select), with counting paused while the chip model answers: the model, and the
/// W5500 model's own TCP/IP engine behind it, are not the board. The transfer counts as one base-library call.
/// </summary>
internal sealed class BoardSideBus(ChipModel chip) : ISpiBus
{
    private readonly FullDuplexFrame _frame = new();

    /// <summary>Transfers that wrote to the chip: a poll that made none (and reports nothing done) was idle.</summary>
    public long Writes { get; private set; }

    public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
    {
        int total = _frame.Prepare(header, headerOffset, headerLength, data, dataOffset, dataLength, direction);
        CostProbe.LibraryCall();
        if (direction == SpiDataDirection.Write)
        {
            Writes++;
        }

        bool counting = CostProbe.Counting;
        CostProbe.Counting = false;
        try
        {
            chip.TransferRaw(_frame.Out, _frame.In, total);
        }
        finally
        {
            CostProbe.Counting = counting;
        }

        _frame.Complete(headerLength, data, dataOffset, dataLength, direction);
    }
}
