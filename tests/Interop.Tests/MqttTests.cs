using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// Issue 17 against Mosquitto (Debian's mosquitto and mosquitto-clients), on all three boards: the emulated board runs
/// with <c>--mqtt 192.0.2.1 --mqtt-prefix board</c>; Mosquitto listens on 192.0.2.1:1883 inside the test's namespace,
/// with persistence in the test's directory so sessions survive a restart. The board's status reaches mosquitto_sub,
/// mosquitto_pub's messages on board/echo come back on board/echo/reply at QoS 0, 1 and 2, a thousand QoS 1 messages
/// round trip with none lost or duplicated, and with the broker killed and restarted mid-stream none is lost.
/// Every process started here is ended by its PID; the namespace goes with the emulator.
/// </summary>
public sealed class MqttTests(ITestOutputHelper log) : IDisposable
{
    private const int Messages = 1_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-mqtt-").FullName;
    private readonly List<Process> _processes = new();

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            Kill(process);
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private string Config()
    {
        string path = Path.Combine(_directory, "mosquitto.conf");
        File.WriteAllText(path, string.Join('\n',
            "listener 1883 192.0.2.1",
            "allow_anonymous true",
            "user root",
            "persistence true",
            "persistence_location " + _directory + "/",
            "max_inflight_messages 8",
            "max_queued_messages 100000",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
            "") );
        return path;
    }

    /// <summary>A client in the namespace whose output lines are collected as they come; ended by PID on dispose.</summary>
    private sealed class Collector
    {
        private readonly List<string> _lines = new();

