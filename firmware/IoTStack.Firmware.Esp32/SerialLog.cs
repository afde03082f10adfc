using System.IO.Ports;
using IoTStack.Boards;
using nanoFramework.Hardware.Esp32;

namespace IoTStack.Firmware.Esp32
{
    /// <summary>
    /// The board's status lines on COM2 (the ESP32's UART1, TX routed to GPIO 17, 115200 8N1): a USB-serial
    /// adapter on GPIO 17 and GND shows them in Release as well as Debug (COM1 carries nanoFramework's debugger
    /// protocol). Debug.WriteLine, which the Debug build also keeps, is not used: a Release build drops it.
    /// </summary>
    public sealed class SerialLog : IBoardLog
    {
        /// <summary>UART1's transmit pin (any output GPIO works through the matrix; 17 is free on a DevKitC).</summary>
        public const int TransmitPin = 17;

        private static readonly byte[] NewLine = new byte[] { 13, 10 };

        private readonly SerialPort _port;

        private SerialLog(SerialPort port)
        {
            _port = port;
        }

        public static SerialLog Open()
        {
            Configuration.SetPinFunction(TransmitPin, DeviceFunction.COM2_TX);
            SerialPort port = new SerialPort("COM2", 115200);
            port.Open();
            return new SerialLog(port);
        }

        public void WriteLine(byte[] line, int offset, int length)
        {
            _port.Write(line, offset, length);
            _port.Write(NewLine, 0, NewLine.Length);
        }

        /// <summary>A line at start or on a fault, as ASCII (allocates; not on the serving path).</summary>
        public void Line(string text)
        {
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)text[i];
            }

            WriteLine(bytes, 0, bytes.Length);
        }
    }
}
