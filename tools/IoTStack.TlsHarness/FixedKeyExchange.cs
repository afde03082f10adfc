using IoTStack.Crypto;
using IoTStack.Net.Tls;

namespace IoTStack.TlsHarness;

/// <summary>
/// Wraps a real key exchange and keeps the last share it sent and the last secret it computed, so a recording can
/// hand them to a <see cref="FixedKeyExchange"/>.
/// </summary>
public sealed class RecordingKeyExchange(ITlsKeyExchange inner) : ITlsKeyExchange
{
    public byte[] LastShare { get; private set; } = [];

    public byte[] LastSecret { get; private set; } = [];

    public int NamedGroup => inner.NamedGroup;

    public int KeyShareLength => inner.KeyShareLength;

    public int SharedSecretLength => inner.SharedSecretLength;

    public void GenerateKeyShare(IEntropySource entropy, byte[] share, int offset)
    {
        inner.GenerateKeyShare(entropy, share, offset);
        LastShare = share.AsSpan(offset, KeyShareLength).ToArray();
    }

    public bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset)
    {
        bool valid = inner.ComputeSharedSecret(peerShare, offset, length, shared, sharedOffset);
        LastSecret = valid ? shared.AsSpan(sharedOffset, SharedSecretLength).ToArray() : [];
        return valid;
    }
}

/// <summary>
/// A recorded key exchange for the fuzzer: sends the recorded share and, for any server share of the group's length,
/// gives the recorded secret, so mutated flights still decrypt and reach the states after ServerHello at the cost of a
/// copy (no scalar multiplication per input).
/// </summary>
public sealed class FixedKeyExchange(int group, byte[] share, byte[] secret) : ITlsKeyExchange
{
    public int NamedGroup => group;

    public int KeyShareLength => share.Length;

    public int SharedSecretLength => secret.Length;

    public void GenerateKeyShare(IEntropySource entropy, byte[] output, int offset) => share.CopyTo(output, offset);

    public bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset)
    {
        if (length != share.Length)
        {
            return false;
        }

        secret.CopyTo(shared, sharedOffset);
        return true;
    }
}
