using IoTStack.Net.Wire;

namespace IoTStack.Net.Link
{
    /// <summary>
    /// What a network interface driver gives the stack: whole Ethernet II frames (no FCS) in and out of
    /// the caller's buffers, its MAC address and the link state. Drivers for the ENC28J60 and the W5500
    /// in MACRAW mode implement it, and so do the loopback device and the emulator's virtual ports.
    /// </summary>
    public interface IFrameDevice
    {
        MacAddress MacAddress { get; }

        /// <summary>The link state. The stack reads it on every poll, so a driver rate-limits the chip reads behind it
        /// (and may check the chip's health there: the stack relies on that to recover a chip that reset or went silent).</summary>
        bool IsLinkUp { get; }

        /// <summary>
        /// Copies the next received frame into <paramref name="buffer"/> and returns its length, or 0 when
        /// none is waiting. A frame longer than <paramref name="capacity"/> is dropped by the device.
        /// </summary>
        int Receive(byte[] buffer, int offset, int capacity);

        /// <summary>Sends one frame; false when the device could not take it (busy, link down, error).</summary>
        bool Transmit(byte[] buffer, int offset, int length);
    }
}
