using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// Server authentication through .NET's X.509: the leaf must be the one certificate trusted (a self-signed test
/// certificate) and match the host name; CertificateVerify (and TLS 1.2's ServerKeyExchange) is checked with its
/// ECDSA or RSA (PSS, or PKCS#1 v1.5 for TLS 1.2) key. Counts the signatures it checked.
/// </summary>
internal sealed class PinnedCertificateAuthenticator(X509Certificate2 trusted) : ITlsServerAuthenticator
{
    private ECDsa? _ecdsa;
    private RSA? _rsa;

    public int ChainsChecked { get; private set; }

    /// <summary>The scheme of every signature checked, in order.</summary>
    public List<int> SignatureSchemes { get; } = [];

    public int CheckCertificateChain(byte[] buffer, int[] offsets, int[] lengths, int count, string hostName)
    {
        using var excluded = AllocationLedger.Exclude();
        ChainsChecked++;
        using X509Certificate2? leaf = Load(buffer, offsets[0], lengths[0]);
        if (leaf == null)
        {
            return TlsAlert.BadCertificate;
        }

        if (!leaf.RawData.AsSpan().SequenceEqual(trusted.RawData))
        {
            return TlsAlert.UnknownCa;
        }

        if (hostName != null && !leaf.MatchesHostname(hostName))
        {
            return TlsAlert.BadCertificate;
        }

        _ecdsa?.Dispose();
        _rsa?.Dispose();
        _ecdsa = leaf.GetECDsaPublicKey();
        _rsa = leaf.GetRSAPublicKey();
        return 0;
    }

    /// <summary>The certificate, or null when its DER is damaged (TLS 1.2 sends the chain in the clear).</summary>
    private static X509Certificate2? Load(byte[] buffer, int offset, int length)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(buffer.AsSpan(offset, length));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public bool VerifySignature(int signatureScheme, byte[] content, int contentOffset, int contentLength,
        byte[] signature, int signatureOffset, int signatureLength)
    {
        using var excluded = AllocationLedger.Exclude();
        SignatureSchemes.Add(signatureScheme);
        ReadOnlySpan<byte> data = content.AsSpan(contentOffset, contentLength);
        ReadOnlySpan<byte> sig = signature.AsSpan(signatureOffset, signatureLength);
        return signatureScheme switch
        {
            TlsSignatureScheme.EcdsaSecp256r1Sha256 => _ecdsa?.VerifyData(data, sig, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence) == true,
            TlsSignatureScheme.EcdsaSecp384r1Sha384 => _ecdsa?.VerifyData(data, sig, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence) == true,
            TlsSignatureScheme.RsaPssRsaeSha256 => _rsa?.VerifyData(data, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pss) == true,
            TlsSignatureScheme.RsaPssRsaeSha384 => _rsa?.VerifyData(data, sig, HashAlgorithmName.SHA384, RSASignaturePadding.Pss) == true,
            TlsSignatureScheme.RsaPssRsaeSha512 => _rsa?.VerifyData(data, sig, HashAlgorithmName.SHA512, RSASignaturePadding.Pss) == true,
            TlsSignatureScheme.RsaPkcs1Sha256 => _rsa?.VerifyData(data, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) == true,
            TlsSignatureScheme.RsaPkcs1Sha384 => _rsa?.VerifyData(data, sig, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1) == true,
            TlsSignatureScheme.RsaPkcs1Sha512 => _rsa?.VerifyData(data, sig, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1) == true,
            _ => false,
        };
    }
}
