using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTStack.Crypto.Tests.X509;

/// <summary>
/// Issues test certificates with fixed validity dates, so every test is the same on every run; keys are made once
/// per process (RSA 2048 is slow to generate) and reused.
/// </summary>
public static class TestPki
{
    public static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = new(2035, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A time inside every default validity period.</summary>
    public static readonly long Now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private static readonly Lazy<RSA[]> RsaKeys = new(() => [RSA.Create(2048), RSA.Create(2048), RSA.Create(2048)]);
    private static readonly Lazy<ECDsa[]> P256Keys = new(() => MakeEc(ECCurve.NamedCurves.nistP256));
    private static readonly Lazy<ECDsa[]> P384Keys = new(() => MakeEc(ECCurve.NamedCurves.nistP384));
    private static readonly object SerialLock = new();
    private static long _serial = 0x1000;

    private static ECDsa[] MakeEc(ECCurve curve) => [ECDsa.Create(curve), ECDsa.Create(curve), ECDsa.Create(curve)];

    /// <summary>Key 0 is for roots, 1 for intermediates, 2 for leaves.</summary>
    public static AsymmetricAlgorithm Key(ChainKind kind, int index) => kind switch
    {
        ChainKind.Rsa or ChainKind.RsaPss => RsaKeys.Value[index],
        ChainKind.P256 => P256Keys.Value[index],
        _ => P384Keys.Value[index],
    };

    public static HashAlgorithmName Hash(ChainKind kind) => kind == ChainKind.P384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public static TestChain Chain(ChainKind kind, string leafDnsName = "device.example.com")
    {
        byte[] root = Issue("CN=Test Root " + kind, Key(kind, 0), "CN=Test Root " + kind, Key(kind, 0), kind, ca: true);
        byte[] intermediate = Issue("CN=Test Intermediate " + kind, Key(kind, 1), "CN=Test Root " + kind, Key(kind, 0), kind, ca: true, pathLength: 0);
        byte[] leaf = Issue("CN=" + leafDnsName, Key(kind, 2), "CN=Test Intermediate " + kind, Key(kind, 1), kind, dnsNames: [leafDnsName]);
        return new TestChain(root, intermediate, leaf);
    }

    /// <summary>
    /// One certificate. A CA gets basicConstraints cA (critical) and keyUsage keyCertSign; a leaf gets keyUsage
    /// digitalSignature, extendedKeyUsage serverAuth and the subjectAltName entries asked for.
    /// </summary>
    public static byte[] Issue(string subject, AsymmetricAlgorithm subjectKey, string issuer, AsymmetricAlgorithm issuerKey, ChainKind kind,
        bool ca = false, int pathLength = -1, string[]? dnsNames = null, IPAddress? address = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, X509KeyUsageFlags? keyUsage = null,
        string? extendedKeyUsage = "1.3.6.1.5.5.7.3.1", bool basicConstraints = true, HashAlgorithmName? hash = null,
        params X509Extension[] extra)
    {
        var publicKey = subjectKey switch
        {
            RSA rsa => new System.Security.Cryptography.X509Certificates.PublicKey(rsa),
            ECDsa ec => new System.Security.Cryptography.X509Certificates.PublicKey(ec),
            _ => throw new ArgumentException("unsupported key", nameof(subjectKey)),
        };
        var request = new CertificateRequest(new X500DistinguishedName(subject), publicKey, hash ?? Hash(kind));
        if (basicConstraints)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, pathLength >= 0, Math.Max(pathLength, 0), true));
        }

        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            keyUsage ?? (ca ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature), true));
        if (!ca && extendedKeyUsage != null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsage)], false));
        }

        if (dnsNames != null || address != null)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (string name in dnsNames ?? [])
            {
                names.AddDnsName(name);
            }

            if (address != null)
            {
                names.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        foreach (var extension in extra)
        {
            request.CertificateExtensions.Add(extension);
        }

        var generator = issuerKey switch
        {
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, kind == ChainKind.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
            ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
            _ => throw new ArgumentException("unsupported key", nameof(issuerKey)),
        };
        using var certificate = request.Create(new X500DistinguishedName(issuer), generator, notBefore ?? NotBefore, notAfter ?? NotAfter, NextSerial());
        return certificate.RawData;
    }

    private static byte[] NextSerial()
    {
        lock (SerialLock)
        {
            return BitConverter.GetBytes(++_serial).Reverse().ToArray();
        }
    }

    /// <summary>The certificates one after another in one buffer, as a TLS Certificate message carries them.</summary>
    public static (byte[] Buffer, int[] Offsets, int[] Lengths) Concatenate(params byte[][] certificates)
    {
        var buffer = new byte[certificates.Sum(c => c.Length) + 7];
        var offsets = new int[certificates.Length];
        var lengths = new int[certificates.Length];
        int position = 7;
        for (int i = 0; i < certificates.Length; i++)
        {
            certificates[i].CopyTo(buffer, position);
            offsets[i] = position;
            lengths[i] = certificates[i].Length;
            position += certificates[i].Length;
        }

        return (buffer, offsets, lengths);
    }
}
