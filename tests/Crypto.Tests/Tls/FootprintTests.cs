using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>What one client takes at construction with the default options (the README's figure, on CoreCLR).</summary>
public sealed class FootprintTests
{
    [Fact]
    public void A_client_with_the_default_options_takes_under_28_kilobytes()
    {
        var options = new TlsClientOptions { HostName = TestCertificates.HostName };
        var entropy = new SeededEntropy(1);
        ITlsKeyExchange[] groups = [new UnknownGroupKeyExchange()];
        var authenticator = new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256);
        Assert.NotNull(new TlsClient(options, entropy, groups, authenticator)); // the ciphers' shared tables, taken once per process
        long before = GC.GetAllocatedBytesForCurrentThread();

        var client = new TlsClient(options, entropy, groups, authenticator);

        long taken = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(client);
        Assert.True(taken is > 20 * 1024 and < 28 * 1024, $"{taken} bytes");
    }
}
