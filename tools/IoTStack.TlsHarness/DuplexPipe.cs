namespace IoTStack.TlsHarness;

/// <summary>One direction of an in-memory connection: a growing byte queue with a blocking read, and a recording of all written.</summary>
public sealed class BytePipe
{
    private readonly object _gate = new();
    private readonly Queue<byte> _queue = new();
    private readonly List<byte> _recording = [];
    private bool _completed;

    public byte[] Recorded()
    {
        lock (_gate)
        {
            return [.. _recording];
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            foreach (byte b in data)
            {
                _queue.Enqueue(b);
            }

            _recording.AddRange(data.ToArray());
            Monitor.PulseAll(_gate);
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Up to <paramref name="destination"/>'s length; 0 after <paramref name="timeoutMs"/> with nothing, or once completed and empty.</summary>
    public int Read(Span<byte> destination, int timeoutMs)
    {
        lock (_gate)
        {
            if (_queue.Count == 0 && !_completed)
            {
                Monitor.Wait(_gate, timeoutMs);
            }

            int take = Math.Min(_queue.Count, destination.Length);
            for (int i = 0; i < take; i++)
            {
                destination[i] = _queue.Dequeue();
            }

            return take;
        }
    }

    public bool Drained
    {
        get
        {
            lock (_gate)
            {
                return _completed && _queue.Count == 0;
            }
        }
    }
}

/// <summary>The server's end as a blocking <see cref="Stream"/> for SslStream.</summary>
public sealed class PipeStream(BytePipe input, BytePipe output) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        while (true)
        {
            if (count == 0)
            {
                return 0;
            }

            int read = input.Read(buffer.AsSpan(offset, count), 1000);
            if (read > 0 || input.Drained)
            {
                return read;
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        output.Complete();
        base.Dispose(disposing);
    }
}
