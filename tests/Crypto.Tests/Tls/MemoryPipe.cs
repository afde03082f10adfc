namespace IoTStack.Crypto.Tests.Tls;

/// <summary>One direction of an in-memory byte stream between the test's client and a server on another thread.</summary>
internal sealed class MemoryPipe
{
    private readonly object _gate = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _count;
    private bool _completed;

    /// <summary>Everything ever written, in order (the recorded server flight).</summary>
    public List<byte>? Recording { get; set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (_count + data.Length > _buffer.Length - _start)
            {
                byte[] grown = new byte[Math.Max(_buffer.Length * 2, _count + data.Length)];
                Array.Copy(_buffer, _start, grown, 0, _count);
                _buffer = grown;
                _start = 0;
            }

            data.CopyTo(_buffer.AsSpan(_start + _count));
            _count += data.Length;
            Recording?.AddRange(data.ToArray());
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

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for bytes; 0 when none came or the writer completed. With an empty
    /// destination it only waits, and returns 1 when bytes are there.
    /// </summary>
    public int Read(Span<byte> destination, int timeoutMs)
    {
        lock (_gate)
        {
            if (_count == 0 && !_completed)
            {
                Monitor.Wait(_gate, timeoutMs);
            }

            if (destination.Length == 0)
            {
                return _count > 0 ? 1 : 0; // a zero-byte read only asks whether bytes are there
            }

            int take = Math.Min(_count, destination.Length);
            _buffer.AsSpan(_start, take).CopyTo(destination);
            _start += take;
            _count -= take;
            if (_count == 0)
            {
                _start = 0;
            }

            return take;
        }
    }

    public bool Completed
    {
        get
        {
            lock (_gate)
            {
                return _completed && _count == 0;
            }
        }
    }
}
