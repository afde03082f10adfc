using System.Diagnostics;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// What the Mosquitto suites share (plain MQTT, issue 17; MQTT over TLS, issue 18): a temporary directory for the broker's
/// configuration, persistence and certificates, every process they start ended by its PID on dispose, and the board's
/// connections as Mosquitto logs them.
/// </summary>
public abstract class MosquittoTests : IDisposable
{
    protected MosquittoTests(string directoryPrefix)
    {
        WorkDirectory = Directory.CreateTempSubdirectory(directoryPrefix).FullName;
    }

    /// <summary>The test's own directory, removed on dispose.</summary>
    protected string WorkDirectory { get; }

    /// <summary>Processes to end on dispose (subscribers, brokers started by hand).</summary>
    protected List<Process> Processes { get; } = new();

    public void Dispose()
    {
        foreach (var process in Processes)
        {
            Kill(process);
        }

        Directory.Delete(WorkDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected static void Kill(Process process)
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

    /// <summary>
    /// How often the board's client (iotstack-board) connected, from Mosquitto's log in the emulator's output (its lines
    /// carry the name of the program started: "mosquitto: ", or "env: " when started through env).
    /// </summary>
    protected static int Connections(EmulatorProcess board) =>
        board.Output.Split('\n').Count(l => l.Contains("New client connected from 192.0.2.2") && l.Contains("iotstack-board"));

    protected static bool WaitUntil(Func<bool> condition, int timeoutMs)
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
}
