using System.Text;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

public class PemTests
{
    private static string ToPem(byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der));

    [Fact]
    public void Every_certificate_block_is_decoded_in_turn_skipping_text_around_them()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        byte[] text = Encoding.ASCII.GetBytes("Root CA\r\n" + ToPem(chain.Root) + "\r\nIntermediate\n" + ToPem(chain.Intermediate).Replace("\n", "\r\n") + "\n");
        var output = new byte[4096];

        int first = Pem.DecodeCertificate(text, 0, text.Length, output, 0, out int next);
        int second = Pem.DecodeCertificate(text, next, text.Length, output, first, out next);
        int none = Pem.DecodeCertificate(text, next, text.Length, output, first + second, out _);

        Assert.Equal(chain.Root, output.AsSpan(0, first).ToArray());
        Assert.Equal(chain.Intermediate, output.AsSpan(first, second).ToArray());
        Assert.Equal(0, none);
    }

    [Fact]
    public void A_decoded_anchor_is_trusted()
    {
        var chain = TestPki.Chain(ChainKind.Rsa);
        byte[] text = Encoding.ASCII.GetBytes(ToPem(chain.Root));
        var der = new byte[2048];
        int length = Pem.DecodeCertificate(text, 0, text.Length, der, 0, out _);
        var validator = new CertificateValidator(new SystemSignatureVerifier(), 3, 1);

        Assert.Equal(CertificateError.None, validator.AddTrustAnchor(der, 0, length));
        var (buffer, offsets, lengths) = TestPki.Concatenate(chain.Leaf, chain.Intermediate);
        Assert.Equal(CertificateError.None, validator.Validate(buffer, offsets, lengths, 2, "device.example.com", TestPki.Now));
    }

    [Theory]
    [InlineData("-----BEGIN CERTIFICATE-----\nTWFu\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nTW*u\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN CERTIFICATE-----\nTWF\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN CERTIFICATE-----\nTQ==TQ==\n-----END CERTIFICATE-----")]
    [InlineData("-----BEGIN CERTIFICATE-----\nT===\n-----END CERTIFICATE-----")]
    public void A_block_without_end_or_with_bad_base64_is_refused(string pem)
    {
        byte[] text = Encoding.ASCII.GetBytes(pem);

        Assert.Equal(-1, Pem.DecodeCertificate(text, 0, text.Length, new byte[64], 0, out _));
    }

    [Fact]
    public void Padding_and_too_small_an_output_are_handled()
    {
        byte[] text = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nTWE=\n-----END CERTIFICATE-----");
        var output = new byte[2];

        Assert.Equal(2, Pem.DecodeCertificate(text, 0, text.Length, output, 0, out _));
        Assert.Equal("Ma"u8.ToArray(), output);
        Assert.Equal(-1, Pem.DecodeCertificate(text, 0, text.Length, output, 1, out _));
        Assert.Equal(0, Pem.DecodeCertificate(Encoding.ASCII.GetBytes("no block here"), 0, 13, output, 0, out _));
    }
}
