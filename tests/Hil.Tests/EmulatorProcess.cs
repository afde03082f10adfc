using System.Diagnostics;

namespace IoTStack.Hil.Tests;

/// <summary>
/// The emulator as users run it: its own process, started with <c>--tap</c> inside a network namespace of
/// the test's making, where a persistent TAP device already carries Linux's side (192.0.2.1/24). The board is
/// 192.0.2.2. On dispose the emulator gets SIGTERM (so its capture is complete), then the namespace goes.
/// </summary>
public sealed class EmulatorProcess : NamespaceHost, IDisposable
{
    private static int _instances;
    private Process? _process;
    private readonly string[] _arguments = [];
    private readonly List<string> _output = new();

    public EmulatorProcess(string chip, params string[] extra)
        : this(chip, null, extra)
    {
    }

    /// <param name="prepare">Runs once the namespace and its TAP device exist, before the emulator starts (servers the board will need).</param>
    public EmulatorProcess(string chip, Action<EmulatorProcess>? prepare, params string[] extra)
        : base(NextName(out int instance))
    {
        Interface = $"emu{Environment.ProcessId % 100000}x{instance}";
        CapturePath = Path.Combine(Path.GetTempPath(), $"{Namespace}.pcap");
        try
        {
            CreateNamespaceWithTap(Interface);
            prepare?.Invoke(this);
            _arguments = new[] { "--tap", Interface, "--chip", chip, "--pcap", CapturePath, "--duration", "600" }.Concat(extra).ToArray();
            Launch();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override string Interface { get; }

    /// <summary>Starts the emulator process and waits for its first line.</summary>
    private void Launch()
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var ready = new TaskCompletionSource();
        var process = Start(true, new[] { dotnet, Path.Combine(AppContext.BaseDirectory, "IoTStack.Emulator.dll") }.Concat(_arguments).ToArray());
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetResult();
                return;
            }

            lock (_output)
            {
                _output.Add(e.Data);
            }

            if (e.Data.StartsWith("board ", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _output.Add("stderr: " + e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!ready.Task.Wait(30_000) || process.HasExited)
        {
            throw new InvalidOperationException("the emulator did not come up:\n" + Output);
        }
    }

    /// <summary>A board reset: the emulator process killed (no goodbye on the wire) and started again on the same TAP device.</summary>
    public override void Reset()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        Launch();
    }

    public override string? Failure => _process is null ? "not started" : _process.HasExited ? $"the emulator exited ({_process.ExitCode}):\n{Output}" : null;

    private static string NextName(out int instance)
    {
        instance = Interlocked.Increment(ref _instances);
        return $"iotstack-{Environment.ProcessId}-e{instance}";
    }

    public string CapturePath { get; }

    /// <summary>A command to the running emulator on its standard input ("join GROUP", "leave GROUP"); waits up to 5 s for the line it answers with.</summary>
    public string Command(string line)
    {
        int before;
        lock (_output)
        {
            before = _output.Count;
        }

        _process!.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
        string verb = line.Split(' ')[0];
        for (int i = 0; i < 50; i++)
        {
            lock (_output)
            {
                var answer = _output.Skip(before).FirstOrDefault(l => l.StartsWith(verb == "join" ? "joined" : "left", StringComparison.Ordinal)
                    || l.StartsWith(verb, StringComparison.Ordinal) || l.StartsWith("unknown command", StringComparison.Ordinal));
                if (answer is not null)
                {
                    return answer;
                }
            }

            Thread.Sleep(100);
        }

        return "no answer";
    }

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

    /// <summary>
    /// Stops the emulator with SIGTERM, which it handles as it does Ctrl-C, and returns its exit code (-1 if it had to
    /// be killed). Not SIGINT: a test run started as a background job of a script inherits SIGINT ignored (POSIX
    /// shells set SIG_IGN for asynchronous commands), the runtime keeps it ignored, and the emulator never hears it.
    /// </summary>
    public int Stop()
    {
        if (_process is null || _process.HasExited)
        {
            return _process?.ExitCode ?? -1;
        }

        Shell.Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!_process.WaitForExit(15_000))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            return -1;
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>
    /// Cuts the board's power: SIGKILL to the emulator's PID, so nothing is said on the wire (no FIN, no MQTT DISCONNECT);
    /// its peers learn only from their own timeouts. The namespace and the daemons stay until Dispose.
    /// </summary>
    public void PowerCut()
    {
        if (_process is not null && !_process.HasExited)
        {
            Shell.Run("kill", "-KILL", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _process.WaitForExit(15_000);
        }
    }

    private readonly List<Process> _daemons = new();

    /// <summary>Starts a server (dnsmasq, chronyd) inside the namespace; it is killed when the emulator goes.</summary>
    public Process StartDaemon(params string[] command)
    {
        var daemon = Start(false, command);
        daemon.OutputDataReceived += (_, e) => Log(e.Data);
        daemon.ErrorDataReceived += (_, e) => Log(e.Data);
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        _daemons.Add(daemon);
        return daemon;

        void Log(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.Add(command[0] + ": " + line);
                }
            }
        }
    }

    public void Dispose()
    {
        Stop();
        _process?.Dispose();
        foreach (var daemon in _daemons)
        {
            if (!daemon.HasExited)
            {
                daemon.Kill(entireProcessTree: true);
                daemon.WaitForExit(5_000);
            }

            daemon.Dispose();
        }

        Shell.Run("ip", "netns", "del", Namespace);
        File.Delete(CapturePath);
    }

}
