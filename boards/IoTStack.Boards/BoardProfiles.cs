namespace IoTStack.Boards
{
    /// <summary>
    /// The boards IoTStack knows (each profile built when asked for: as static fields all nine, their strings and
    /// MACs, stayed on a device's heap for ever, 3.5 KB of a plain ESP32's 80), with the wiring firmware/README.md draws for each. On an ESP32 the pins are
    /// the SPI controller's own IO_MUX pins where there are such (VSPI on the ESP32: SCK 18, MISO 19, MOSI 23,
    /// CS 5; FSPI on the ESP32-S3: CS 10, MOSI 11, SCK 12, MISO 13), which allow the full 80 MHz rather than
    /// the GPIO matrix's 26 MHz full-duplex limit (ESP-IDF SPI master guide, "GPIO matrix and IO_MUX").
    /// On a Raspberry Pi the chip sits on spidev0.0 (SCLK 11, MOSI 10, MISO 9, CE0 8) with INT on GPIO 25, as
    /// the kernel's enc28j60 and w5500 overlays expect.
    /// </summary>
    public static class BoardProfiles
    {
        public static BoardProfile Esp32DevKitCEnc28j60
        {
            get { return Esp32("esp32-devkitc-enc28j60", "ESP32 DevKitC + ENC28J60 module", ChipKind.Enc28j60, 20000000); }
        }

        public static BoardProfile Esp32DevKitCW5500
        {
            get { return Esp32("esp32-devkitc-w5500", "ESP32 DevKitC + W5500 module (WIZnet W5500 Lite or generic)", ChipKind.W5500, 26000000); }
        }

        public static BoardProfile Esp32S3W5500
        {
            get { return Esp32S3("esp32s3-w5500", "ESP32-S3 DevKitC-1 N8R2 (2 MB PSRAM) + W5500 module", ChipKind.W5500, 40000000); }
        }

        public static BoardProfile RaspberryPiEnc28j60
        {
            get { return RaspberryPi("rpi-enc28j60", "Raspberry Pi + ENC28J60 module on spidev0.0", ChipKind.Enc28j60, 12000000); }
        }

        public static BoardProfile RaspberryPiW5500
        {
            get { return RaspberryPi("rpi-w5500", "Raspberry Pi + W5500 module on spidev0.0", ChipKind.W5500, 25000000); }
        }

        public static BoardProfile MeadowF7FeatherW5500
        {
            get { return MeadowF7(); }
        }

        public static BoardProfile EmulatedEnc28j60
        {
            get { return Emulated("emulated-enc28j60", ChipKind.Enc28j60); }
        }

        public static BoardProfile EmulatedW5500
        {
            get { return Emulated("emulated-w5500", ChipKind.W5500); }
        }

        public static BoardProfile EmulatedW5500Sockets
        {
            get { return Emulated("emulated-w5500-sockets", ChipKind.W5500Sockets); }
        }

        /// <summary>Every profile, real boards first (built on each call, so an image keeps only the profile it uses).</summary>
        public static BoardProfile[] All
        {
            get
            {
                return new BoardProfile[]
                {
                    Esp32DevKitCEnc28j60, Esp32DevKitCW5500, Esp32S3W5500, RaspberryPiEnc28j60, RaspberryPiW5500, MeadowF7FeatherW5500,
                    EmulatedEnc28j60, EmulatedW5500, EmulatedW5500Sockets
                };
            }
        }

        /// <summary>A plain ESP32 (no PSRAM) under nanoFramework: 79 KB to ~111 KB of managed heap (nf-interpreter PRs #1597, #2168); the low end.</summary>
        public const int PlainEsp32HeapBytes = 80 * 1024;

        /// <summary>An ESP32-S3 DevKitC-1 N8R2: 2 MB of PSRAM, which nanoFramework gives the managed heap, less a 512 KB reserve for the IDF.</summary>
        public const int Esp32S3PsramHeapBytes = 1536 * 1024;

        /// <summary>A Raspberry Pi running .NET on Linux: no small heap; 64 MB stands for "plenty" in the budget check.</summary>
        public const int LinuxHeapBytes = 64 * 1024 * 1024;

        /// <summary>Meadow F7 Feather: 32 MB of SDRAM shared by Meadow.OS and the application; half of it.</summary>
        public const int MeadowHeapBytes = 16 * 1024 * 1024;

        /// <summary>The name the shipped images give DHCP and answer to as NAME.local.</summary>
        public const string ShippedHostName = "iotstack";

        /// <summary>
        /// The settings an image for <paramref name="profile"/> ships with, which the ESP32 program, the Linux program and
        /// the emulator's <c>--board NAME</c> all start from: DHCP with the name "iotstack" and the static address after
        /// ten seconds without a lease, and sessions and buffers sized to the board's heap. A plain ESP32 (80 KB) serves
        /// 3 sessions over 4 TCP connections of 1 KB rings (UDP sockets hold one full-size datagram) with small
        /// firmware buffers and the small profile's tables; PSRAM, Linux and
        /// Meadow boards 8 sessions over 4 KB rings. The emulated boards ship the emulator's own defaults (static 192.0.2.2, 8 sessions, 8 KB rings).
        /// </summary>
        public static BoardSettings ShippedSettings(BoardProfile profile)
        {
            BoardSettings settings = new BoardSettings();
            settings.Chip = profile.Chip;
            settings.Mac = profile.Mac;
            if (profile.HeapBytes == 0)
            {
                settings.TcpReceiveBufferSize = 8192;
                settings.TcpTransmitBufferSize = 8192;
                return settings;
            }

            settings.Dhcp = true;
            settings.HostName = ShippedHostName;
            settings.StaticFallbackMs = 10000;
            settings.SpiClockHz = profile.ClockHz;
            if (profile.HeapBytes <= PlainEsp32HeapBytes)
            {
                settings.SmallTables = true;
                settings.Sessions = 3;
                settings.SpareConnections = 1;
                settings.TcpReceiveBufferSize = 1024;
                settings.TcpTransmitBufferSize = 1024;
                settings.DatagramBufferSize = 1536; // the firmware takes small buffers of its own too (FirmwareSettings.For)
                return settings;
            }

            settings.TcpReceiveBufferSize = 4096;
            settings.TcpTransmitBufferSize = 4096;
            return settings;
        }

        /// <summary>The profile called <paramref name="name"/>, or null.</summary>
        public static BoardProfile Find(string name)
        {
            BoardProfile[] all = All;
            for (int i = 0; i < all.Length; i++)
            {
                if (all[i].Name == name)
                {
                    return all[i];
                }
            }

            return null;
        }

        // ESP32: nanoFramework's SPI1 routed to VSPI's own pins. ESP32-S3: SPI1 on FSPI's own pins.
        // Raspberry Pi: spidev0.0, chip select CE0 (GPIO 8) driven by the kernel, so the line number is 0.
        private static BoardProfile Esp32(string name, string description, ChipKind chip, int clockHz)
        {
            BoardProfile profile = Wired(name, description, chip, clockHz, 1, 18, 19, 23, 5, 4, 27);
            profile.HeapBytes = PlainEsp32HeapBytes;
            return profile;
        }

        private static BoardProfile Esp32S3(string name, string description, ChipKind chip, int clockHz)
        {
            BoardProfile profile = Wired(name, description, chip, clockHz, 1, 12, 13, 11, 10, 14, 9);
            profile.HeapBytes = Esp32S3PsramHeapBytes;
            return profile;
        }

        private static BoardProfile RaspberryPi(string name, string description, ChipKind chip, int clockHz)
        {
            BoardProfile profile = Wired(name, description, chip, clockHz, 0, 11, 9, 10, 0, 25, 24);
            profile.HeapBytes = LinuxHeapBytes;
            return profile;
        }

        private static BoardProfile Wired(string name, string description, ChipKind chip, int clockHz,
            int bus, int clockPin, int misoPin, int mosiPin, int chipSelect, int interruptPin, int resetPin)
        {
            BoardProfile profile = new BoardProfile(name, description, chip);
            profile.SpiBus = bus;
            profile.ClockPin = clockPin;
            profile.MisoPin = misoPin;
            profile.MosiPin = mosiPin;
            profile.ChipSelectPin = chipSelect;
            profile.InterruptPin = interruptPin;
            profile.ResetPin = resetPin;
            profile.ClockHz = clockHz;
            return profile;
        }

        private static BoardProfile MeadowF7()
        {
            BoardProfile profile = new BoardProfile("meadow-f7-w5500", "Meadow F7 Feather + W5500 module", ChipKind.W5500);
            profile.SpiBusName = "SCK/COPI/CIPO"; // the Feather's SPI header pins
            profile.ChipSelectName = "D02";
            profile.InterruptName = "D03";
            profile.ResetName = "D04";
            profile.ClockHz = 12000000; // conservative for a module on jumper wires
            profile.HeapBytes = MeadowHeapBytes;
            return profile;
        }

        private static BoardProfile Emulated(string name, ChipKind chip)
        {
            BoardProfile profile = new BoardProfile(name, "The emulator's board: a register-level model of the chip", chip);
            profile.ClockHz = profile.ChipMaximumClockHz;
            return profile;
        }
    }
}
