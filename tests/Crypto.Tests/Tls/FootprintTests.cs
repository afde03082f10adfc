using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>What one client takes at construction with the default options (the README's figure, on CoreCLR).</summary>
public sealed class FootprintTests
{
    [Fact]
    public void A_client_with_the_default_options_takes_under_24_kilobytes()
    {
        var options = new TlsClientOptions { HostName = TestCertificates.HostName };
        var entropy = new SeededEntropy(1);
        ITlsKeyExchange[] groups = [new UnknownGroupKeyExchange()];
        var authenticator = new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var client = new TlsClient(options, entropy, groups, authenticator);

        long taken = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(client);
        Assert.InRange(taken, 16 * 1024, 24 * 1024);
    }
}
