namespace IoTStack.Firmware
{
    /// <summary>
    /// How many connections the firmware serves at once and the buffers it takes for them, all at construction.
    /// The defaults serve well on a desktop or a PSRAM board; a plain ESP32 (about 80 KB of managed heap) takes
    /// smaller ones (see BoardProfiles).
    /// </summary>
    public sealed class FirmwareSettings
    {
        /// <summary>TCP listeners the firmware opens: echo 7, discard 9, chargen 19, HTTP 80.</summary>
        public const int TcpListeners = 4;

        /// <summary>UDP sockets the firmware opens: echo 7.</summary>
        public const int UdpSockets = 1;

        public FirmwareSettings()
        {
            Sessions = 8;
            RequestBufferSize = 1024;
            OutputBufferSize = 4096;
            PageBufferSize = 3072;
            DatagramBufferSize = 2048;
            HeadTimeoutMs = 10000;
        }

        /// <summary>Connections served at once, all services together; more wait in the listen backlog until one frees. Default 8.</summary>
        public int Sessions { get; set; }

        /// <summary>Each session's request buffer: the longest HTTP request head it takes (longer gets 400). Default 1024.</summary>
        public int RequestBufferSize { get; set; }

        /// <summary>Each session's output buffer: echo, chargen and response heads; larger moves more per poll. Default 4096.</summary>
        public int OutputBufferSize { get; set; }

        /// <summary>The status page and /stats, rendered into one buffer the sessions take turns with. Default 3072.</summary>
        public int PageBufferSize { get; set; }

        /// <summary>The UDP echo's buffer: the largest datagram it echoes whole (longer are cut). Default 2048.</summary>
        public int DatagramBufferSize { get; set; }

        /// <summary>Multicast groups the UDP echo also answers on (numbers as <see cref="Net.Wire.IPv4Address.Value"/>); null for none.</summary>
        public uint[] EchoGroups { get; set; }

        /// <summary>
        /// How long an HTTP connection may take to send a whole request head, or sit idle between keep-alive requests, before
        /// the board closes it (a partial head with RST); 0 for no limit. Default 10 s, as servers guard against a client that
        /// trickles a head that never ends (slowloris). While every session is busy and a connection waits, a session that
        /// has waited over a second for its head gives way to it at once.
        /// </summary>
        public int HeadTimeoutMs { get; set; }

        /// <summary>
        /// The firmware's settings for a board: <see cref="Sessions"/> from <paramref name="board"/>'s, and on a board with
        /// a small heap (<see cref="Boards.BoardSettings.SmallTables"/>, as a plain ESP32 ships) small buffers: 512-byte
        /// request and output buffers, the page streamed through 1 KB, a 1,472-byte UDP echo.
        /// </summary>
        public static FirmwareSettings For(Boards.BoardSettings board)
        {
            FirmwareSettings settings = new FirmwareSettings();
            settings.Sessions = board.Sessions;
            settings.EchoGroups = board.EchoGroups;
            if (board.SmallTables)
            {
                settings.RequestBufferSize = 512;
                settings.OutputBufferSize = 512;
                settings.PageBufferSize = 1024; // pages stream through it a chunk at a time
                settings.DatagramBufferSize = 1472;
            }

            return settings;
        }

        /// <summary>Throws <see cref="System.ArgumentException"/> naming the first setting out of range.</summary>
        public void Validate()
        {
            Require(Sessions >= 1 && Sessions <= 250, "FirmwareSettings.Sessions must be 1 to 250");
            Require(RequestBufferSize >= 256, "FirmwareSettings.RequestBufferSize must be at least 256 bytes (an HTTP request head)");
            Require(OutputBufferSize >= 256, "FirmwareSettings.OutputBufferSize must be at least 256 bytes (an HTTP response head)");
            Require(PageBufferSize >= 1024, "FirmwareSettings.PageBufferSize must be at least 1024 bytes");
            Require(DatagramBufferSize >= 64, "FirmwareSettings.DatagramBufferSize must be at least 64 bytes");
            Require(HeadTimeoutMs >= 0, "FirmwareSettings.HeadTimeoutMs must be 0 (no limit) or more");
        }

        private static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new System.ArgumentException(message);
            }
        }
    }
}
