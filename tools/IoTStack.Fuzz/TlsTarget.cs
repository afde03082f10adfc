using IoTStack.Net.Tls;
using IoTStack.TlsHarness;

namespace IoTStack.Fuzz;

/// <summary>
/// The tls target (issue 18): the input is the server's side of a connection, given to a <see cref="TlsClient"/> (seeded
/// entropy, the recorded session's key exchange, every certificate accepted, so the fuzzer goes past authentication).
/// The first byte picks the mode: even, the input is the server's bytes from the ServerHello on; odd, the recorded
/// session's handshake (tls-session.bin, from SslStream) is fed first, so the input is what comes after it: tickets,
/// application data, KeyUpdate, alerts. The rest is chunks, each a 2-byte big-endian length and its bytes, fed as they
/// come; after each the client's output is taken and its data read. None may throw, and a client that failed says why.
/// </summary>
public static class TlsTarget
{
    private static readonly Lazy<RecordedSession> Session = new(() =>
    {
        using Stream stream = typeof(TlsTarget).Assembly.GetManifestResourceStream("tls-session.bin")
            ?? throw new InvalidOperationException("tls-session.bin is not embedded");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return RecordedSession.FromBytes(memory.ToArray());
    });

    public static RecordedSession Recorded => Session.Value;

    public static TlsClient Run(byte[] input)
    {
        RecordedSession session = Session.Value;
        TlsClient client = session.NewClient();
        client.Start();
        client.OutputSent(client.OutputCount);
        byte[] sink = new byte[4096];
        if (input.Length > 0 && (input[0] & 1) == 1)
        {
            for (int at = 0; at < session.HandshakeLength;)
            {
                int end = ServerFlight.RecordEnd(session.ServerBytes, at);
                Deliver(client, session.ServerBytes, at, end - at, sink);
                at = end;
            }

            if (client.State != TlsClientState.Connected)
            {
                throw new InvalidOperationException($"tls-session.bin no longer completes a handshake ({client.State} {client.LastError}): " +
                    "the ClientHello changed; record it again with IoTStack.Fuzz --tls-seeds");
            }
        }

        bool wrote = false;
        for (int at = 1; at + 2 <= input.Length;)
        {
            int length = Math.Min((input[at] << 8) | input[at + 1], input.Length - at - 2);
            Deliver(client, input, at + 2, length, sink);
            at += 2 + length;
            if (client.State == TlsClientState.Connected && !wrote)
            {
                wrote = true;
                client.Write(sink, 0, 100);
                client.OutputSent(client.OutputCount);
            }
        }

        if (client.State == TlsClientState.Connected)
        {
            client.Close();
            client.OutputSent(client.OutputCount);
        }

        if (client.State == TlsClientState.Failed && client.LastError == TlsError.None)
        {
            throw new InvalidOperationException("the client failed without an error");
        }

        return client;
    }

    /// <summary>Feeds <paramref name="count"/> bytes, reading the client's data and taking its output between, until taken or stuck.</summary>
    private static void Deliver(TlsClient client, byte[] data, int offset, int count, byte[] sink)
    {
        int taken = 0;
        for (int guard = 0; guard < 1000 && client.State != TlsClientState.Failed && client.State != TlsClientState.Closed; guard++)
        {
            int fed = client.Feed(data, offset + taken, count - taken);
            taken += fed;
            int read = client.Read(sink, 0, sink.Length);
            client.OutputSent(client.OutputCount);
            if (taken == count || (fed == 0 && read == 0))
            {
                return;
            }
        }
    }
}
