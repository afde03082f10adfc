namespace IoTStack.Crypto.Tests.Tls;

/// <summary>Reproducible "randomness" (xorshift64*) so a recorded server flight answers the same ClientHello again.</summary>
internal sealed class SeededEntropy(ulong seed) : IEntropySource
{
    private ulong _state = seed == 0 ? 1 : seed;

    /// <summary>Starts the sequence again, so the next ClientHello is the recorded one.</summary>
    public void Restart() => _state = seed == 0 ? 1 : seed;

    public void Fill(byte[] buffer, int offset, int count)
    {
        for (int i = 0; i < count; i++)
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            buffer[offset + i] = (byte)((_state * 0x2545F4914F6CDD1DUL) >> 56);
        }
    }
}
