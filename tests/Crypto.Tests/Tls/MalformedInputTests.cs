using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>Hand-made bad server messages: each ends the handshake with the alert RFC 8446 names, never an exception.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MalformedInputTests
{
    private static readonly byte[] HelloRetryRandom = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

    private static (TlsClient Client, byte[] SessionId) Started(params ITlsKeyExchange[] groups) => Started(new TlsClientOptions(), groups);

    private static (TlsClient Client, byte[] SessionId) Started(TlsClientOptions options, params ITlsKeyExchange[] groups)
    {
        options.HostName = TestCertificates.HostName;
        var client = new TlsClient(options, new SeededEntropy(7),
            groups.Length == 0 ? [new UnknownGroupKeyExchange(), new EcdhP256KeyExchange()] : groups,
            new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        client.Start();
        byte[] hello = new byte[client.OutputCount];
        client.TakeOutput(hello, 0, hello.Length);
        return (client, hello[(5 + 4 + 2 + 32 + 1)..(5 + 4 + 2 + 32 + 1 + 32)]);
    }

    /// <summary>A ServerHello (or HelloRetryRequest) record with the given random, session id, suite and extensions.</summary>
    private static byte[] ServerHello(byte[] random, byte[] sessionId, int suite, byte[] extensions, int legacyVersion = 0x0303)
    {
        byte[] body =
        [
            (byte)(legacyVersion >> 8), (byte)legacyVersion, .. random, (byte)sessionId.Length, .. sessionId,
            (byte)(suite >> 8), (byte)suite, 0, (byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions,
        ];
        return Record(22, [2, 0, (byte)(body.Length >> 8), (byte)body.Length, .. body]);
    }

    private static byte[] Record(int type, byte[] content) => [(byte)type, 3, 3, (byte)(content.Length >> 8), (byte)content.Length, .. content];

    private static readonly byte[] SupportedVersions13 = [0, 43, 0, 2, 3, 4];

    private static byte[] SelectedGroup(int group) => [0, 51, 0, 2, (byte)(group >> 8), (byte)group];

    private static void AssertAlert(TlsClient client, TlsError error, int alert)
    {
        Assert.Equal(TlsClientState.Failed, client.State);
        Assert.Equal(error, client.LastError);
        Assert.Equal(alert, client.AlertSent);
        byte[] output = new byte[client.OutputCount];
        client.TakeOutput(output, 0, output.Length);
        Assert.Equal(new byte[] { 21, 3, 3, 0, 2, 2, (byte)alert }, output); // plaintext: no keys yet
    }

    [Fact]
    public void A_record_longer_than_the_receive_buffer_is_a_record_overflow()
    {
        var (client, _) = Started();

        client.Feed([22, 3, 3, 0x40, 0x01], 0, 5);

        AssertAlert(client, TlsError.RecordOverflow, TlsAlert.RecordOverflow);
    }

    [Fact]
    public void A_truncated_record_waits_for_the_rest()
    {
        var (client, sessionId) = Started();
        byte[] hello = ServerHello(HelloRetryRandom, sessionId, 0x1301, [.. SupportedVersions13, .. SelectedGroup(0x17)]);

        client.Feed(hello, 0, hello.Length - 1);

        Assert.Equal(TlsClientState.Handshaking, client.State);
        Assert.Equal(0, client.OutputCount);
        client.Feed(hello, hello.Length - 1, 1);
        Assert.True(client.HelloRetried);
        Assert.True(client.OutputCount > 0);
    }

    [Fact]
    public void A_message_before_server_hello_is_unexpected()
    {
        var (client, _) = Started();

        client.Feed(Record(22, [8, 0, 0, 2, 0, 0]), 0, 11);

        AssertAlert(client, TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
    }

    [Fact]
    public void Application_data_before_the_handshake_is_unexpected()
    {
        var (client, _) = Started();

        client.Feed(Record(23, [1, 2, 3]), 0, 8);

        AssertAlert(client, TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
    }

    [Fact]
    public void An_empty_handshake_record_is_unexpected()
    {
        var (client, _) = Started();

        client.Feed(Record(22, []), 0, 5);

        AssertAlert(client, TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
    }

    [Fact]
    public void A_server_hello_whose_extensions_overrun_it_is_a_decode_error()
    {
        var (client, sessionId) = Started();
        byte[] hello = ServerHello(new byte[32], sessionId, 0x1301, [0, 43, 0, 9, 3, 4]);

        client.Feed(hello, 0, hello.Length);

        AssertAlert(client, TlsError.DecodeError, TlsAlert.DecodeError);
    }

    [Fact]
    public void A_server_hello_not_echoing_our_session_id_is_an_illegal_parameter()
    {
        var (client, sessionId) = Started();
        sessionId[0] ^= 1;
        byte[] hello = ServerHello(new byte[32], sessionId, 0x1301, [.. SupportedVersions13, 0, 51, 0, 4, 0, 0x17, 0, 0]);

        client.Feed(hello, 0, hello.Length);

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_tls12_server_hello_to_a_tls13_only_client_is_a_protocol_version_error()
    {
        var (client, sessionId) = Started(new TlsClientOptions { MinimumVersion = 0x0304 });
        byte[] hello = ServerHello(new byte[32], sessionId, 0xC02F, [0xFF, 0x01, 0, 1, 0]);

        client.Feed(hello, 0, hello.Length);

        AssertAlert(client, TlsError.ProtocolVersion, TlsAlert.ProtocolVersion);
    }

    [Fact]
    public void A_tls12_server_hello_with_the_downgrade_sentinel_is_an_illegal_parameter()
    {
        var (client, sessionId) = Started();
        byte[] random = [.. new byte[24], 0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01];
        byte[] hello = ServerHello(random, sessionId, 0xC02F, []);

        client.Feed(hello, 0, hello.Length);

        AssertAlert(client, TlsError.Downgrade, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_suite_we_did_not_offer_is_an_illegal_parameter()
    {
        var (client, sessionId) = Started();
        byte[] hello = ServerHello(HelloRetryRandom, sessionId, 0x1302, [.. SupportedVersions13, .. SelectedGroup(0x17)]);

        client.Feed(hello, 0, hello.Length);

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_server_hello_extension_we_did_not_offer_is_unsupported()
    {
        var (client, sessionId) = Started();
        byte[] hello = ServerHello(new byte[32], sessionId, 0x1301, [.. SupportedVersions13, 0, 16, 0, 0]);

        client.Feed(hello, 0, hello.Length);

        AssertAlert(client, TlsError.UnsupportedExtension, TlsAlert.UnsupportedExtension);
    }

    [Fact]
    public void A_retry_for_a_group_we_did_not_offer_is_an_illegal_parameter()
    {
        var (client, sessionId) = Started();
        byte[] retry = ServerHello(HelloRetryRandom, sessionId, 0x1301, [.. SupportedVersions13, .. SelectedGroup(0x18)]);

        client.Feed(retry, 0, retry.Length);

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_retry_for_the_group_already_sent_is_an_illegal_parameter()
    {
        var (client, sessionId) = Started();
        byte[] retry = ServerHello(HelloRetryRandom, sessionId, 0x1301, [.. SupportedVersions13, .. SelectedGroup(0xFE42)]);

        client.Feed(retry, 0, retry.Length);

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_second_hello_retry_request_is_unexpected()
    {
        var (client, sessionId) = Started();
        byte[] retry = ServerHello(HelloRetryRandom, sessionId, 0x1301, [.. SupportedVersions13, .. SelectedGroup(0x17)]);
        client.Feed(retry, 0, retry.Length);
        byte[] second = new byte[client.OutputCount];
        client.TakeOutput(second, 0, second.Length);
        Assert.Equal(3, second[2]); // the second ClientHello's record version is 0x0303 (section 5.1)

        client.Feed(retry, 0, retry.Length);

        AssertAlert(client, TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
    }

    [Fact]
    public void An_alert_of_three_bytes_is_a_decode_error()
    {
        var (client, _) = Started();

        client.Feed(Record(21, [2, 40, 0]), 0, 8);

        AssertAlert(client, TlsError.DecodeError, TlsAlert.DecodeError);
    }

    [Fact]
    public void A_fatal_alert_from_the_server_ends_the_handshake_without_an_answer()
    {
        var (client, _) = Started();

        client.Feed(Record(21, [2, 40]), 0, 7);

        Assert.Equal(TlsClientState.Failed, client.State);
        Assert.Equal(TlsError.PeerAlert, client.LastError);
        Assert.Equal(TlsAlert.HandshakeFailure, client.AlertReceived);
        Assert.Equal(0, client.OutputCount);
    }

    [Fact]
    public void A_change_cipher_spec_other_than_one_byte_of_1_is_unexpected()
    {
        var (client, _) = Started();

        client.Feed(Record(20, [2]), 0, 6);

        AssertAlert(client, TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
    }
}
