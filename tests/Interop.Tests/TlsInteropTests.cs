using System.Diagnostics;
using System.Globalization;
using System.Text;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.Http;
using IoTStack.Net.Tls.X509;
using Xunit.Abstractions;

namespace IoTStack.Interop.Tests;

/// <summary>
/// Issue 18 against OpenSSL 3 (Debian's openssl s_server) through TAP: the board (IoTStack's stack in this process, its
/// own X25519, P-256, AEADs, RSA and ECDSA) GETs files over HTTPS with every TLS 1.3 suite, group and certificate kind,
/// and with TLS 1.2's ECDHE suites; refuses each bad certificate with the alert RFC 8446 section 6.2 names, which
/// s_server reports; and reports a server that dies or leaves mid-response. Every s_server is killed by its PID.
/// </summary>
[Collection("TLS board")]
public sealed class TlsInteropTests(TlsBoardFixture fixture, ITestOutputHelper log)
{
    private TlsBoard Board => fixture.Board;

    private sealed class Collector : IHttpsBodyReceiver
    {
        public MemoryStream Body { get; } = new();

        public void BodyReceived(byte[] buffer, int offset, int count) => Body.Write(buffer, offset, count);
    }

    private static ITlsKeyExchange Group(string name) => name == "X25519" ? new X25519KeyExchange() : new P256KeyExchange();

    private static string[] CertificateArguments(string certificate) => certificate == "chained"
        ? ["-cert", "chained.pem", "-key", "chained.key", "-cert_chain", "inter.pem"]
        : ["-cert", certificate + ".pem", "-key", certificate + ".key"];

    /// <summary>One GET of the small file through a fresh s_server; the handshake's milliseconds.</summary>
    private double Get(string[] serverArguments, string group, string file, byte[] expected, int minimumVersion = 0x0303, int maximumVersion = 0x0304,
        bool offerBothGroups = false)
    {
        using var server = Board.StartServer(serverArguments);
        var body = new Collector();
        ITlsKeyExchange[] groups = offerBothGroups ? [new X25519KeyExchange(), new P256KeyExchange()] : [Group(group)];
        var (get, authenticator) = Board.NewGet(groups, body, minimumVersion, maximumVersion);
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/" + file));
        double handshake = Board.Run(get, 20_000);

        var client = get.Connection.Client;
        Assert.True(get.State == HttpsGetState.Done,
            $"{get.State} {get.Error} tls {get.TlsError} socket {get.SocketResult} alert sent {client.AlertSent} received {client.AlertReceived} "
            + $"certificate {authenticator.LastError}\n{server.Output}");
        Assert.Equal(200, get.Status);
        Assert.Equal(expected.Length, get.BytesReceived);
        Assert.True(expected.AsSpan().SequenceEqual(body.Body.ToArray()), "the body differs from the file");
        Assert.Equal(group == "X25519" ? 0x001D : 0x0017, client.NamedGroup);
        Assert.False(get.Connection.IsConnected);
        return handshake;
    }

