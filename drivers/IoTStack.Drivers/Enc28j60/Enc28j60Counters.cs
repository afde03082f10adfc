namespace IoTStack.Drivers.Enc28j60
{
    /// <summary>What the driver saw of the chip.</summary>
    public sealed class Enc28j60Counters
    {
        public long FramesReceived;
        public long BytesReceived;
        public long FramesSent;
        public long BytesSent;
        /// <summary>Frames the receive status vector marked bad (CRC, length check, not received OK).</summary>
        public long ReceiveErrors;
        /// <summary>Frames too short or too long for the caller's buffer or for Ethernet.</summary>
        public long LengthErrors;
        /// <summary>Receive buffer overflows (EIR.RXERIF): frames the chip had to drop.</summary>
        public long Overflows;
        public long TransmitRetries;
        public long TransmitFailures;
        /// <summary>Times the receive logic was reset after an impossible next-packet pointer.</summary>
        public long ReceiverResets;
        /// <summary>Times the chip was found reset (or gone) and initialised again.</summary>
        public long ChipReinitialisations;
    }
}
