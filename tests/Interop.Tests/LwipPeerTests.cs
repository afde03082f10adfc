using System.Diagnostics;
using System.Security.Cryptography;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// The reference tools/bench-lwip.sh measures IoTStack against: tools/lwip-peer, lwIP 2.1.3 from Debian's
/// liblwip-dev, built here with gcc and started on a TAP device in a namespace of the test's own, answers
/// ping, TCP echo (nc) and HTTP/1.1 with keep-alive (curl), so the bench's lwIP column stands on a peer
/// known to work.
/// </summary>
public sealed class LwipPeerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-lwip-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_lwIP_peer_answers_ping_echo_and_HTTP_with_keep_alive()
    {
        using var peer = new LwipPeerHost(Build());
        string Context(ProcessResult r) => r + "\nlwip-peer:\n" + peer.Output;

        var ping = peer.InNamespace(30_000, "ping", "-c", "3", "-i", "0.2", "-W", "2", peer.Address);
        Assert.True(ping.ExitCode == 0, Context(ping));

        var echoIn = Path.Combine(_directory, "nc.in");
        var echoOut = Path.Combine(_directory, "nc.out");
        var data = new byte[300_000];
        new Random(15).NextBytes(data);
        File.WriteAllBytes(echoIn, data);
        var nc = peer.InNamespace(echoIn, echoOut, 60_000, "nc", "-N", "-w", "10", peer.Address, "7");
        Assert.True(nc.ExitCode == 0, Context(nc));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(File.ReadAllBytes(echoOut)));

        var page = peer.Curl("--fail", $"http://{peer.Address}/");
        Assert.True(page.ExitCode == 0, Context(page));
        Assert.Contains("<html>", page.Output);
        Assert.Contains("lwIP 2.1.3", page.Output);

        // Two requests on one connection: curl connects for the first and reuses it for the second.
        var twice = peer.Curl("--fail", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n",
            $"http://{peer.Address}/", $"http://{peer.Address}/bytes?n=100000");
        Assert.True(twice.ExitCode == 0, Context(twice));
        Assert.Equal(["200 1", "200 0"], twice.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var bytes = peer.Curl("--fail", "-o", "/dev/null", "-w", "%{size_download}", $"http://{peer.Address}/bytes?n=1000000");
        Assert.True(bytes.ExitCode == 0, Context(bytes));
        Assert.Equal("1000000", bytes.Output);
        Assert.Null(peer.Failure);
    }

    /// <summary>Builds tools/lwip-peer (copied beside the tests) with its Makefile in the test's directory.</summary>
    private string Build()
    {
        string source = Path.Combine(AppContext.BaseDirectory, "lwip-peer");
        foreach (var name in new[] { "lwip-peer.c", "Makefile" })
        {
            File.Copy(Path.Combine(source, name), Path.Combine(_directory, name));
        }

        var make = Shell.Run("make", new[] { "-C", _directory }, 120_000);
        Assert.True(make.ExitCode == 0, "building the lwIP peer (needs gcc, make and liblwip-dev) failed: " + make);
        return Path.Combine(_directory, "lwip-peer");
    }

    /// <summary>lwip-peer on a TAP device (Linux 192.0.2.1/24) in a namespace of its own; both go on dispose.</summary>
    private sealed class LwipPeerHost : NamespaceHost, IDisposable
    {
        private static int _instances;
        private readonly Process? _process;
        private readonly List<string> _output = new();

        public LwipPeerHost(string program)
            : base($"iotstack-{Environment.ProcessId}-l{Interlocked.Increment(ref _instances)}")
        {
            Interface = $"lwip{Environment.ProcessId % 100000}";
            try
            {
                CreateNamespaceWithTap(Interface);
                var ready = new TaskCompletionSource();
                _process = Start(false, program, Interface, Address);
                _process.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is null)
                    {
                        ready.TrySetResult();
                        return;
                    }

                    Log(e.Data);
                    if (e.Data.StartsWith("lwip-peer ready", StringComparison.Ordinal))
                    {
                        ready.TrySetResult();
                    }
                };
                _process.ErrorDataReceived += (_, e) => Log(e.Data is null ? null : "stderr: " + e.Data);
                _process.BeginOutputReadLine();
                _process.BeginErrorReadLine();
                if (!ready.Task.Wait(30_000) || _process.HasExited)
                {
                    throw new InvalidOperationException("the lwIP peer did not come up:\n" + Output);
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public override string Interface { get; }

        public override string? Failure => _process is null ? "not started" : _process.HasExited ? $"lwip-peer exited ({_process.ExitCode}):\n{Output}" : null;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return string.Join('\n', _output);
                }
            }
        }

        private void Log(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.Add(line);
                }
            }
        }

        public void Dispose()
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }

            _process?.Dispose();
            Shell.Run("ip", "netns", "del", Namespace);
        }
    }
}
