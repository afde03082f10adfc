using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>Self-signed server certificates for "iotstack.test", made once per test run.</summary>
internal static class TestCertificates
{
    public const string HostName = "iotstack.test";

    public static readonly X509Certificate2 EcdsaP256 = Create(useRsa: false);

    public static readonly X509Certificate2 Rsa2048 = Create(useRsa: true);

    private static X509Certificate2 Create(bool useRsa)
    {
        using ECDsa? ecdsa = useRsa ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using RSA? rsa = useRsa ? RSA.Create(2048) : null;
        CertificateRequest request = useRsa
            ? new CertificateRequest("CN=" + HostName, rsa!, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=" + HostName, ecdsa!, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(HostName);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
