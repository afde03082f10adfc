using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// Mutual TLS against SslStream (OpenSSL): a server that requires a client certificate checks the one the client's
/// credential sent (TLS 1.3 CertificateVerify, RFC 8446 section 4.4.3; TLS 1.2's, RFC 5246 section 7.4.8), or gets an
/// empty Certificate from a client without one.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClientCertificateTests
{
    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public void The_server_receives_and_accepts_the_client_certificate(SslProtocols protocol)
    {
        using var credential = new TestClientCredential();
        byte[]? seen = null;
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, requestClientCertificate: true, protocols: protocol,
            clientCertificateCheck: (_, certificate, _, _) =>
            {
                seen = certificate?.GetRawCertData();
                return seen != null && seen.AsSpan().SequenceEqual(credential.Der);
            });
        var options = new TlsClientOptions { HostName = TestCertificates.HostName, ClientCredential = credential };
        var client = new TlsClient(options, new SeededEntropy(11), [new X25519KeyExchange(), new EcdhP256KeyExchange()], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();
        byte[] data = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        Assert.Equal(data, driver.Echo(data));

        Assert.Equal(TlsClientState.Connected, client.State);
        Assert.Equal(protocol == SslProtocols.Tls13 ? 0x0304 : 0x0303, client.Version);
        Assert.True(client.ClientCertificateSent);
        Assert.Equal(1, credential.Signatures);
        Assert.Equal(credential.Der, seen);
    }

    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public void A_client_without_a_credential_answers_with_an_empty_certificate(SslProtocols protocol)
    {
        bool asked = false;
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, requestClientCertificate: true, protocols: protocol,
            clientCertificateCheck: (_, certificate, _, _) =>
            {
                asked = true;
                return certificate == null;
            });
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(12),
            [new EcdhP256KeyExchange()], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();
        Assert.Equal(new byte[] { 1, 2, 3 }, driver.Echo([1, 2, 3]));

        Assert.Equal(TlsClientState.Connected, client.State);
        Assert.False(client.ClientCertificateSent);
        Assert.True(asked);
    }

    [Fact]
    public void A_server_that_refuses_the_client_certificate_fails_its_side_of_the_handshake()
    {
        using var credential = new TestClientCredential();
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, requestClientCertificate: true, protocols: SslProtocols.Tls12,
            clientCertificateCheck: (_, _, _, _) => false);
        var options = new TlsClientOptions { HostName = TestCertificates.HostName, ClientCredential = credential };
        var client = new TlsClient(options, new SeededEntropy(13), [new X25519KeyExchange(), new EcdhP256KeyExchange()], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        // SslStream runs its validation callback after OpenSSL finished the handshake, then drops the connection
        // without an alert: the client saw a complete handshake.
        Assert.True(client.ClientCertificateSent);
        var failure = Assert.ThrowsAny<Exception>(() => server.Session.Wait(10000));
        Assert.IsType<AuthenticationException>(failure.InnerException ?? failure, exactMatch: false);
    }
}
