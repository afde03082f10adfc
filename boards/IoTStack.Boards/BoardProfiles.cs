namespace IoTStack.Boards
{
    /// <summary>
    /// The boards IoTStack knows, with the wiring firmware/README.md draws for each. On an ESP32 the pins are
    /// the SPI controller's own IO_MUX pins where there are such (VSPI on the ESP32: SCK 18, MISO 19, MOSI 23,
    /// CS 5; FSPI on the ESP32-S3: CS 10, MOSI 11, SCK 12, MISO 13), which allow the full 80 MHz rather than
    /// the GPIO matrix's 26 MHz full-duplex limit (ESP-IDF SPI master guide, "GPIO matrix and IO_MUX").
    /// On a Raspberry Pi the chip sits on spidev0.0 (SCLK 11, MOSI 10, MISO 9, CE0 8) with INT on GPIO 25, as
    /// the kernel's enc28j60 and w5500 overlays expect.
    /// </summary>
    public static class BoardProfiles
    {
        public static readonly BoardProfile Esp32DevKitCEnc28j60 = Esp32("esp32-devkitc-enc28j60", "ESP32 DevKitC + ENC28J60 module", ChipKind.Enc28j60, 20000000);

        public static readonly BoardProfile Esp32DevKitCW5500 = Esp32("esp32-devkitc-w5500", "ESP32 DevKitC + W5500 module (WIZnet W5500 Lite or generic)", ChipKind.W5500, 26000000);

        public static readonly BoardProfile Esp32S3W5500 = Esp32S3("esp32s3-w5500", "ESP32-S3 DevKitC-1 + W5500 module", ChipKind.W5500, 40000000);

        public static readonly BoardProfile RaspberryPiEnc28j60 = RaspberryPi("rpi-enc28j60", "Raspberry Pi + ENC28J60 module on spidev0.0", ChipKind.Enc28j60, 12000000);

        public static readonly BoardProfile RaspberryPiW5500 = RaspberryPi("rpi-w5500", "Raspberry Pi + W5500 module on spidev0.0", ChipKind.W5500, 25000000);

        public static readonly BoardProfile MeadowF7FeatherW5500 = MeadowF7();

        public static readonly BoardProfile EmulatedEnc28j60 = Emulated("emulated-enc28j60", ChipKind.Enc28j60);

        public static readonly BoardProfile EmulatedW5500 = Emulated("emulated-w5500", ChipKind.W5500);

        public static readonly BoardProfile EmulatedW5500Sockets = Emulated("emulated-w5500-sockets", ChipKind.W5500Sockets);

        /// <summary>Every profile, real boards first.</summary>
        public static readonly BoardProfile[] All = new BoardProfile[]
        {
            Esp32DevKitCEnc28j60, Esp32DevKitCW5500, Esp32S3W5500, RaspberryPiEnc28j60, RaspberryPiW5500, MeadowF7FeatherW5500,
            EmulatedEnc28j60, EmulatedW5500, EmulatedW5500Sockets
        };

        /// <summary>The profile called <paramref name="name"/>, or null.</summary>
        public static BoardProfile Find(string name)
        {
            for (int i = 0; i < All.Length; i++)
            {
                if (All[i].Name == name)
                {
                    return All[i];
                }
            }

            return null;
        }

        // ESP32: nanoFramework's SPI1 routed to VSPI's own pins. ESP32-S3: SPI1 on FSPI's own pins.
        // Raspberry Pi: spidev0.0, chip select CE0 (GPIO 8) driven by the kernel, so the line number is 0.
        private static BoardProfile Esp32(string name, string description, ChipKind chip, int clockHz)
        {
            return Wired(name, description, chip, clockHz, 1, 18, 19, 23, 5, 4, 27);
        }

        private static BoardProfile Esp32S3(string name, string description, ChipKind chip, int clockHz)
        {
            return Wired(name, description, chip, clockHz, 1, 12, 13, 11, 10, 14, 9);
        }

        private static BoardProfile RaspberryPi(string name, string description, ChipKind chip, int clockHz)
        {
            return Wired(name, description, chip, clockHz, 0, 11, 9, 10, 0, 25, 24);
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
