using IoTStack.Drivers;
using Meadow.Hardware;
using MeadowBus = Meadow.Hardware.ISpiBus;

namespace IoTStack.Boards.Meadow
{
    /// <summary>
    /// <see cref="IoTStack.Drivers.ISpiBus"/> over a Meadow SPI bus: one Exchange per chip-select frame, the
    /// chip select driven low by Meadow for all of it, framed by the portable <see cref="FullDuplexFrame"/>.
    /// Written against Meadow.Contracts' ISpiBus.Exchange(IDigitalOutputPort?, Span, Span, ChipSelectMode);
    /// Meadow's packages are not served where IoTStack is built, so this file is compiled in a Meadow app
    /// (see README.md here), not in IoTStack.sln.
    /// </summary>
    public sealed class MeadowSpiBus : IoTStack.Drivers.ISpiBus
    {
        private readonly MeadowBus _bus;
        private readonly IDigitalOutputPort _chipSelect;
        private readonly FullDuplexFrame _frame = new FullDuplexFrame();

        public MeadowSpiBus(MeadowBus bus, IDigitalOutputPort chipSelect)
        {
            _bus = bus;
            _chipSelect = chipSelect;
        }

        public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
        {
            int total = _frame.Prepare(header, headerOffset, headerLength, data, dataOffset, dataLength, direction);
            _bus.Exchange(_chipSelect, _frame.Out.AsSpan(0, total), _frame.In.AsSpan(0, total), ChipSelectMode.ActiveLow);
            _frame.Complete(headerLength, data, dataOffset, dataLength, direction);
        }
    }
}
