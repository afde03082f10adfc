namespace IoTStack.Crypto
{
    /// <summary>
    /// Cryptographic randomness the board supplies: the ESP32's hardware generator on the device, the operating system's
    /// generator on the desktop. Keys and nonces come from here, never from the stack's PRNG (issue 18).
    /// </summary>
    public interface IEntropySource
    {
        /// <summary>Fills <paramref name="count"/> bytes at <paramref name="offset"/> with unpredictable bytes.</summary>
        void Fill(byte[] buffer, int offset, int count);
    }
}
