using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

public class CertificateValidatorTests
{
    private const string Host = "device.example.com";

    private static CertificateValidator Trusting(params byte[][] anchors)
    {
        var validator = new CertificateValidator(new SystemSignatureVerifier(), 4, 4);
        foreach (byte[] anchor in anchors)
        {
            Assert.Equal(CertificateError.None, validator.AddTrustAnchor(anchor, 0, anchor.Length));
        }

        return validator;
    }

    private static CertificateError Validate(CertificateValidator validator, string host, long now, params byte[][] chain)
    {
        var (buffer, offsets, lengths) = TestPki.Concatenate(chain);
        return validator.Validate(buffer, offsets, lengths, chain.Length, host, now);
    }

    private static byte[] Leaf(ChainKind kind, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string[]? dnsNames = null,
        IPAddress? address = null, string? extendedKeyUsage = "1.3.6.1.5.5.7.3.1", X509KeyUsageFlags? keyUsage = null, X509Extension? extra = null,
        string subject = "CN=" + Host)
        => TestPki.Issue(subject, TestPki.Key(kind, 2), "CN=Test Intermediate " + kind, TestPki.Key(kind, 1), kind,
            dnsNames: dnsNames ?? (address == null ? [Host] : null), address: address, notBefore: notBefore, notAfter: notAfter,
            extendedKeyUsage: extendedKeyUsage, keyUsage: keyUsage, extra: extra == null ? [] : [extra]);

