using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTStack.TlsHarness;

/// <summary>
/// A CA and a server certificate for <see cref="HostName"/> per signature kind, made once per process: the CA is the
/// client's trust anchor, the server sends the leaf, so validation checks one chain signature and CertificateVerify.
/// Validity 2025..2035; the client's wall clock is <see cref="Now"/>.
/// </summary>
public static class HarnessPki
{
    public const string HostName = "iotstack.test";

    public static readonly long Now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2035, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<Pair> Ecdsa = new(() => Make(ServerSignature.EcdsaP256));
    private static readonly Lazy<Pair> Rsa = new(() => Make(ServerSignature.Rsa2048Pss));

    /// <summary>The CA certificate (DER) and the server's certificate with its private key.</summary>
    public sealed record Pair(byte[] Anchor, X509Certificate2 Server);

    public static Pair For(ServerSignature kind) => kind == ServerSignature.EcdsaP256 ? Ecdsa.Value : Rsa.Value;

    private static Pair Make(ServerSignature kind)
    {
        using AsymmetricAlgorithm caKey = kind == ServerSignature.EcdsaP256 ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        using AsymmetricAlgorithm leafKey = kind == ServerSignature.EcdsaP256 ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var caRequest = Request("CN=IoTStack harness CA", caKey);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using X509Certificate2 ca = caRequest.Create(new X500DistinguishedName("CN=IoTStack harness CA"), Generator(caKey), NotBefore, NotAfter, [1]);

        var leafRequest = Request("CN=" + HostName, leafKey);
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(HostName);
        leafRequest.CertificateExtensions.Add(names.Build());
        using X509Certificate2 leaf = leafRequest.Create(ca.SubjectName, Generator(caKey), NotBefore, NotAfter, [2]);
        using X509Certificate2 withKey = leafKey is RSA rsa ? leaf.CopyWithPrivateKey(rsa) : leaf.CopyWithPrivateKey((ECDsa)leafKey);
        return new Pair(ca.RawData, X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null));
    }

    private static CertificateRequest Request(string subject, AsymmetricAlgorithm key) => key is RSA rsa
        ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
        : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);

    private static X509SignatureGenerator Generator(AsymmetricAlgorithm key) => key is RSA rsa
        ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pss)
        : X509SignatureGenerator.CreateForECDsa((ECDsa)key);
}
