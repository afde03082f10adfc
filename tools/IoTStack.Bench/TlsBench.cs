using System.Diagnostics;
using IoTStack.Crypto;
using IoTStack.Emulator.Memory;
using IoTStack.Net.Tls;
using IoTStack.TlsHarness;

namespace IoTStack.Bench;

/// <summary>
/// Figure 10 (issue 18): the TLS client on the desktop with the device's own crypto. Handshakes replay a server flight
/// recorded from .NET's SslStream (<see cref="ServerFlight"/>), so the time is the client's alone; records go through
/// the device AEADs; memory is what one client takes, on CoreCLR and on nanoCLR's terms (<see cref="NanoClrHeap"/>).
/// </summary>
public static class TlsBench
{
    public const int WarmUps = 40;

    public sealed record HandshakeTime(TlsCase Case, double MedianMilliseconds, int Runs);

    public sealed record Throughput(string Name, double MegabytesPerSecond);

    public sealed record Footprint(int RecordSize, int HandshakeBufferSize, long CoreClrBytes, long NanoClrBytes);

    /// <summary>
    /// The median of <paramref name="runs"/> full client handshakes per case, after <see cref="WarmUps"/> (the JIT compiles
    /// hot methods again, optimised, only after some 30 calls: fewer leave the figure to chance).
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static IEnumerable<HandshakeTime> Handshakes(int runs)
    {
        foreach (TlsCase @case in TlsCase.Handshakes)
        {
            ServerFlight flight = ServerFlight.Record(@case);
            TlsClient client = flight.NewClient(out HarnessEntropy entropy);
            var times = new List<double>();
            for (int run = -WarmUps; run < runs; run++)
            {
                var watch = Stopwatch.StartNew();
                Connect(client, entropy, flight);
                if (run >= 0)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            times.Sort();
            yield return new HandshakeTime(@case, times[times.Count / 2], runs);
        }
    }

    /// <summary>
    /// Per AEAD: 4,096-byte records written through a connected <see cref="TlsClient"/> (seal, framing, the send buffer),
    /// and the device AEAD alone sealing and opening records of the same size, <paramref name="megabytes"/> each.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static IEnumerable<Throughput> Records(int megabytes)
    {
        const int size = 4096;
        long total = megabytes * 1_000_000L;
        foreach (TlsCase @case in TlsCase.Records)
        {
            ServerFlight flight = ServerFlight.Record(@case);
            TlsClient client = flight.NewClient(out HarnessEntropy entropy);
            Connect(client, entropy, flight);
            byte[] data = new byte[size];
            yield return new Throughput($"{@case.AeadName}, TlsClient.Write (seal)", Rate(total, size, () =>
            {
                client.Write(data, 0, data.Length);
                client.OutputSent(client.OutputCount);
            }));

            IAead aead = @case.Aead == RecordAead.Aes128Gcm ? new AesGcmCipher(16) : new ChaCha20Poly1305Cipher();
            aead.SetKey(new byte[aead.KeySize], 0);
            byte[] nonce = new byte[aead.NonceSize];
            byte[] header = new byte[5];
            byte[] sealedRecord = new byte[size + aead.TagSize];
            byte[] opened = new byte[size];
            yield return new Throughput($"{@case.AeadName}, AEAD seal", Rate(total, size, () =>
                aead.Seal(nonce, 0, header, 0, header.Length, data, 0, size, sealedRecord, 0)));
            double open = Rate(total, size, () =>
            {
                if (!aead.Open(nonce, 0, header, 0, header.Length, sealedRecord, 0, sealedRecord.Length, opened, 0))
                {
                    throw new InvalidOperationException("a sealed record did not open");
                }
            });
            yield return new Throughput($"{@case.AeadName}, AEAD open", open);
        }
    }

    /// <summary>
    /// One client (both suites offered, one key exchange) per RecordSize x HandshakeBufferSize: bytes allocated by its
    /// construction on CoreCLR (after one construction took the ciphers' shared tables), and its object graph by nanoCLR's
    /// layout, the entropy source, key exchange and authenticator left out (a board has one each, shared).
    /// </summary>
    public static IEnumerable<Footprint> Footprints()
    {
        var entropy = new HarnessEntropy(1);
        ITlsKeyExchange[] groups = [new X25519KeyExchange()];
        var authenticator = new AcceptingAuthenticator();
        _ = new TlsClient(new TlsClientOptions { HostName = HarnessPki.HostName }, entropy, groups, authenticator);
        foreach (int recordSize in new[] { 16384, 4096, 1024 })
        {
            foreach (int handshake in new[] { 16384, 8192, 4096 })
            {
                var options = new TlsClientOptions { HostName = HarnessPki.HostName, RecordSize = recordSize, HandshakeBufferSize = handshake };
                long before = GC.GetAllocatedBytesForCurrentThread();
                var client = new TlsClient(options, entropy, groups, authenticator);
                long coreClr = GC.GetAllocatedBytesForCurrentThread() - before;
                long nano = new NanoClrHeap().Exclude(entropy, groups, groups[0], authenticator, options).Of(client).TotalBytes;
                yield return new Footprint(recordSize, handshake, coreClr, nano);
            }
        }
    }

    /// <summary>What the key exchanges and the device's certificate authenticator take (once per board), on nanoCLR's terms.</summary>
    public static long SharedNanoClrBytes()
    {
        var x25519 = new X25519KeyExchange();
        var p256 = new P256KeyExchange();
        var verifier = new Net.Tls.X509.SignatureVerifier();
        var validator = new Net.Tls.X509.CertificateValidator(verifier, 4, 2);
        return new NanoClrHeap().Of(x25519, p256, verifier, validator).TotalBytes;
    }

    /// <summary>The static tables of the crypto assemblies (AES S-boxes, curve constants), once per image, on nanoCLR's terms.</summary>
    public static long StaticNanoClrBytes() =>
        new NanoClrHeap().IncludeStatics(typeof(AesGcmCipher).Assembly, typeof(Crypto.PublicKey.X25519).Assembly, typeof(TlsClient).Assembly).Of().TotalBytes;

    /// <summary>MB/s of <paramref name="record"/> over <paramref name="total"/> bytes, after 4 MB of warm-up (the JIT's tiers).</summary>
    private static double Rate(long total, int size, Action record)
    {
        for (int done = 0; done < 4_000_000; done += size)
        {
            record();
        }

        var watch = Stopwatch.StartNew();
        for (long done = 0; done < total; done += size)
        {
            record();
        }

        return total / 1e6 / watch.Elapsed.TotalSeconds;
    }

    private static void Connect(TlsClient client, HarnessEntropy entropy, ServerFlight flight)
    {
        entropy.Restart();
        client.Start();
        client.OutputSent(client.OutputCount);
        client.Feed(flight.ServerBytes, 0, flight.HandshakeLength);
        client.OutputSent(client.OutputCount);
        if (client.State != TlsClientState.Connected)
        {
            throw new InvalidOperationException($"{flight.Case}: {client.State} {client.LastError}");
        }
    }
}
