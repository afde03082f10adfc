namespace IoTStack.Drivers
{
    /// <summary>What the data phase of a bus frame does.</summary>
    public enum SpiDataDirection
    {
        /// <summary>The data bytes are clocked out (MOSI); what comes back is ignored.</summary>
        Write,
        /// <summary>Zero bytes are clocked out and what comes back (MISO) is stored in the data bytes.</summary>
        Read
    }

    /// <summary>
    /// An SPI bus with one chip on it, as a driver sees it. One call is one chip-select frame: select,
    /// clock out the command header, then write or read the data bytes, release. A driver moves a whole
    /// Ethernet frame in one call with a few header bytes in front of the caller's buffer, so nothing is
    /// copied through a temporary buffer on the driver's side. The bytes received while the header is
    /// clocked out are ignored (both chips answer only in the data phase; an ENC28J60 MAC/MII read puts
    /// its dummy byte there too and lets the driver skip it).
    /// </summary>
    public interface ISpiBus
    {
        void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction);
    }
}
