using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls;
using SystemSuite = System.Net.Security.TlsCipherSuite;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>The client against a real TLS 1.3 server: .NET's SslStream on OpenSSL, in memory on another thread.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SslStreamInteropTests
{
    private static TlsClient NewClient(X509Certificate2 trusted, TlsClientOptions? options = null, params ITlsKeyExchange[] groups) =>
        new(options ?? new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy((ulong)Environment.TickCount64),
            groups.Length == 0 ? [new EcdhP256KeyExchange()] : groups, new PinnedCertificateAuthenticator(trusted));

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + (i >> 8))).ToArray();

    private static void ExchangeDataAndClose(ClientDriver driver, SslStreamServer server)
    {
        foreach (int length in new[] { 1, 4096, 100 * 1024 })
        {
            byte[] data = Pattern(length);
            Assert.Equal(data, driver.Echo(data));
        }

        driver.Client.Close();
        driver.RunUntil(() => driver.Client.State != TlsClientState.Connected);
        Assert.Equal(TlsClientState.Closed, driver.Client.State);
        Assert.True(driver.Client.PeerClosed);
        Assert.True(server.Session.Wait(10000));
    }

    [Fact]
    public void Handshake_and_data_both_ways_with_aes128gcm_and_an_ecdsa_certificate()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, [SystemSuite.TLS_AES_128_GCM_SHA256]);
        var driver = new ClientDriver(NewClient(TestCertificates.EcdsaP256), server.ToServer, server.FromServer);
        driver.Client.Start();

        driver.Handshake();

        Assert.Equal(TlsClientState.Connected, driver.Client.State);
        Assert.Equal(TlsCipherSuite.Aes128GcmSha256, driver.Client.CipherSuite);
        Assert.Equal(0x0017, driver.Client.NamedGroup);
        Assert.False(driver.Client.HelloRetried);
        ExchangeDataAndClose(driver, server);
    }

    [Fact]
    public void Handshake_and_data_both_ways_with_chacha20_poly1305_and_an_rsa_pss_signature()
    {
        using var server = new SslStreamServer(TestCertificates.Rsa2048, [SystemSuite.TLS_CHACHA20_POLY1305_SHA256]);
        var driver = new ClientDriver(NewClient(TestCertificates.Rsa2048), server.ToServer, server.FromServer);
        driver.Client.Start();

        driver.Handshake();

        Assert.Equal(TlsClientState.Connected, driver.Client.State);
        Assert.Equal(TlsCipherSuite.ChaCha20Poly1305Sha256, driver.Client.CipherSuite);
        ExchangeDataAndClose(driver, server);
    }

    [Fact]
    public void A_share_of_a_group_the_server_does_not_know_gets_a_hello_retry_request_and_a_second_client_hello()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var driver = new ClientDriver(NewClient(TestCertificates.EcdsaP256, null, new UnknownGroupKeyExchange(), new EcdhP256KeyExchange()),
            server.ToServer, server.FromServer);
        driver.Client.Start();

        driver.Handshake();

        Assert.Equal(TlsClientState.Connected, driver.Client.State);
        Assert.True(driver.Client.HelloRetried);
        Assert.Equal(0x0017, driver.Client.NamedGroup);
        ExchangeDataAndClose(driver, server);
    }

    [Fact]
    public void Alpn_selects_the_protocol_both_sides_know()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, applicationProtocols: ["mqtt"]);
        var options = new TlsClientOptions { HostName = TestCertificates.HostName, ApplicationProtocols = ["x-other", "mqtt"] };
        var driver = new ClientDriver(NewClient(TestCertificates.EcdsaP256, options), server.ToServer, server.FromServer);
        driver.Client.Start();

        driver.Handshake();

        Assert.Equal(TlsClientState.Connected, driver.Client.State);
        Assert.Equal("mqtt", driver.Client.ApplicationProtocol);
    }

    [Fact]
    public void The_record_size_limit_the_server_honours_bounds_every_record_it_sends()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var options = new TlsClientOptions { HostName = TestCertificates.HostName, RecordSize = 1024 };
        var driver = new ClientDriver(NewClient(TestCertificates.EcdsaP256, options), server.ToServer, server.FromServer);
        driver.Client.Start();
        driver.Handshake();

        byte[] data = Pattern(20000);

        Assert.Equal(data, driver.Echo(data));
        Assert.Equal(1024, driver.Client.SendLimit);
    }

    [Fact]
    public void A_certificate_request_is_answered_with_an_empty_certificate()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, requestClientCertificate: true);
        var driver = new ClientDriver(NewClient(TestCertificates.EcdsaP256), server.ToServer, server.FromServer);
        driver.Client.Start();

        driver.Handshake();

        Assert.Equal(TlsClientState.Connected, driver.Client.State);
        ExchangeDataAndClose(driver, server);
    }

    [Fact]
    public void A_certificate_the_authenticator_does_not_trust_ends_the_handshake_with_its_alert()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var driver = new ClientDriver(NewClient(TestCertificates.Rsa2048), server.ToServer, server.FromServer);
        driver.Client.Start();

        driver.Handshake();
        driver.Pump();

        Assert.Equal(TlsClientState.Failed, driver.Client.State);
        Assert.Equal(TlsError.CertificateRejected, driver.Client.LastError);
        Assert.Equal(TlsAlert.UnknownCa, driver.Client.AlertSent);
        var failure = Assert.ThrowsAny<Exception>(() => server.Session.Wait(10000));
        Assert.IsType<AuthenticationException>(failure.InnerException ?? failure, exactMatch: false);
    }

    [Fact]
    public void A_host_name_the_certificate_does_not_name_is_refused()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var options = new TlsClientOptions { HostName = "other.test" };
        var driver = new ClientDriver(NewClient(TestCertificates.EcdsaP256, options), server.ToServer, server.FromServer);
        driver.Client.Start();

        driver.Handshake();

        Assert.Equal(TlsError.CertificateRejected, driver.Client.LastError);
        Assert.Equal(TlsAlert.BadCertificate, driver.Client.AlertSent);
    }
}
