using System.Security.Cryptography;
using System.Text.Json;

namespace IoTStack.Interop.Tests;

/// <summary>curl against the firmware's HTTP server on the board, through TAP in a namespace of its own.</summary>
public sealed class CurlTests : IClassFixture<LinuxPeerTests.Board>, IDisposable
{
    private readonly LinuxPeer _peer;
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-curl-").FullName;

    public CurlTests(LinuxPeerTests.Board board) => _peer = board.Peer;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_status_page_and_stats_are_served()
    {
        var page = _peer.Curl("--fail", "http://192.0.2.2/");
        Assert.True(page.ExitCode == 0, page.ToString());
        Assert.Contains("<h1>IoTStack board</h1>", page.Output);
        Assert.Contains("192.0.2.2", page.Output);
        var stats = _peer.Curl("--fail", "http://192.0.2.2/stats");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        using var json = JsonDocument.Parse(stats.Output);
        Assert.Equal("192.0.2.2", json.RootElement.GetProperty("address").GetString());
        Assert.True(json.RootElement.GetProperty("counters").GetProperty("TcpPassiveOpens").GetInt32() >= 1);
        Assert.Contains(json.RootElement.GetProperty("sockets").EnumerateArray(), s => s.GetProperty("state").GetString() == "LISTEN");
    }

    [Theory]
    [InlineData(1_000_000)]
    [InlineData(10_000_000)]
    public void A_download_from_bytes_arrives_with_its_pattern(int size)
    {
        string output = Path.Combine(_directory, $"bytes{size}");
        var result = _peer.Curl("--fail", "-o", output, $"http://192.0.2.2/bytes?n={size}");
        Assert.True(result.ExitCode == 0, result.ToString());
        var bytes = File.ReadAllBytes(output);
        Assert.Equal(size, bytes.Length);
        Assert.True(bytes.Select((b, i) => b == 32 + i % 95).All(x => x), "the pattern is broken");
    }

    [Fact]
    public void Posting_a_megabyte_to_echo_returns_it()
    {
        var data = new byte[1_000_000];
        new Random(1).NextBytes(data);
        string input = Path.Combine(_directory, "post.in");
        string output = Path.Combine(_directory, "post.out");
        File.WriteAllBytes(input, data);
        var result = _peer.Curl("--fail", "--data-binary", "@" + input, "-H", "Content-Type: application/octet-stream", "-o", output, "http://192.0.2.2/echo");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(File.ReadAllBytes(output)));
    }

    [Theory]
    [InlineData("http://192.0.2.2/nothing", "GET", "404")]
    [InlineData("http://192.0.2.2/echo", "GET", "405")]
    [InlineData("http://192.0.2.2/", "DELETE", "405")]
    [InlineData("http://192.0.2.2/bytes?n=abc", "GET", "400")]
    public void What_is_not_served_gets_its_status_code(string url, string method, string code)
    {
        var result = _peer.Curl("-o", "/dev/null", "-w", "%{http_code}", "-X", method, url);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(code, result.Output);
    }

    [Fact]
    public async Task One_keep_alive_connection_serves_many_requests_and_eight_clients_run_at_once()
    {
        // Each URL gets its own "-o /dev/null"; curl reuses one connection for all twenty.
        var urls = Enumerable.Range(0, 20).SelectMany(i => new[] { "-o", "/dev/null", $"http://192.0.2.2/bytes?n={1000 + i}" }).ToArray();
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() => _peer.Curl(new[] { "--fail", "-w", "%{num_connects} " }.Concat(urls).ToArray()))).ToArray();
        foreach (var result in await Task.WhenAll(tasks))
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            var connects = result.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            Assert.Equal(20, connects.Length);
            Assert.Equal(1, connects.Sum()); // the first request connected, the other nineteen reused it
        }
    }
}
