using System;
using System.Device.Spi;
using IoTStack.Drivers;

namespace IoTStack.Firmware.Esp32
{
    /// <summary>
    /// <see cref="ISpiBus"/> over nanoFramework's System.Device.Spi: one TransferFullDuplex per chip-select
    /// frame, framed by the portable <see cref="FullDuplexFrame"/>. SpanByte is a struct over the frame's own
    /// buffers, so nothing allocates here.
    /// </summary>
    public sealed class NanoSpiBus : ISpiBus
    {
        private readonly SpiDevice _device;
        private readonly FullDuplexFrame _frame = new FullDuplexFrame();

        public NanoSpiBus(SpiDevice device)
        {
            _device = device;
        }

        public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
        {
            int total = _frame.Prepare(header, headerOffset, headerLength, data, dataOffset, dataLength, direction);
            _device.TransferFullDuplex(new SpanByte(_frame.Out, 0, total), new SpanByte(_frame.In, 0, total));
            _frame.Complete(headerLength, data, dataOffset, dataLength, direction);
        }
    }
}
