using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

public class CertificateTests
{
    private static Certificate Parsed(byte[] der)
    {
        var view = new Certificate();
        Assert.Equal(CertificateError.None, view.Parse(der, 0, der.Length));
        return view;
    }

    private static byte[] Slice(byte[] buffer, int offset, int length) => buffer.AsSpan(offset, length).ToArray();

    [Theory]
    [InlineData(ChainKind.Rsa)]
    [InlineData(ChainKind.P256)]
    [InlineData(ChainKind.P384)]
    public void The_view_locates_the_fields_dotnet_reads(ChainKind kind)
    {
        var chain = TestPki.Chain(kind);
        using var expected = X509CertificateLoader.LoadCertificate(chain.Leaf);
        var view = Parsed(chain.Leaf);

        Assert.Equal(3, view.Version);
        Assert.Equal(expected.SerialNumberBytes.ToArray(), Slice(chain.Leaf, view.SerialOffset, view.SerialLength));
        Assert.Equal(expected.IssuerName.RawData, Slice(chain.Leaf, view.IssuerOffset, view.IssuerLength));
        Assert.Equal(expected.SubjectName.RawData, Slice(chain.Leaf, view.SubjectOffset, view.SubjectLength));
        Assert.Equal(expected.PublicKey.EncodedKeyValue.RawData, Slice(chain.Leaf, view.KeyOffset, view.KeyLength));
        Assert.Equal(TestPki.NotBefore.ToUnixTimeSeconds(), view.NotBefore);
        Assert.Equal(TestPki.NotAfter.ToUnixTimeSeconds(), view.NotAfter);
        Assert.False(view.IsCertificateAuthority);
        Assert.True(view.AllowsDigitalSignature);
        Assert.False(view.AllowsCertificateSigning);
        Assert.True(view.AllowsServerAuthentication);
        Assert.Equal(chain.Leaf.Length - view.SignatureLength, view.SignatureOffset);
    }

    [Fact]
    public void The_tbs_span_is_what_the_issuer_signed()
    {
        var kind = ChainKind.P256;
        var chain = TestPki.Chain(kind);
        var view = Parsed(chain.Leaf);
        var issuerKey = (ECDsa)TestPki.Key(kind, 1);

        Assert.True(issuerKey.VerifyData(chain.Leaf.AsSpan(view.TbsOffset, view.TbsLength), chain.Leaf.AsSpan(view.SignatureOffset, view.SignatureLength),
            HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Basic_constraints_give_the_ca_bit_and_path_length()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var root = Parsed(chain.Root);
        var intermediate = Parsed(chain.Intermediate);

        Assert.True(root.IsCertificateAuthority);
        Assert.Equal(-1, root.PathLengthConstraint);
        Assert.True(root.AllowsCertificateSigning);
        Assert.True(intermediate.IsCertificateAuthority);
        Assert.Equal(0, intermediate.PathLengthConstraint);
    }

    [Theory]
    [InlineData(1951, 2049)]
    [InlineData(1950, 2050)]
    [InlineData(2000, 2100)]
    [InlineData(2024, 2028)]
    public void Utc_and_generalized_times_read_as_seconds_since_1970(int fromYear, int toYear)
    {
        var notBefore = new DateTimeOffset(fromYear, 2, 28, 23, 59, 58, TimeSpan.Zero);
        var notAfter = new DateTimeOffset(toYear, 12, 31, 1, 2, 3, TimeSpan.Zero);
        var key = TestPki.Key(ChainKind.P256, 0);
        var view = Parsed(TestPki.Issue("CN=Time", key, "CN=Time", key, ChainKind.P256, notBefore: notBefore, notAfter: notAfter));

        Assert.Equal(notBefore.ToUnixTimeSeconds(), view.NotBefore);
        Assert.Equal(notAfter.ToUnixTimeSeconds(), view.NotAfter);
    }

    [Fact]
    public void A_leap_day_is_a_real_date()
    {
        var notAfter = new DateTimeOffset(2028, 2, 29, 12, 0, 0, TimeSpan.Zero);
        var key = TestPki.Key(ChainKind.P256, 0);

        Assert.Equal(notAfter.ToUnixTimeSeconds(), Parsed(TestPki.Issue("CN=Leap", key, "CN=Leap", key, ChainKind.P256, notAfter: notAfter)).NotAfter);
    }

    [Fact]
    public void A_date_that_does_not_exist_is_malformed()
    {
        var key = TestPki.Key(ChainKind.P256, 0);
        var notAfter = new DateTimeOffset(2027, 2, 28, 12, 0, 0, TimeSpan.Zero);
        byte[] der = TestPki.Issue("CN=Date", key, "CN=Date", key, ChainKind.P256, notAfter: notAfter);
        int at = IndexOf(der, "270228120000Z"u8.ToArray());
        der[at + 5] = (byte)'9';

        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(der, 0, der.Length));
    }

    [Fact]
    public void Subject_alt_names_are_walked_in_place()
    {
        var kind = ChainKind.P256;
        byte[] der = TestPki.Issue("CN=x", TestPki.Key(kind, 2), "CN=y", TestPki.Key(kind, 1), kind,
            dnsNames: ["a.example.com", "b.example.com"], address: IPAddress.Parse("10.0.0.1"));
        var view = Parsed(der);
        var names = new List<(int Tag, string Value)>();
        int position = view.SubjectAltNamesOffset;
        while (position < view.SubjectAltNamesOffset + view.SubjectAltNamesLength)
        {
            int length = Der.Read(der, position, view.SubjectAltNamesOffset + view.SubjectAltNamesLength, out int tag, out int content);
            names.Add((tag, tag == 0x87 ? new IPAddress(Slice(der, content, length)).ToString() : System.Text.Encoding.ASCII.GetString(der, content, length)));
            position = content + length;
        }

        Assert.Equal([(0x82, "a.example.com"), (0x82, "b.example.com"), (0x87, "10.0.0.1")], names);
        Assert.True(ServerIdentity.Matches(view, "b.example.com"));
        Assert.True(ServerIdentity.Matches(view, "10.0.0.1"));
        Assert.False(ServerIdentity.Matches(view, "c.example.com"));
    }

    [Fact]
    public void An_indefinite_outer_length_is_malformed()
    {
        byte[] der = (byte[])TestPki.Chain(ChainKind.P256).Leaf.Clone();
        Assert.Equal(0x82, der[1]);
        byte[] indefinite = [0x30, 0x80, .. der.AsSpan(4).ToArray(), 0x00, 0x00];

        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(indefinite, 0, indefinite.Length));
    }

