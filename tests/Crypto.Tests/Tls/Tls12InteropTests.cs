using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls;
using SystemSuite = System.Net.Security.TlsCipherSuite;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// The client's TLS 1.2 (RFC 5246) against SslStream (OpenSSL 3) forced to TLS 1.2: each ECDHE AEAD suite, both groups,
/// ECDSA and RSA certificates; the downgrade sentinel (RFC 8446 section 4.1.3) and renegotiation refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class Tls12InteropTests
{
    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 13 + (i >> 8))).ToArray();

    private static bool Ended(Task session) => session.Wait(10000);

    /// <summary>
    /// The key exchanges for <paramref name="group"/>. With an ECDSA certificate TLS 1.2 needs its curve in
    /// supported_groups too (RFC 8422 section 5.1.1; OpenSSL answers handshake_failure otherwise), so X25519 goes first
    /// with P-256 behind it.
    /// </summary>
    private static ITlsKeyExchange[] Groups(int group) =>
        group == 0x001D ? [new X25519KeyExchange(), new EcdhP256KeyExchange()] : [new EcdhP256KeyExchange()];

    private static ITlsKeyExchange[] X25519First => Groups(0x001D);

    private static bool IsRsa(int suite) => suite == TlsCipherSuite.EcdheRsaAes128GcmSha256 || suite == TlsCipherSuite.EcdheRsaChaCha20Poly1305Sha256;

    public static TheoryData<int, int> Suites()
    {
        var data = new TheoryData<int, int>();
        foreach (int suite in new[] { 0xC02B, 0xC02F, 0xCCA9, 0xCCA8 })
        {
            data.Add(suite, 0x001D);
            data.Add(suite, 0x0017);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Each_suite_and_group_completes_a_tls12_handshake_moves_data_and_closes(int suite, int group)
    {
        X509Certificate2 certificate = IsRsa(suite) ? TestCertificates.Rsa2048 : TestCertificates.EcdsaP256;
        using var server = new SslStreamServer(certificate, [(SystemSuite)suite], protocols: SslProtocols.Tls12);
        var authenticator = new PinnedCertificateAuthenticator(certificate);
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy((ulong)(suite * group)),
            Groups(group), authenticator);
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        Assert.True(client.State == TlsClientState.Connected, $"{client.LastError} alert {client.AlertSent}/{client.AlertReceived}");
        Assert.Equal(0x0303, client.Version);
        Assert.Equal(suite, client.CipherSuite);
        Assert.Equal(group, client.NamedGroup);
        Assert.True(client.ExtendedMasterSecret);
        int scheme = Assert.Single(authenticator.SignatureSchemes);
        Assert.Equal(IsRsa(suite), new[] { 0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806 }.Contains(scheme));
        foreach (int length in new[] { 1, 4096, 50 * 1024 })
        {
            byte[] data = Pattern(length);
            Assert.Equal(data, driver.Echo(data));
        }

        client.Close();
        driver.RunUntil(() => client.State != TlsClientState.Connected);
        Assert.Equal(TlsClientState.Closed, client.State);
        Assert.True(client.PeerClosed);
        Assert.True(Ended(server.Session));
    }

    [Fact]
    public void A_tls12_only_client_accepts_the_downgrade_mark_of_a_server_that_also_speaks_tls13()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, protocols: SslProtocols.Tls12 | SslProtocols.Tls13);
        var options = new TlsClientOptions { HostName = TestCertificates.HostName, MaximumVersion = 0x0303 };
        var client = new TlsClient(options, new SeededEntropy(21), X25519First, new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        Assert.Equal(TlsClientState.Connected, client.State);
        Assert.Equal(0x0303, client.Version);
        Assert.Equal(Pattern(100), driver.Echo(Pattern(100)));
    }

    [Fact]
    public void A_server_offering_both_versions_gets_tls13()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, protocols: SslProtocols.Tls12 | SslProtocols.Tls13);
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(22), X25519First,
            new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        Assert.Equal(TlsClientState.Connected, client.State);
        Assert.Equal(0x0304, client.Version);
    }

    [Fact]
    public void A_record_size_of_1024_bounds_the_tls12_server_s_records()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, protocols: SslProtocols.Tls12);
        var options = new TlsClientOptions { HostName = TestCertificates.HostName, RecordSize = 1024 };
        var client = new TlsClient(options, new SeededEntropy(23), X25519First, new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();
        driver.Handshake();

        byte[] data = Pattern(20000);

        Assert.Equal(data, driver.Echo(data));
        Assert.Equal(1024, client.SendLimit);
    }

    [Fact]
    public void The_downgrade_sentinel_in_a_tls12_server_hello_is_refused_before_anything_else()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, protocols: SslProtocols.Tls12);
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(24), X25519First,
            new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        client.Start();
        byte[] hello = new byte[client.OutputCount];
        client.TakeOutput(hello, 0, hello.Length);
        server.ToServer.Write(hello);
        byte[] flight = new byte[64 * 1024];
        int received = 0;
        for (int i = 0; i < 200 && received < 44; i++)
        {
            received += server.FromServer.Read(flight.AsSpan(received), 50);
        }

        // Record header 5, handshake header 4, server_version 2, then the random: its last 8 bytes become "DOWNGRD" 01.
        Assert.Equal(0x0303, (flight[9] << 8) | flight[10]);
        new byte[] { 0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01 }.CopyTo(flight, 35);
        client.Feed(flight, 0, received);

        Assert.Equal(TlsClientState.Failed, client.State);
        Assert.Equal(TlsError.Downgrade, client.LastError);
        Assert.Equal(0, client.Version);
        byte[] output = new byte[client.OutputCount];
        client.TakeOutput(output, 0, output.Length);
        Assert.Equal(new byte[] { 21, 3, 3, 0, 2, 2, TlsAlert.IllegalParameter }, output);
    }

    [Fact]
    public void A_tls13_only_client_and_a_tls12_server_end_with_protocol_version()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, protocols: SslProtocols.Tls12);
        var options = new TlsClientOptions { HostName = TestCertificates.HostName, MinimumVersion = 0x0304 };
        var client = new TlsClient(options, new SeededEntropy(25), X25519First, new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();

        driver.Handshake();

        // OpenSSL finds no version of the client's supported_versions it speaks and says so itself.
        Assert.Equal(TlsClientState.Failed, client.State);
        Assert.True(client.AlertReceived == TlsAlert.ProtocolVersion || client.AlertSent == TlsAlert.ProtocolVersion,
            $"{client.LastError} alert {client.AlertSent}/{client.AlertReceived}");
        Assert.ThrowsAny<Exception>(() => server.Session.Wait(10000));
    }

    [Fact]
    public void A_hello_request_is_answered_with_no_renegotiation()
    {
        Exception? renegotiation = null;
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, protocols: SslProtocols.Tls12, session: async ssl =>
        {
            try
            {
                if (OperatingSystem.IsLinux())
                {
                    await Renegotiation.Request(ssl);
                }
            }
            catch (Exception e)
            {
                renegotiation = e;
            }
        });
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(26), X25519First,
            new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();
        driver.Handshake();
        Assert.Equal(TlsClientState.Connected, client.State);

        driver.RunUntil(() => client.RenegotiationsRefused > 0 || client.State != TlsClientState.Connected);
        for (int i = 0; i < 20; i++)
        {
            driver.Pump();
        }

        Assert.Equal(1, client.RenegotiationsRefused);
        Assert.True(Ended(server.Session));
        Assert.NotNull(renegotiation);
    }
}

/// <summary>SslStream's NegotiateClientCertificateAsync, which on Linux renegotiates a TLS 1.2 session: the server sends HelloRequest.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class Renegotiation
{
    public static Task Request(System.Net.Security.SslStream ssl) => ssl.NegotiateClientCertificateAsync();
}
