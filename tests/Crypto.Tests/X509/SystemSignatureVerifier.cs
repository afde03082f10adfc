using System.Security.Cryptography;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

/// <summary>
/// ISignatureVerifier over System.Security.Cryptography, standing in for the device primitives; it reads the keys and
/// ECDSA signatures through the X509 helpers (RsaPublicKey, EcdsaSignature) an implementation on the device would use.
/// </summary>
public sealed class SystemSignatureVerifier : ISignatureVerifier
{
    public int Calls { get; private set; }

    public bool Verify(SignatureAlgorithm algorithm, byte[] key, int keyOffset, int keyLength, PublicKeyAlgorithm keyAlgorithm,
        byte[] signedData, int signedOffset, int signedLength, byte[] signature, int signatureOffset, int signatureLength)
    {
        Calls++;
        HashAlgorithmName hash = SignatureAlgorithms.HashLength(algorithm) switch
        {
            32 => HashAlgorithmName.SHA256,
            48 => HashAlgorithmName.SHA384,
            64 => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash.Name == null)
        {
            return false;
        }

        var data = signedData.AsSpan(signedOffset, signedLength);
        try
        {
            if (keyAlgorithm == PublicKeyAlgorithm.Rsa)
            {
                if (!RsaPublicKey.Locate(key, keyOffset, keyLength, out int modulus, out int modulusLength, out int exponent, out int exponentLength))
                {
                    return false;
                }

                using var rsa = RSA.Create(new RSAParameters
                {
                    Modulus = key.AsSpan(modulus, modulusLength).ToArray(),
                    Exponent = key.AsSpan(exponent, exponentLength).ToArray(),
                });
                var padding = ((int)algorithm >> 8) == 0x08 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                return rsa.VerifyData(data, signature.AsSpan(signatureOffset, signatureLength), hash, padding);
            }

            int field = keyAlgorithm == PublicKeyAlgorithm.EcdsaP256 ? 32 : 48;
            var rs = new byte[2 * field];
            if (!EcdsaSignature.ToFixed(signature, signatureOffset, signatureLength, rs, 0, field))
            {
                return false;
            }

            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = field == 32 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384,
                Q = new ECPoint
                {
                    X = key.AsSpan(keyOffset + 1, field).ToArray(),
                    Y = key.AsSpan(keyOffset + 1 + field, field).ToArray(),
                },
            });
            return ecdsa.VerifyData(data, rs, hash);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
