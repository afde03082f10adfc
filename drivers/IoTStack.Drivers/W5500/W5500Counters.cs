namespace IoTStack.Drivers.W5500
{
    /// <summary>What the W5500 MACRAW driver saw of the chip.</summary>
    public sealed class W5500Counters
    {
        public long FramesReceived;
        public long BytesReceived;
        public long FramesSent;
        public long BytesSent;
        /// <summary>Receive headers with an impossible length: the receive buffer was resynchronised.</summary>
        public long ReceiveResyncs;
        /// <summary>Frames longer than the caller's buffer, skipped.</summary>
        public long LengthErrors;
        /// <summary>Frames refused because the transmit buffer had no room.</summary>
        public long TransmitBufferFull;
        /// <summary>Commands the chip did not take within the bound (Sn_CR never read back 0).</summary>
        public long CommandTimeouts;
        /// <summary>Times the chip was found reset (or gone) and initialised again.</summary>
        public long ChipReinitialisations;
    }
}
