using System.Diagnostics;

namespace IoTStack.Emulator.Tests;

/// <summary>Runs Wireshark's tshark (Debian package tshark, installed by tools/test.sh) on a capture file.</summary>
public static class Tshark
{
    /// <summary>Dissects a capture with checksum validation on, returning one tab-separated row per frame.</summary>
    public static string[][] Fields(string pcapPath, params string[] fields)
    {
        var arguments = new List<string> { "-r", pcapPath, "-n" };
        foreach (var protocol in new[] { "ip", "tcp", "udp" })
        {
            arguments.AddRange(["-o", $"{protocol}.check_checksum:TRUE"]);
        }

        arguments.AddRange(["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]);
        foreach (var field in fields)
        {
            arguments.AddRange(["-e", field]);
        }

        return Run(arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToArray();
    }

    private static string Run(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("tshark did not start: install the tshark package (tools/test.sh does)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("tshark ran for over 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tshark exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }
}
