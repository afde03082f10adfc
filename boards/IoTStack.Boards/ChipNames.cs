namespace IoTStack.Boards
{
    /// <summary>
    /// The one place a chip's name becomes a <see cref="ChipKind"/> and back: the names the emulator's and the Linux
    /// board's <c>--chip</c>, the chip models and the tests use.
    /// </summary>
    public static class ChipNames
    {
        public const string Enc28j60 = "enc28j60";

        public const string W5500 = "w5500";

        public const string W5500Sockets = "w5500-sockets";

        /// <summary>Every name, for messages and help: "enc28j60, w5500, w5500-sockets".</summary>
        public const string List = "enc28j60, w5500, w5500-sockets";

        /// <summary>Every chip, in the order of <see cref="List"/> (a new array on each call).</summary>
        public static ChipKind[] All
        {
            get { return new ChipKind[] { ChipKind.Enc28j60, ChipKind.W5500, ChipKind.W5500Sockets }; }
        }

        /// <summary>The name of <paramref name="chip"/>: enc28j60, w5500 or w5500-sockets.</summary>
        public static string NameOf(ChipKind chip)
        {
            switch (chip)
            {
                case ChipKind.Enc28j60: return Enc28j60;
                case ChipKind.W5500: return W5500;
                default: return W5500Sockets;
            }
        }

        /// <summary>The chip called <paramref name="name"/> (exactly as <see cref="NameOf"/> writes it); false for any other name.</summary>
        public static bool TryParse(string name, out ChipKind chip)
        {
            switch (name)
            {
                case Enc28j60: chip = ChipKind.Enc28j60; return true;
                case W5500: chip = ChipKind.W5500; return true;
                case W5500Sockets: chip = ChipKind.W5500Sockets; return true;
                default: chip = ChipKind.Enc28j60; return false;
            }
        }

        /// <summary>The chip called <paramref name="name"/>; throws ArgumentException "unknown chip 'NAME' (one of ...)" for any other.</summary>
        public static ChipKind Parse(string name)
        {
            ChipKind chip;
            if (!TryParse(name, out chip))
            {
                throw new System.ArgumentException("unknown chip '" + name + "' (one of " + List + ")");
            }

            return chip;
        }

        /// <summary>The chip's fastest SPI clock: ENC28J60 DS39662E §4.1, 20 MHz; W5500 datasheet 1.0.9 §1, 80 MHz.</summary>
        public static int MaximumClockHz(ChipKind chip)
        {
            return chip == ChipKind.Enc28j60 ? 20000000 : 80000000;
        }

        /// <summary>Whether IoTStack does TCP/IP over the chip's frames (ENC28J60, W5500 in MACRAW), rather than the chip itself.</summary>
        public static bool CarriesFrames(ChipKind chip)
        {
            return chip != ChipKind.W5500Sockets;
        }
    }
}
