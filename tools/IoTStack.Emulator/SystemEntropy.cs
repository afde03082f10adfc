using IoTStack.Crypto;

namespace IoTStack.Emulator;

/// <summary>
/// The desktop's cryptographic generator (<see cref="System.Security.Cryptography.RandomNumberGenerator"/>: the kernel's
/// getrandom on Linux) as the board's entropy source for TLS, where the ESP32 has its hardware generator. Never the
/// stack's PRNG, whose seed is fixed for reproducible tests.
/// </summary>
public sealed class SystemEntropy : IEntropySource
{
    public void Fill(byte[] buffer, int offset, int count) =>
        System.Security.Cryptography.RandomNumberGenerator.Fill(buffer.AsSpan(offset, count));
}
