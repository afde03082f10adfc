using System.Security.Cryptography;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

public class SignatureHelperTests
{
    [Fact]
    public void Ecdsa_der_signatures_become_the_fixed_r_and_s_dotnet_writes()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        byte[] data = "signed"u8.ToArray();
        for (int i = 0; i < 50; i++)
        {
            byte[] der = key.SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence);
            var fixedSize = new byte[96];

            Assert.True(EcdsaSignature.ToFixed(der, 0, der.Length, fixedSize, 0, 48));
            Assert.True(key.VerifyData(data, fixedSize, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }
    }

    [Fact]
    public void Short_integers_are_left_padded_and_bad_ones_refused()
    {
        var output = new byte[8];

        Assert.True(EcdsaSignature.ToFixed([0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x02, 0x00, 0x80], 0, 9, output, 0, 4));
        Assert.Equal(new byte[] { 0, 0, 0, 5, 0, 0, 0, 0x80 }, output);
        Assert.False(EcdsaSignature.ToFixed([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01], 0, 8, output, 0, 4));
        Assert.False(EcdsaSignature.ToFixed([0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x01], 0, 8, output, 0, 4));
        Assert.False(EcdsaSignature.ToFixed([0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x01, 0x01, 0x00], 0, 9, output, 0, 4));
        Assert.False(EcdsaSignature.ToFixed([0x30, 0x08, 0x02, 0x01, 0x05, 0x02, 0x03, 0x01, 0x02, 0x03], 0, 10, output, 0, 2));
        Assert.False(EcdsaSignature.ToFixed([0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x01], 0, 8, output, 1, 4));
    }

    [Fact]
    public void The_rsa_public_key_gives_dotnets_modulus_and_exponent()
    {
        var rsa = (RSA)TestPki.Key(ChainKind.Rsa, 0);
        byte[] key = rsa.ExportRSAPublicKey();
        var parameters = rsa.ExportParameters(false);

        Assert.True(RsaPublicKey.Locate(key, 0, key.Length, out int modulus, out int modulusLength, out int exponent, out int exponentLength));
        Assert.Equal(parameters.Modulus, key.AsSpan(modulus, modulusLength).ToArray());
        Assert.Equal(parameters.Exponent, key.AsSpan(exponent, exponentLength).ToArray());
        Assert.False(RsaPublicKey.Locate(key, 0, key.Length - 1, out _, out _, out _, out _));
    }

    [Theory]
    [InlineData(SignatureAlgorithm.RsaPkcs1Sha256, 32)]
    [InlineData(SignatureAlgorithm.RsaPkcs1Sha512, 64)]
    [InlineData(SignatureAlgorithm.EcdsaSha384, 48)]
    [InlineData(SignatureAlgorithm.RsaPssSha384, 48)]
    [InlineData(SignatureAlgorithm.RsaPssSha512, 64)]
    [InlineData(SignatureAlgorithm.None, 0)]
    public void Each_scheme_names_its_hash(SignatureAlgorithm algorithm, int hashLength)
    {
        Assert.Equal(hashLength, SignatureAlgorithms.HashLength(algorithm));
    }
}
