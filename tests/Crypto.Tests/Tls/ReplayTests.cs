using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>The recorded SslStream session replayed: the engine alone, measured for allocation and fed damaged input.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReplayTests
{
    private static readonly byte[] Sink = new byte[64 * 1024];
    private static readonly byte[] Payload = new byte[3000];

    /// <summary>Handshake, all the server's records read, application data written; false on any surprise.</summary>
    private static bool Replay(TlsClient client, SeededEntropy entropy, byte[] serverBytes, int chunk) =>
        Run(client, entropy, serverBytes, chunk) == 0;

    /// <summary>0, or what went wrong: 1 stuck, 2 not connected, 3 data read short, 4 data written short.</summary>
    private static int Run(TlsClient client, SeededEntropy entropy, byte[] serverBytes, int chunk)
    {
        entropy.Restart();
        client.Start();
        client.OutputSent(client.OutputCount);
        int fed = 0;
        int read = 0;
        while (fed < serverBytes.Length && client.State != TlsClientState.Failed)
        {
            int length = Math.Min(chunk, serverBytes.Length - fed);
            int taken = client.Feed(serverBytes, fed, length);
            fed += taken;
            int got = client.Read(Sink, 0, Sink.Length);
            read += got;
            client.OutputSent(client.OutputCount);
            if (taken == 0 && got == 0 && client.State != TlsClientState.Failed)
            {
                return 1;
            }
        }

        int more;
        while ((more = client.Read(Sink, 0, Sink.Length)) > 0)
        {
            read += more;
        }

        int written = client.Write(Payload, 0, Payload.Length);
        client.OutputSent(client.OutputCount);
        return client.State != TlsClientState.Connected ? 2
            : (read != RecordedSession.ServerRecords * RecordedSession.ServerRecordSize ? 3 : (written != Payload.Length ? 4 : 0));
    }

    private static string Describe(TlsClient client) =>
        $"{client.State} {client.LastError} alert sent {client.AlertSent} received {client.AlertReceived}";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_recorded_session_replays_to_the_same_handshake_and_data(bool tls12)
    {
        var session = RecordedSession.For(tls12);
        var client = session.NewClient(out var entropy);

        Assert.Equal(0, Run(client, entropy, session.ServerBytes, 1500));
        Assert.Equal(tls12 ? TlsCipherSuite.EcdheEcdsaAes128GcmSha256 : TlsCipherSuite.Aes128GcmSha256, client.CipherSuite);
        Assert.Equal(tls12 ? 0x0303 : 0x0304, client.Version);
        Assert.True(tls12 || client.TicketsIgnored > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_handshake_and_its_records_allocate_nothing_after_warm_up(bool tls12)
    {
        var session = RecordedSession.For(tls12);
        var client = session.NewClient(out var entropy);
        Assert.True(Replay(client, entropy, session.ServerBytes, 1500));
        Assert.True(Replay(client, entropy, session.ServerBytes, 700));

        long excluded = AllocationLedger.Excluded;
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool replayed = Replay(client, entropy, session.ServerBytes, 1500) & Replay(client, entropy, session.ServerBytes, 333)
            & Replay(client, entropy, session.ServerBytes, 16 * 1024);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before - (AllocationLedger.Excluded - excluded);

        Assert.True(replayed);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Randomly_damaged_server_bytes_end_in_an_alert_or_a_wait_never_a_throw(bool tls12)
    {
        var session = RecordedSession.For(tls12);
        var client = session.NewClient(out var entropy);
        var random = new Random(18);
        int alerts = 0;
        for (int round = 0; round < 400; round++)
        {
            byte[] damaged = (byte[])session.ServerBytes.Clone();
            int at = random.Next(damaged.Length);
            switch (round % 4)
            {
                case 0:
                    damaged[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    damaged = damaged[..at];
                    break;
                case 2:
                    damaged[at] = (byte)random.Next(256);
                    damaged[Math.Min(at + 1, damaged.Length - 1)] = (byte)random.Next(256);
                    break;
                default:
                    damaged = [.. damaged[..at], .. damaged[Math.Min(at + 1 + random.Next(8), damaged.Length)..]];
                    break;
            }

            bool completed = Replay(client, entropy, damaged, 1 + random.Next(3000));

            if (client.State == TlsClientState.Failed)
            {
                alerts++;
                Assert.NotEqual(TlsError.None, client.LastError);
                Assert.True(client.AlertSent >= 0 || client.LastError == TlsError.PeerAlert || client.LastError == TlsError.PeerClosed,
                    $"round {round}: {client.LastError} without an alert");
            }
            else
            {
                Assert.False(completed && round % 4 == 1, $"round {round}: truncated yet complete");
            }
        }

        Assert.True(alerts > 200, $"{alerts} of 400 damaged sessions failed with an alert");
    }
}
