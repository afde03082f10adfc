using IoTStack.Firmware;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>
/// The board firmware served over a crossover cable to a second IoTStack acting as the HTTP client. The interop
/// suite checks the same services against curl, nc and socat; this one checks what only a test inside the
/// process can: that serving allocates nothing, and that pipelined requests are answered in order.
/// </summary>
public class FirmwareTests
{
    private readonly VirtualClock _clock = new(1_000);
    private readonly NetStack _client;
    private readonly NetStack _board;
    private readonly Firmware.Firmware _firmware;
    private readonly byte[] _buffer = new byte[4096];
    private Func<bool>? _peerService;

    public FirmwareTests()
    {
        var clientDevice = new CrossoverDevice(TestNetwork.Mac(1));
        var boardDevice = new CrossoverDevice(TestNetwork.Mac(2)) { Peer = clientDevice };
        clientDevice.Peer = boardDevice;
        _client = new NetStack(new NetStackOptions { TcpConnections = 8 }, clientDevice, _clock);
        _board = new NetStack(new NetStackOptions { TcpConnections = 6, TcpListeners = 4 }, boardDevice, _clock);
        _client.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        _board.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        // The smallest page buffer and output buffer there are: every page is streamed in several chunks.
        _firmware = new Firmware.Firmware(_board, _board, _clock, new FirmwareSettings { Sessions = 4, PageBufferSize = 1024, OutputBufferSize = 256 });
        Assert.True(_firmware.Start(4));
    }

    private int Connect(int port)
    {
        _client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
        _client.Connect(socket, TestNetwork.Ip(2), port);
        for (int i = 0; i < 100 && _client.Connect(socket, TestNetwork.Ip(2), port) != SocketResult.IsConnected; i++)
        {
            Step();
        }

        Assert.Equal(SocketResult.IsConnected, _client.Connect(socket, TestNetwork.Ip(2), port));
        return socket;
    }

    private void Step()
    {
        for (int round = 0; round < 20 && (_firmware.Poll() | _client.Poll() | (_peerService?.Invoke() ?? false)); round++)
        {
        }

        _clock.Advance(1);
    }

