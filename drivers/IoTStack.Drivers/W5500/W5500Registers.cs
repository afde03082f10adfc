namespace IoTStack.Drivers.W5500
{
    /// <summary>
    /// WIZnet W5500 register map and SPI frame (W5500 datasheet v1.0.9, sections 2.2 and 4). A frame is a
    /// 16-bit offset, a control byte (block select in bits 7 to 3, read/write in bit 2, operation mode in
    /// bits 1 and 0, 00 meaning variable length), then data; multi-byte registers are big-endian.
    /// </summary>
    public static class W5500Registers
    {
        public const int ControlWrite = 0x04;
        public const int VariableLength = 0x00;

        public const int CommonBlock = 0x00;

        /// <summary>Block select of socket n's registers.</summary>
        public static int SocketBlock(int socket)
        {
            return 1 + 4 * socket;
        }

        public static int TransmitBufferBlock(int socket)
        {
            return 2 + 4 * socket;
        }

        public static int ReceiveBufferBlock(int socket)
        {
            return 3 + 4 * socket;
        }

        // Common registers.
        public const int MR = 0x0000;
        public const int SHAR = 0x0009;
        public const int IR = 0x0015;
        public const int IMR = 0x0016;
        public const int SIR = 0x0017;
        public const int SIMR = 0x0018;
        public const int RTR = 0x0019;
        public const int PHYCFGR = 0x002E;
        public const int VERSIONR = 0x0039;

        public const byte ModeReset = 0x80;
        public const byte PhyLink = 0x01;
        public const byte PhyRun = 0x80; // PHYCFGR.RST: 0 resets the PHY
        public const byte PhyConfigureAll = 0x78; // OPMD (configure by register) and OPMDC 111 (all capable, auto-negotiation)
        public const byte ChipVersion = 0x04;

        // Socket registers (offsets within the socket's block).
        public const int SnMR = 0x00;
        public const int SnCR = 0x01;
        public const int SnIR = 0x02;
        public const int SnSR = 0x03;
        public const int SnPORT = 0x04;
        public const int SnDHAR = 0x06;
        public const int SnDIPR = 0x0C;
        public const int SnDPORT = 0x10;
        public const int SnRXBUFSIZE = 0x1E;
        public const int SnTXBUFSIZE = 0x1F;
        public const int SnTXFSR = 0x20;
        public const int SnTXRD = 0x22;
        public const int SnTXWR = 0x24;
        public const int SnRXRSR = 0x26;
        public const int SnRXRD = 0x28;
        public const int SnRXWR = 0x2A;
        public const int SnIMR = 0x2C;

        // Sn_MR.
        public const byte ModeTcp = 0x01;
        public const byte ModeUdp = 0x02;
        public const byte ModeMacRaw = 0x04;
        public const byte ModeMacFilter = 0x80; // MFEN in MACRAW
        public const byte ModeBroadcastBlock = 0x40; // BCASTB in MACRAW and UDP
        public const byte ModeMulticastBlock = 0x20; // MMB in MACRAW
        public const byte ModeIPv6Block = 0x10; // MIP6B in MACRAW

        // Sn_CR commands.
        public const byte CommandOpen = 0x01;
        public const byte CommandListen = 0x02;
        public const byte CommandConnect = 0x04;
        public const byte CommandDisconnect = 0x08;
        public const byte CommandClose = 0x10;
        public const byte CommandSend = 0x20;
        public const byte CommandReceive = 0x40;

        // Sn_SR states.
        public const byte StatusClosed = 0x00;
        public const byte StatusInit = 0x13;
        public const byte StatusListen = 0x14;
        public const byte StatusEstablished = 0x17;
        public const byte StatusCloseWait = 0x1C;
        public const byte StatusUdp = 0x22;
        public const byte StatusMacRaw = 0x42;

        // Sn_IR bits (write 1 to clear).
        public const byte InterruptSendOk = 0x10;
        public const byte InterruptTimeout = 0x08;
        public const byte InterruptReceive = 0x04;
        public const byte InterruptDisconnect = 0x02;
        public const byte InterruptConnect = 0x01;

        /// <summary>Each direction shares 16 KB among the eight sockets.</summary>
        public const int BufferMemory = 16 * 1024;
    }
}