    public static TheoryData<string, string, string> Tls13Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var suite in new[] { "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256" })
        {
            foreach (var group in new[] { "X25519", "P-256" })
            {
                foreach (var certificate in new[] { "ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-4096" })
                {
                    cases.Add(suite, group, certificate);
                }
            }
        }

        cases.Add("TLS_AES_128_GCM_SHA256", "X25519", "chained");
        cases.Add("TLS_AES_128_GCM_SHA256", "X25519", "by-rsa-pkcs1");
        cases.Add("TLS_AES_128_GCM_SHA256", "X25519", "by-rsa-pss");
        cases.Add("TLS_AES_128_GCM_SHA256", "X25519", "by-p384-sha384");
        return cases;
    }

    [Theory]
    [MemberData(nameof(Tls13Cases))]
    public void Tls13_gets_a_file_with_every_suite_group_and_certificate_kind(string suite, string group, string certificate)
    {
        double handshake = Get([.. CertificateArguments(certificate), "-tls1_3", "-ciphersuites", suite, "-groups", group, "-WWW"],
            group, "small.bin", Board.SmallFile, minimumVersion: 0x0304);

        log.WriteLine($"TLS 1.3 {suite} {group} {certificate}: handshake {handshake:F1} ms (TCP included)");
    }

    public static TheoryData<string, string, string> Tls12Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (var bulk in new[] { "AES128-GCM-SHA256", "CHACHA20-POLY1305" })
        {
            foreach (var group in new[] { "X25519", "P-256" })
            {
                cases.Add("ECDHE-ECDSA-" + bulk, group, "ecdsa-p256");
                cases.Add("ECDHE-RSA-" + bulk, group, "rsa-2048");
            }
        }

        return cases;
    }

    /// <summary>TLS 1.2 (RFC 5246, with RFC 7627's extended master secret), offered with 1.3 and answered with 1.2.</summary>
    [Theory]
    [MemberData(nameof(Tls12Cases))]
    public void Tls12_gets_a_file_with_every_ecdhe_suite_and_group(string cipher, string group, string certificate)
    {
        // The board offers both groups, as TlsProfile does: a TLS 1.2 server may use an ECDSA P-256 certificate only when
        // the client lists P-256 in supported_groups (RFC 8422 section 5.1.1; OpenSSL answers handshake_failure otherwise).
        // The server's -groups picks the ECDHE group.
        double handshake = Get([.. CertificateArguments(certificate), "-tls1_2", "-cipher", cipher, "-groups", group, "-WWW"],
            group, "small.bin", Board.SmallFile, offerBothGroups: true);

        log.WriteLine($"TLS 1.2 {cipher} {group} {certificate}: handshake {handshake:F1} ms (TCP included)");
    }

    /// <summary>
    /// A board with small buffers: max_fragment_length (RFC 6066 section 4, which OpenSSL honours; it lacks RFC 8449) keeps
    /// s_server's records within them, and the RSA-4096 Certificate message spans several records.
    /// </summary>
    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    public void A_board_with_small_records_gets_the_file_through_max_fragment_length(int recordSize)
    {
        using var server = Board.StartServer([.. CertificateArguments("rsa-4096"), "-tls1_3", "-WWW"]);
        var body = new Collector();
        var (get, _) = Board.NewGet([new X25519KeyExchange()], body, recordSize: recordSize);
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/small.bin"));
        Board.Run(get, 20_000);

        Assert.True(get.State == HttpsGetState.Done, $"{get.State} {get.Error} {get.TlsError} alert {get.Connection.Client.AlertSent}\n{server.Output}");
        Assert.Equal(Board.SmallFile, body.Body.ToArray());
    }

    /// <summary>
    /// s_server -stateless (interactive mode only: -WWW ignores it) answers the first ClientHello with a HelloRetryRequest
    /// carrying a cookie, which the second ClientHello must echo (RFC 8446 section 4.2.2).
    /// </summary>
    [Fact]
    public void A_stateless_server_cookie_is_echoed()
    {
        using var server = Board.StartServer([.. CertificateArguments("ecdsa-p256"), "-tls1_3", "-stateless"]);
        var body = new Collector();
        var (get, _) = Board.NewGet([new X25519KeyExchange()], body);
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/"));
        bool answered = false;
        Board.Run(get, 20_000, () =>
        {
            if (!answered && server.Output.Contains("Connection: close", StringComparison.Ordinal))
            {
                server.Type("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ncookie");
                answered = true;
            }
        });

        Assert.True(get.State == HttpsGetState.Done, $"{get.State} {get.Error} {get.TlsError} alert sent {get.Connection.Client.AlertSent} received {get.Connection.Client.AlertReceived}\n{server.Output}");
        Assert.True(get.Connection.Client.HelloRetried, server.Output);
        Assert.Equal("cookie", Encoding.ASCII.GetString(body.Body.ToArray()));
    }

    [Fact]
    public void A_server_that_wants_another_group_gets_it_after_a_hello_retry_request()
    {
        using var server = Board.StartServer([.. CertificateArguments("ecdsa-p256"), "-tls1_3", "-groups", "P-256", "-WWW"]);
        var body = new Collector();
        var (get, _) = Board.NewGet([new X25519KeyExchange(), new P256KeyExchange()], body);
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/small.bin"));
        Board.Run(get, 20_000);

        Assert.Equal(HttpsGetState.Done, get.State);
        Assert.True(get.Connection.Client.HelloRetried);
        Assert.Equal(0x0017, get.Connection.Client.NamedGroup);
        Assert.Equal(Board.SmallFile, body.Body.ToArray());
    }

    [Fact]
    public void Content_length_and_chunked_responses_from_s_server_are_decoded()
    {
        byte[] data = Board.SmallFile;
        var chunked = new MemoryStream();
        chunked.Write(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (int at = 0; at < data.Length; at += 1000)
        {
            int length = Math.Min(1000, data.Length - at);
            chunked.Write(Encoding.ASCII.GetBytes(length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            chunked.Write(data, at, length);
            chunked.Write("\r\n"u8);
        }

        chunked.Write("0\r\n\r\n"u8);
        File.WriteAllBytes(Path.Combine(Board.Directory, "chunked.http"), chunked.ToArray());
        File.WriteAllBytes(Path.Combine(Board.Directory, "length.http"),
            [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {data.Length}\r\n\r\n"), .. data]);

        // -HTTP: the file holds the head as well as the body.
        string[] arguments = [.. CertificateArguments("ecdsa-p256"), "-tls1_3", "-HTTP"];
        Get(arguments, "X25519", "chunked.http", data);
        Get(arguments, "X25519", "length.http", data);
    }

    /// <summary>Each suite twice: the first run of each carries the JIT's cost.</summary>
    [Fact]
    public void A_megabyte_arrives_whole_and_its_throughput_is_reported()
    {
        foreach (var suite in new[] { "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256" })
        {
            var clock = Stopwatch.StartNew();
            double handshake = Get([.. CertificateArguments("ecdsa-p256"), "-tls1_3", "-ciphersuites", suite, "-groups", "X25519", "-WWW"],
                "X25519", "large.bin", Board.LargeFile);
            double seconds = (clock.Elapsed.TotalMilliseconds - handshake) / 1000;
            log.WriteLine($"1 MB GET, {suite}: {Board.LargeFile.Length / seconds / 1e6:F2} MB/s after the handshake ({seconds * 1000:F0} ms)");
        }
    }

    /// <summary>
    /// Desktop handshake time per group and signature kind (TCP connect included), median of seven, after a pass over
    /// every kind that lets the JIT optimise the code they share (no assertion).
    /// </summary>
    [Fact]
    public void Handshake_time_per_group_and_signature_kind_is_reported()
    {
        string[] certificates = ["ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-4096"];
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var group in new[] { "X25519", "P-256" })
            {
                using var server = new ServerPerCertificate(Board, group, certificates);
                foreach (var certificate in certificates)
                {
                    var times = Enumerable.Range(0, pass == 0 ? 3 : 7).Select(_ => Handshake(server, group, certificate)).Order().ToArray();
                    if (pass == 1)
                    {
                        log.WriteLine($"handshake {group,-6} {certificate,-10}: median {times[3],6:F1} ms (min {times[0]:F1}, max {times[6]:F1})");
                    }
                }
            }
        }
    }

    private double Handshake(ServerPerCertificate servers, string group, string certificate)
    {
        servers.Use(certificate);
        var (get, _) = Board.NewGet([Group(group)], null);
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/small.bin"));
        double handshake = Board.Run(get, 20_000);
        Assert.Equal(HttpsGetState.Done, get.State);
        return handshake;
    }

    /// <summary>One s_server at a time, restarted only when the certificate changes.</summary>
    private sealed class ServerPerCertificate(TlsBoard board, string group, string[] certificates) : IDisposable
    {
        private ServerProcess? _server;
        private string? _certificate;

        public void Use(string certificate)
        {
            Assert.Contains(certificate, certificates);
            if (_certificate != certificate)
            {
                _server?.Dispose();
                _server = board.StartServer([.. CertificateArguments(certificate), "-tls1_3", "-groups", group, "-WWW"]);
                _certificate = certificate;
            }
        }

        public void Dispose() => _server?.Dispose();
    }

    public static TheoryData<string, CertificateError, int> BadCertificates => new()
    {
        { "wrong-name", CertificateError.NameMismatch, TlsAlert.BadCertificate },
        { "expired", CertificateError.Expired, TlsAlert.CertificateExpired },
        { "not-yet-valid", CertificateError.NotYetValid, TlsAlert.CertificateExpired },
        { "unknown-issuer", CertificateError.UnknownIssuer, TlsAlert.UnknownCa },
        { "corrupted", CertificateError.BadSignature, TlsAlert.BadCertificate },
    };

    [Theory]
    [MemberData(nameof(BadCertificates))]
    public void A_bad_certificate_is_refused_with_its_alert_and_the_connection_closes(string certificate, CertificateError error, int alert)
    {
        using var server = Board.StartServer([.. CertificateArguments(certificate), "-tls1_3", "-WWW"]);
        var (get, authenticator) = Board.NewGet([new X25519KeyExchange()], new Collector());
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/small.bin"));
        Board.Run(get, 20_000);

        Assert.Equal(HttpsGetState.Failed, get.State);
        Assert.Equal(HttpsError.Tls, get.Error);
        Assert.Equal(TlsError.CertificateRejected, get.TlsError);
        Assert.Equal(error, authenticator.LastError);
        Assert.Equal(alert, get.Connection.Client.AlertSent);
        Assert.Equal(0, get.BytesReceived);
        Assert.False(get.Connection.IsConnected);
        Assert.True(server.WaitFor($"SSL alert number {alert}", 5_000), "s_server did not see the alert:\n" + server.Output);
    }

    [Fact]
    public void A_server_killed_mid_response_is_reported_not_waited_for()
    {
        var server = Board.StartServer([.. CertificateArguments("ecdsa-p256"), "-tls1_3", "-WWW"]);
        using (server)
        {
            var (get, _) = Board.NewGet([new X25519KeyExchange()], new Collector());
            Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/large.bin"));
            var clock = Stopwatch.StartNew();
            long killedAt = -1;
            Board.Run(get, 20_000, () =>
            {
                if (killedAt < 0 && get.BytesReceived > 100_000)
                {
                    server.Kill(); // the kernel closes its socket: a FIN without close_notify
                    killedAt = clock.ElapsedMilliseconds;
                }
            });

            Assert.True(killedAt >= 0, $"the body never passed 100 KB: {get.State} {get.Error} {get.BytesReceived}");
            Assert.Equal(HttpsGetState.Failed, get.State);
            Assert.Equal(HttpsError.Tls, get.Error);
            Assert.Equal(TlsError.ConnectionLost, get.TlsError);
            Assert.InRange(get.BytesReceived, 100_001, Board.LargeFile.Length - 1);
            log.WriteLine($"killed after {get.BytesReceived} bytes; reported {clock.ElapsedMilliseconds - killedAt} ms later");
        }
    }

    /// <summary>
    /// s_server without -WWW relays its standard input to the client: a head and part of a body, a KeyUpdate that asks for
    /// ours in return (RFC 8446 section 4.6.3), more body under the new keys, then "q", which closes its socket mid-body.
    /// </summary>
    [Fact]
    public void A_key_update_mid_stream_is_followed_and_a_server_that_quits_mid_body_is_reported()
    {
        using var server = Board.StartServer([.. CertificateArguments("ecdsa-p256"), "-tls1_3"]);
        var body = new Collector();
        var (get, _) = Board.NewGet([new X25519KeyExchange()], body);
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/interactive"));
        int step = 0;
        var clock = Stopwatch.StartNew();
        Board.Run(get, 20_000, () =>
        {
            if (step == 0 && server.Output.Contains("Connection: close", StringComparison.Ordinal))
            {
                server.Type("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nfirst part\n");
                step = 1;
            }
            else if (step == 1 && get.BytesReceived == 11)
            {
                server.Type("K\n");
                step = 2;
            }
            else if (step == 2 && server.Output.Contains("SSL_do_handshake", StringComparison.Ordinal))
            {
                server.Type("after the key update\n");
                step = 3;
            }
            else if (step == 3 && get.BytesReceived == 32)
            {
                server.Type("q\n");
                step = 4;
            }
        });

        Assert.Equal(4, step);
        Assert.Equal("first part\nafter the key update\n", Encoding.ASCII.GetString(body.Body.ToArray()));
        Assert.Equal(HttpsGetState.Failed, get.State);
        Assert.True(get.Error == HttpsError.Truncated || (get.Error == HttpsError.Tls && get.TlsError == TlsError.ConnectionLost),
            $"{get.Error} {get.TlsError}");
        Assert.True(clock.ElapsedMilliseconds < 15_000);
    }

    /// <summary>
    /// A fatal alert mid-stream (RFC 8446 section 6.2): once the request is in, the test puts a record with a bad tag on the
    /// board's TCP socket under the TLS connection; OpenSSL cannot open it and answers with bad_record_mac (20), encrypted
    /// under its application key. The board decrypts the alert, ends the GET with TlsError.PeerAlert and closes, without
    /// an alert of its own (section 6.2: none after a fatal one) and without waiting for a timeout.
    /// </summary>
    [Fact]
    public void A_fatal_alert_mid_stream_ends_the_connection_with_its_reason()
    {
        using var server = Board.StartServer([.. CertificateArguments("ecdsa-p256"), "-tls1_3"]);
        var (get, _) = Board.NewGet([new X25519KeyExchange()], new Collector());
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/interactive"));
        bool forged = false;
        var clock = Stopwatch.StartNew();
        Board.Run(get, 20_000, () =>
        {
            if (!forged && server.Output.Contains("Connection: close", StringComparison.Ordinal))
            {
                // application_data, legacy version 0x0303, 17 bytes: one byte of content and a 16-byte tag that is not its tag.
                byte[] record = [23, 3, 3, 0, 17, .. Enumerable.Repeat((byte)0xA5, 17)];
                Assert.Equal(SocketResult.Success, Board.Stack.SendSome(get.Connection.Socket, record, 0, record.Length, out int sent));
                Assert.Equal(record.Length, sent);
                forged = true;
            }
        });

        var client = get.Connection.Client;
        Assert.True(forged, "the request never reached s_server\n" + server.Output);
        Assert.True(get.State == HttpsGetState.Failed && get.Error == HttpsError.Tls && get.TlsError == TlsError.PeerAlert,
            $"{get.State} {get.Error} {get.TlsError} alert received {client.AlertReceived}\n{server.Output}");
        Assert.Equal(TlsAlert.BadRecordMac, client.AlertReceived);
        Assert.Equal(-1, client.AlertSent);
        Assert.False(get.Connection.IsConnected);
        Assert.True(clock.ElapsedMilliseconds < 15_000);
        log.WriteLine($"s_server: {server.Output.Split('\n').LastOrDefault(l => l.Contains("alert", StringComparison.OrdinalIgnoreCase) || l.Contains("mac", StringComparison.OrdinalIgnoreCase))}");
    }

    /// <summary>
    /// A close_notify alert (RFC 8446 section 6.1) in the middle of a Content-Length body, from Python's ssl module
    /// (SSLSocket.unwrap): the GET ends Truncated, and the board answers with its own close_notify.
    /// </summary>
    [Fact]
    public void A_close_notify_mid_body_ends_the_get_truncated()
    {
        const string script = """
            import socket, ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_3
            context.load_cert_chain("ecdsa-p256.pem", "ecdsa-p256.key")
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("192.0.2.1", 4433))
            listener.listen(1)
            print("ACCEPT", flush=True)
            connection, _ = listener.accept()
            tls = context.wrap_socket(connection, server_side=True)
            request = b""
            while b"\r\n\r\n" not in request:
                request += tls.recv(4096)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100)
            tls.unwrap()
            print("CLOSE_NOTIFY ANSWERED", flush=True)
            """;
        File.WriteAllText(Path.Combine(Board.Directory, "close_notify.py"), script);
        using var server = Board.StartInNamespace(["python3", "close_notify.py"]);
        var (get, _) = Board.NewGet([new X25519KeyExchange()], new Collector());
        Assert.True(get.Start(TlsBoard.ServerAddress, TlsBoard.Port, TlsBoard.HostName, "/"));
        Board.Run(get, 20_000);

        Assert.Equal(HttpsGetState.Failed, get.State);
        Assert.Equal(HttpsError.Truncated, get.Error);
        Assert.Equal(100, get.BytesReceived);
        Assert.True(get.Connection.Client.PeerClosed);
        Assert.True(server.WaitFor("CLOSE_NOTIFY ANSWERED", 5_000), "the board did not answer close_notify:\n" + server.Output);
    }
}

[CollectionDefinition("TLS board")]
public sealed class TlsBoardCollection : ICollectionFixture<TlsBoardFixture>;

/// <summary>One board and one PKI for all the TLS interop tests (RSA-4096 keys take seconds to make).</summary>
public sealed class TlsBoardFixture : IDisposable
{
    public TlsBoard Board { get; } = new();

    public void Dispose() => Board.Dispose();
}
