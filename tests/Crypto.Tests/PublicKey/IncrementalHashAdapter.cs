using System.Security.Cryptography;

namespace IoTStack.Crypto.Tests.PublicKey;

/// <summary>System.Security.Cryptography's incremental hash behind IoTStack's IHash, until IoTStack has its own SHA-2.</summary>
internal sealed class IncrementalHashAdapter(HashAlgorithmName name) : IHash
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(name);
    private readonly byte[] _discarded = new byte[64];

    public int HashSize => _hash.HashLengthInBytes;

    public int BlockSize => HashSize <= 32 ? 64 : 128;

    public void Reset() => _hash.GetHashAndReset(_discarded.AsSpan(0, HashSize));

    public void Update(byte[] data, int offset, int count) => _hash.AppendData(data, offset, count);

    public void Finish(byte[] output, int offset) => _hash.GetHashAndReset(output.AsSpan(offset, HashSize));
}
