using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// The emulator process (<c>--tap</c>, one per chip) from start to stop: a session of ping, curl, nc, socat and
/// nmap whose capture tshark judges once the emulator has closed it, and transfers over a lossy, reordering
/// wire. BoardSuite (tests/Hil.Tests) runs the full list of programs against each board.
/// </summary>
public sealed class EmulatorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-emulator-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void A_session_with_every_program_leaves_a_capture_tshark_finds_clean(string chip)
    {
        using var board = new EmulatorProcess(chip);
        string Context(ProcessResult r) => r + "\nemulator:\n" + board.Output;

        foreach (int size in new[] { 0, 1, 1000, 1472 })
        {
            var sized = board.InNamespace(30_000, "ping", "-c", "1", "-W", "2", "-s", size.ToString(), "192.0.2.2");
            Assert.True(sized.ExitCode == 0, $"{size} bytes: " + Context(sized));
        }

        if (chip != "w5500-sockets")
        {
            // Fragmented both ways; a W5500 running its own TCP/IP does not reassemble (datasheet 1.1: no IP fragmentation).
            var big = board.InNamespace(30_000, "ping", "-c", "1", "-W", "2", "-s", "4000", "192.0.2.2");
            Assert.True(big.ExitCode == 0, Context(big));
        }

        var stats = board.Curl("--fail", "http://192.0.2.2/stats");
        Assert.True(stats.ExitCode == 0, Context(stats));
        using (var json = JsonDocument.Parse(stats.Output))
        {
            Assert.Equal("192.0.2.2", json.RootElement.GetProperty("address").GetString());
        }

        DownloadAndEcho(board, Context);

        var echoIn = Path.Combine(_directory, "nc.in");
        var echoOut = Path.Combine(_directory, "nc.out");
        var data = new byte[300_000];
        new Random(9).NextBytes(data);
        File.WriteAllBytes(echoIn, data);
        var nc = board.InNamespace(echoIn, echoOut, 60_000, "nc", "-N", "-w", "10", "192.0.2.2", "7");
        Assert.True(nc.ExitCode == 0, Context(nc));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(File.ReadAllBytes(echoOut)));

        foreach (int size in new[] { 1, 512, 1472 })
        {
            var datagram = new byte[size];
            new Random(size).NextBytes(datagram);
            File.WriteAllBytes(echoIn, datagram);
            var udp = board.InNamespace(echoIn, echoOut, 30_000, "socat", "-t", "2", "-b", "65536", "-", "UDP:192.0.2.2:7");
            Assert.True(udp.ExitCode == 0, Context(udp));
            Assert.Equal(datagram, File.ReadAllBytes(echoOut));
        }

        // nmap's SYN scan: exactly the firmware's four TCP services open, every other port answered (closed, not filtered).
        var scan = board.InNamespace(120_000, "nmap", "-n", "-Pn", "-sS", "-p", "1-1024", "--max-retries", "2", "-oG", "-", "192.0.2.2");
        Assert.True(scan.ExitCode == 0, Context(scan));
        var open = Regex.Matches(scan.Output, @"(\d+)/open/tcp").Select(m => int.Parse(m.Groups[1].Value)).Order().ToArray();
        Assert.True(new[] { 7, 9, 19, 80 }.SequenceEqual(open), "open: " + string.Join(",", open) + "\n" + Context(scan));
        Assert.Contains("Ignored State: closed (1020)", scan.Output);
        // nmap -sU sends its echo probe to port 7 and calls the port open when the datagram comes back.
        var udpScan = board.InNamespace(120_000, "nmap", "-n", "-Pn", "-sU", "-p", "7", "-oG", "-", "192.0.2.2");
        Assert.True(udpScan.ExitCode == 0 && udpScan.Output.Contains("7/open/udp"), Context(udpScan));

        Assert.Equal(0, board.Stop());
        AssertCleanCapture(board.CapturePath);
    }

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void Transfers_stay_exact_over_a_wire_that_loses_and_reorders(string chip)
    {
        using var board = new EmulatorProcess(chip, "--loss", "0.02", "--reorder", "0.02", "--seed", "6");
        DownloadAndEcho(board, r => r + "\nemulator:\n" + board.Output);
        Assert.Equal(0, board.Stop());
        var last = board.Output.Split('\n').Last(l => l.Contains(" s  in "));
        var lost = Regex.Match(last, @"wire lost (\d+)");
        Assert.True(lost.Success && int.Parse(lost.Groups[1].Value) > 20, $"{chip}: the wire lost too little to mean anything: {last}");
    }

    private void DownloadAndEcho(EmulatorProcess board, Func<ProcessResult, string> context)
    {
        string download = Path.Combine(_directory, "bytes");
        var get = board.Curl("--fail", "-o", download, "http://192.0.2.2/bytes?n=1000000");
        Assert.True(get.ExitCode == 0, context(get));
        var bytes = File.ReadAllBytes(download);
        Assert.Equal(1_000_000, bytes.Length);
        Assert.True(bytes.Select((b, i) => b == 32 + i % 95).All(x => x), "the pattern is broken");

        var body = new byte[500_000];
        new Random(2).NextBytes(body);
        string input = Path.Combine(_directory, "post.in");
        string output = Path.Combine(_directory, "post.out");
        File.WriteAllBytes(input, body);
        var post = board.Curl("--fail", "--data-binary", "@" + input, "-H", "Content-Type: application/octet-stream", "-o", output, "http://192.0.2.2/echo");
        Assert.True(post.ExitCode == 0, context(post));
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(File.ReadAllBytes(output)));
    }

    /// <summary>tshark's expert information over the whole capture: no malformed frames, no bad checksums.</summary>
    private static void AssertCleanCapture(string path)
    {
        var frames = Shell.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.number");
        Assert.True(frames.ExitCode == 0, frames.ToString());
        int count = frames.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.True(count > 2_000, $"the capture holds only {count} frames"); // a megabyte each way and an nmap scan at least
        var bad = Shell.Run("tshark", "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "_ws.malformed || _ws.expert.severity == error || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0");
        Assert.True(bad.ExitCode == 0, bad.ToString());
        Assert.True(bad.Output.Trim().Length == 0, "tshark flags these frames:\n" + bad.Output);
    }
}
