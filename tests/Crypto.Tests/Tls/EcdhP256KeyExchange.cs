using System.Security.Cryptography;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// secp256r1 through .NET's ECDiffieHellman (uncompressed point 04 || X || Y, RFC 8446 section 4.2.8.2). With a fixed
/// key it sends the same share every time, so a recorded server flight can be replayed; it remembers the last secret.
/// </summary>
internal sealed class EcdhP256KeyExchange(ECDiffieHellman? fixedKey = null) : ITlsKeyExchange
{
    private ECDiffieHellman? _generated;

    private ECDiffieHellman Key => fixedKey ?? _generated!;

    public byte[] LastSharedSecret { get; } = new byte[32];

    public int NamedGroup => 0x0017;

    public int KeyShareLength => 65;

    public int SharedSecretLength => 32;

    public void GenerateKeyShare(IEntropySource entropy, byte[] share, int offset)
    {
        using var excluded = AllocationLedger.Exclude();
        if (fixedKey == null)
        {
            _generated?.Dispose();
            _generated = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        }

        ECParameters parameters = Key.ExportParameters(false);
        share[offset] = 4;
        parameters.Q.X!.CopyTo(share, offset + 1);
        parameters.Q.Y!.CopyTo(share, offset + 33);
    }

    public bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset)
    {
        using var excluded = AllocationLedger.Exclude();
        if (length != 65 || peerShare[offset] != 4)
        {
            return false;
        }

        try
        {
            using var peer = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = peerShare[(offset + 1)..(offset + 33)], Y = peerShare[(offset + 33)..(offset + 65)] },
            });
            byte[] secret = Key.DeriveRawSecretAgreement(peer.PublicKey);
            secret.CopyTo(shared, sharedOffset);
            secret.CopyTo(LastSharedSecret, 0);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
