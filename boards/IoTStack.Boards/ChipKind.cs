namespace IoTStack.Boards
{
    /// <summary>The Ethernet chip on a board's SPI bus.</summary>
    public enum ChipKind
    {
        /// <summary>Microchip ENC28J60: frames only, IoTStack does TCP/IP.</summary>
        Enc28j60,
        /// <summary>WIZnet W5500 in MACRAW: frames only, IoTStack does TCP/IP.</summary>
        W5500,
        /// <summary>WIZnet W5500 running its own TCP/IP (eight hardware sockets) behind the same socket API.</summary>
        W5500Sockets
    }
}
