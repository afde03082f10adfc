using IoTStack.Net.Tls;
using Xunit.Abstractions;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>What one client takes at construction with the default options (the README's figure, on CoreCLR).</summary>
public sealed class FootprintTests(ITestOutputHelper output)
{
    private static long Measure(TlsClientOptions options)
    {
        var entropy = new SeededEntropy(1);
        ITlsKeyExchange[] groups = [new UnknownGroupKeyExchange()];
        var authenticator = new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256);
        Assert.NotNull(new TlsClient(options, entropy, groups, authenticator)); // the ciphers' shared tables, taken once per process
        long before = GC.GetAllocatedBytesForCurrentThread();

        var client = new TlsClient(options, entropy, groups, authenticator);

        long taken = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(client);
        return taken;
    }

    [Fact]
    public void A_client_with_the_default_options_takes_under_28_kilobytes()
    {
        long taken = Measure(new TlsClientOptions { HostName = TestCertificates.HostName });

        output.WriteLine($"default options (TLS 1.3 and 1.2): {taken} bytes");
        Assert.True(taken is > 20 * 1024 and < 28 * 1024, $"{taken} bytes");
    }

    [Fact]
    public void Tls12_and_a_client_credential_each_cost_under_two_kilobytes()
    {
        long only13 = Measure(new TlsClientOptions { HostName = TestCertificates.HostName, MinimumVersion = 0x0304 });
        long both = Measure(new TlsClientOptions { HostName = TestCertificates.HostName });
        using var credential = new TestClientCredential();
        long mutual = Measure(new TlsClientOptions { HostName = TestCertificates.HostName, ClientCredential = credential });

        output.WriteLine($"TLS 1.3 only {only13} bytes, with TLS 1.2 {both} (+{both - only13}), with a client credential {mutual} (+{mutual - both})");
        Assert.True(both - only13 is > 0 and < 2048, $"TLS 1.2 costs {both - only13} bytes");
        Assert.True(mutual - both is > 0 and < 2048, $"a credential costs {mutual - both} bytes");
    }
}
