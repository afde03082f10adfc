using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

/// <summary>Accepts every signature and allocates nothing: for the allocation test and the fuzzer, which reach past the signatures.</summary>
public sealed class AcceptingVerifier : ISignatureVerifier
{
    public int Calls;

    public bool Verify(SignatureAlgorithm algorithm, byte[] key, int keyOffset, int keyLength, PublicKeyAlgorithm keyAlgorithm,
        byte[] signedData, int signedOffset, int signedLength, byte[] signature, int signatureOffset, int signatureLength)
    {
        Calls++;
        return true;
    }
}
