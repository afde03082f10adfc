using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace IoTStack.Bench;

/// <summary>
/// Figures 1 and 7 through real Linux: the emulator on a TAP device in a network namespace against nc and ping,
/// and the reference in the same run, Linux to Linux over a veth pair between two namespaces. Needs root.
/// Addresses 192.0.2.0/24 inside the namespaces only.
/// </summary>
public static class Tap
{
    private static int _sequence;

    public static string? Unavailable()
    {
        if (Environment.UserName != "root")
        {
            return "not root (the TAP and veth figures need network namespaces)";
        }

        foreach (var program in new[] { "ip", "nc", "ping" })
        {
            if (Run("sh", "-c", $"command -v {program}").ExitCode != 0)
            {
                return $"{program} is not installed";
            }
        }

        return File.Exists("/dev/net/tun") ? null : "no /dev/net/tun";
    }

    public sealed record Figures(double BoardReceivesMBps, double BoardSendsMBps, double RoundTripMs);

    /// <summary>Linux to Linux over veth: nc each way and ping.</summary>
    public static Figures Veth(int megabytes)
    {
        string a = Name("va"), b = Name("vb");
        try
        {
            Check(Run("ip", "netns", "add", a));
            Check(Run("ip", "netns", "add", b));
            Check(Run("ip", "link", "add", "veth-a", "netns", a, "type", "veth", "peer", "name", "veth-b", "netns", b));
            Check(Run("ip", "netns", "exec", a, "sh", "-c", "ip link set lo up && ip addr add 192.0.2.1/24 dev veth-a && ip link set veth-a up"));
            Check(Run("ip", "netns", "exec", b, "sh", "-c", "ip link set lo up && ip addr add 192.0.2.2/24 dev veth-b && ip link set veth-b up"));
            using var discard = Background(b, "nc -l -p 9 > /dev/null");
            using var chargen = Background(b, $"head -c {megabytes * 2}000000 /dev/zero | nc -N -l -p 19");
            Thread.Sleep(300);
            return Measure(a, megabytes);
        }
        finally
        {
            Run("ip", "netns", "del", a);
            Run("ip", "netns", "del", b);
        }
    }

    /// <summary>The emulator on <paramref name="chip"/>: nc into its discard, out of its chargen, and ping.</summary>
    public static Figures Emulator(string chip, int megabytes)
    {
        string ns = Name("em");
        string tap = $"bench{Environment.ProcessId % 10000}x{_sequence}";
        Process? emulator = null;
        try
        {
            Check(Run("ip", "netns", "add", ns));
            Check(Run("ip", "netns", "exec", ns, "sh", "-c",
                $"ip link set lo up && ip tuntap add dev {tap} mode tap && ip addr add 192.0.2.1/24 dev {tap} && ip link set {tap} up"));
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "netns", "exec", ns, dotnet, Path.Combine(AppContext.BaseDirectory, "IoTStack.Emulator.dll"), "--tap", tap, "--chip", chip, "--duration", "300" })
            {
                start.ArgumentList.Add(argument);
            }

            emulator = Process.Start(start)!;
            emulator.BeginOutputReadLine();
            emulator.BeginErrorReadLine();
            Check(Run("ip", "netns", "exec", ns, "ping", "-c", "1", "-w", "20", "192.0.2.2"));
            return Measure(ns, megabytes);
        }
        finally
        {
            if (emulator is { HasExited: false })
            {
                emulator.Kill(entireProcessTree: true);
                emulator.WaitForExit();
            }

            Run("ip", "netns", "del", ns);
        }
    }

    private static Figures Measure(string ns, int megabytes)
    {
        long bytes = megabytes * 1_000_000L;
        var watch = Stopwatch.StartNew();
        Check(Run("ip", "netns", "exec", ns, "sh", "-c", $"head -c {bytes} /dev/zero | nc -N -w 10 192.0.2.2 9"));
        double receives = bytes / 1e6 / watch.Elapsed.TotalSeconds;
        watch.Restart();
        var read = Run("ip", "netns", "exec", ns, "sh", "-c", $"nc -d -w 10 192.0.2.2 19 | head -c {bytes} | wc -c");
        double sends = bytes / 1e6 / watch.Elapsed.TotalSeconds;
        if (read.Output.Trim() != bytes.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"chargen gave {read.Output.Trim()} bytes, not {bytes}");
        }

        var ping = Run("ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", "200", "-i", "0.005", "192.0.2.2");
        var rtt = Regex.Match(ping.Output, @"= [\d.]+/([\d.]+)/");
        return new Figures(receives, sends, rtt.Success ? double.Parse(rtt.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN);
    }

    private static string Name(string kind) => $"iotstack-{Environment.ProcessId}-b{kind}{Interlocked.Increment(ref _sequence)}";

    private sealed class Daemon(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    private static Daemon Background(string ns, string command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", ns, "sh", "-c", command })
        {
            start.ArgumentList.Add(argument);
        }

        return new Daemon(Process.Start(start)!);
    }

    private sealed record Result(int ExitCode, string Output, string Error);

    private static Result Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        return new Result(process.ExitCode, output.Result, error.Result);
    }

    private static void Check(Result result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"exit {result.ExitCode}: {result.Output}{result.Error}");
        }
    }
}