        public Collector(EmulatorProcess board, List<Process> processes, params string[] command)
        {
            Process = board.Start(false, command);
            processes.Add(Process);
            Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_lines)
                    {
                        _lines.Add(e.Data);
                    }
                }
            };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public List<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return new List<string>(_lines);
                }
            }
        }

        /// <summary>Waits (at most <paramref name="timeoutMs"/>) until the condition holds over the lines so far.</summary>
        public bool WaitFor(Func<List<string>, bool> condition, int timeoutMs)
        {
            var watch = Stopwatch.StartNew();
            while (watch.ElapsedMilliseconds < timeoutMs)
            {
                if (condition(Lines))
                {
                    return true;
                }

                Thread.Sleep(50);
            }

            return condition(Lines);
        }
    }

    private static int Connections(EmulatorProcess board) =>
        board.Output.Split('\n').Count(l => l.StartsWith("mosquitto: ", StringComparison.Ordinal) && l.Contains("New client connected from 192.0.2.2") && l.Contains("iotstack-board"));

    private static bool WaitUntil(Func<bool> condition, int timeoutMs)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.ElapsedMilliseconds > timeoutMs)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }

    private string Lines(string name, int from, int count)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllLines(path, Enumerable.Range(from, count).Select(i => "m" + i.ToString("D5", CultureInfo.InvariantCulture)));
        return path;
    }

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void The_board_reports_echoes_at_every_qos_and_loses_nothing_across_a_broker_restart(string chip)
    {
        string config = Config();
        Process broker = null!;
        using var board = new EmulatorProcess(chip, host => broker = host.StartDaemon("mosquitto", "-c", config), "--mqtt", "192.0.2.1", "--mqtt-prefix", "board");
        string Context(object what) => $"{chip}: {what}\n{board.Output}";
        Assert.True(WaitUntil(() => Connections(board) >= 1, 20_000), Context("the board did not connect"));

        // PREFIX/status: retained, so the first mosquitto_sub sees the last one at once.
        var status = board.InNamespace(30_000, "mosquitto_sub", "-h", "192.0.2.1", "-t", "board/status", "-C", "1", "-W", "20");
        Assert.True(status.ExitCode == 0 && status.Output.Contains("\"requests\":"), Context(status));

        // PREFIX/echo at QoS 0, 1 and 2 comes back on PREFIX/echo/reply at the same QoS (-v prints the topic, the subscriber asks for QoS 2).
        var replies = new Collector(board, _processes, "mosquitto_sub", "-h", "192.0.2.1", "-t", "board/echo/reply", "-q", "2", "-v", "-F", "%q %p");
        Thread.Sleep(1_000);
        for (int qos = 0; qos <= 2; qos++)
        {
            var pub = board.InNamespace(20_000, "mosquitto_pub", "-h", "192.0.2.1", "-t", "board/echo", "-q", qos.ToString(CultureInfo.InvariantCulture), "-m", "echo at " + qos);
            Assert.True(pub.ExitCode == 0, Context(pub));
        }

        Assert.True(replies.WaitFor(l => l.Count >= 3, 20_000), Context("echo replies: " + string.Join(" | ", replies.Lines)));
        Assert.Equal(["0 echo at 0", "1 echo at 1", "2 echo at 2"], replies.Lines.Order());
        Kill(replies.Process);

        // A thousand QoS 1 messages round trip: none lost, none duplicated.
        var stream = new Collector(board, _processes, "mosquitto_sub", "-h", "192.0.2.1", "-t", "board/echo/reply", "-q", "1", "-i", "checker", "-c");
        Thread.Sleep(1_000);
        var watch = Stopwatch.StartNew();
        var sent = board.InNamespace(Path.Combine(_directory, Lines("first", 0, Messages)), null, 120_000, "mosquitto_pub", "-h", "192.0.2.1", "-t", "board/echo", "-q", "1", "-l");
        Assert.True(sent.ExitCode == 0, Context(sent));
        bool all = stream.WaitFor(l => l.Count >= Messages, 120_000);
        double seconds = watch.Elapsed.TotalSeconds;
        Assert.True(all, Context($"{stream.Lines.Count} of {Messages} echoed"));
        Thread.Sleep(1_000);
        var lines = stream.Lines;
        Assert.Equal(Messages, lines.Count);
        Assert.Equal(Enumerable.Range(0, Messages).Select(i => "m" + i.ToString("D5", CultureInfo.InvariantCulture)), lines.Order());
        log.WriteLine($"{chip}: {Messages} QoS 1 echoes in {seconds:F1} s, {Messages / seconds:F0} messages/s round trip");

        // The broker killed (SIGTERM, so it writes its persistence file) while the board is still echoing, and restarted:
        // the board reconnects and resumes its session; every message the broker took is echoed, at least once.
        int connectionsBefore = Connections(board);
        var second = board.InNamespace(Path.Combine(_directory, Lines("second", Messages, Messages)), null, 120_000, "mosquitto_pub", "-h", "192.0.2.1", "-t", "board/echo", "-q", "1", "-l");
        Assert.True(second.ExitCode == 0, Context(second));
        int echoedAtKill = stream.Lines.Count - Messages;
        Shell.Run("kill", ["-TERM", broker.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(broker.WaitForExit(15_000), Context("mosquitto did not stop"));
        var restarted = Stopwatch.StartNew();
        broker = board.StartDaemon("mosquitto", "-c", config);
        Assert.True(WaitUntil(() => Connections(board) > connectionsBefore, 60_000), Context("the board did not reconnect"));
        double reconnect = restarted.Elapsed.TotalSeconds;
        bool resumed = stream.WaitFor(l => l.Distinct().Count() >= 2 * Messages, 120_000);
        var after = stream.Lines;
        var missing = Enumerable.Range(Messages, Messages).Select(i => "m" + i.ToString("D5", CultureInfo.InvariantCulture)).Except(after).ToList();
        log.WriteLine($"{chip}: broker restarted with {echoedAtKill} of {Messages} echoed; the board reconnected {reconnect:F1} s after the restart; "
            + $"{after.Count - Messages} replies, {after.Count - after.Distinct().Count()} duplicates, {missing.Count} missing");
        Assert.True(resumed && missing.Count == 0, Context($"missing after the restart: {string.Join(' ', missing.Take(20))}"));
        Kill(stream.Process);
        Assert.Equal(0, board.Stop());
    }

    /// <summary>
    /// The board's will (MQTT 3.1.1 section 3.1.2.5, 5.0 section 3.1.3.2): its power cut, with no DISCONNECT sent, the
    /// broker finds the keep-alive (30 s) run out at one and a half times it (section 3.1.2.10) and publishes "offline",
    /// retained, on PREFIX/status, where a subscriber that comes later still finds it. Before the cut, a subscriber that
    /// comes after the board's last report gets that report at once: it is retained.
    /// </summary>
    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void A_board_whose_power_is_cut_is_reported_offline_by_its_will(string chip)
    {
        string config = Config();
        using var board = new EmulatorProcess(chip, host => host.StartDaemon("mosquitto", "-c", config), "--mqtt", "192.0.2.1", "--mqtt-prefix", "board");
        string Context(object what) => $"{chip}: {what}\n{board.Output}";
        Assert.True(WaitUntil(() => Connections(board) >= 1, 20_000), Context("the board did not connect"));
        var report = board.InNamespace(30_000, "mosquitto_sub", "-h", "192.0.2.1", "-t", "board/status", "-C", "1", "-W", "20", "-F", "%r %p");
        Assert.True(report.ExitCode == 0 && report.Output.StartsWith("1 {", StringComparison.Ordinal), Context("no retained report: " + report));

        var status = new Collector(board, _processes, "mosquitto_sub", "-h", "192.0.2.1", "-t", "board/status");
        var watch = Stopwatch.StartNew();
        board.PowerCut();
        Assert.True(status.WaitFor(l => l.Contains("offline"), 70_000), Context("no will within 70 s: " + string.Join(" | ", status.Lines)));
        log.WriteLine($"{chip}: the will came {watch.Elapsed.TotalSeconds:F1} s after the power cut (keep-alive 30 s)");
        var later = board.InNamespace(30_000, "mosquitto_sub", "-h", "192.0.2.1", "-t", "board/status", "-C", "1", "-W", "10", "-F", "%r %p");
        Assert.True(later.ExitCode == 0 && later.Output.Trim() == "1 offline", Context("the will is not retained: " + later));
        Kill(status.Process);
    }
}
