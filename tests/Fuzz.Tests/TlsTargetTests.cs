using IoTStack.Net.Tls;

namespace IoTStack.Fuzz.Tests;

/// <summary>
/// The tls target's seeds reach the client's deep states (a handshake completed, application data read), and a few
/// thousand mutations of them, fixed seed, end with the client failed with an error, or waiting, never a throw.
/// </summary>
public class TlsTargetTests
{
    private static byte[] Seed(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", "tls", name));

    [Theory]
    [InlineData("handshake-records.bin")]
    [InlineData("handshake-coalesced.bin")]
    [InlineData("session-records.bin")]
    [InlineData("after-handshake.bin")]
    [InlineData("after-handshake-coalesced.bin")]
    public void A_seed_completes_the_handshake_and_is_closed_cleanly(string seed)
    {
        TlsClient client = TlsTarget.Run(Seed(seed));

        // Connected at the end; the target then sent close_notify and the client waits for the server's.
        Assert.True(client.State == TlsClientState.Connected, $"{client.State} {client.LastError} alert {client.AlertSent}/{client.AlertReceived}");
        Assert.Equal(TlsError.None, client.LastError);
    }

    [Fact]
    public void The_recorded_session_ends_its_handshake_where_it_says()
    {
        var session = TlsTarget.Recorded;
        Assert.InRange(session.HandshakeLength, 100, session.ServerBytes.Length - 1);
        Assert.Equal(TlsClientState.Handshaking, TlsTarget.Run([0, .. Chunk(session.ServerBytes[..(session.HandshakeLength - 1)])]).State);
    }

    [Fact]
    public void Three_thousand_mutations_fail_with_an_error_or_wait()
    {
        var random = new Random(1818);
        byte[][] seeds = [.. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", "tls")).Order().Select(File.ReadAllBytes)];
        int failed = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] input = (byte[])seeds[i % seeds.Length].Clone();
            switch (random.Next(4))
            {
                case 0:
                    for (int flips = random.Next(1, 8); flips > 0; flips--)
                    {
                        input[1 + random.Next(input.Length - 1)] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1:
                    input = input[..(1 + random.Next(input.Length - 1))];
                    break;
                case 2:
                    int at = 1 + random.Next(input.Length - 1);
                    input[at] = (byte)random.Next(256);
                    break;
                default:
                    int from = 1 + random.Next(input.Length - 1);
                    input = [.. input[..from], .. input[Math.Min(input.Length, from + 1 + random.Next(16))..]];
                    break;
            }

            TlsClient? client = null;
            var exception = Record.Exception(() => client = TlsTarget.Run(input));
            Assert.True(exception is null, $"mutation {i}: {exception}");
            if (client!.State == TlsClientState.Failed)
            {
                failed++;
                Assert.NotEqual(TlsError.None, client.LastError);
            }
        }

        Assert.True(failed > 1000, $"only {failed} of 3000 mutations made the client fail");
    }

    private static byte[] Chunk(byte[] bytes) => [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
}
