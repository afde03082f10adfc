using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// A recorded exchange: sends the share it was given and, for exactly the server share recorded with it, returns the
/// recorded secret; any other share is refused as an invalid point would be. Allocates nothing.
/// </summary>
internal sealed class ReplayKeyExchange(int group, byte[] share, byte[] serverShare, byte[] secret) : ITlsKeyExchange
{
    public int NamedGroup => group;

    public int KeyShareLength => share.Length;

    public int SharedSecretLength => secret.Length;

    public void GenerateKeyShare(IEntropySource entropy, byte[] output, int offset) => share.CopyTo(output, offset);

    public bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset)
    {
        if (length != serverShare.Length || !peerShare.AsSpan(offset, length).SequenceEqual(serverShare))
        {
            return false;
        }

        secret.CopyTo(shared, sharedOffset);
        return true;
    }
}
