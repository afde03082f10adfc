using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// Drives a <see cref="TlsClient"/> from the test's thread against a server behind two pipes: its output to the
/// server, the server's bytes fed in (kept when the client has no room until its application data is read).
/// </summary>
internal sealed class ClientDriver(TlsClient client, MemoryPipe toServer, MemoryPipe fromServer)
{
    private readonly byte[] _stage = new byte[256 * 1024];
    private readonly byte[] _scratch = new byte[64 * 1024];
    private int _stageStart;
    private int _stageEnd;

    public TlsClient Client => client;

    /// <summary>Moves bytes both ways once, waiting up to <paramref name="waitMs"/> for the server; true when anything moved.</summary>
    public bool Pump(int waitMs = 5)
    {
        bool moved = false;
        while (client.OutputCount > 0)
        {
            int taken = client.TakeOutput(_scratch, 0, _scratch.Length);
            toServer.Write(_scratch.AsSpan(0, taken));
            moved = true;
        }

        if (_stageStart == _stageEnd)
        {
            _stageStart = 0;
            _stageEnd = fromServer.Read(_stage, waitMs);
        }

        if (_stageEnd > _stageStart)
        {
            int fed = client.Feed(_stage, _stageStart, _stageEnd - _stageStart);
            _stageStart += fed;
            moved |= fed > 0;
        }

        while (client.OutputCount > 0)
        {
            int taken = client.TakeOutput(_scratch, 0, _scratch.Length);
            toServer.Write(_scratch.AsSpan(0, taken));
            moved = true;
        }

        return moved;
    }

    public void RunUntil(Func<bool> done, int timeoutMs = 20000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"client {client.State}, {client.LastError}, alert sent {client.AlertSent}, received {client.AlertReceived}");
            }

            Pump();
        }
    }

    public void Handshake() => RunUntil(() => client.State != TlsClientState.Handshaking);

    /// <summary>Writes all of <paramref name="data"/> and reads back as many bytes (the echo server), in whatever pieces flow.</summary>
    public byte[] Echo(byte[] data)
    {
        byte[] received = new byte[data.Length];
        int written = 0;
        int read = 0;
        RunUntil(() =>
        {
            written += client.Write(data, written, data.Length - written);
            read += client.Read(received, read, received.Length - read);
            return read == received.Length || client.State == TlsClientState.Failed;
        });
        return received;
    }
}
