using System.Security.Cryptography.X509Certificates;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.X509;
using SystemSuite = System.Net.Security.TlsCipherSuite;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// The client with nothing of .NET's crypto on its side against SslStream (OpenSSL): the device's X25519 and P-256 key
/// exchange, its SHA-2, AEADs, and certificate validation (the certificate as the trust anchor, the host name, the wall
/// clock a NetStack keeps as SNTP would set it) with its own RSA-PSS and ECDSA verification.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DeviceCryptoInteropTests
{
    private static (TlsClient Client, CertificateAuthenticator Authenticator) DeviceClient(X509Certificate2 anchor, bool clockSet, string host, params ITlsKeyExchange[] groups)
    {
        var authenticator = DeviceAuthenticator(anchor, clockSet);
        var client = new TlsClient(new TlsClientOptions { HostName = host }, new SeededEntropy((ulong)Environment.TickCount64), groups, authenticator);
        return (client, authenticator);
    }

    /// <summary>The device's X.509 validation and signature checks with <paramref name="anchor"/> as the one trust anchor.</summary>
    internal static CertificateAuthenticator DeviceAuthenticator(X509Certificate2 anchor, bool clockSet = true)
    {
        var net = new NetStack(new NetStackOptions(), new LoopbackDevice(new IoTStack.Net.Wire.MacAddress(2, 0, 0, 0, 0, 2), 4), new SystemClock());
        if (clockSet)
        {
            net.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }

        var verifier = new SignatureVerifier();
        var validator = new CertificateValidator(verifier, 4, 2);
        byte[] der = anchor.RawData;
        Assert.Equal(CertificateError.None, validator.AddTrustAnchor(der, 0, der.Length));
        return new CertificateAuthenticator(validator, verifier, net);
    }

    public static TheoryData<string, int> Cases => new()
    {
        { "ecdsa-p256 aes128gcm", 0x001D },
        { "ecdsa-p256 aes128gcm", 0x0017 },
        { "rsa-2048 chacha20", 0x001D },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_device_crypto_completes_a_handshake_and_moves_data(string kind, int group)
    {
        bool rsa = kind.StartsWith("rsa", StringComparison.Ordinal);
        X509Certificate2 certificate = rsa ? TestCertificates.Rsa2048 : TestCertificates.EcdsaP256;
        using var server = new SslStreamServer(certificate, [rsa ? SystemSuite.TLS_CHACHA20_POLY1305_SHA256 : SystemSuite.TLS_AES_128_GCM_SHA256]);
        ITlsKeyExchange exchange = group == 0x001D ? new X25519KeyExchange() : new P256KeyExchange();
        var (client, authenticator) = DeviceClient(certificate, true, TestCertificates.HostName, exchange);
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        Assert.True(client.State == TlsClientState.Connected, $"{client.State} {client.LastError} alert {client.AlertSent}/{client.AlertReceived}, certificate {authenticator.LastError}");
        Assert.Equal(group, client.NamedGroup);
        byte[] data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        Assert.Equal(data, driver.Echo(data));
    }

    [Theory]
    [InlineData(0xC02B, 0x001D)]
    [InlineData(0xCCA8, 0x0017)]
    public void The_device_crypto_completes_a_tls12_handshake_and_moves_data(int suite, int group)
    {
        bool rsa = suite == 0xCCA8;
        X509Certificate2 certificate = rsa ? TestCertificates.Rsa2048 : TestCertificates.EcdsaP256;
        using var server = new SslStreamServer(certificate, [(SystemSuite)suite], protocols: System.Security.Authentication.SslProtocols.Tls12);
        // X25519 for the exchange, P-256 listed too: TLS 1.2 needs the ECDSA certificate's curve in supported_groups (RFC 8422 section 5.1.1).
        ITlsKeyExchange[] groups = group == 0x001D ? [new X25519KeyExchange(), new P256KeyExchange()] : [new P256KeyExchange()];
        var (client, authenticator) = DeviceClient(certificate, true, TestCertificates.HostName, groups);
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        Assert.True(client.State == TlsClientState.Connected, $"{client.State} {client.LastError} alert {client.AlertSent}/{client.AlertReceived}, certificate {authenticator.LastError}");
        Assert.Equal(0x0303, client.Version);
        Assert.Equal(suite, client.CipherSuite);
        Assert.Equal(group, client.NamedGroup);
        byte[] data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        Assert.Equal(data, driver.Echo(data));
    }

    [Theory]
    [InlineData(false, TestCertificates.HostName, CertificateError.ClockNotSet)]
    [InlineData(true, "other.test", CertificateError.NameMismatch)]
    public void The_device_refuses_what_it_cannot_check(bool clockSet, string host, CertificateError expected)
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, [SystemSuite.TLS_AES_128_GCM_SHA256]);
        var (client, authenticator) = DeviceClient(TestCertificates.EcdsaP256, clockSet, host, new X25519KeyExchange());
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        Assert.NotEqual(TlsClientState.Connected, client.State);
        Assert.Equal(expected, authenticator.LastError);
    }
}
