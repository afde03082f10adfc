// The shape of the nanoFramework device API the ESP32 adapter (firmware/IoTStack.Firmware.Esp32) calls,
// declared from the packages' documented public API (nanoframework/System.Device.Spi 1.3,
// nanoframework/System.Device.Gpio 1.1 (with GpioPin.ValueChanged for the INT line), nanoframework/nanoFramework.Hardware.Esp32 1.6,
// nanoframework/System.IO.Ports 1.1: SerialPort(portName, baudRate), Open, Write(byte[], int, int)), so the gate
// compiles the adapter too: a call the real API does not have is a build error here. Only the members the
// adapter uses; no behaviour. These packages are not served by the registry this build can reach; on a
// machine with nanoFramework's Visual Studio extension the .nfproj builds against the real ones.

namespace System.Device.Spi
{
    public enum SpiMode
    {
        Mode0,
        Mode1,
        Mode2,
        Mode3
    }

    public sealed class SpiConnectionSettings
    {
        public SpiConnectionSettings(int busId, int chipSelectLine)
        {
        }

        public SpiMode Mode { get; set; }

        public int DataBitLength { get; set; }

        public int ClockFrequency { get; set; }
    }

    public class SpiDevice
    {
        public SpiDevice(SpiConnectionSettings settings)
        {
        }

        public void TransferFullDuplex(SpanByte writeBuffer, SpanByte readBuffer)
        {
            throw new NotSupportedException("API shape only");
        }
    }
}

namespace System.Device.Gpio
{
    public enum PinMode
    {
        Input,
        Output,
        InputPullDown,
        InputPullUp
    }

    public struct PinValue
    {
        public static readonly PinValue Low;
        public static readonly PinValue High;
    }

    [Flags]
    public enum PinEventTypes
    {
        None = 0,
        Rising = 1,
        Falling = 2
    }

    public class PinValueChangedEventArgs : EventArgs
    {
        public PinEventTypes ChangeType
        {
            get { throw new NotSupportedException("API shape only"); }
        }
    }

    public delegate void PinValueChangedEventHandler(object sender, PinValueChangedEventArgs e);

    public class GpioPin
    {
        public event PinValueChangedEventHandler ValueChanged
        {
            add { }
            remove { }
        }

        public void Write(PinValue value)
        {
            throw new NotSupportedException("API shape only");
        }
    }

    public class GpioController
    {
        public GpioPin OpenPin(int pinNumber, PinMode mode)
        {
            throw new NotSupportedException("API shape only");
        }
    }
}

namespace nanoFramework.Hardware.Esp32
{
    public enum DeviceFunction
    {
        SPI1_MOSI,
        SPI1_MISO,
        SPI1_CLOCK,
        COM2_TX
    }

    public static class Configuration
    {
        public static void SetPinFunction(int pin, DeviceFunction function)
        {
            throw new System.NotSupportedException("API shape only");
        }
    }
}

namespace System.IO.Ports
{
    public class SerialPort
    {
        public SerialPort(string portName, int baudRate)
        {
        }

        public void Open()
        {
            throw new NotSupportedException("API shape only");
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            throw new NotSupportedException("API shape only");
        }
    }
}
