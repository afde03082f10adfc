using System.Security.Cryptography;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// One session with the SslStream server, recorded: the client's entropy and ECDH key are fixed, so a new client with
/// the same ones sends the same ClientHello and the server's recorded bytes (its flight, tickets and application
/// records) answer it again. Replays need no server: the zero-allocation and mutation tests run on them.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class RecordedSession
{
    public const ulong Seed = 0x5EED;
    public const int ServerRecords = 16;
    public const int ServerRecordSize = 1000;

    private static readonly Lazy<RecordedSession> Instance = new(() => Record(false));
    private static readonly Lazy<RecordedSession> Tls12Instance = new(() => Record(true));

    private RecordedSession(byte[] serverBytes, byte[] clientShare, byte[] serverShare, byte[] secret)
    {
        ServerBytes = serverBytes;
        ClientShare = clientShare;
        ServerShare = serverShare;
        Secret = secret;
    }

    public static RecordedSession Default => Instance.Value;

    /// <summary>The same with the server forced to TLS 1.2 (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).</summary>
    public static RecordedSession Tls12 => Tls12Instance.Value;

    public static RecordedSession For(bool tls12) => tls12 ? Tls12 : Default;

    /// <summary>Everything the server sent: ServerHello, change_cipher_spec, its encrypted flight, tickets, application records.</summary>
    public byte[] ServerBytes { get; }

    public byte[] ClientShare { get; }

    public byte[] ServerShare { get; }

    public byte[] Secret { get; }

    public static TlsClientOptions Options() => new() { HostName = TestCertificates.HostName };

    /// <summary>
    /// A client that sends the recorded ClientHello each time <paramref name="entropy"/> is restarted before Start; its
    /// key exchange and entropy allocate nothing.
    /// </summary>
    public TlsClient NewClient(out SeededEntropy entropy)
    {
        entropy = new SeededEntropy(Seed);
        return new TlsClient(Options(), entropy, [new ReplayKeyExchange(0x0017, ClientShare, ServerShare, Secret)],
            new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
    }

    private static RecordedSession Record(bool tls12)
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var exchange = new EcdhP256KeyExchange(key);
        var suites = new System.Net.Security.TlsCipherSuite[1];
        suites[0] = tls12 ? System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 : System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256;
        var protocols = tls12 ? System.Security.Authentication.SslProtocols.Tls12 : System.Security.Authentication.SslProtocols.Tls13;
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, suites, protocols: protocols,
            session: async ssl =>
            {
                byte[] record = new byte[ServerRecordSize];
                for (int i = 0; i < ServerRecords; i++)
                {
                    record.AsSpan().Fill((byte)i);
                    await ssl.WriteAsync(record);
                }

                byte[] sink = new byte[4096];
                while (await ssl.ReadAsync(sink) > 0)
                {
                }
            });
        server.FromServer.Recording = [];
        var client = new TlsClient(Options(), new SeededEntropy(Seed), [exchange], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var driver = new ClientDriver(client, server.ToServer, server.FromServer);
        client.Start();
        byte[] clientShare = new byte[65];
        exchange.GenerateKeyShare(new SeededEntropy(1), clientShare, 0);
        driver.Handshake();
        byte[] received = new byte[ServerRecords * ServerRecordSize];
        int read = 0;
        driver.RunUntil(() => (read += client.Read(received, read, received.Length - read)) == received.Length);
        byte[] serverBytes = [.. server.FromServer.Recording];
        // ServerHello: record header 5, handshake header 4, version 2, random 32, session id 33, suite 2, compression 1,
        // then the extensions; find the key_share's 65-byte point by its 00 33 .. 00 17 00 41 04 prefix. TLS 1.2's is in
        // ServerKeyExchange, after the certificate: named_curve 03, secp256r1, length 65, 04.
        int share = tls12
            ? serverBytes.AsSpan(0, 4000).IndexOf(new byte[] { 0x03, 0x00, 0x17, 0x41, 0x04 }) + 4
            : serverBytes.AsSpan(0, 200).IndexOf(new byte[] { 0x00, 0x17, 0x00, 0x41, 0x04 }) + 4;
        return new RecordedSession(serverBytes, clientShare, serverBytes[share..(share + 65)], exchange.LastSharedSecret.ToArray());
    }
}
