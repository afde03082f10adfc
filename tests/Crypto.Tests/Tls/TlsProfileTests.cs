using System.Text;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tls;
using IoTStack.Net.Wire;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// TlsProfile, the one-call TLS engine a board builds from PEM trust anchors: every PEM block becomes an anchor, a
/// handshake through it reaches SslStream (OpenSSL) with the device's own crypto, and anchors that are missing or
/// unreadable are refused when the board is built, not at the first handshake.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsProfileTests
{
    private static NetStack Stack()
    {
        var net = new NetStack(new NetStackOptions(), new LoopbackDevice(new MacAddress(2, 0, 0, 0, 0, 2), 4), new SystemClock());
        net.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return net;
    }

    private static byte[] Pem(params System.Security.Cryptography.X509Certificates.X509Certificate2[] certificates) =>
        Encoding.ASCII.GetBytes("anchors for a test\n" + string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")));

    [Fact]
    public void Every_pem_block_is_an_anchor_and_the_handshake_completes_against_the_second()
    {
        using var server = new SslStreamServer(TestCertificates.Rsa2048);
        var net = Stack();
        var tcp = new TcpPipeEngine(server.ToServer, server.FromServer);
        var profile = TlsProfile.Create(tcp, net, net.Clock, new SeededEntropy(3), TestCertificates.HostName,
            Pem(TestCertificates.EcdsaP256, TestCertificates.Rsa2048), null, 4096);
        Assert.Equal(2, profile.TrustAnchorCount);

        var engine = profile.Engine;
        Assert.Equal(SocketResult.Success, engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        SocketResult result;
        while ((result = engine.Connect(socket, new IPv4Address(10, 0, 0, 1), 8883)) == SocketResult.WouldBlock && DateTime.UtcNow < deadline)
        {
            engine.Poll();
        }

        Assert.Equal(SocketResult.Success, result);
        Assert.Equal(TlsClientState.Connected, profile.Client.State);
        Assert.Equal("1.3", TlsNames.VersionOf(profile.Client.CipherSuite));
        Assert.Equal("None", TlsNames.NameOf(profile.Authenticator.LastError));
    }

    [Fact]
    public void Missing_or_unreadable_anchors_are_refused_when_the_board_is_built()
    {
        var net = Stack();
        var tcp = new TcpPipeEngine(new MemoryPipe(), new MemoryPipe());
        TlsProfile Build(string pem) => TlsProfile.Create(tcp, net, net.Clock, new SeededEntropy(3), "broker.test", Encoding.ASCII.GetBytes(pem), null, 4096);

        Assert.Contains("no trust anchor", Assert.Throws<ArgumentException>(() => Build("not a certificate")).Message);
        Assert.Contains("cannot be read", Assert.Throws<ArgumentException>(() => Build("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n")).Message);
        Assert.Contains("Malformed", Assert.Throws<ArgumentException>(() => Build("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")).Message);
        string five = Encoding.ASCII.GetString(Pem(Enumerable.Repeat(TestCertificates.EcdsaP256, 5).ToArray()));
        Assert.Contains("more than 4", Assert.Throws<ArgumentException>(() => Build(five)).Message);
    }
}
