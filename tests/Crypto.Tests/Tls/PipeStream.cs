namespace IoTStack.Crypto.Tests.Tls;

/// <summary>The server's side of the in-memory connection: reads what the client sent, writes towards the client.</summary>
internal sealed class PipeStream(MemoryPipe input, MemoryPipe output) : Stream
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
            // SslStream reads zero bytes to wait for data: it gets 0 once bytes are there.
            int read = input.Read(buffer.AsSpan(offset, count), 1000);
            if (read > 0 || input.Completed)
            {
                return count == 0 ? 0 : read;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.Run(() => Read(buffer, offset, count), cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Task.Run(() =>
        {
            byte[] temporary = new byte[buffer.Length];
            int read = Read(temporary, 0, temporary.Length);
            temporary.AsSpan(0, read).CopyTo(buffer.Span);
            return read;
        }, cancellationToken));

    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        output.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

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