    /// <summary>Sends all of <paramref name="request"/> and reads until <paramref name="responses"/> complete responses arrived.</summary>
    private void Exchange(int socket, byte[] request, ResponseReader reader, int responses)
    {
        int offset = 0;
        int goal = reader.Responses + responses;
        for (int ms = 0; ms < 10_000 && (offset < request.Length || reader.Responses < goal); ms++)
        {
            if (offset < request.Length && _client.SendSome(socket, request, offset, request.Length - offset, out int sent) == SocketResult.Success)
            {
                offset += sent;
            }

            Step();
            while (_client.Receive(socket, _buffer, 0, _buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                reader.Feed(_buffer, 0, n);
            }
        }

        if (reader.Responses != goal)
        {
            Assert.Fail($"{reader.Responses - goal + responses} of {responses} responses arrived"); // not Assert.Equal: it allocates a comparer
        }
    }

    private static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    [Fact]
    public void A_request_head_that_never_ends_is_reset_at_the_head_timeout()
    {
        // Slowloris: a head begun, then a byte a second and never the blank line that ends it.
        int socket = Connect(80);
        byte[] begun = Ascii("GET / HTTP/1.1\r\nHost: b\r\nX-a: ");
        Assert.Equal(SocketResult.Success, _client.SendSome(socket, begun, 0, begun.Length, out _));
        long start = _clock.NowMilliseconds;
        SocketResult result = SocketResult.WouldBlock;
        for (int ms = 1; ms <= 15_000 && result == SocketResult.WouldBlock; ms++)
        {
            if (ms % 1000 == 0)
            {
                _client.SendSome(socket, begun, begun.Length - 1, 1, out _);
            }

            Step();
            result = _client.Receive(socket, _buffer, 0, _buffer.Length, out _);
        }

        Assert.Equal(SocketResult.ConnectionReset, result);
        Assert.InRange(_clock.NowMilliseconds - start, 10_000, 10_100); // FirmwareSettings.HeadTimeoutMs, 10 s by default
        Assert.Equal(1, _firmware.StalledHeadsClosed);
    }

    [Fact]
    public void Heads_trickling_in_every_session_give_way_to_a_client_that_sends_its_request()
    {
        // Every one of the board's four sessions holds a connection trickling a head; a fifth client connects (into the
        // listen backlog) and sends a whole request. The longest-waiting head is reset once it has waited a second, and
        // the client is served; the other three stay.
        byte[] begun = Ascii("GET / HTTP/1.1\r\nHost: b\r\nX-a: ");
        var slow = new int[4];
        for (int i = 0; i < slow.Length; i++)
        {
            slow[i] = Connect(80);
            Assert.Equal(SocketResult.Success, _client.SendSome(slow[i], begun, 0, begun.Length, out _));
            Step();
        }

        Assert.Equal(4, _firmware.SessionsInUse);
        long start = _clock.NowMilliseconds;
        int real = Connect(80);
        var reader = new ResponseReader(keepBodies: true);
        Exchange(real, Ascii("GET /bytes?n=10 HTTP/1.1\r\nHost: b\r\n\r\n"), reader, 1);
        Assert.Equal([200], reader.Statuses);
        Assert.InRange(_clock.NowMilliseconds - start, 900, 1_200);
        Assert.Equal(1, _firmware.StalledHeadsClosed);
        int reset = slow.Count(s => _client.Receive(s, _buffer, 0, _buffer.Length, out _) == SocketResult.ConnectionReset);
        Assert.Equal(1, reset);
        Assert.Equal(4, _firmware.SessionsInUse);
    }

    [Fact]
    public void Idle_keep_alive_connections_in_every_session_let_the_board_sleep_until_their_timeout()
    {
        // Every session holds a keep-alive connection between requests and nobody waits for one: nothing is due before
        // the head timeout, so the board must not ask to be polled at once (a loop that sleeps to PollDelay would spin).
        var sockets = new int[4];
        for (int i = 0; i < sockets.Length; i++)
        {
            sockets[i] = Connect(80);
            Exchange(sockets[i], Ascii("GET /bytes?n=10 HTTP/1.1\r\nHost: b\r\n\r\n"), new ResponseReader(keepBodies: true), 1);
        }

        Assert.Equal(4, _firmware.SessionsInUse);
        for (int ms = 0; ms < 2_000; ms++)
        {
            Step();
        }

        Assert.True(_firmware.PollDelay() > 0);
        Assert.Equal(_board.PollDelay(), _firmware.PollDelay()); // the stack's own deadline (its 250 ms cap): the sessions add nothing sooner
        Assert.Equal(0, _firmware.StalledHeadsClosed);
    }

    [Fact]
    public void Pipelined_requests_on_one_connection_are_answered_in_order()
    {
        int socket = Connect(80);
        var body = new byte[2_000];
        new Random(4).NextBytes(body);
        byte[] request = [
            .. Ascii("GET /bytes?n=3000 HTTP/1.1\r\nHost: b\r\n\r\nPOST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 2000\r\n\r\n"),
            .. body,
            .. Ascii("GET /missing HTTP/1.1\r\nHost: b\r\n\r\nGET /stats HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n"),
        ];
        var reader = new ResponseReader(keepBodies: true);
        Exchange(socket, request, reader, 4);
        Assert.Equal([200, 200, 404, 200], reader.Statuses.Take(4));
        Assert.Equal(3_000, reader.Bodies[0].Length);
        Assert.All(reader.Bodies[0].Select((b, i) => (b, i)), x => Assert.Equal((byte)(32 + x.i % 95), x.b));
        Assert.Equal(body, reader.Bodies[1]);
        Assert.Empty(reader.Bodies[2]);
        string json = System.Text.Encoding.ASCII.GetString(reader.Bodies[3]);
        Assert.StartsWith("{", json);
        Assert.Contains("\"httpRequests\":4", json);
        for (int ms = 0; ms < 100 && _client.Receive(socket, _buffer, 0, _buffer.Length, out int n) != SocketResult.Success; ms++)
        {
            Step();
        }

        Assert.Equal(SocketResult.Success, _client.Receive(socket, _buffer, 0, _buffer.Length, out int end));
        Assert.Equal(0, end); // Connection: close was honoured
    }

    [Fact]
    public void Pages_longer_than_the_page_buffer_stream_whole_as_chunks_and_sessions_take_turns()
    {
        int json = Connect(80);
        int html = Connect(80);
        var jsonReader = new ResponseReader(keepBodies: true);
        var htmlReader = new ResponseReader(keepBodies: true);
        // Both at once: one session holds the page buffer while the other waits its turn.
        var jsonRequest = Ascii("GET /stats HTTP/1.1\r\nHost: b\r\n\r\n");
        var htmlRequest = Ascii("GET / HTTP/1.1\r\nHost: b\r\n\r\n");
        Assert.Equal(SocketResult.Success, _client.SendSome(json, jsonRequest, 0, jsonRequest.Length, out _));
        Assert.Equal(SocketResult.Success, _client.SendSome(html, htmlRequest, 0, htmlRequest.Length, out _));
        for (int ms = 0; ms < 5_000 && (jsonReader.Responses == 0 || htmlReader.Responses == 0); ms++)
        {
            Step();
            while (_client.Receive(json, _buffer, 0, _buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                jsonReader.Feed(_buffer, 0, n);
            }

            while (_client.Receive(html, _buffer, 0, _buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                htmlReader.Feed(_buffer, 0, n);
            }
        }

        Assert.Equal([200], jsonReader.Statuses);
        Assert.Equal([200], htmlReader.Statuses);
        string stats = System.Text.Encoding.ASCII.GetString(jsonReader.Bodies[0]);
        string page = System.Text.Encoding.ASCII.GetString(htmlReader.Bodies[0]);
        Assert.True(stats.Length > 1024 && page.Length > 1024, $"pages of {stats.Length} and {page.Length} bytes: longer than the 1,024-byte page buffer");
        using var document = System.Text.Json.JsonDocument.Parse(stats);
        Assert.Equal(4, document.RootElement.GetProperty("sessions").GetInt32());
        Assert.Equal(6, document.RootElement.GetProperty("budget").GetProperty("tcpConnections").GetInt32());
        Assert.Equal("02:00:00:00:00:02", document.RootElement.GetProperty("mac").GetString());
        Assert.Contains(document.RootElement.GetProperty("sockets").EnumerateArray(), e => e.GetProperty("state").GetString() == "ESTABLISHED");
        Assert.StartsWith("<!doctype html>", page);
        Assert.EndsWith("</html>\n", page);

        // HTTP/1.0: no chunked coding, the body ends with the connection.
        int old = Connect(80);
        var oldRequest = Ascii("GET /stats HTTP/1.0\r\n\r\n");
        _client.SendSome(old, oldRequest, 0, oldRequest.Length, out _);
        var raw = new MemoryStream();
        for (int ms = 0; ms < 5_000 && !_client.PollSocket(old).HasFlag(SocketEvents.HangUp); ms++)
        {
            Step();
            while (_client.Receive(old, _buffer, 0, _buffer.Length, out int n) == SocketResult.Success && n > 0)
            {
                raw.Write(_buffer, 0, n);
            }
        }

        string response = System.Text.Encoding.ASCII.GetString(raw.ToArray());
        Assert.DoesNotContain("Transfer-Encoding", response);
        using var again = System.Text.Json.JsonDocument.Parse(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        Assert.Equal(4, again.RootElement.GetProperty("sessions").GetInt32());
    }

    [Fact]
    public void Resolve_looks_names_up_by_dns_and_mdns_and_stats_shows_the_services()
    {
        var dns = new Services.DnsServerDouble(_client);
        _peerService = dns.Poll;
        var services = new Net.Services.NetServices(_board, _board, "board", dhcp: false);
        services.Dns.SetServers(TestNetwork.Ip(1), IPv4Address.Any, IPv4Address.Any);
        _firmware.Services = services;
        Assert.Equal(SocketResult.Success, services.Start());
        for (int ms = 0; ms < 3_000; ms++)
        {
            Step(); // mDNS probes and announces its name
        }

        int socket = Connect(80);
        var reader = new ResponseReader(keepBodies: true);
        Exchange(socket, Ascii("GET /resolve?name=board.example HTTP/1.1\r\nHost: b\r\n\r\nGET /resolve?name=board.local HTTP/1.1\r\nHost: b\r\n\r\n"
            + "GET /resolve?name=bad..name HTTP/1.1\r\nHost: b\r\n\r\nGET /stats HTTP/1.1\r\nHost: b\r\n\r\n"), reader, 4);
        Assert.Equal([200, 200, 400, 200], reader.Statuses);
        Assert.Equal("192.0.2.77\n", System.Text.Encoding.ASCII.GetString(reader.Bodies[0]));
        Assert.Equal("192.0.2.2\n", System.Text.Encoding.ASCII.GetString(reader.Bodies[1]));
        using var json = System.Text.Json.JsonDocument.Parse(reader.Bodies[3]);
        Assert.Equal("board.local", json.RootElement.GetProperty("hostname").GetString());
        Assert.Equal("192.0.2.1", json.RootElement.GetProperty("dns")[0].GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("time").ValueKind);
        Assert.Equal(["board.example"], dns.Questions);

        dns.Answer = q => Services.DnsServerDouble.Builder.Reply(q, 3);
        Exchange(socket, Ascii("GET /resolve?name=nothing.example HTTP/1.1\r\nHost: b\r\n\r\n"), reader, 1);
        Assert.Equal(404, reader.Statuses[^1]);
        Assert.Equal("NXDOMAIN\n", System.Text.Encoding.ASCII.GetString(reader.Bodies[^1]));
    }

    [Fact]
    public void Serving_http_tcp_echo_and_udp_echo_allocates_nothing_after_start()
    {
        int http = Connect(80);
        int echo = Connect(7);
        _client.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp);
        _client.Bind(udp, IPv4Address.Any, 5000);
        var body = new byte[1_500];
        byte[] requests = [
            .. Ascii("GET /stats HTTP/1.1\r\nHost: b\r\n\r\nGET / HTTP/1.1\r\nHost: b\r\n\r\nGET /bytes?n=5000 HTTP/1.1\r\nHost: b\r\n\r\n"),
            .. Ascii("POST /echo HTTP/1.1\r\nHost: b\r\nContent-Length: 1500\r\n\r\n"), .. body,
        ];
        var line = Ascii("an echo line\n");
        var reader = new ResponseReader(keepBodies: false);
        void Round()
        {
            Exchange(http, requests, reader, 4);
            _client.SendSome(echo, line, 0, line.Length, out _);
            _client.SendTo(udp, line, 0, line.Length, TestNetwork.Ip(2), 7, out _);
            int echoed = 0;
            bool datagram = false;
            for (int ms = 0; ms < 1_000 && (echoed < line.Length || !datagram); ms++)
            {
                Step();
                if (_client.Receive(echo, _buffer, 0, _buffer.Length, out int n) == SocketResult.Success)
                {
                    echoed += n;
                }

                datagram |= _client.ReceiveFrom(udp, _buffer, 0, _buffer.Length, out _, out _) == SocketResult.Success;
            }

            Assert.True(echoed == line.Length && datagram);
        }

        for (int i = 0; i < 20; i++)
        {
            Round();
        }

        long requestsBefore = _firmware.Requests;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
        {
            Round();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(2_000, _firmware.Requests - requestsBefore);
        Assert.Equal(0, reader.NotOk);
    }

    /// <summary>
    /// Counts HTTP/1.1 responses in a byte stream by their heads, and their bodies by Content-Length or chunked
    /// transfer coding (RFC 9112 section 7.1; the status pages are streamed that way); allocates only when asked to keep bodies.
    /// </summary>
    private sealed class ResponseReader(bool keepBodies)
    {
        private enum Part { Head, Body, ChunkSize, ChunkData, ChunkEnd, Trailer }

        private readonly byte[] _head = new byte[2048];
        private int _headLength;
        private long _bodyLeft;
        private Part _part;
        private long _chunkSize;
        private MemoryStream? _body;

        public int Responses { get; private set; }

        public int NotOk { get; private set; }

        public List<int> Statuses { get; } = new();

        public List<byte[]> Bodies { get; } = new();

        public void Feed(byte[] data, int offset, int count)
        {
            int end = offset + count;
            while (offset < end)
            {
                byte b = data[offset];
                switch (_part)
                {
                    case Part.Body:
                    case Part.ChunkData:
                        int take = (int)Math.Min(_bodyLeft, end - offset);
                        _body?.Write(data, offset, take);
                        offset += take;
                        _bodyLeft -= take;
                        if (_bodyLeft == 0)
                        {
                            if (_part == Part.Body)
                            {
                                Complete();
                            }
                            else
                            {
                                _part = Part.ChunkEnd;
                            }
                        }

                        continue;
                    case Part.ChunkSize:
                        offset++;
                        if (b == '\n')
                        {
                            if (_chunkSize == 0)
                            {
                                _part = Part.Trailer;
                            }
                            else
                            {
                                _part = Part.ChunkData;
                                _bodyLeft = _chunkSize;
                            }
                        }
                        else if (b != '\r')
                        {
                            _chunkSize = _chunkSize * 16 + (b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
                        }

                        continue;
                    case Part.ChunkEnd:
                        offset++;
                        if (b == '\n')
                        {
                            _part = Part.ChunkSize;
                            _chunkSize = 0;
                        }

                        continue;
                    case Part.Trailer:
                        offset++;
                        if (b == '\n')
                        {
                            Complete();
                        }

                        continue;
                }

                _head[_headLength++] = data[offset++];
                if (_headLength >= 4 && _head[_headLength - 4] == '\r' && _head[_headLength - 3] == '\n' && _head[_headLength - 2] == '\r' && _head[_headLength - 1] == '\n')
                {
                    int status = (_head[9] - '0') * 100 + (_head[10] - '0') * 10 + (_head[11] - '0');
                    if (status != 200)
                    {
                        NotOk++;
                    }

                    if (keepBodies)
                    {
                        Statuses.Add(status);
                        _body = new MemoryStream();
                    }

                    bool chunked = _head.AsSpan(0, _headLength).IndexOf("\r\nTransfer-Encoding: chunked\r\n"u8) >= 0;
                    _bodyLeft = chunked ? 0 : ContentLength();
                    _headLength = 0;
                    if (chunked)
                    {
                        _part = Part.ChunkSize;
                        _chunkSize = 0;
                    }
                    else if (_bodyLeft == 0)
                    {
                        Complete();
                    }
                    else
                    {
                        _part = Part.Body;
                    }
                }
            }
        }

        private void Complete()
        {
            Responses++;
            _part = Part.Head;
            if (_body != null)
            {
                Bodies.Add(_body.ToArray());
                _body = null;
            }
        }

        private long ContentLength()
        {
            ReadOnlySpan<byte> name = "\r\nContent-Length: "u8;
            int at = _head.AsSpan(0, _headLength).IndexOf(name);
            Assert.True(at >= 0, "a response with neither Content-Length nor chunked coding");
            long value = 0;
            for (int i = at + name.Length; _head[i] >= '0' && _head[i] <= '9'; i++)
            {
                value = value * 10 + _head[i] - '0';
            }

            return value;
        }
    }
}
