using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTStack.Interop.Tests;

/// <summary>
/// A certificate authority the test makes for itself (with .NET's CertificateRequest, so any validity period can be
/// given, an expired one included), and server certificates it issues, written as PEM files Mosquitto (OpenSSL) reads:
/// the CA's certificate, a leaf's certificate and its PKCS#8 private key.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestPki(string directory, string name)
    {
        Directory = directory;
        var request = new CertificateRequest($"CN={name}, O=IoTStack tests", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddDays(-60), now.AddYears(1));
        CertificatePath = Path.Combine(directory, name + ".pem");
        File.WriteAllText(CertificatePath, Certificate.ExportCertificatePem() + "\n");
    }

    public string Directory { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The CA's certificate as PEM: the board's --ca, Mosquitto's cafile.</summary>
    public string CertificatePath { get; }

    /// <summary>
    /// Issues a server certificate (serverAuth) for the DNS names and IPv4 addresses given, valid from
    /// <paramref name="notBefore"/> to <paramref name="notAfter"/>, with an ECDSA P-256 or RSA-2048 key; writes
    /// NAME.pem (the certificate) and NAME.key (PKCS#8) and returns their paths.
    /// </summary>
    public (string Certificate, string Key) IssueServer(string name, bool rsa, string[] dnsNames, string[] addresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = rsa
            ? new CertificateRequest($"CN={name}", (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={name}", (ECDsa)key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (string address in addresses)
        {
            names.AddIpAddress(IPAddress.Parse(address));
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | (rsa ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.None), true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var certificate = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore, notAfter, serial);
        string certificatePath = Path.Combine(Directory, name + ".pem");
        string keyPath = Path.Combine(Directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, (rsa ? ((RSA)key).ExportPkcs8PrivateKeyPem() : ((ECDsa)key).ExportPkcs8PrivateKeyPem()) + "\n");
        return (certificatePath, keyPath);
    }

    /// <summary>A client certificate (clientAuth, ECDSA P-256) for a board, as NAME.pem and NAME.key (PKCS#8).</summary>
    public (string Certificate, string Key) IssueClient(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var certificate = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now.AddDays(-1), now.AddDays(30), serial);
        string certificatePath = Path.Combine(Directory, name + ".pem");
        string keyPath = Path.Combine(Directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificatePath, keyPath);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
