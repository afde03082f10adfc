using System.Device.Gpio;
using System.Device.Spi;
using System.Diagnostics;
using System.Threading;
using IoTStack.Boards;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Services;
using nanoFramework.Hardware.Esp32;

namespace IoTStack.Firmware.Esp32
{
    /// <summary>
    /// The ESP32 image: picks the board, routes the SPI signals to its pins, resets the chip, builds bus,
    /// driver, stack, services and firmware (the portable BoardRuntime the emulator runs too), takes an
    /// address by DHCP (the profile's static one after ten seconds without a lease) and serves forever.
    /// </summary>
    public static class Program
    {
        /// <summary>The board this image is for: one of BoardProfiles (firmware/README.md has the wiring for each).</summary>
        private static readonly BoardProfile Board = BoardProfiles.Esp32DevKitCW5500;

        /// <summary>The name the board gives DHCP and answers to as NAME.local.</summary>
        private const string HostName = "iotstack";

        public static void Main()
        {
            // SPI1's signals to the profile's pins (the chip select is driven by the SPI driver itself).
            Configuration.SetPinFunction(Board.MosiPin, DeviceFunction.SPI1_MOSI);
            Configuration.SetPinFunction(Board.MisoPin, DeviceFunction.SPI1_MISO);
            Configuration.SetPinFunction(Board.ClockPin, DeviceFunction.SPI1_CLOCK);
            GpioController gpio = new GpioController();
            if (Board.ResetPin >= 0)
            {
                // RESET low for a millisecond, then time for the chip's oscillator or PLL (ENC28J60 DS39662E 11.2; W5500 1.0.9 5.5.1).
                GpioPin reset = gpio.OpenPin(Board.ResetPin, PinMode.Output);
                reset.Write(PinValue.Low);
                Thread.Sleep(1);
                reset.Write(PinValue.High);
                Thread.Sleep(2);
            }

            SpiConnectionSettings spi = new SpiConnectionSettings(Board.SpiBus, Board.ChipSelectPin);
            spi.ClockFrequency = Board.ClockHz;
            spi.Mode = SpiMode.Mode0;
            spi.DataBitLength = 8;
            NanoSpiBus bus = new NanoSpiBus(new SpiDevice(spi));

            // 14 sockets of 2 KB each way: the firmware's five listeners, the services' four, five connections. About 70 KB.
            NetStackOptions options = new NetStackOptions();
            options.SocketCount = 14;
            BoardSettings settings = new BoardSettings();
            settings.Dhcp = true;
            settings.HostName = HostName;
            settings.StaticFallbackMs = 10000;
            BoardRuntime board = BoardRuntime.Create(Board.Chip, bus, Board.Mac, new SystemClock(), options, settings);
            if (board == null)
            {
                Debug.WriteLine("IoTStack: no " + Board.Description + " answers on SPI: check the wiring (firmware/README.md)");
                Thread.Sleep(Timeout.Infinite);
            }

            if (!board.Start())
            {
                Debug.WriteLine("IoTStack: the firmware could not open its sockets");
                Thread.Sleep(Timeout.Infinite);
            }

            Debug.WriteLine("IoTStack on " + Board.Description + ", MAC " + Board.Mac.ToString() + ": DHCP, then " + HostName + ".local");
            long nextReport = 0;
            SystemClock clock = new SystemClock();
            while (true)
            {
                if (!board.Poll())
                {
                    Thread.Sleep(1); // nothing to do: let the chip gather frames (INT could wake us; polling every ms is enough)
                }

                if (clock.NowMilliseconds >= nextReport)
                {
                    nextReport = clock.NowMilliseconds + 10000;
                    Report(board);
                }
            }
        }

        private static void Report(BoardRuntime board)
        {
            DhcpClient dhcp = board.Services.Dhcp;
            Debug.WriteLine("IoTStack: address " + board.Stack.Address.ToString() + ", DHCP " + StateName(dhcp.State)
                + ", HTTP requests " + board.Firmware.Requests.ToString());
        }

        private static string StateName(DhcpState state)
        {
            return state == DhcpState.Bound ? "bound" : state == DhcpState.Selecting ? "selecting" : "busy";
        }
    }
}
