using IoTStack.Net.Tls.X509;

namespace IoTStack.Crypto.Tests.X509;

public class RobustnessTests
{
    private const string Host = "device.example.com";

    /// <summary>One random change: a byte set, a bit flipped, a length byte made long-form or indefinite, a cut, or bytes moved.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] bytes = (byte[])original.Clone();
        if (bytes.Length == 0)
        {
            return bytes;
        }

        int at = random.Next(bytes.Length);
        switch (random.Next(6))
        {
            case 0:
                bytes[at] = (byte)random.Next(256);
                break;
            case 1:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 2:
                bytes[at] = (byte)(0x80 | random.Next(6));
                break;
            case 3:
                return bytes.AsSpan(0, at).ToArray();
            case 4:
                bytes[at] = (byte)(bytes[at] + random.Next(-2, 3));
                break;
            default:
                int from = random.Next(bytes.Length);
                int count = random.Next(1, Math.Min(16, bytes.Length - Math.Max(at, from)) + 1);
                Array.Copy(original, from, bytes, at, Math.Min(count, bytes.Length - at));
                break;
        }

        return bytes;
    }

    [Fact]
    public void Thousands_of_mutated_certificates_give_error_codes_never_exceptions()
    {
        var random = new Random(18);
        var chains = new[] { TestPki.Chain(ChainKind.Rsa), TestPki.Chain(ChainKind.RsaPss), TestPki.Chain(ChainKind.P256), TestPki.Chain(ChainKind.P384) };
        var view = new Certificate();
        var outcomes = new Dictionary<CertificateError, int>();
        var output = new byte[128];
        for (int round = 0; round < 6000; round++)
        {
            var chain = chains[round % chains.Length];
            var verifier = new AcceptingVerifier();
            var validator = new CertificateValidator(verifier, 3, 2);
            byte[] root = random.Next(4) == 0 ? Mutate(chain.Root, random) : chain.Root;
            validator.AddTrustAnchor(root, 0, root.Length);
            byte[] leaf = Mutate(chain.Leaf, random);
            byte[] intermediate = random.Next(2) == 0 ? Mutate(chain.Intermediate, random) : chain.Intermediate;
            for (int extra = random.Next(3); extra > 0; extra--)
            {
                leaf = Mutate(leaf, random);
            }

            view.Parse(leaf, 0, leaf.Length);
            ServerIdentity.Matches(view, Host);
            var (buffer, offsets, lengths) = TestPki.Concatenate(leaf, intermediate);
            var error = validator.Validate(buffer, offsets, lengths, 2, Host, TestPki.Now);
            outcomes[error] = outcomes.GetValueOrDefault(error) + 1;

            EcdsaSignature.ToFixed(leaf, view.SignatureOffset, Math.Max(0, Math.Min(view.SignatureLength, leaf.Length - view.SignatureOffset)), output, 0, 48);
            RsaPublicKey.Locate(leaf, random.Next(leaf.Length), random.Next(leaf.Length / 2), out _, out _, out _, out _);
            Pem.DecodeCertificate(leaf, 0, leaf.Length, output, 0, out _);
        }

        // The mutations reach past parsing: some chains still validate (a changed signature byte, with the accepting verifier).
        Assert.True(outcomes.GetValueOrDefault(CertificateError.Malformed) > 1000);
        Assert.True(outcomes.GetValueOrDefault(CertificateError.None) > 100);
    }

    [Fact]
    public void Random_bytes_as_a_certificate_or_pem_are_refused_without_exceptions()
    {
        var random = new Random(5280);
        var view = new Certificate();
        var output = new byte[256];
        for (int round = 0; round < 5000; round++)
        {
            var bytes = new byte[random.Next(64)];
            random.NextBytes(bytes);
            if (bytes.Length > 2 && random.Next(2) == 0)
            {
                bytes[0] = 0x30;
                bytes[1] = (byte)(bytes.Length - 2);
            }

            Assert.NotEqual(CertificateError.None, view.Parse(bytes, 0, bytes.Length));
            Pem.DecodeCertificate(bytes, 0, bytes.Length, output, 0, out _);
            EcdsaSignature.ToFixed(bytes, 0, bytes.Length, output, 0, 32);
        }
    }

    [Fact]
    public void Validation_allocates_nothing_after_construction()
    {
        var chain = TestPki.Chain(ChainKind.P256);
        var rsaChain = TestPki.Chain(ChainKind.RsaPss);
        var validator = new CertificateValidator(new AcceptingVerifier(), 4, 2);
        validator.AddTrustAnchor(chain.Root, 0, chain.Root.Length);
        validator.AddTrustAnchor(rsaChain.Root, 0, rsaChain.Root.Length);
        var (buffer, offsets, lengths) = TestPki.Concatenate(chain.Leaf, chain.Intermediate, rsaChain.Leaf, rsaChain.Intermediate);
        int[] rsaOffsets = [offsets[2], offsets[3]];
        int[] rsaLengths = [lengths[2], lengths[3]];
        Assert.Equal(CertificateError.None, validator.Validate(buffer, offsets, lengths, 2, Host, TestPki.Now));
        Assert.Equal(CertificateError.None, validator.Validate(buffer, rsaOffsets, rsaLengths, 2, Host, TestPki.Now));
        Assert.Equal(CertificateError.NameMismatch, validator.Validate(buffer, offsets, lengths, 2, "192.0.2.1", TestPki.Now));
        Assert.Equal(CertificateError.None, validator.Validate(buffer, offsets, lengths, 4, Host, TestPki.Now));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            validator.Validate(buffer, offsets, lengths, 2, Host, TestPki.Now);
            validator.Validate(buffer, rsaOffsets, rsaLengths, 2, Host, TestPki.Now);
            validator.Validate(buffer, offsets, lengths, 2, "192.0.2.1", TestPki.Now);
            validator.Validate(buffer, offsets, lengths, 4, Host, TestPki.Now);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