    [Theory]
    [InlineData(ChainKind.Rsa)]
    [InlineData(ChainKind.RsaPss)]
    [InlineData(ChainKind.P256)]
    [InlineData(ChainKind.P384)]
    public void A_chain_from_leaf_through_intermediate_to_a_trusted_root_is_valid(ChainKind kind)
    {
        var chain = TestPki.Chain(kind);
        var verifier = new SystemSignatureVerifier();
        var validator = new CertificateValidator(verifier, 4, 2);
        Assert.Equal(CertificateError.None, validator.AddTrustAnchor(chain.Root, 0, chain.Root.Length));

        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, chain.Leaf, chain.Intermediate));
        Assert.Equal(2, verifier.Calls);
        Assert.Equal(chain.Leaf.Length, validator.Leaf.Length);
    }

    [Theory]
    [InlineData(ChainKind.Rsa)]
    [InlineData(ChainKind.RsaPss)]
    [InlineData(ChainKind.P256)]
    [InlineData(ChainKind.P384)]
    public void The_device_verifier_accepts_a_valid_chain_and_refuses_a_forged_signature(ChainKind kind)
    {
        var chain = TestPki.Chain(kind);
        var validator = new CertificateValidator(new SignatureVerifier(), 4, 2);
        Assert.Equal(CertificateError.None, validator.AddTrustAnchor(chain.Root, 0, chain.Root.Length));
        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, chain.Leaf, chain.Intermediate));

        byte[] forged = (byte[])chain.Leaf.Clone();
        forged[^5] ^= 0x01; // inside the signature value, the certificate's last field
        Assert.Equal(CertificateError.BadSignature, Validate(validator, Host, TestPki.Now, forged, chain.Intermediate));
        Assert.Equal(CertificateError.NameMismatch, Validate(validator, "other.example.com", TestPki.Now, chain.Leaf, chain.Intermediate));
    }

    [Theory]
    [InlineData(ChainKind.Rsa, SignatureAlgorithm.RsaPkcs1Sha256, PublicKeyAlgorithm.Rsa)]
    [InlineData(ChainKind.RsaPss, SignatureAlgorithm.RsaPssSha256, PublicKeyAlgorithm.Rsa)]
    [InlineData(ChainKind.P256, SignatureAlgorithm.EcdsaSha256, PublicKeyAlgorithm.EcdsaP256)]
    [InlineData(ChainKind.P384, SignatureAlgorithm.EcdsaSha384, PublicKeyAlgorithm.EcdsaP384)]
    public void The_leaf_view_gives_the_signature_algorithm_and_key_type(ChainKind kind, SignatureAlgorithm algorithm, PublicKeyAlgorithm key)
    {
        var chain = TestPki.Chain(kind);
        var validator = Trusting(chain.Root);

        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, chain.Leaf, chain.Intermediate));
        Assert.Equal(algorithm, validator.Leaf.SignatureAlgorithm);
        Assert.Equal(key, validator.Leaf.KeyAlgorithm);
    }

    [Theory]
    [InlineData("SHA384")]
    [InlineData("SHA512")]
    public void Rsa_signatures_with_sha384_and_sha512_verify_in_pkcs1_and_pss(string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        foreach (var kind in new[] { ChainKind.Rsa, ChainKind.RsaPss })
        {
            var chain = TestPki.Chain(kind);
            byte[] leaf = TestPki.Issue("CN=" + Host, TestPki.Key(kind, 2), "CN=Test Intermediate " + kind, TestPki.Key(kind, 1), kind, dnsNames: [Host], hash: hash);

            Assert.Equal(CertificateError.None, Validate(Trusting(chain.Root), Host, TestPki.Now, leaf, chain.Intermediate));
        }
    }

    [Fact]
    public void An_ecdsa_key_may_sign_with_another_curves_hash_and_an_rsa_root_may_sign_an_ecdsa_intermediate()
    {
        var p256 = TestPki.Key(ChainKind.P256, 1);
        var rsaRoot = TestPki.Key(ChainKind.Rsa, 0);
        byte[] root = TestPki.Issue("CN=Mixed Root", rsaRoot, "CN=Mixed Root", rsaRoot, ChainKind.Rsa, ca: true);
        byte[] intermediate = TestPki.Issue("CN=Mixed Intermediate", p256, "CN=Mixed Root", rsaRoot, ChainKind.Rsa, ca: true);
        byte[] leaf = TestPki.Issue("CN=" + Host, TestPki.Key(ChainKind.P384, 2), "CN=Mixed Intermediate", p256, ChainKind.P256,
            dnsNames: [Host], hash: HashAlgorithmName.SHA384);

        Assert.Equal(CertificateError.None, Validate(Trusting(root), Host, TestPki.Now, leaf, intermediate));
    }

    [Fact]
    public void A_host_name_not_in_the_subject_alt_names_is_a_name_mismatch()
    {
        var chain = TestPki.Chain(ChainKind.P256);

        Assert.Equal(CertificateError.NameMismatch, Validate(Trusting(chain.Root), "other.example.com", TestPki.Now, chain.Leaf, chain.Intermediate));
        Assert.Equal(CertificateError.NameMismatch, Validate(Trusting(chain.Root), null!, TestPki.Now, chain.Leaf, chain.Intermediate));
    }

    [Fact]
    public void The_host_name_is_compared_without_regard_to_ascii_case_and_a_trailing_dot()
    {
        var chain = TestPki.Chain(ChainKind.P256);

        Assert.Equal(CertificateError.None, Validate(Trusting(chain.Root), "Device.EXAMPLE.com.", TestPki.Now, chain.Leaf, chain.Intermediate));
    }

    [Fact]
    public void The_common_name_is_never_used_even_without_subject_alt_names()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        byte[] leaf = TestPki.Issue("CN=" + Host, TestPki.Key(ChainKind.P256, 2), "CN=Test Intermediate P256", TestPki.Key(ChainKind.P256, 1), ChainKind.P256);

        Assert.Equal(CertificateError.NameMismatch, Validate(Trusting(chain.Root), Host, TestPki.Now, leaf, chain.Intermediate));
    }

    [Theory]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "A.Example.COM", true)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", ".example.com", false)]
    [InlineData("*.com", "example.com", false)]
    [InlineData("a*.example.com", "ab.example.com", false)]
    [InlineData("*a.example.com", "ba.example.com", false)]
    [InlineData("a.*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "192.0.2.7", false)]
    public void Wildcards_stand_for_exactly_one_whole_left_most_label(string pattern, string host, bool matches)
    {
        var chain = TestPki.Chain(ChainKind.P256);
        byte[] leaf = Leaf(ChainKind.P256, dnsNames: [pattern]);

        Assert.Equal(matches ? CertificateError.None : CertificateError.NameMismatch, Validate(Trusting(chain.Root), host, TestPki.Now, leaf, chain.Intermediate));
    }

    [Theory]
    [InlineData("192.0.2.7", CertificateError.None)]
    [InlineData("192.0.2.8", CertificateError.NameMismatch)]
    [InlineData("192.0.2.07", CertificateError.NameMismatch)]
    [InlineData("192.0.2", CertificateError.NameMismatch)]
    [InlineData("device.example.com", CertificateError.NameMismatch)]
    public void An_ip_literal_matches_only_an_ip_address_entry(string host, CertificateError expected)
    {
        var chain = TestPki.Chain(ChainKind.P256);
        byte[] leaf = Leaf(ChainKind.P256, address: IPAddress.Parse("192.0.2.7"));

        Assert.Equal(expected, Validate(Trusting(chain.Root), host, TestPki.Now, leaf, chain.Intermediate));
    }

    [Fact]
    public void An_ip_literal_does_not_match_a_dns_name_spelling_it()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        byte[] leaf = Leaf(ChainKind.P256, dnsNames: ["192.0.2.7"]);

        Assert.Equal(CertificateError.NameMismatch, Validate(Trusting(chain.Root), "192.0.2.7", TestPki.Now, leaf, chain.Intermediate));
    }

    [Fact]
    public void A_leaf_past_its_not_after_is_expired_and_one_before_its_not_before_is_not_yet_valid()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var validator = Trusting(chain.Root);
        var notAfter = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        byte[] leaf = Leaf(ChainKind.P256, notAfter: notAfter);

        Assert.Equal(CertificateError.None, Validate(validator, Host, notAfter.ToUnixTimeSeconds(), leaf, chain.Intermediate));
        Assert.Equal(CertificateError.Expired, Validate(validator, Host, notAfter.ToUnixTimeSeconds() + 1, leaf, chain.Intermediate));
        Assert.Equal(CertificateError.NotYetValid, Validate(validator, Host, TestPki.NotBefore.ToUnixTimeSeconds() - 1, chain.Leaf, chain.Intermediate));
    }

    [Fact]
    public void An_expired_intermediate_fails_the_chain()
    {
        var kind = ChainKind.P256;
        var chain = TestPki.Chain(kind);
        byte[] intermediate = TestPki.Issue("CN=Test Intermediate " + kind, TestPki.Key(kind, 1), "CN=Test Root " + kind, TestPki.Key(kind, 0), kind,
            ca: true, notAfter: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(CertificateError.Expired, Validate(Trusting(chain.Root), Host, TestPki.Now, chain.Leaf, intermediate));
    }

    [Fact]
    public void A_negative_time_is_a_clock_not_set_never_a_skipped_check()
    {
        var chain = TestPki.Chain(ChainKind.P256);

        Assert.Equal(CertificateError.ClockNotSet, Validate(Trusting(chain.Root), Host, -1, chain.Leaf, chain.Intermediate));
    }

    [Fact]
    public void A_chain_ending_at_a_root_that_is_not_trusted_has_an_unknown_issuer()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var other = TestPki.Chain(ChainKind.P384);

        Assert.Equal(CertificateError.UnknownIssuer, Validate(Trusting(other.Root), Host, TestPki.Now, chain.Leaf, chain.Intermediate));
        Assert.Equal(CertificateError.UnknownIssuer, Validate(Trusting(chain.Root), Host, TestPki.Now, chain.Leaf));
    }

    [Fact]
    public void A_root_with_the_trusted_name_but_another_key_is_a_bad_signature()
    {
        var kind = ChainKind.P256;
        var chain = TestPki.Chain(kind);
        byte[] impostor = TestPki.Issue("CN=Test Root " + kind, TestPki.Key(kind, 2), "CN=Test Root " + kind, TestPki.Key(kind, 2), kind, ca: true);

        Assert.Equal(CertificateError.BadSignature, Validate(Trusting(impostor), Host, TestPki.Now, chain.Leaf, chain.Intermediate));
    }

    [Theory]
    [InlineData(ChainKind.Rsa)]
    [InlineData(ChainKind.RsaPss)]
    [InlineData(ChainKind.P256)]
    [InlineData(ChainKind.P384)]
    public void A_flipped_signature_byte_in_the_leaf_or_the_intermediate_is_a_bad_signature(ChainKind kind)
    {
        var chain = TestPki.Chain(kind);
        var validator = Trusting(chain.Root);
        byte[] leaf = (byte[])chain.Leaf.Clone();
        byte[] intermediate = (byte[])chain.Intermediate.Clone();
        leaf[^1] ^= 0x01;
        intermediate[^1] ^= 0x01;

        Assert.Equal(CertificateError.BadSignature, Validate(validator, Host, TestPki.Now, leaf, chain.Intermediate));
        Assert.Equal(CertificateError.BadSignature, Validate(validator, Host, TestPki.Now, chain.Leaf, intermediate));
    }

    [Fact]
    public void A_changed_byte_in_the_signed_part_is_a_bad_signature()
    {
        var chain = TestPki.Chain(ChainKind.Rsa);
        byte[] leaf = (byte[])chain.Leaf.Clone();
        var view = new Certificate();
        Assert.Equal(CertificateError.None, view.Parse(leaf, 0, leaf.Length));
        leaf[view.SerialOffset] ^= 0x01;

        Assert.Equal(CertificateError.BadSignature, Validate(Trusting(chain.Root), Host, TestPki.Now, leaf, chain.Intermediate));
    }

    [Fact]
    public void An_intermediate_without_the_ca_bit_or_key_cert_sign_cannot_issue()
    {
        var kind = ChainKind.P256;
        var chain = TestPki.Chain(kind);
        byte[] notCa = TestPki.Issue("CN=Test Intermediate " + kind, TestPki.Key(kind, 1), "CN=Test Root " + kind, TestPki.Key(kind, 0), kind,
            keyUsage: X509KeyUsageFlags.KeyCertSign, extendedKeyUsage: null);
        byte[] noConstraints = TestPki.Issue("CN=Test Intermediate " + kind, TestPki.Key(kind, 1), "CN=Test Root " + kind, TestPki.Key(kind, 0), kind,
            basicConstraints: false, keyUsage: X509KeyUsageFlags.KeyCertSign, extendedKeyUsage: null);
        byte[] noCertSign = TestPki.Issue("CN=Test Intermediate " + kind, TestPki.Key(kind, 1), "CN=Test Root " + kind, TestPki.Key(kind, 0), kind,
            ca: true, keyUsage: X509KeyUsageFlags.DigitalSignature);
        var validator = Trusting(chain.Root);

        Assert.Equal(CertificateError.NotACa, Validate(validator, Host, TestPki.Now, chain.Leaf, notCa));
        Assert.Equal(CertificateError.NotACa, Validate(validator, Host, TestPki.Now, chain.Leaf, noConstraints));
        Assert.Equal(CertificateError.NotACa, Validate(validator, Host, TestPki.Now, chain.Leaf, noCertSign));
    }

    [Fact]
    public void A_path_length_constraint_limits_the_intermediates_below_it()
    {
        var kind = ChainKind.P256;
        var root = TestPki.Key(kind, 0);
        var middle = TestPki.Key(kind, 1);
        var leafKey = TestPki.Key(kind, 2);
        byte[] strictRoot = TestPki.Issue("CN=Strict Root", root, "CN=Strict Root", root, kind, ca: true, pathLength: 0);
        byte[] intermediate = TestPki.Issue("CN=Strict Intermediate", middle, "CN=Strict Root", root, kind, ca: true, pathLength: 0);
        byte[] second = TestPki.Issue("CN=Second Intermediate", leafKey, "CN=Strict Intermediate", middle, kind, ca: true);
        byte[] direct = TestPki.Issue("CN=" + Host, leafKey, "CN=Strict Root", root, kind, dnsNames: [Host]);
        byte[] leaf = TestPki.Issue("CN=" + Host, leafKey, "CN=Strict Intermediate", middle, kind, dnsNames: [Host]);
        byte[] deepLeaf = TestPki.Issue("CN=" + Host, leafKey, "CN=Second Intermediate", leafKey, kind, dnsNames: [Host]);
        byte[] looseRoot = TestPki.Issue("CN=Strict Root", root, "CN=Strict Root", root, kind, ca: true);

        Assert.Equal(CertificateError.None, Validate(Trusting(strictRoot), Host, TestPki.Now, direct));
        Assert.Equal(CertificateError.PathTooLong, Validate(Trusting(strictRoot), Host, TestPki.Now, leaf, intermediate));
        Assert.Equal(CertificateError.None, Validate(Trusting(looseRoot), Host, TestPki.Now, leaf, intermediate));
        Assert.Equal(CertificateError.PathTooLong, Validate(Trusting(looseRoot), Host, TestPki.Now, deepLeaf, second, intermediate));
    }

    [Fact]
    public void Extra_and_misordered_certificates_are_tolerated_as_tls_1_3_asks()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var stranger = TestPki.Chain(ChainKind.P384);
        var validator = Trusting(chain.Root);

        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, chain.Leaf, chain.Intermediate, chain.Root));
        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, chain.Leaf, stranger.Intermediate, chain.Root, chain.Intermediate));
    }

    [Fact]
    public void A_leaf_that_is_itself_a_trust_anchor_is_accepted()
    {
        var key = TestPki.Key(ChainKind.P256, 2);
        byte[] selfSigned = TestPki.Issue("CN=" + Host, key, "CN=" + Host, key, ChainKind.P256, dnsNames: [Host]);

        Assert.Equal(CertificateError.None, Validate(Trusting(selfSigned), Host, TestPki.Now, selfSigned));
    }

    [Fact]
    public void More_certificates_than_the_validator_holds_is_chain_too_long()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var validator = new CertificateValidator(new SystemSignatureVerifier(), 2, 1);
        validator.AddTrustAnchor(chain.Root, 0, chain.Root.Length);

        Assert.Equal(CertificateError.ChainTooLong, Validate(validator, Host, TestPki.Now, chain.Leaf, chain.Intermediate, chain.Root));
        Assert.Equal(CertificateError.TooManyTrustAnchors, validator.AddTrustAnchor(chain.Root, 0, chain.Root.Length));
    }

    [Fact]
    public void A_leaf_not_for_server_authentication_or_digital_signature_has_a_bad_key_usage()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var validator = Trusting(chain.Root);

        Assert.Equal(CertificateError.BadKeyUsage, Validate(validator, Host, TestPki.Now, Leaf(ChainKind.P256, extendedKeyUsage: "1.3.6.1.5.5.7.3.2"), chain.Intermediate));
        Assert.Equal(CertificateError.BadKeyUsage, Validate(validator, Host, TestPki.Now, Leaf(ChainKind.P256, keyUsage: X509KeyUsageFlags.KeyEncipherment), chain.Intermediate));
        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, Leaf(ChainKind.P256, extendedKeyUsage: "2.5.29.37.0"), chain.Intermediate));
        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, Leaf(ChainKind.P256, extendedKeyUsage: null), chain.Intermediate));
    }

    [Fact]
    public void An_unknown_critical_extension_is_refused_and_an_unknown_non_critical_one_ignored()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var validator = Trusting(chain.Root);
        byte[] critical = Leaf(ChainKind.P256, extra: new X509Extension("1.3.6.1.4.1.99999.1", [0x05, 0x00], true));
        byte[] nonCritical = Leaf(ChainKind.P256, extra: new X509Extension("1.3.6.1.4.1.99999.1", [0x05, 0x00], false));

        Assert.Equal(CertificateError.UnsupportedCriticalExtension, Validate(validator, Host, TestPki.Now, critical, chain.Intermediate));
        Assert.Equal(CertificateError.None, Validate(validator, Host, TestPki.Now, nonCritical, chain.Intermediate));
    }

    [Fact]
    public void A_p521_key_is_an_unsupported_algorithm()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        byte[] leaf = TestPki.Issue("CN=" + Host, p521, "CN=Test Intermediate P256", TestPki.Key(ChainKind.P256, 1), ChainKind.P256, dnsNames: [Host]);

        Assert.Equal(CertificateError.UnsupportedAlgorithm, Validate(Trusting(chain.Root), Host, TestPki.Now, leaf, chain.Intermediate));
    }

    [Fact]
    public void Bad_arguments_are_malformed_not_exceptions()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var validator = Trusting(chain.Root);

        Assert.Equal(CertificateError.Malformed, validator.Validate(chain.Leaf, [0], [chain.Leaf.Length], 0, Host, TestPki.Now));
        Assert.Equal(CertificateError.Malformed, validator.Validate(chain.Leaf, [0], [chain.Leaf.Length], 2, Host, TestPki.Now));
        Assert.Equal(CertificateError.Malformed, validator.Validate(chain.Leaf, [1], [chain.Leaf.Length], 1, Host, TestPki.Now));
        Assert.Equal(CertificateError.Malformed, validator.Validate(null!, [0], [10], 1, Host, TestPki.Now));
        Assert.Equal(CertificateError.Malformed, validator.AddTrustAnchor(chain.Root, 1, chain.Root.Length - 1));
    }

    [Fact]
    public void A_leaf_with_a_public_web_servers_extensions_is_valid()
    {
        // The extension set of a publicly trusted server certificate (CA/Browser Forum baseline): key identifiers,
        // authority information access, policies, CRL distribution points, an SCT list, two purposes and several names.
        var kind = ChainKind.Rsa;
        var chain = TestPki.Chain(kind);
        using var intermediate = X509CertificateLoader.LoadCertificate(chain.Intermediate);
        var leafKey = TestPki.Key(kind, 2);
        var subjectKeyIdentifier = new X509SubjectKeyIdentifierExtension(new System.Security.Cryptography.X509Certificates.PublicKey(leafKey), false);
        var authorityKeyIdentifier = X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(
            new X509SubjectKeyIdentifierExtension(intermediate.PublicKey, false));
        var access = new X509AuthorityInformationAccessExtension(["http://ocsp.example.net"], ["http://ca.example.net/int.der"]);
        var policies = new X509Extension("2.5.29.32", [0x30, 0x0A, 0x30, 0x08, 0x06, 0x06, 0x67, 0x81, 0x0C, 0x01, 0x02, 0x01], false);
        var crl = new X509Extension("2.5.29.31", Convert.FromHexString("30223020A01EA01C861A687474703A2F2F63726C2E6578616D706C652E6E65742F63726C"), false);
        var sct = new X509Extension("1.3.6.1.4.1.11129.2.4.2", [0x04, 0x02, 0x00, 0x00], false);
        byte[] leaf = TestPki.Issue("C=NL, O=Example B.V., CN=www.example.com", leafKey, "CN=Test Intermediate " + kind, TestPki.Key(kind, 1), kind,
            dnsNames: ["www.example.com", "example.com", "*.api.example.com"], keyUsage: X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment,
            extendedKeyUsage: null,
            extra: [subjectKeyIdentifier, authorityKeyIdentifier, access, policies, crl, sct,
                new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)]);
        var validator = Trusting(chain.Root);

        Assert.Equal(CertificateError.None, Validate(validator, "v2.api.example.com", TestPki.Now, leaf, chain.Intermediate));
        Assert.Equal(CertificateError.None, Validate(validator, "example.com", TestPki.Now, leaf, chain.Intermediate));
        Assert.Equal(CertificateError.NameMismatch, Validate(validator, "api.example.com", TestPki.Now, leaf, chain.Intermediate));
    }
}
