using System.Security.Cryptography;
using IoTStack.Net;

namespace IoTStack.Interop.Tests;

/// <summary>
/// Real Linux programs (iputils ping, arping, OpenBSD netcat, socat) against the board through a TAP device,
/// inside a network namespace the fixture makes and removes. Addresses: 192.0.2.0/24 only.
/// </summary>
public sealed class LinuxPeerTests : IClassFixture<LinuxPeerTests.Board>, IDisposable
{
    public sealed class Board : IDisposable
    {
        public LinuxPeer Peer { get; } = new();

        public void Dispose() => Peer.Dispose();
    }

    private readonly LinuxPeer _peer;
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-interop-").FullName;

    public LinuxPeerTests(Board board) => _peer = board.Peer;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string RandomFile(string name, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Theory]
    [InlineData(0)]
    [InlineData(56)]
    [InlineData(1472)]
    [InlineData(1473)]
    [InlineData(4000)]
    public void Ping_of_every_kind_of_size_is_answered(int size)
    {
        var result = _peer.InNamespace(30_000, "ping", "-c", "5", "-i", "0.2", "-W", "2", "-s", size.ToString(), "192.0.2.2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("5 received", result.Output);
    }

    [Fact]
    public void A_hundred_quick_pings_are_all_answered()
    {
        var result = _peer.InNamespace(30_000, "ping", "-c", "100", "-i", "0.01", "-W", "2", "-q", "192.0.2.2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("100 received", result.Output);
    }

    [Fact]
    public void Arping_resolves_the_board()
    {
        var result = _peer.InNamespace(30_000, "arping", "-c", "3", "-w", "10", "-I", _peer.Interface, "192.0.2.2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("02:00:00:00:00:02", result.Output.ToLowerInvariant());
    }

    [Fact]
    public void Netcat_echo_of_a_megabyte_comes_back_byte_exact()
    {
        string input = RandomFile("echo.in", 1_000_000, 1);
        string output = Path.Combine(_directory, "echo.out");
        var result = _peer.InNamespace(input, output, 60_000, "nc", "-N", "-w", "10", "192.0.2.2", "7");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Hash(input), Hash(output));
    }

    [Fact]
    public async Task Several_netcat_echo_clients_at_once_each_get_their_own_bytes_back()
    {
        var tasks = Enumerable.Range(0, 6).Select(i => Task.Run(() =>
        {
            string input = RandomFile($"par{i}.in", 200_000 + i, 10 + i);
            string output = Path.Combine(_directory, $"par{i}.out");
            var result = _peer.InNamespace(input, output, 60_000, "nc", "-N", "-w", "10", "192.0.2.2", "7");
            return (result, Hash(input) == Hash(output));
        })).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.True(r.Item2, r.result.ToString()));
    }

    [Fact]
    public void Netcat_sends_ten_megabytes_to_discard()
    {
        string input = RandomFile("discard.in", 10_000_000, 2);
        var result = _peer.InNamespace(input, null, 120_000, "nc", "-N", "-w", "10", "192.0.2.2", "9");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void Netcat_reads_two_megabytes_of_chargen()
    {
        string output = Path.Combine(_directory, "chargen.out");
        var result = _peer.InNamespace(60_000, "sh", "-c", $"nc -d -w 10 192.0.2.2 19 | head -c 2000000 > {output}");
        Assert.True(result.ExitCode == 0, result.ToString());
        var bytes = File.ReadAllBytes(output);
        Assert.Equal(2_000_000, bytes.Length);
        Assert.True(bytes.Select((b, i) => b == 32 + i % 95).All(x => x), "the chargen pattern is broken");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(1472)]
    [InlineData(3000)]
    public void Socat_udp_echo_returns_each_datagram_whole(int size)
    {
        string input = RandomFile($"udp{size}.in", size, size);
        string output = Path.Combine(_directory, $"udp{size}.out");
        var result = _peer.InNamespace(input, output, 30_000, "socat", "-t", "2", "-b", "65536", "-", "UDP:192.0.2.2:7");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Hash(input), Hash(output));
    }

    [Fact]
    public void A_closed_port_refuses_the_connection_at_once()
    {
        var result = _peer.InNamespace(30_000, "nc", "-z", "-v", "-w", "5", "192.0.2.2", "81");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused", result.Error);
    }
}
