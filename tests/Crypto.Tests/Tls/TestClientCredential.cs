using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// A client certificate for the tests: a self-signed ECDSA P-256 certificate whose key signs with .NET's ECDsa
/// (SignHash on the digest the client computed, DER as TLS carries it, RFC 3279 section 2.2.3). Counts its signatures.
/// </summary>
internal sealed class TestClientCredential : ITlsClientCredential, IDisposable
{
    public const string SubjectName = "CN=iotstack-device";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestClientCredential()
    {
        var request = new CertificateRequest(SubjectName, _key, HashAlgorithmName.SHA256);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        Der = certificate.RawData;
    }

    public byte[] Der { get; }

    public int Signatures { get; private set; }

    public int SignatureScheme => TlsSignatureScheme.EcdsaSecp256r1Sha256;

    public int CertificateCount => 1;

    public int MaximumSignatureLength => 72;

    public void GetCertificate(int index, out byte[] buffer, out int offset, out int length)
    {
        buffer = Der;
        offset = 0;
        length = Der.Length;
    }

    public int SignDigest(byte[] digest, int digestOffset, int digestLength, byte[] signature, int signatureOffset)
    {
        using var excluded = AllocationLedger.Exclude();
        Signatures++;
        byte[] der = _key.SignHash(digest.AsSpan(digestOffset, digestLength).ToArray(), DSASignatureFormat.Rfc3279DerSequence);
        der.CopyTo(signature, signatureOffset);
        return der.Length;
    }

    public void Dispose() => _key.Dispose();
}
