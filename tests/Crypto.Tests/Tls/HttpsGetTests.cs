using System.Net.Security;
using System.Text;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.Http;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// HttpsGet against SslStream (OpenSSL) in memory: the server reads the request and answers with the raw bytes a test
/// gives it, written a few bytes at a time when asked, so every framing boundary falls across reads.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HttpsGetTests
{
    private sealed class Collector : IHttpsBodyReceiver
    {
        public MemoryStream Body { get; } = new();

        public void BodyReceived(byte[] buffer, int offset, int count) => Body.Write(buffer, offset, count);
    }

    private sealed class CountingReceiver : IHttpsBodyReceiver
    {
        public long Count;

        public void BodyReceived(byte[] buffer, int offset, int count) => Count += count;
    }

    private sealed record Exchange(HttpsGet Get, Collector Body, string Request);

    /// <summary>A server that answers one request with <paramref name="response"/>, then closes with close_notify or not.</summary>
    private static Func<SslStream, Task> Answer(byte[] response, TaskCompletionSource<string> request, int piece = 0, Action? cut = null) =>
        async ssl =>
        {
            var head = new StringBuilder();
            byte[] buffer = new byte[1024];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                int read = await ssl.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            request.SetResult(head.ToString());
            int step = piece == 0 ? response.Length : piece;
            for (int at = 0; at < response.Length; at += step)
            {
                await ssl.WriteAsync(response.AsMemory(at, Math.Min(step, response.Length - at)));
                await ssl.FlushAsync();
            }

            if (cut == null)
            {
                await ssl.ShutdownAsync();
            }
            else
            {
                cut();
            }
        };

    private static Exchange Run(byte[] response, int piece = 0, bool closeNotify = true, int bufferSize = 1024, string path = "/data.bin", int port = 8443)
    {
        var request = new TaskCompletionSource<string>();
        SslStreamServer? holder = null;
        using var server = new SslStreamServer(TestCertificates.EcdsaP256,
            session: Answer(response, request, piece, closeNotify ? null : () => holder!.FromServer.Complete())); // TCP ends, no close_notify
        holder = server;
        var body = new Collector();
        var get = NewGet(server, body, bufferSize, new VirtualClock(0));
        Assert.True(get.Start(0x0A000001, port, "server.test", path));
        PollUntilDone(get);

        return new Exchange(get, body, request.Task.IsCompleted ? request.Task.Result : "");
    }

    private static HttpsGet NewGet(SslStreamServer server, IHttpsBodyReceiver receiver, int bufferSize, VirtualClock clock)
    {
        var sockets = new PipeSocketEngine(server.ToServer, server.FromServer);
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(5),
            [new X25519KeyExchange()], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        return new HttpsGet(new TlsConnection(sockets, clock, client), clock, receiver, bufferSize);
    }

    private static void PollUntilDone(HttpsGet get)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (get.IsBusy && DateTime.UtcNow < deadline)
        {
            get.Poll();
        }
    }

    private static byte[] Data(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + (i >> 8))).ToArray();

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void A_content_length_body_arrives_whole_and_the_request_is_a_plain_get()
    {
        byte[] data = Data(5000);
        var exchange = Run(Concat(Ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000\r\n\r\n"), data));

        Assert.Equal(HttpsGetState.Done, exchange.Get.State);
        Assert.Equal(HttpsError.None, exchange.Get.Error);
        Assert.Equal(200, exchange.Get.Status);
        Assert.Equal(5000, exchange.Get.ContentLength);
        Assert.Equal(5000, exchange.Get.BytesReceived);
        Assert.Equal(data, exchange.Body.Body.ToArray());
        Assert.Equal("GET /data.bin HTTP/1.1\r\nHost: server.test:8443\r\nConnection: close\r\n\r\n", exchange.Request);
    }

    [Fact]
    public void The_default_port_is_not_named_in_host()
    {
        var exchange = Run(Ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), port: 443, path: "/a?b=c");

        Assert.Equal(HttpsGetState.Done, exchange.Get.State);
        Assert.Equal("GET /a?b=c HTTP/1.1\r\nHost: server.test\r\nConnection: close\r\n\r\n", exchange.Request);
        Assert.Equal(0, exchange.Get.BytesReceived);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1)]
    public void A_chunked_body_is_decoded_with_extensions_and_trailers_across_any_boundary(int piece)
    {
        byte[] data = Data(3000);
        byte[] chunked = Concat(
            Ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nContent-Length: 10\r\n\r\n"),
            Ascii("7D0\r\n"), data[..2000], Ascii("\r\n"),
            Ascii("1;name=value\r\n"), data[2000..2001], Ascii("\r\n"),
            Ascii("3e7 ; x\r\n"), data[2001..], Ascii("\r\n"),
            Ascii("0\r\nExpires: never\r\n\r\n"));

        var exchange = Run(chunked, piece);

        Assert.Equal(HttpsGetState.Done, exchange.Get.State);
        Assert.Equal(HttpsError.None, exchange.Get.Error);
        Assert.Equal(-1, exchange.Get.ContentLength); // Transfer-Encoding overrides Content-Length (RFC 9112 6.3)
        Assert.Equal(data, exchange.Body.Body.ToArray());
    }

    [Fact]
    public void A_body_without_length_runs_to_close_notify()
    {
        byte[] data = Data(20000);
        var exchange = Run(Concat(Ascii("HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n"), data), piece: 777);

        Assert.Equal(HttpsGetState.Done, exchange.Get.State);
        Assert.Equal(200, exchange.Get.Status);
        Assert.Equal(data, exchange.Body.Body.ToArray());
    }

    [Fact]
    public void A_body_read_to_the_close_cut_without_close_notify_is_a_tls_failure()
    {
        var exchange = Run(Concat(Ascii("HTTP/1.1 200 OK\r\n\r\n"), Data(100)), closeNotify: false);

        Assert.Equal(HttpsGetState.Failed, exchange.Get.State);
        Assert.Equal(HttpsError.Tls, exchange.Get.Error);
        Assert.Equal(TlsError.ConnectionLost, exchange.Get.TlsError); // RFC 8446 6.1: a truncation, not an end
    }

    [Fact]
    public void Interim_responses_come_before_the_final_one()
    {
        var exchange = Run(Ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\ngone"), piece: 5);

        Assert.Equal(HttpsGetState.Done, exchange.Get.State);
        Assert.Equal(404, exchange.Get.Status);
        Assert.Equal("gone", Encoding.ASCII.GetString(exchange.Body.Body.ToArray()));
    }

    [Fact]
    public void No_content_has_no_body_and_bare_line_feeds_are_accepted()
    {
        var exchange = Run(Ascii("HTTP/1.1 204 No Content\nServer: x\n\n"));

        Assert.Equal(HttpsGetState.Done, exchange.Get.State);
        Assert.Equal(204, exchange.Get.Status);
        Assert.Equal(0, exchange.Get.BytesReceived);
    }

    public static TheoryData<string, HttpsError> MalformedHeads => new()
    {
        { "HTTP/2 200 OK\r\n\r\n", HttpsError.MalformedStatusLine },
        { "HTTP/1.1 20 OK\r\n\r\n", HttpsError.MalformedStatusLine },
        { "HTTP/1.1 2000 OK\r\n\r\n", HttpsError.MalformedStatusLine },
        { "HTTP/1.1 099 Low\r\n\r\n", HttpsError.MalformedStatusLine },
        { "HTTP/1.1 101 Switching Protocols\r\n\r\n", HttpsError.MalformedStatusLine },
        { "ICY 200 OK\r\n\r\n", HttpsError.MalformedStatusLine },
        { "\r\nHTTP/1.1 200 OK\r\n\r\n", HttpsError.MalformedStatusLine },
        { "HTTP/1.1 200 OK\r\nNo Colon\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nName : value\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", HttpsError.MalformedHeader },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", HttpsError.MalformedChunk },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", HttpsError.MalformedChunk },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", HttpsError.MalformedChunk },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\n", HttpsError.MalformedChunk },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n", HttpsError.MalformedChunk },
        { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", HttpsError.Truncated },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n", HttpsError.Truncated },
        { "HTTP/1.1 200 OK\r\nServer: nothing after", HttpsError.Truncated },
        { "", HttpsError.Truncated },
    };

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public void A_malformed_or_cut_response_is_an_error_and_the_connection_closes(string response, HttpsError expected)
    {
        var exchange = Run(Ascii(response), piece: 2);

        Assert.Equal(HttpsGetState.Failed, exchange.Get.State);
        Assert.Equal(expected, exchange.Get.Error);
        Assert.False(exchange.Get.Connection.IsConnected);
    }

    [Fact]
    public void A_head_larger_than_the_buffer_is_refused()
    {
        var exchange = Run(Ascii("HTTP/1.1 200 OK\r\nX-Padding: " + new string('p', 400) + "\r\n\r\n"), bufferSize: 256);

        Assert.Equal(HttpsError.HeadTooLarge, exchange.Get.Error);
    }

    [Theory]
    [InlineData("/with space")]
    [InlineData("no-slash")]
    [InlineData("/line\r\nInjected: yes")]
    [InlineData("")]
    public void A_path_that_is_not_a_request_target_is_refused_before_connecting(string path)
    {
        var clock = new VirtualClock(0);
        var get = new HttpsGet(new TlsConnection(new PipeSocketEngine(new MemoryPipe(), new MemoryPipe()), clock,
            new TlsClient(new TlsClientOptions(), new SeededEntropy(1), [new X25519KeyExchange()], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256))),
            clock, null!, 256);

        Assert.False(get.Start(0x0A000001, 443, "server.test", path));
        Assert.Equal(HttpsError.InvalidRequest, get.Error);
        Assert.False(get.Start(0x0A000001, 443, "server.test", "/" + new string('a', 300))); // larger than the buffer
        Assert.False(get.Start(0x0A000001, 443, "bad host", "/"));
    }

    [Fact]
    public void A_server_that_stops_answering_times_out()
    {
        var request = new TaskCompletionSource<string>();
        var clock = new VirtualClock(0);
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, session: async ssl =>
        {
            int read = await ssl.ReadAsync(new byte[1024]);
            request.SetResult(read.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        });
        var get = NewGet(server, new Collector(), 1024, clock);
        get.ResponseTimeoutMs = 5000;
        Assert.True(get.Start(0x0A000001, 443, "server.test", "/"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (get.State != HttpsGetState.ReadingHead && DateTime.UtcNow < deadline)
        {
            get.Poll();
        }

        Assert.Equal(HttpsGetState.ReadingHead, get.State);
        clock.Advance(4999);
        get.Poll();
        Assert.True(get.IsBusy);
        clock.Advance(1);
        get.Poll();

        Assert.Equal(HttpsError.Timeout, get.Error);
    }

    [Fact]
    public void A_second_get_allocates_nothing()
    {
        byte[] response = Concat(Ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), Ascii("800\r\n"), Data(2048), Ascii("\r\n0\r\n\r\n"));
        var receiver = new CountingReceiver();
        var clock = new VirtualClock(0);
        var sockets = new PipeSocketEngine(new MemoryPipe(), new MemoryPipe());
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(5),
            [new X25519KeyExchange()], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        var get = new HttpsGet(new TlsConnection(sockets, clock, client), clock, receiver, 1024);

        for (int round = 0; round < 2; round++)
        {
            var request = new TaskCompletionSource<string>();
            using var server = new SslStreamServer(TestCertificates.EcdsaP256, session: Answer(response, request));
            sockets.Reconnect(server.ToServer, server.FromServer);
            long before = GC.GetAllocatedBytesForCurrentThread() - AllocationLedger.Excluded;
            Assert.True(get.Start(0x0A000001, 443, "server.test", "/"));
            PollUntilDone(get);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - AllocationLedger.Excluded - before;

            Assert.Equal(HttpsError.None, get.Error);
            Assert.Equal(2048, get.BytesReceived);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (get.Connection.Socket != 0 && DateTime.UtcNow < deadline)
            {
                get.Poll(); // close_notify leaves before the next round
            }

            if (round == 1)
            {
                Assert.Equal(0, allocated);
            }
        }
    }
}
