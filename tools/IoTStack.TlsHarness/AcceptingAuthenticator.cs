using IoTStack.Net.Tls;

namespace IoTStack.TlsHarness;

/// <summary>Accepts every chain and every CertificateVerify: lets the fuzzer past authentication into the later states.</summary>
public sealed class AcceptingAuthenticator : ITlsServerAuthenticator
{
    public int CheckCertificateChain(byte[] buffer, int[] offsets, int[] lengths, int count, string hostName) => 0;

    public bool VerifySignature(int signatureScheme, byte[] content, int contentOffset, int contentLength,
        byte[] signature, int signatureOffset, int signatureLength) => true;
}
