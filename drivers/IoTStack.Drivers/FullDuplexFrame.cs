namespace IoTStack.Drivers
{
    /// <summary>
    /// One <see cref="ISpiBus.Transfer"/> as the single full-duplex transfer a platform's SPI API makes under
    /// one chip select (nanoFramework's and System.Device.Spi's TransferFullDuplex, Meadow's Exchange): the
    /// header and the data back to back in <see cref="Out"/>, a read's data phase clocked out as zeros, and
    /// what came back after the header handed to the caller. The buffers are taken once; nothing allocates.
    /// </summary>
    public sealed class FullDuplexFrame
    {
        /// <summary>
        /// Room for the largest frame the drivers move in one transfer (a 1,522-byte tagged frame) and its 1 to 3
        /// header bytes. Longer moves (a W5500 socket's 2 KB buffer) are split by the driver. Both buffers live on
        /// the device's heap for good, so no larger than that.
        /// </summary>
        public const int MaximumLength = 1536;

        public readonly byte[] Out = new byte[MaximumLength];

        public readonly byte[] In = new byte[MaximumLength];

        /// <summary>Fills <see cref="Out"/>; returns the transfer's length.</summary>
        public int Prepare(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
        {
            int total = headerLength + dataLength;
            if (total > MaximumLength)
            {
                throw new System.ArgumentOutOfRangeException("dataLength", "one transfer holds at most 1536 bytes");
            }

            System.Array.Copy(header, headerOffset, Out, 0, headerLength);
            if (direction == SpiDataDirection.Write)
            {
                System.Array.Copy(data, dataOffset, Out, headerLength, dataLength);
            }
            else
            {
                // Native, not a loop: nanoCLR interprets IL, so zeroing byte by byte cost ~10 IL a byte (issue 15).
                System.Array.Clear(Out, headerLength, dataLength);
            }

            return total;
        }

        /// <summary>After the transfer: a read's data phase, from <see cref="In"/>, into the caller's buffer.</summary>
        public void Complete(int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
        {
            if (direction == SpiDataDirection.Read)
            {
                System.Array.Copy(In, headerLength, data, dataOffset, dataLength);
            }
        }
    }
}
