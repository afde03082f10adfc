using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTStack.Boards.CommandLine;

namespace IoTStack.Boards.Tests;

/// <summary>
/// <c>--mqtt mqtts://HOST[:PORT]</c>, <c>--ca</c>, <c>--cert</c> and <c>--key</c> (issue 18 item 3): the scheme picks TLS
/// and its port, the files are read by the desktop parser into the settings the portable board builds from, and each
/// mistake is one line naming it.
/// </summary>
public sealed class MqttTlsCommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-mqtts-line-").FullName;
    private readonly string _ca;
    private readonly string _key;

    public MqttTlsCommandLineTests()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=command line test", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _ca = Path.Combine(_directory, "ca.pem");
        _key = Path.Combine(_directory, "board.key");
        File.WriteAllText(_ca, ca.ExportCertificatePem());
        File.WriteAllText(_key, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static BoardSettings Parse(params string[] args) => BoardCommandLine.Parse(args, _ => new BoardSettings()).Settings;

    [Fact]
    public void Mqtts_takes_port_8883_and_the_trust_anchors_from_the_ca_file()
    {
        var settings = Parse("--mqtt", "mqtts://192.0.2.1", "--ca", _ca);
        Assert.True(settings.MqttTls);
        Assert.Equal(8883, settings.MqttPort);
        Assert.Equal("192.0.2.1", settings.MqttBroker.ToString());
        Assert.Equal(File.ReadAllBytes(_ca), settings.MqttTrustAnchors);
        Assert.Null(settings.MqttClientCertificate);

        var named = Parse("--mqtt", "mqtts://broker.test:8884", "--ca", _ca, "--dns", "192.0.2.1", "--cert", _ca, "--key", _key);
        Assert.Equal("broker.test", named.MqttBrokerName);
        Assert.Equal(8884, named.MqttPort);
        Assert.NotNull(named.MqttClientCertificate);
        Assert.NotNull(named.MqttClientKey);

        var plain = Parse("--mqtt", "mqtt://192.0.2.1");
        Assert.False(plain.MqttTls);
        Assert.Equal(1883, plain.MqttPort);
    }

    [Fact]
    public void Each_mistake_is_named()
    {
        string missing = Path.Combine(_directory, "missing.pem");
        foreach (var (args, words) in new (string[], string)[]
        {
            (["--mqtt", "mqtts://192.0.2.1"], "--ca"),
            (["--mqtt", "192.0.2.1", "--ca", _ca], "mqtts"),
            (["--mqtt", "mqtts://192.0.2.1", "--ca", missing], "cannot read"),
            (["--mqtt", "mqtts://192.0.2.1", "--ca", _key], "CERTIFICATE"),
            (["--mqtt", "mqtts://192.0.2.1", "--ca", _ca, "--cert", _ca], "--cert and --key"),
            (["--mqtt", "mqtts://192.0.2.1", "--ca", _ca, "--key", _ca], "PRIVATE KEY"),
            (["--mqtt", "http://192.0.2.1"], "scheme"),
            (["--mqtt", "mqtts://192.0.2.1:0", "--ca", _ca], "bad MQTT broker"),
        })
        {
            var error = Assert.Throws<ArgumentException>(() => Parse(args));
            Assert.Contains(words, error.Message);
        }
    }

    [Fact]
    public void The_portable_settings_refuse_tls_without_anchors_and_a_certificate_without_its_key()
    {
        var settings = new BoardSettings { MqttTls = true };
        Assert.Contains("MqttTrustAnchors", Assert.Throws<ArgumentException>(settings.Validate).Message);
        settings.MqttTrustAnchors = File.ReadAllBytes(_ca);
        settings.Validate();
        settings.MqttClientCertificate = settings.MqttTrustAnchors;
        Assert.Contains("MqttClientKey", Assert.Throws<ArgumentException>(settings.Validate).Message);
    }
}
