using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// A scripted TLS 1.2 server (RFC 5246 section 7.3): ServerHello, Certificate, ServerKeyExchange signed by the test
/// certificate's key over the client's random (RFC 8422 section 5.4), ServerHelloDone; each bad variant ends the handshake
/// with the alert the RFCs name, a good one gets the client's flight.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class Tls12MalformedInputTests
{
    private static readonly byte[] ServerRandom = Enumerable.Repeat((byte)0x5A, 32).ToArray();
    private static readonly byte[] Renegotiation = [0xFF, 0x01, 0, 1, 0];
    private static readonly byte[] Ems = [0, 0x17, 0, 0];

    private static (TlsClient Client, byte[] ClientRandom) Started(TlsClientOptions? options = null, ITlsServerAuthenticator? authenticator = null,
        X509Certificate2? certificate = null)
    {
        options ??= new TlsClientOptions();
        options.HostName = TestCertificates.HostName;
        var client = new TlsClient(options, new SeededEntropy(9), [new EcdhP256KeyExchange()],
            authenticator ?? new PinnedCertificateAuthenticator(certificate ?? TestCertificates.EcdsaP256));
        client.Start();
        byte[] hello = new byte[client.OutputCount];
        client.TakeOutput(hello, 0, hello.Length);
        return (client, hello[11..43]);
    }

    private static byte[] Record(int type, byte[] content) => [(byte)type, 3, 3, (byte)(content.Length >> 8), (byte)content.Length, .. content];

    private static byte[] Message(int type, byte[] body) => [(byte)type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];

    private static byte[] Vector24(byte[] data) => [(byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length, .. data];

    private static byte[] ServerHello(byte[] extensions, int suite = 0xC02B) => Message(2,
    [
        3, 3, .. ServerRandom, 0, (byte)(suite >> 8), (byte)suite, 0, (byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions,
    ]);

    private static byte[] Certificate(X509Certificate2 certificate) => Message(11, Vector24(Vector24(certificate.RawData)));

    private static byte[] ServerPoint()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ECParameters parameters = key.ExportParameters(false);
        return [4, .. parameters.Q.X!, .. parameters.Q.Y!];
    }

    /// <summary>ServerKeyExchange: named_curve <paramref name="curve"/>, the point, the scheme, the signature its key makes.</summary>
    private static byte[] ServerKeyExchange(byte[] clientRandom, byte[] point, int curve = 0x0017, int scheme = 0x0403, int pointLength = -1,
        X509Certificate2? certificate = null, bool corrupt = false)
    {
        byte[] parameters = [3, (byte)(curve >> 8), (byte)curve, (byte)(pointLength < 0 ? point.Length : pointLength), .. point];
        byte[] signed = [.. clientRandom, .. ServerRandom, .. parameters];
        certificate ??= TestCertificates.EcdsaP256;
        byte[] signature;
        using (ECDsa? ecdsa = certificate.GetECDsaPrivateKey())
        using (RSA? rsa = certificate.GetRSAPrivateKey())
        {
            signature = ecdsa != null
                ? ecdsa.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
                : rsa!.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        if (corrupt)
        {
            signature[^3] ^= 0x10;
        }

        return Message(12, [.. parameters, (byte)(scheme >> 8), (byte)scheme, (byte)(signature.Length >> 8), (byte)signature.Length, .. signature]);
    }

    private static void AssertAlert(TlsClient client, TlsError error, int alert)
    {
        Assert.Equal(TlsClientState.Failed, client.State);
        Assert.Equal(error, client.LastError);
        Assert.Equal(alert, client.AlertSent);
        byte[] output = new byte[client.OutputCount];
        client.TakeOutput(output, 0, output.Length);
        Assert.Equal(new byte[] { 21, 3, 3, 0, 2, 2, (byte)alert }, output);
    }

    private static void Feed(TlsClient client, params byte[][] messages)
    {
        byte[] record = Record(22, [.. messages.SelectMany(m => m)]);
        client.Feed(record, 0, record.Length);
    }

    [Fact]
    public void A_server_without_renegotiation_info_is_a_handshake_failure()
    {
        var (client, _) = Started();

        Feed(client, ServerHello([.. Ems]));

        AssertAlert(client, TlsError.HandshakeFailure, TlsAlert.HandshakeFailure);
    }

    [Fact]
    public void A_non_empty_renegotiated_connection_is_a_handshake_failure()
    {
        var (client, _) = Started();

        Feed(client, ServerHello([0xFF, 0x01, 0, 2, 1, 7, .. Ems]));

        AssertAlert(client, TlsError.HandshakeFailure, TlsAlert.HandshakeFailure);
    }

    [Fact]
    public void A_server_without_extended_master_secret_is_a_handshake_failure()
    {
        var (client, _) = Started();

        Feed(client, ServerHello([.. Renegotiation]));

        AssertAlert(client, TlsError.HandshakeFailure, TlsAlert.HandshakeFailure);
    }

    [Fact]
    public void Without_the_extended_master_secret_requirement_the_handshake_goes_on()
    {
        var (client, _) = Started(new TlsClientOptions { RequireExtendedMasterSecret = false });

        Feed(client, ServerHello([.. Renegotiation, 0, 11, 0, 2, 1, 0]));

        Assert.Equal(TlsClientState.Handshaking, client.State);
        Assert.Equal(0x0303, client.Version);
        Assert.False(client.ExtendedMasterSecret);
    }

    [Fact]
    public void Point_formats_without_uncompressed_are_an_illegal_parameter()
    {
        var (client, _) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems, 0, 11, 0, 2, 1, 1]));

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_tls12_suite_with_a_tls13_version_extension_is_an_illegal_parameter()
    {
        var (client, _) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems, 0, 43, 0, 2, 3, 3]));

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_tls13_suite_in_a_tls12_server_hello_is_an_illegal_parameter()
    {
        var (client, _) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems], 0x1301));

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_point_longer_than_its_message_is_a_decode_error()
    {
        var (client, random) = Started();
        byte[] point = ServerPoint();

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), Certificate(TestCertificates.EcdsaP256),
            ServerKeyExchange(random, point, pointLength: 255));

        AssertAlert(client, TlsError.DecodeError, TlsAlert.DecodeError);
    }

    [Fact]
    public void A_signed_point_not_on_the_curve_is_an_illegal_parameter()
    {
        var (client, random) = Started();
        byte[] point = [4, .. new byte[63], 1];

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), Certificate(TestCertificates.EcdsaP256), ServerKeyExchange(random, point));

        AssertAlert(client, TlsError.KeyExchangeFailed, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_bad_server_key_exchange_signature_is_a_decrypt_error()
    {
        var (client, random) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), Certificate(TestCertificates.EcdsaP256),
            ServerKeyExchange(random, ServerPoint(), corrupt: true));

        AssertAlert(client, TlsError.DecryptError, TlsAlert.DecryptError);
    }

    [Theory]
    [InlineData(0x001D, 0x0403)] // a group we did not offer
    [InlineData(0x0017, 0x0804)] // an RSA scheme in an ECDSA suite
    [InlineData(0x0017, 0x0201)] // rsa_pkcs1_sha1: never offered
    public void A_group_or_scheme_we_did_not_offer_is_an_illegal_parameter(int curve, int scheme)
    {
        var (client, random) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), Certificate(TestCertificates.EcdsaP256),
            ServerKeyExchange(random, ServerPoint(), curve, scheme));

        AssertAlert(client, TlsError.IllegalParameter, TlsAlert.IllegalParameter);
    }

    [Fact]
    public void A_server_hello_done_with_a_body_is_a_decode_error()
    {
        var (client, random) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), Certificate(TestCertificates.EcdsaP256),
            ServerKeyExchange(random, ServerPoint()), Message(14, [0]));

        AssertAlert(client, TlsError.DecodeError, TlsAlert.DecodeError);
    }

    [Fact]
    public void A_server_key_exchange_before_the_certificate_is_unexpected()
    {
        var (client, random) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), ServerKeyExchange(random, ServerPoint()));

        AssertAlert(client, TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
    }

    [Fact]
    public void A_hello_request_during_the_handshake_is_ignored()
    {
        var (client, _) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), Message(0, []));

        Assert.Equal(TlsClientState.Handshaking, client.State);
        Assert.Equal(0, client.OutputCount);
    }

    /// <summary>The client's flight after ServerHelloDone: ClientKeyExchange, change_cipher_spec, Finished (encrypted).</summary>
    private static void AssertFlight(TlsClient client)
    {
        Assert.True(client.State == TlsClientState.Handshaking, $"{client.LastError} alert {client.AlertSent}");
        byte[] output = new byte[client.OutputCount];
        client.TakeOutput(output, 0, output.Length);
        Assert.Equal(new byte[] { 22, 3, 3, 0, 70, 16, 0, 0, 66, 65, 4 }, output[..11]);
        Assert.Equal(new byte[] { 20, 3, 3, 0, 1, 1 }, output[75..81]);
        Assert.Equal(new byte[] { 22, 3, 3, 0, 8 + 16 + 16 }, output[81..86]);
        Assert.Equal(81 + 5 + 40, output.Length);
    }

    [Fact]
    public void A_good_flight_gets_the_client_s_and_a_server_hello_after_it_is_unexpected()
    {
        var (client, random) = Started();

        Feed(client, ServerHello([.. Renegotiation, .. Ems]), Certificate(TestCertificates.EcdsaP256),
            ServerKeyExchange(random, ServerPoint()), Message(14, []));
        AssertFlight(client);
        Feed(client, ServerHello([.. Renegotiation, .. Ems]));

        Assert.Equal(TlsClientState.Failed, client.State);
        Assert.Equal(TlsError.UnexpectedMessage, client.LastError);
    }

    [Fact]
    public void The_device_verifier_takes_an_rsa_pkcs1_server_key_exchange_signature()
    {
        var authenticator = DeviceCryptoInteropTests.DeviceAuthenticator(TestCertificates.Rsa2048);
        var (client, random) = Started(authenticator: authenticator);

        Feed(client, ServerHello([.. Renegotiation, .. Ems], 0xC02F), Certificate(TestCertificates.Rsa2048),
            ServerKeyExchange(random, ServerPoint(), scheme: 0x0401, certificate: TestCertificates.Rsa2048), Message(14, []));

        AssertFlight(client);
    }

    [Fact]
    public void The_device_verifier_refuses_a_bad_rsa_pkcs1_server_key_exchange_signature()
    {
        var authenticator = DeviceCryptoInteropTests.DeviceAuthenticator(TestCertificates.Rsa2048);
        var (client, random) = Started(authenticator: authenticator);

        Feed(client, ServerHello([.. Renegotiation, .. Ems], 0xC02F), Certificate(TestCertificates.Rsa2048),
            ServerKeyExchange(random, ServerPoint(), scheme: 0x0401, certificate: TestCertificates.Rsa2048, corrupt: true));

        AssertAlert(client, TlsError.DecryptError, TlsAlert.DecryptError);
    }
}
