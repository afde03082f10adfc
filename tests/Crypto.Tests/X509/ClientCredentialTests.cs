using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.X509;
using Xunit.Abstractions;

namespace IoTStack.Crypto.Tests.X509;

/// <summary>
/// EcdsaP256Credential, the board's side of client authentication: chains and keys made by .NET and openssl, signatures
/// checked by .NET's ECDsa over the same digest, and every way a certificate file and key file can fail to fit.
/// </summary>
public class ClientCredentialTests(ITestOutputHelper output)
{
    private static readonly Lazy<ECDsa> BoardKey = new(() => ECDsa.Create(ECCurve.NamedCurves.nistP256));

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string ToPem(byte[] der) => new(PemEncoding.Write("CERTIFICATE", der));

    /// <summary>A board certificate for <paramref name="key"/> (clientAuth) issued by the P-256 test intermediate, and that intermediate.</summary>
    private static (byte[] Leaf, byte[] Intermediate) BoardChain(AsymmetricAlgorithm key)
    {
        byte[] leaf = TestPki.Issue("CN=board-0001", key, "CN=Test Intermediate P256", TestPki.Key(ChainKind.P256, 1), ChainKind.P256,
            extendedKeyUsage: "1.3.6.1.5.5.7.3.2");
        return (leaf, TestPki.Chain(ChainKind.P256).Intermediate);
    }

    private static EcdsaP256Credential Create(byte[] certificates, byte[] key) => EcdsaP256Credential.FromFiles(certificates, key);

    /// <summary>Signs random digests and checks each with .NET's ECDsa in DER form (RFC 3279 Ecdsa-Sig-Value).</summary>
    private static void SignaturesVerify(EcdsaP256Credential credential, ECDsa publicKey, int count, int seed)
    {
        var random = new Random(seed);
        var signature = new byte[5 + credential.MaximumSignatureLength];
        for (int i = 0; i < count; i++)
        {
            var digest = new byte[32];
            random.NextBytes(digest);
            int length = credential.SignDigest(digest, 0, 32, signature, 5);
            Assert.InRange(length, 8, credential.MaximumSignatureLength);
            Assert.True(publicKey.VerifyHash(digest, signature.AsSpan(5, length), DSASignatureFormat.Rfc3279DerSequence), $"signature {i}");
        }
    }

    public static TheoryData<string> KeyFormats => new() { "sec1-pem", "pkcs8-pem", "sec1-der", "pkcs8-der" };

    private static byte[] ExportKey(ECDsa key, string format) => format switch
    {
        "sec1-pem" => Ascii(key.ExportECPrivateKeyPem()),
        "pkcs8-pem" => Ascii(key.ExportPkcs8PrivateKeyPem()),
        "sec1-der" => key.ExportECPrivateKey(),
        _ => key.ExportPkcs8PrivateKey(),
    };

    [Theory]
    [MemberData(nameof(KeyFormats))]
    public void A_pem_chain_and_a_key_in_any_format_sign_what_dotnet_verifies(string format)
    {
        var (leaf, intermediate) = BoardChain(BoardKey.Value);
        var chain = Ascii("board certificate\n" + ToPem(leaf) + "\nissued by\n" + ToPem(intermediate).Replace("\n", "\r\n") + "\n");

        var credential = Create(chain, ExportKey(BoardKey.Value, format));

        Assert.Equal(0x0403, credential.SignatureScheme);
        Assert.Equal(72, credential.MaximumSignatureLength);
        Assert.Equal(2, credential.CertificateCount);
        credential.GetCertificate(0, out var buffer, out int offset, out int length);
        Assert.Equal(leaf, buffer.AsSpan(offset, length).ToArray());
        credential.GetCertificate(1, out buffer, out offset, out length);
        Assert.Equal(intermediate, buffer.AsSpan(offset, length).ToArray());
        using var certificate = X509CertificateLoader.LoadCertificate(leaf);
        using var publicKey = certificate.GetECDsaPublicKey()!;
        SignaturesVerify(credential, publicKey, 50, format.Length);
    }

