using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// A real TLS 1.3 (or, with <c>protocols</c>, TLS 1.2) server in memory: .NET's SslStream (OpenSSL on Linux) over a pair of <see cref="MemoryPipe"/>s, run
/// on the thread pool. By default it echoes what it reads until close_notify, then answers with its own.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class SslStreamServer : IDisposable
{
    private readonly SslStream _ssl;

    public SslStreamServer(X509Certificate2 certificate, System.Net.Security.TlsCipherSuite[]? suites = null,
        string[]? applicationProtocols = null, Func<SslStream, Task>? session = null, bool requestClientCertificate = false,
        SslProtocols protocols = SslProtocols.Tls13, RemoteCertificateValidationCallback? clientCertificateCheck = null)
    {
        _ssl = new SslStream(new PipeStream(ToServer, FromServer));
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = protocols,
            CipherSuitesPolicy = suites == null ? null : new CipherSuitesPolicy(suites),
            ApplicationProtocols = applicationProtocols?.Select(p => new SslApplicationProtocol(p)).ToList(),
            ClientCertificateRequired = requestClientCertificate,
            RemoteCertificateValidationCallback = clientCertificateCheck
                ?? (requestClientCertificate ? (_, certificate, _, _) => certificate == null : null),
        };
        Session = Task.Run(async () =>
        {
            await _ssl.AuthenticateAsServerAsync(options);
            await (session ?? Echo)(_ssl);
        });
    }

    public MemoryPipe ToServer { get; } = new();

    public MemoryPipe FromServer { get; } = new();

    /// <summary>The handshake and the session; faults when the handshake failed.</summary>
    public Task Session { get; }

    public SslStream Ssl => _ssl;

    public static async Task Echo(SslStream ssl)
    {
        byte[] buffer = new byte[16384];
        int read;
        while ((read = await ssl.ReadAsync(buffer)) > 0)
        {
            await ssl.WriteAsync(buffer.AsMemory(0, read));
        }

        await ssl.ShutdownAsync();
    }

    public void Dispose()
    {
        ToServer.Complete();
        FromServer.Complete();
        _ssl.Dispose();
    }
}
