using System.Device.Gpio;
using System.Device.Spi;
using System.Threading;
using IoTStack.Boards;
using IoTStack.Firmware.Tls;
using IoTStack.Net.Link;
using nanoFramework.Hardware.Esp32;

namespace IoTStack.Firmware.Esp32
{
    /// <summary>
    /// The ESP32 image: picks the board, routes the SPI signals to its pins, resets the chip, builds bus,
    /// driver, stack, services and firmware from the profile's shipped settings (the portable FirmwareBoard on a
    /// BoardNetwork, which the emulator and the Linux board run too, and the same BoardSettings its <c>--board</c> option starts from), takes an address by
    /// DHCP (the static one after ten seconds without a lease) and serves forever. Status lines go to a serial
    /// port, so a Release build prints them too.
    /// </summary>
    public static class Program
    {
        /// <summary>The board this image is for: one of BoardProfiles (firmware/README.md has the wiring for each).</summary>
        private static readonly BoardProfile Board = BoardProfiles.Esp32DevKitCW5500;

        public static void Main()
        {
            SerialLog log = SerialLog.Open();

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

            // The profile's shipped settings: on a plain ESP32, 3 sessions over 4 TCP connections of 1 KB rings, with DHCP,
            // DNS, mDNS and SNTP (the nanoCLR heap model in tests/Stack.Tests gives the figure; the README lists it per board).
            BoardSettings settings = BoardProfiles.ShippedSettings(Board);
            // MQTT over TLS, when the settings ask for it (MqttTls, MqttTrustAnchors): entropy from the ESP32's hardware RNG
            // (Esp32Entropy says how strong it is without the radio). No client certificate yet.
            MqttTls mqttTls = new MqttTls(new Esp32Entropy(), null);
            FirmwareBoard board = FirmwareBoard.Create(settings.Chip, bus, settings.Mac, new SystemClock(), settings.StackOptions(), settings,
                FirmwareSettings.For(settings), mqttTls);
            if (board == null)
            {
                log.Line("IoTStack: no " + Board.Description + " answers on SPI: check the wiring (firmware/README.md)");
                Thread.Sleep(Timeout.Infinite);
            }

            if (!board.Start())
            {
                log.Line("IoTStack: the firmware could not open its sockets");
                Thread.Sleep(Timeout.Infinite);
            }

            log.Line("IoTStack on " + Board.Description + ", MAC " + Board.Mac.ToString() + ": DHCP, then " + settings.HostName + ".local");
            board.Log = log;
            GpioPin interrupt = Board.InterruptPin >= 0 ? gpio.OpenPin(Board.InterruptPin, PinMode.InputPullUp) : null;
            if (interrupt != null)
            {
                interrupt.ValueChanged += OnInterrupt;
            }

            while (true)
            {
                if (board.Poll())
                {
                    continue; // more may wait (a burst of frames, output just queued): poll again at once
                }

                // Nothing to do: sleep until the next timer or until the chip's INT falls (active low on both chips). Without
                // the line, or with it low though the poll found nothing (a source no driver clears), look again in 1 ms.
                int delay = board.PollDelay();
                if ((interrupt == null || _interruptLow) && delay > ReceivePollIntervalMs)
                {
                    delay = ReceivePollIntervalMs;
                }

                if (delay > 0)
                {
                    Wake.WaitOne(delay, false);
                }
            }
        }

        /// <summary>How often a board without its INT line wired looks for frames (timers keep their own deadlines).</summary>
        private const int ReceivePollIntervalMs = 1;

        /// <summary>Set by INT falling: ends the main loop's sleep.</summary>
        private static readonly AutoResetEvent Wake = new AutoResetEvent(false);

        /// <summary>INT's level as its edges left it (the loop reads no PinValue: a struct, which nanoCLR allocates).</summary>
        private static bool _interruptLow;

        private static void OnInterrupt(object sender, PinValueChangedEventArgs e)
        {
            _interruptLow = e.ChangeType == PinEventTypes.Falling;
            if (_interruptLow)
            {
                Wake.Set();
            }
        }
    }
}