    [Fact]
    public void A_der_chain_of_certificates_back_to_back_is_read_too()
    {
        var (leaf, intermediate) = BoardChain(BoardKey.Value);

        var credential = Create([.. leaf, .. intermediate], BoardKey.Value.ExportPkcs8PrivateKey());

        Assert.Equal(2, credential.CertificateCount);
        credential.GetCertificate(1, out var buffer, out int offset, out int length);
        Assert.Equal(intermediate, buffer.AsSpan(offset, length).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => credential.GetCertificate(2, out _, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => credential.GetCertificate(-1, out _, out _, out _));
        SignaturesVerify(credential, BoardKey.Value, 5, 2);
    }

    [Fact]
    public void An_openssl_certificate_and_key_work_as_openssl_wrote_them()
    {
        var credential = Create(Ascii(OpenSslKeys.BoardCertificate), Ascii(OpenSslKeys.GenPkeyP256));

        Assert.Equal(1, credential.CertificateCount);
        using var certificate = X509Certificate2.CreateFromPem(OpenSslKeys.BoardCertificate);
        using var publicKey = certificate.GetECDsaPublicKey()!;
        SignaturesVerify(credential, publicKey, 10, 3);
    }

    [Fact]
    public void Signatures_are_minimal_der_with_a_zero_octet_before_a_set_top_bit()
    {
        var (leaf, _) = BoardChain(BoardKey.Value);
        var credential = Create(leaf, BoardKey.Value.ExportECPrivateKey());
        var random = new Random(3279);
        var lengths = new HashSet<int>();
        var signature = new byte[72];
        for (int i = 0; i < 200; i++)
        {
            var digest = new byte[32];
            random.NextBytes(digest);
            int length = credential.SignDigest(digest, 0, 32, signature, 0);
            lengths.Add(length);

            // SEQUENCE { INTEGER r, INTEGER s }: each minimal and positive, the fixed form what .NET reads from it.
            Assert.Equal(0x30, signature[0]);
            Assert.Equal(length - 2, signature[1]);
            int at = 2;
            for (int part = 0; part < 2; part++)
            {
                Assert.Equal(0x02, signature[at]);
                int size = signature[at + 1];
                byte first = signature[at + 2];
                Assert.True(first < 0x80, "positive");
                Assert.True(first != 0 || signature[at + 3] >= 0x80, "minimal");
                at += 2 + size;
            }

            Assert.Equal(length, at);
            var fixedForm = new byte[64];
            Assert.True(EcdsaSignature.ToFixed(signature, 0, length, fixedForm, 0, 32));
            Assert.True(BoardKey.Value.VerifyHash(digest, fixedForm, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }

        // r and s each have their top bit set half the time: 72, 71 and 70 bytes all occur.
        Assert.Contains(72, lengths);
        Assert.Contains(71, lengths);
        Assert.Contains(70, lengths);
    }

    [Fact]
    public void Sign_digest_refuses_what_it_cannot_do_with_minus_one()
    {
        var (leaf, _) = BoardChain(BoardKey.Value);
        var credential = Create(leaf, BoardKey.Value.ExportECPrivateKey());
        var digest = new byte[48];
        var signature = new byte[72];

        Assert.Equal(-1, credential.SignDigest(digest, 0, 48, signature, 0));
        Assert.Equal(-1, credential.SignDigest(digest, 20, 32, signature, 0));
        Assert.Equal(-1, credential.SignDigest(null!, 0, 32, signature, 0));
        Assert.Equal(-1, credential.SignDigest(digest, 0, 32, null!, 0));
        Assert.Equal(-1, credential.SignDigest(digest, 0, 32, new byte[20], 0));
        Assert.Equal(-1, credential.SignDigest(digest, 0, 32, signature, 10));
        Assert.Equal(-1, credential.SignDigest(digest, 0, 32, signature, -1));
        Assert.InRange(credential.SignDigest(digest, 16, 32, signature, 0), 8, 72);
    }

    [Fact]
    public void A_key_that_is_not_the_leafs_is_refused_at_construction()
    {
        var (leaf, intermediate) = BoardChain(BoardKey.Value);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var refused = Assert.Throws<ArgumentException>(() => Create(Ascii(ToPem(leaf) + ToPem(intermediate)), ExportKey(other, "pkcs8-pem")));
        Assert.Contains("does not belong to the leaf", refused.Message);

        // The intermediate's own key, with the chain in the wrong order, is refused the same way.
        var intermediateKey = (ECDsa)TestPki.Key(ChainKind.P256, 1);
        refused = Assert.Throws<ArgumentException>(() => Create(Ascii(ToPem(leaf) + ToPem(intermediate)), intermediateKey.ExportECPrivateKey()));
        Assert.Contains("does not belong to the leaf", refused.Message);
        Assert.Equal(1, Create(Ascii(ToPem(intermediate)), intermediateKey.ExportECPrivateKey()).CertificateCount);
    }

    [Fact]
    public void Rsa_encrypted_and_other_curve_keys_are_refused_with_their_reason()
    {
        var (leaf, _) = BoardChain(BoardKey.Value);
        using var rsa = RSA.Create(1024);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pbe = new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000);

        Assert.Contains("only P-256 client keys", Assert.Throws<ArgumentException>(() => Create(leaf, Ascii(rsa.ExportRSAPrivateKeyPem()))).Message);
        Assert.Contains("only P-256 client keys", Assert.Throws<ArgumentException>(() => Create(leaf, rsa.ExportPkcs8PrivateKey())).Message);
        Assert.Contains("only P-256 client keys", Assert.Throws<ArgumentException>(() => Create(leaf, Ascii(p384.ExportPkcs8PrivateKeyPem()))).Message);
        Assert.Contains("only P-256 client keys", Assert.Throws<ArgumentException>(() => Create(leaf, Ascii(OpenSslKeys.Secp256k1))).Message);
        Assert.Contains("encrypted", Assert.Throws<ArgumentException>(() => Create(leaf, Ascii(BoardKey.Value.ExportEncryptedPkcs8PrivateKeyPem("pw", pbe)))).Message);
        Assert.Contains("encrypted", Assert.Throws<ArgumentException>(() => Create(leaf, Ascii(OpenSslKeys.LegacyEncrypted))).Message);
        Assert.Contains("no PRIVATE KEY block", Assert.Throws<ArgumentException>(() => Create(leaf, Ascii(ToPem(leaf)))).Message);
        Assert.Contains("malformed", Assert.Throws<ArgumentException>(() => Create(leaf, [0x30, 0x00])).Message);

        // A well-formed key whose scalar is 0 is out of [1, n - 1].
        byte[] zero = [0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20, .. new byte[32], 0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        Assert.Contains("[1, n - 1]", Assert.Throws<ArgumentException>(() => Create(leaf, zero)).Message);
    }

    [Fact]
    public void A_chain_that_does_not_parse_or_whose_leaf_is_not_p256_is_refused()
    {
        var (leaf, _) = BoardChain(BoardKey.Value);
        var key = BoardKey.Value.ExportECPrivateKey();
        byte[] rsaLeaf = TestPki.Chain(ChainKind.Rsa).Leaf;
        byte[] p384Leaf = TestPki.Chain(ChainKind.P384).Leaf;

        Assert.Contains("not P-256", Assert.Throws<ArgumentException>(() => Create(rsaLeaf, key)).Message);
        Assert.Contains("not P-256", Assert.Throws<ArgumentException>(() => Create(p384Leaf, key)).Message);
        Assert.Contains("no certificate", Assert.Throws<ArgumentException>(() => Create(Ascii("no certificates here"), key)).Message);
        Assert.Contains("no certificate", Assert.Throws<ArgumentException>(() => Create([], key)).Message);
        Assert.Contains("no certificate", Assert.Throws<ArgumentException>(() => Create(Ascii("-----BEGIN CERTIFICATE-----\nTWFu\n-----END CERTIFICATE-----\n"), key)).Message);
        Assert.Throws<ArgumentException>(() => Create([.. leaf, 0x00], key));
        Assert.Throws<ArgumentNullException>(() => EcdsaP256Credential.FromFiles(null!, key));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EcdsaP256Credential(leaf, 1, leaf.Length, key, 0, key.Length));
    }

    [Fact]
    public void Every_truncation_of_the_files_is_an_argument_exception_or_a_working_credential()
    {
        var (leaf, intermediate) = BoardChain(BoardKey.Value);
        var chain = Ascii(ToPem(leaf) + ToPem(intermediate));
        var key = ExportKey(BoardKey.Value, "sec1-pem");
        int built = 0;
        for (int length = 0; length < chain.Length; length += 3)
        {
            built += Builds(chain[..length], key);
        }

        int whole = Encoding.ASCII.GetString(key).TrimEnd().Length;
        for (int length = 0; length < key.Length; length++)
        {
            Assert.Equal(length < whole ? 0 : 1, Builds(chain, key[..length]));
        }

        // Cut between the two blocks or in the second one's BEGIN line, the first certificate alone is a working chain.
        Assert.InRange(built, 1, 20);
        Assert.Equal(1, Builds(chain, key));
    }

    private static int Builds(byte[] chain, byte[] key)
    {
        try
        {
            Create(chain, key);
            return 1;
        }
        catch (ArgumentException exception) when (exception.GetType() == typeof(ArgumentException))
        {
            return 0;
        }
    }

    [Fact]
    public void Signing_allocates_nothing_after_construction_and_reports_its_desktop_time()
    {
        var (leaf, intermediate) = BoardChain(BoardKey.Value);
        ITlsClientCredential credential = Create(Ascii(ToPem(leaf) + ToPem(intermediate)), ExportKey(BoardKey.Value, "pkcs8-pem"));
        var digest = SHA256.HashData("TLS 1.3, client CertificateVerify"u8);
        var signature = new byte[72];
        credential.SignDigest(digest, 0, 32, signature, 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        credential.SignDigest(digest, 0, 32, signature, 0);
        credential.GetCertificate(1, out _, out _, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        const int rounds = 10;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < rounds; i++)
        {
            digest[0] = (byte)i;
            credential.SignDigest(digest, 0, 32, signature, 0);
        }

        output.WriteLine($"EcdsaP256Credential.SignDigest (P-256, RFC 6979, DER): {watch.Elapsed.TotalMilliseconds / rounds:F2} ms on this desktop");
    }
}
