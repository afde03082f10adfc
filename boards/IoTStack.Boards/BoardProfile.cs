using IoTStack.Net.Wire;

namespace IoTStack.Boards
{
    /// <summary>
    /// How one board is wired: the chip, its SPI bus and chip select, the interrupt and reset pins, the SPI
    /// mode and clock, and where the MAC address comes from. Plain data; the platform adapters (nanoFramework,
    /// Linux, Meadow) turn it into a bus. Pins are GPIO numbers (-1: not wired); Meadow names its pins, so a
    /// profile for it carries the names as well.
    /// </summary>
    public sealed class BoardProfile
    {
        public BoardProfile(string name, string description, ChipKind chip)
        {
            Name = name;
            Description = description;
            Chip = chip;
            ChipSelectPin = -1;
            InterruptPin = -1;
            ResetPin = -1;
            MosiPin = -1;
            MisoPin = -1;
            ClockPin = -1;
            SpiMode = 0;
            Mac = new MacAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
        }

        /// <summary>The name to pick the board by ("esp32-devkitc-w5500").</summary>
        public string Name { get; private set; }

        public string Description { get; private set; }

        public ChipKind Chip { get; private set; }

        /// <summary>The SPI controller: nanoFramework's SPI1/SPI2 as 1/2, Linux's spidevB.C as B.</summary>
        public int SpiBus { get; set; }

        /// <summary>The chip-select GPIO (nanoFramework drives it), or Linux's chip-select line C of spidevB.C.</summary>
        public int ChipSelectPin { get; set; }

        /// <summary>The chip's INT output (active low), -1 when not wired (the stack then polls).</summary>
        public int InterruptPin { get; set; }

        /// <summary>The chip's RESET input (active low), -1 when not wired (the drivers reset by command).</summary>
        public int ResetPin { get; set; }

        /// <summary>On an ESP32 the SPI signals go to any GPIO through the matrix; these are the ones the wiring uses.</summary>
        public int MosiPin { get; set; }

        public int MisoPin { get; set; }

        public int ClockPin { get; set; }

        /// <summary>SPI mode 0 (CPOL 0, CPHA 0): both chips take it (ENC28J60 only mode 0; W5500 modes 0 and 3).</summary>
        public int SpiMode { get; set; }

        public int ClockHz { get; set; }

        /// <summary>Pin names where the platform uses names (Meadow: "D02"); null elsewhere.</summary>
        public string ChipSelectName { get; set; }

        public string InterruptName { get; set; }

        public string ResetName { get; set; }

        public string SpiBusName { get; set; }

        /// <summary>
        /// The MAC to use when the platform gives no unique id. Neither chip has a MAC of its own (the W5500's
        /// SHAR and the ENC28J60's MAADR start at zero), so it is locally administered (bit 1 of the first byte).
        /// </summary>
        public MacAddress Mac { get; set; }

        /// <summary>
        /// A MAC unique to the board: locally administered, unicast, its other five bytes the last five of
        /// <paramref name="uniqueId"/> (an ESP32's factory MAC, a Raspberry Pi's serial number), so two boards
        /// with the same profile on one network do not clash. Falls back to <see cref="Mac"/>.
        /// </summary>
        public MacAddress MacFor(byte[] uniqueId)
        {
            if (uniqueId == null || uniqueId.Length < 5)
            {
                return Mac;
            }

            int at = uniqueId.Length - 5;
            return new MacAddress(0x02, uniqueId[at], uniqueId[at + 1], uniqueId[at + 2], uniqueId[at + 3], uniqueId[at + 4]);
        }

        /// <summary>
        /// The managed heap the board's runtime gives an application, in bytes (a plain ESP32 under nanoFramework about
        /// 80 KB; a PSRAM board its PSRAM less a reserve); 0 for the desktop emulator, which has no such limit. The
        /// board's shipped settings (<see cref="BoardProfiles.ShippedSettings"/>) leave at least 20% of it free.
        /// </summary>
        public int HeapBytes { get; set; }

        /// <summary>The highest SPI clock the chip's datasheet allows (ENC28J60 DS39662E: 20 MHz; W5500 1.0.9: 80 MHz).</summary>
        public int ChipMaximumClockHz
        {
            get { return ChipNames.MaximumClockHz(Chip); }
        }
    }
}
