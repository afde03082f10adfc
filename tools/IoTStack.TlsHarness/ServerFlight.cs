using System.Net.Security;
using System.Security.Authentication;
using IoTStack.Net.Tls;
using SystemSuite = System.Net.Security.TlsCipherSuite;

namespace IoTStack.TlsHarness;

/// <summary>
/// What a real server (.NET's SslStream, OpenSSL on Linux, in memory) sent a device client of one <see cref="TlsCase"/>
/// and seed: ServerHello, change_cipher_spec, the encrypted flight, its session tickets and one application record of
/// <see cref="ApplicationBytes"/>. A new client of the same case and seed sends the same ClientHello, so the bytes answer
/// it again, with no server: the precomputed server of the cost model, the bench and the fuzzer.
/// </summary>
public sealed record ServerFlight(TlsCase Case, ulong Seed, byte[] Anchor, long NowSeconds, byte[] ServerBytes, int HandshakeLength, int ApplicationOffset)
{
    public const int ApplicationBytes = 1024;

    /// <summary>The client's key share in the recorded ClientHello (set by <see cref="Record"/>).</summary>
    public byte[] ClientShare { get; init; } = [];

    /// <summary>The (EC)DHE secret of the recorded session (set by <see cref="Record"/>), for <see cref="FixedKeyExchange"/>.</summary>
    public byte[] SharedSecret { get; init; } = [];

    /// <summary>Records a session with SslStream; throws when the handshake does not complete.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static ServerFlight Record(TlsCase @case, ulong seed = DeviceClient.DefaultSeed)
    {
        HarnessPki.Pair pki = HarnessPki.For(@case.Signature);
        var toServer = new BytePipe();
        var fromServer = new BytePipe();
        using var ssl = new SslStream(new PipeStream(toServer, fromServer));
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = pki.Server,
            EnabledSslProtocols = @case.Version == 0x0304 ? SslProtocols.Tls13 : SslProtocols.Tls12,
            CipherSuitesPolicy = new CipherSuitesPolicy([Suite(@case)]),
        };
        var server = Task.Run(() =>
        {
            ssl.AuthenticateAsServer(options);
            byte[] record = new byte[ApplicationBytes];
            for (int i = 0; i < record.Length; i++)
            {
                record[i] = (byte)(i * 7 + 3);
            }

            ssl.Write(record);
            ssl.Flush();
            byte[] sink = new byte[4096];
            while (ssl.Read(sink) > 0)
            {
            }
        });

        var entropy = new HarnessEntropy(seed);
        var exchange = new RecordingKeyExchange(DeviceClient.KeyExchange(@case));
        var client = new TlsClient(DeviceClient.Options(@case), entropy, [exchange], DeviceClient.Authenticator(pki.Anchor, HarnessPki.Now));
        client.Start();
        byte[] scratch = new byte[64 * 1024];
        byte[] data = new byte[ApplicationBytes];
        int read = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (read < ApplicationBytes && client.State != TlsClientState.Failed)
        {
            if (DateTime.UtcNow > deadline || server.IsFaulted)
            {
                throw new InvalidOperationException($"{@case}: no session ({client.State}, {client.LastError}, alert {client.AlertSent}/{client.AlertReceived}): {server.Exception?.GetBaseException().Message}");
            }

            while (client.OutputCount > 0)
            {
                int taken = client.TakeOutput(scratch, 0, scratch.Length);
                toServer.Write(scratch.AsSpan(0, taken));
            }

            int got = fromServer.Read(scratch, 5);
            if (got > 0)
            {
                client.Feed(scratch, 0, got);
            }

            read += client.Read(data, read, data.Length - read);
        }

        if (client.State != TlsClientState.Connected)
        {
            throw new InvalidOperationException($"{@case}: {client.State} {client.LastError} alert {client.AlertSent}/{client.AlertReceived}");
        }

        byte[] bytes = fromServer.Recorded();
        toServer.Complete();
        fromServer.Complete();
        return FromBytes(@case, seed, pki.Anchor, HarnessPki.Now, bytes) with { ClientShare = exchange.LastShare, SharedSecret = exchange.LastSecret };
    }

    /// <summary>
    /// A flight from its bytes: replayed once, record by record, into a new client to find where the handshake ends (the
    /// client is Connected) and where the last record, the application data, starts.
    /// </summary>
    public static ServerFlight FromBytes(TlsCase @case, ulong seed, byte[] anchor, long nowSeconds, byte[] bytes)
    {
        TlsClient client = DeviceClient.Create(@case, new HarnessEntropy(seed), DeviceClient.Authenticator(anchor, nowSeconds));
        client.Start();
        client.OutputSent(client.OutputCount);
        int at = 0;
        int handshake = -1;
        int last = 0;
        while (at < bytes.Length)
        {
            int end = RecordEnd(bytes, at);
            client.Feed(bytes, at, end - at);
            client.OutputSent(client.OutputCount);
            last = at;
            at = end;
            if (handshake < 0 && client.State == TlsClientState.Connected)
            {
                handshake = at;
            }
        }

        if (handshake < 0)
        {
            throw new InvalidOperationException($"{@case}: the recorded flight does not complete a handshake ({client.State} {client.LastError})");
        }

        return new ServerFlight(@case, seed, anchor, nowSeconds, bytes, handshake, last);
    }

    /// <summary>The end of the record at <paramref name="at"/> (5-byte header, RFC 8446 section 5.1), clipped to the bytes.</summary>
    public static int RecordEnd(byte[] bytes, int at) =>
        at + 5 > bytes.Length ? bytes.Length : Math.Min(bytes.Length, at + 5 + ((bytes[at + 3] << 8) | bytes[at + 4]));

    /// <summary>A new client (not started) whose ClientHello <see cref="ServerBytes"/> answer, with the device's authenticator.</summary>
    public TlsClient NewClient(out HarnessEntropy entropy)
    {
        entropy = new HarnessEntropy(Seed);
        TlsClient client = DeviceClient.Create(Case, entropy, DeviceClient.Authenticator(Anchor, NowSeconds));
        return client;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static SystemSuite Suite(TlsCase @case)
    {
        bool aes = @case.Aead == RecordAead.Aes128Gcm;
        if (@case.Version == 0x0304)
        {
            return aes ? SystemSuite.TLS_AES_128_GCM_SHA256 : SystemSuite.TLS_CHACHA20_POLY1305_SHA256;
        }

        return @case.Signature == ServerSignature.EcdsaP256
            ? (aes ? SystemSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 : SystemSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
            : (aes ? SystemSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 : SystemSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);
    }
}
