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
    public void Fixed_r_and_s_become_minimal_der_and_back_and_dotnet_reads_them()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        byte[] data = "signed"u8.ToArray();
        var der = new byte[104];
        var back = new byte[96];
        for (int i = 0; i < 50; i++)
        {
            byte[] fixedSize = key.SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

            int length = EcdsaSignature.ToDer(fixedSize, 0, 48, der, 0);

            Assert.InRange(length, 8, 104);
            Assert.True(key.VerifyData(data, der.AsSpan(0, length), HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
            Assert.True(EcdsaSignature.ToFixed(der, 0, length, back, 0, 48));
            Assert.Equal(fixedSize, back);
        }
    }

    [Fact]
    public void Der_integers_drop_leading_zeros_keep_one_before_a_top_bit_and_refuse_zero_or_no_room()
    {
        var output = new byte[12];

        Assert.Equal(9, EcdsaSignature.ToDer([0, 0, 0, 5, 0, 0, 0, 0x80], 0, 4, output, 1));
        Assert.Equal(new byte[] { 0, 0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x02, 0x00, 0x80, 0, 0 }, output);
        Assert.Equal(15, EcdsaSignature.ToDer([0x80, 0, 0, 1, 0x7F, 0, 0, 1], 0, 4, new byte[15], 0));
        Assert.Equal(-1, EcdsaSignature.ToDer([0x80, 0, 0, 1, 0x7F, 0, 0, 1], 0, 4, new byte[14], 0));
        Assert.Equal(-1, EcdsaSignature.ToDer([0, 0, 0, 0, 0, 0, 0, 1], 0, 4, output, 0));
        Assert.Equal(-1, EcdsaSignature.ToDer([0, 0, 0, 1, 0, 0, 0, 0], 0, 4, output, 0));
        Assert.Equal(-1, EcdsaSignature.ToDer([0, 0, 0, 1, 0, 0, 0, 1], 1, 4, output, 0));
        Assert.Equal(-1, EcdsaSignature.ToDer(Enumerable.Repeat((byte)0x7F, 124).ToArray(), 0, 62, new byte[200], 0));
        Assert.Equal(128, EcdsaSignature.ToDer(Enumerable.Repeat((byte)0x7F, 122).ToArray(), 0, 61, new byte[200], 0));
        Assert.Equal(-1, EcdsaSignature.ToDer(null!, 0, 4, output, 0));
        Assert.Equal(-1, EcdsaSignature.ToDer([0, 0, 0, 1, 0, 0, 0, 1], 0, 4, output, 13));
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
