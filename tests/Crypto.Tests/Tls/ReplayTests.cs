using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>The recorded SslStream session replayed: the engine alone, measured for allocation and fed damaged input.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ReplayTests
{
    private static readonly byte[] Sink = new byte[64 * 1024];
    private static readonly byte[] Payload = new byte[3000];

    /// <summary>Handshake, all the server's records read, three application records written; false on any surprise.</summary>
    private static bool Replay(TlsClient client, byte[] serverBytes, int chunk)
    {
        client.Start();
        client.OutputSent(client.OutputCount);
        int fed = 0;
        int read = 0;
        while (fed < serverBytes.Length && client.State != TlsClientState.Failed)
        {
            int length = Math.Min(chunk, serverBytes.Length - fed);
            int taken = client.Feed(serverBytes, fed, length);
            fed += taken;
            read += client.Read(Sink, 0, Sink.Length);
            client.OutputSent(client.OutputCount);
            if (taken == 0 && client.Available == 0 && client.State != TlsClientState.Failed)
            {
                return false;
            }
        }

        int more;
        while ((more = client.Read(Sink, 0, Sink.Length)) > 0)
        {
            read += more;
        }

        int written = client.Write(Payload, 0, Payload.Length);
        client.OutputSent(client.OutputCount);
        return client.State == TlsClientState.Connected && read == RecordedSession.ServerRecords * RecordedSession.ServerRecordSize
            && written == Payload.Length;
    }

    [Fact]
    public void A_recorded_session_replays_to_the_same_handshake_and_data()
    {
        var session = RecordedSession.Default;
        var client = session.NewClient();

        Assert.True(Replay(client, session.ServerBytes, 1500));
        Assert.Equal(TlsCipherSuite.Aes128GcmSha256, client.CipherSuite);
        Assert.True(client.TicketsIgnored > 0);
    }

    [Fact]
    public void A_handshake_and_its_records_allocate_nothing_after_warm_up()
    {
        var session = RecordedSession.Default;
        var client = session.NewClient();
        Assert.True(Replay(client, session.ServerBytes, 1500));
        Assert.True(Replay(client, session.ServerBytes, 700));

        long excluded = AllocationLedger.Excluded;
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool replayed = Replay(client, session.ServerBytes, 1500) & Replay(client, session.ServerBytes, 333)
            & Replay(client, session.ServerBytes, 16 * 1024);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before - (AllocationLedger.Excluded - excluded);

        Assert.True(replayed);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Randomly_damaged_server_bytes_end_in_an_alert_or_a_wait_never_a_throw()
    {
        var session = RecordedSession.Default;
        var client = session.NewClient();
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

            bool completed = Replay(client, damaged, 1 + random.Next(3000));

            if (client.State == TlsClientState.Failed)
            {
                alerts++;
                Assert.NotEqual(TlsError.None, client.LastError);
                Assert.True(client.AlertSent >= 0 || client.LastError == TlsError.PeerAlert || client.LastError == TlsError.PeerClosed,
                    $"round {round}: {client.LastError} without an alert");
            }
            else
            {
                Assert.True(completed || client.State != TlsClientState.Connected || round % 4 != 1, $"round {round}: truncated yet complete");
            }
        }

        Assert.True(alerts > 200, $"{alerts} of 400 damaged sessions failed with an alert");
    }
}
