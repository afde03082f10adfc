using System.Security.Cryptography;
using System.Text;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

/// <summary>EcPrivateKey: SEC 1 and PKCS #8, PEM and DER, from .NET and openssl; everything else refused with its code.</summary>
public class PrivateKeyTests
{
    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static (PrivateKeyError Error, byte[] Scalar) Read(byte[] key)
    {
        var scalar = new byte[32];
        var error = EcPrivateKey.Read(key, 0, key.Length, new byte[key.Length], scalar, 0);
        return (error, scalar);
    }

    private static byte[] PrivateScalar(ECDsa key) => key.ExportParameters(true).D!;

    public static TheoryData<string> DotNetFormats => new() { "sec1-pem", "pkcs8-pem", "sec1-der", "pkcs8-der" };

    private static byte[] Export(ECDsa key, string format) => format switch
    {
        "sec1-pem" => Ascii(key.ExportECPrivateKeyPem()),
        "pkcs8-pem" => Ascii(key.ExportPkcs8PrivateKeyPem()),
        "sec1-der" => key.ExportECPrivateKey(),
        _ => key.ExportPkcs8PrivateKey(),
    };

    [Theory]
    [MemberData(nameof(DotNetFormats))]
    public void Dotnet_keys_in_every_format_read_to_their_scalar(string format)
    {
        for (int i = 0; i < 10; i++)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var (error, scalar) = Read(Export(key, format));
            Assert.Equal(PrivateKeyError.None, error);
            Assert.Equal(PrivateScalar(key), scalar);
        }
    }

    [Theory]
    [InlineData(nameof(OpenSslKeys.EcParamGenKey))]
    [InlineData(nameof(OpenSslKeys.GenPkeyP256))]
    public void Openssl_keys_read_to_the_scalar_dotnet_reads(string name)
    {
        string pem = name == nameof(OpenSslKeys.EcParamGenKey) ? OpenSslKeys.EcParamGenKey : OpenSslKeys.GenPkeyP256;
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);

        var (error, scalar) = Read(Ascii(pem));

        Assert.Equal(PrivateKeyError.None, error);
        Assert.Equal(PrivateScalar(key), scalar);
    }

    [Fact]
    public void The_pem_key_is_found_among_other_blocks_and_text_with_crlf_lines()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string text = "device key\r\n" + OpenSslKeys.BoardCertificate.Replace("\n", "\r\n") + "\r\n"
            + key.ExportPkcs8PrivateKeyPem().Replace("\n", "\r\n") + "\r\ntrailer";

        var (error, scalar) = Read(Ascii(text));

        Assert.Equal(PrivateKeyError.None, error);
        Assert.Equal(PrivateScalar(key), scalar);
    }

    [Fact]
    public void Rsa_keys_are_unsupported_algorithms()
    {
        using var rsa = RSA.Create(1024);
        Assert.Equal(PrivateKeyError.UnsupportedAlgorithm, Read(Ascii(rsa.ExportRSAPrivateKeyPem())).Error);
        Assert.Equal(PrivateKeyError.UnsupportedAlgorithm, Read(Ascii(rsa.ExportPkcs8PrivateKeyPem())).Error);
        Assert.Equal(PrivateKeyError.UnsupportedAlgorithm, Read(rsa.ExportRSAPrivateKey()).Error);
        Assert.Equal(PrivateKeyError.UnsupportedAlgorithm, Read(rsa.ExportPkcs8PrivateKey()).Error);
        Assert.Equal(PrivateKeyError.UnsupportedAlgorithm, Read(Ascii(OpenSslKeys.Ed25519)).Error);
    }

    [Fact]
    public void Encrypted_keys_are_refused_as_encrypted()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000);
        Assert.Equal(PrivateKeyError.Encrypted, Read(Ascii(key.ExportEncryptedPkcs8PrivateKeyPem("secret", parameters))).Error);
        Assert.Equal(PrivateKeyError.Encrypted, Read(key.ExportEncryptedPkcs8PrivateKey("secret", parameters)).Error);
        Assert.Equal(PrivateKeyError.Encrypted, Read(Ascii(OpenSslKeys.LegacyEncrypted)).Error);
    }

    [Fact]
    public void Keys_on_other_curves_or_with_explicit_parameters_are_unsupported_curves()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal(PrivateKeyError.UnsupportedCurve, Read(Ascii(p384.ExportECPrivateKeyPem())).Error);
        Assert.Equal(PrivateKeyError.UnsupportedCurve, Read(Ascii(p384.ExportPkcs8PrivateKeyPem())).Error);
        Assert.Equal(PrivateKeyError.UnsupportedCurve, Read(p384.ExportECPrivateKey()).Error);
        Assert.Equal(PrivateKeyError.UnsupportedCurve, Read(p384.ExportPkcs8PrivateKey()).Error);
        Assert.Equal(PrivateKeyError.UnsupportedCurve, Read(Ascii(OpenSslKeys.Secp256k1)).Error);
        Assert.Equal(PrivateKeyError.UnsupportedCurve, Read(Ascii(OpenSslKeys.ExplicitParameters)).Error);
    }

    [Fact]
    public void Text_without_a_key_block_is_not_found_and_a_small_scratch_says_so()
    {
        Assert.Equal(PrivateKeyError.NotFound, Read(Ascii(OpenSslKeys.BoardCertificate)).Error);
        Assert.Equal(PrivateKeyError.NotFound, Read(Ascii("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n")).Error);

        var pem = Ascii(OpenSslKeys.GenPkeyP256);
        Assert.Equal(PrivateKeyError.BufferTooSmall, EcPrivateKey.Read(pem, 0, pem.Length, new byte[pem.Length - 1], new byte[32], 0));
        Assert.Equal(PrivateKeyError.BufferTooSmall, EcPrivateKey.Read(pem, 0, pem.Length, null!, new byte[32], 0));
    }

    [Fact]
    public void Bad_arguments_and_empty_input_are_malformed_not_thrown()
    {
        var der = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKey();
        Assert.Equal(PrivateKeyError.Malformed, EcPrivateKey.Read(null!, 0, 0, new byte[1], new byte[32], 0));
        Assert.Equal(PrivateKeyError.Malformed, EcPrivateKey.Read(der, 1, der.Length, new byte[der.Length], new byte[32], 0));
        Assert.Equal(PrivateKeyError.Malformed, EcPrivateKey.Read(der, -1, 4, new byte[der.Length], new byte[32], 0));
        Assert.Equal(PrivateKeyError.Malformed, EcPrivateKey.Read(der, 0, der.Length, new byte[der.Length], new byte[31], 0));
        Assert.Equal(PrivateKeyError.Malformed, EcPrivateKey.Read(der, 0, der.Length, new byte[der.Length], null!, 0));
        Assert.Equal(PrivateKeyError.Malformed, EcPrivateKey.Read([], 0, 0, [], new byte[32], 0));
        Assert.Equal(PrivateKeyError.Malformed, EcPrivateKey.ReadDer(der, 0, der.Length, new byte[40], 9));
        Assert.Equal(PrivateKeyError.None, EcPrivateKey.ReadDer(der, 0, der.Length, new byte[40], 8));
    }

    [Fact]
    public void A_sec1_key_without_parameters_is_malformed_on_its_own()
    {
        // SEQUENCE { INTEGER 1, OCTET STRING (32) }: RFC 5915 section 3 requires the parameters outside PKCS #8.
        byte[] der = [0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20, .. Enumerable.Repeat((byte)7, 32)];
        Assert.Equal(PrivateKeyError.Malformed, Read(der).Error);
    }

    [Fact]
    public void A_short_private_key_octet_string_is_left_padded()
    {
        // SEQUENCE { INTEGER 1, OCTET STRING (31), [0] { prime256v1 } }
        byte[] der = [0x30, 0x30, 0x02, 0x01, 0x01, 0x04, 0x1F, .. Enumerable.Repeat((byte)7, 31), 0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        var (error, scalar) = Read(der);
        Assert.Equal(PrivateKeyError.None, error);
        Assert.Equal([0, .. Enumerable.Repeat((byte)7, 31)], scalar);
    }

    public static TheoryData<string> AllValidKeys => new() { "sec1-pem", "pkcs8-pem", "sec1-der", "pkcs8-der", "openssl-ecparam", "openssl-genpkey" };

    private static byte[] ValidKey(string name) => name switch
    {
        "openssl-ecparam" => Ascii(OpenSslKeys.EcParamGenKey),
        "openssl-genpkey" => Ascii(OpenSslKeys.GenPkeyP256),
        _ => Export(ECDsa.Create(ECCurve.NamedCurves.nistP256), name),
    };

    [Theory]
    [MemberData(nameof(AllValidKeys))]
    public void Every_truncation_of_a_valid_key_is_refused_without_throwing(string name)
    {
        var key = ValidKey(name);
        bool pem = key[0] == (byte)'-';

        // A PEM file cut after its END line but before the last newline is still the whole key.
        int whole = pem ? Encoding.ASCII.GetString(key).TrimEnd().Length : key.Length;
        for (int length = 0; length < key.Length; length++)
        {
            var truncated = key[..length];
            var (error, _) = Read(truncated);
            if (length < whole)
            {
                Assert.NotEqual(PrivateKeyError.None, error);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllValidKeys))]
    public void Random_damage_to_a_valid_key_never_throws(string name)
    {
        var key = ValidKey(name);
        var random = new Random(5915);
        var scratch = new byte[key.Length];
        var scalar = new byte[32];
        for (int i = 0; i < 3000; i++)
        {
            var damaged = (byte[])key.Clone();
            int changes = 1 + random.Next(4);
            for (int c = 0; c < changes; c++)
            {
                damaged[random.Next(damaged.Length)] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)(damaged[random.Next(damaged.Length)] ^ (1 << random.Next(8)));
            }

            EcPrivateKey.Read(damaged, 0, damaged.Length, scratch, scalar, 0);
        }
    }

    [Fact]
    public void Pem_decode_tells_private_key_labels_apart_and_keeps_certificate_decoding()
    {
        var text = Ascii(OpenSslKeys.EcParamGenKey + "\n" + OpenSslKeys.GenPkeyP256 + "\n" + OpenSslKeys.BoardCertificate);
        var output = new byte[1024];

        int sec1 = Pem.Decode(text, 0, text.Length, "EC PRIVATE KEY", output, 0, out _);
        int pkcs8 = Pem.Decode(text, 0, text.Length, "PRIVATE KEY", output, 0, out int afterPkcs8);
        int certificate = Pem.DecodeCertificate(text, 0, text.Length, output, 0, out _);

        Assert.Equal(121, sec1);
        Assert.Equal(138, pkcs8);
        Assert.True(afterPkcs8 > Encoding.ASCII.GetString(text).IndexOf("-----END PRIVATE KEY-----", StringComparison.Ordinal));
        Assert.Equal(Convert.FromBase64String(string.Concat(OpenSslKeys.BoardCertificate.Split('\n')[1..^1])), output[..certificate]);
        Assert.Equal(0, Pem.Decode(text, 0, text.Length, "ENCRYPTED PRIVATE KEY", output, 0, out _));
    }
}