    [Fact]
    public void A_length_in_more_bytes_than_needed_is_malformed()
    {
        byte[] der = TestPki.Chain(ChainKind.P256).Leaf;
        byte[] padded = [0x30, 0x83, 0x00, der[2], der[3], .. der.AsSpan(4).ToArray()];

        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(padded, 0, padded.Length));
    }

    [Fact]
    public void Truncated_or_trailing_bytes_are_malformed()
    {
        byte[] der = TestPki.Chain(ChainKind.P256).Leaf;
        byte[] longer = [.. der, 0x00];

        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(der, 0, der.Length - 1));
        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(longer, 0, longer.Length));
        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(der, 0, 0));
        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(der, -1, der.Length));
        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(der, 1, der.Length));
    }

    [Fact]
    public void An_inner_length_running_past_its_parent_is_malformed()
    {
        byte[] der = (byte[])TestPki.Chain(ChainKind.P256).Leaf.Clone();
        var view = Parsed(der);
        // The issuer Name's SEQUENCE claims one byte more than the tbsCertificate leaves it.
        der[view.IssuerOffset + 1] = (byte)(der[view.IssuerOffset + 1] + 1);

        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(der, 0, der.Length));
    }

    [Fact]
    public void A_tbs_signature_algorithm_differing_from_the_outer_one_is_malformed()
    {
        var kind = ChainKind.P256;
        byte[] der = TestPki.Issue("CN=x", TestPki.Key(kind, 2), "CN=y", TestPki.Key(kind, 1), kind);
        // ecdsa-with-SHA256 (...04 03 02) inside tbsCertificate becomes ecdsa-with-SHA384 (...04 03 03); the outer one stays.
        int at = IndexOf(der, [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]);
        der[at + 9] = 0x03;

        Assert.Equal(CertificateError.Malformed, new Certificate().Parse(der, 0, der.Length));
    }

    [Fact]
    public void A_view_is_reused_for_one_certificate_after_another()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var view = new Certificate();

        Assert.Equal(CertificateError.None, view.Parse(chain.Intermediate, 0, chain.Intermediate.Length));
        Assert.Equal(CertificateError.None, view.Parse(chain.Leaf, 0, chain.Leaf.Length));
        Assert.False(view.IsCertificateAuthority);
        Assert.Equal(-1, view.PathLengthConstraint);
    }

    [Fact]
    public void Der_read_refuses_high_tags_indefinite_and_non_minimal_lengths()
    {
        Assert.Equal(2, Der.Read([0x04, 0x02, 0xAA, 0xBB], 0, 4, out int tag, out int content));
        Assert.Equal((0x04, 2), (tag, content));
        Assert.Equal(-1, Der.Read([0x1F, 0x01, 0x00], 0, 3, out _, out _));
        Assert.Equal(-1, Der.Read([0x30, 0x80, 0x00, 0x00], 0, 4, out _, out _));
        Assert.Equal(-1, Der.Read([0x04, 0x81, 0x05, 0, 0, 0, 0, 0], 0, 8, out _, out _));
        Assert.Equal(-1, Der.Read([0x04, 0x82, 0x00, 0x80], 0, 4, out _, out _));
        Assert.Equal(-1, Der.Read([0x04, 0x84, 0x01, 0x00, 0x00, 0x00], 0, 6, out _, out _));
        Assert.Equal(-1, Der.Read([0x04, 0x03, 0xAA, 0xBB], 0, 4, out _, out _));
        Assert.Equal(-1, Der.Read([0x04, 0x02, 0xAA, 0xBB], 0, 3, out _, out _));
        Assert.Equal(-1, Der.Read([0x04], 0, 1, out _, out _));
    }

    internal static int IndexOf(byte[] haystack, byte[] needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0);
        return at;
    }
}
