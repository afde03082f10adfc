using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// A group from the private-use range (RFC 8446 section 4.2.7, 0xFE00..0xFEFF) no server knows: offered first, its share
/// makes the server ask for one of the client's other groups with a HelloRetryRequest.
/// </summary>
internal sealed class UnknownGroupKeyExchange : ITlsKeyExchange
{
    public int NamedGroup => 0xFE42;

    public int KeyShareLength => 32;

    public int SharedSecretLength => 32;

    public void GenerateKeyShare(IEntropySource entropy, byte[] share, int offset) => entropy.Fill(share, offset, 32);

    public bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset) => false;
}
