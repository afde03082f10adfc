using IoTStack.Crypto;

namespace IoTStack.TlsHarness;

/// <summary>
/// Reproducible "randomness" (xorshift64*): the same seed gives the same ClientHello (random, session id, key share), so a
/// recorded server flight answers a new client again. Never for a real connection.
/// </summary>
public sealed class HarnessEntropy(ulong seed) : IEntropySource
{
    private ulong _state = seed == 0 ? 1 : seed;

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
