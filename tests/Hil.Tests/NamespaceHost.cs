using System.Net.Sockets;
using System.Text.Json;
using System.Runtime.InteropServices;

namespace IoTStack.Hil.Tests;

/// <summary>
/// Where a board is met from: a network namespace of a test's own, and running Linux programs inside it
/// (LinuxPeer, the stack in this process, and EmulatorProcess, the emulator as its own process, each put a
/// board on a TAP device in it); or, for a real board on a bench, this machine's own network
/// (<see cref="RemoteTarget"/>).
/// </summary>
public abstract class NamespaceHost
{
    protected NamespaceHost(string name)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("the interop tests need root: they make a network namespace and a TAP device (run tools/test.sh as root)");
        }

        Namespace = name;
        RemoveStaleNamespaces();
    }

    /// <summary>A board reset, if the host can make one (a fresh emulator process or stack; a bench's reset command).</summary>
    public virtual void Reset() => throw new NotSupportedException("this board cannot be reset from here");

    /// <summary>Namespaces left by a run that died (their process is gone) are removed first.</summary>
    private static void RemoveStaleNamespaces()
    {
        foreach (var line in Shell.Run("ip", "netns", "list").Output.Split('\n'))
        {
            var name = line.Split(' ')[0];
            var parts = name.Split('-');
            if (parts.Length == 3 && parts[0] == "iotstack" && int.TryParse(parts[1], out int pid) && !File.Exists($"/proc/{pid}/status"))
            {
                Shell.Run("ip", "netns", "del", name);
            }
        }
    }

    public string Namespace { get; }

    /// <summary>The board's address.</summary>
    public virtual string Address => "192.0.2.2";

    /// <summary>What runs a command where the board is reachable: ip netns exec, or nothing for the bench.</summary>
    protected virtual string[] Prefix => ["ip", "netns", "exec", Namespace];

    /// <summary>The TAP device that carries Linux's side (192.0.2.1/24) inside the namespace.</summary>
    public abstract string Interface { get; }

    /// <summary>Why the board stopped serving (its loop threw, its process exited), or null while it runs.</summary>
    public abstract string? Failure { get; }

    /// <summary>
    /// A socket of Linux's own inside the namespace, for what no command-line tool does well (a datagram of every
    /// size in one go). A network namespace belongs to a thread (setns(2)), and a socket to the namespace of the
    /// thread that made it, so a short-lived thread enters the namespace and makes the socket.
    /// </summary>
    public virtual Socket OpenSocket(SocketType type, ProtocolType protocol) => OpenSocketIn(Namespace, type, protocol);

    /// <summary>A socket of Linux's own inside network namespace <paramref name="name"/> (see <see cref="OpenSocket"/>).</summary>
    public static Socket OpenSocketIn(string name, SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/var/run/netns/" + name);
                if (setns((int)handle.DangerousGetHandle(), NewNetworkNamespace) != 0)
                {
                    throw new IOException($"setns into {name} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            }
            catch (Exception error)
            {
                failure = error;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException("no socket in the namespace", failure);
    }

    /// <summary>The board's /stats (at its own address unless another is given), parsed.</summary>
    public JsonElement Stats(string? address = null)
    {
        var result = Curl("--fail", $"http://{address ?? Address}/stats");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("no /stats from the board: " + result);
        }

        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.Clone();
    }

    /// <summary>
    /// The TCP connections a /stats lists other than listeners, as "STATE remote". The /stats request's own
    /// connection is one of them; any other is a slot still held.
    /// </summary>
    public static string[] HeldConnections(JsonElement stats) =>
        stats.GetProperty("sockets").EnumerateArray()
            .Where(s => s.GetProperty("type").GetString() == "tcp" && s.GetProperty("state").GetString() != "LISTEN")
            .Select(s => $"{s.GetProperty("state").GetString()} {s.GetProperty("remote").GetString()}").ToArray();

    /// <summary>One of the kernel's SNMP or netstat counters inside the namespace (nstat, absolute value).</summary>
    public long KernelCounter(string name)
    {
        var result = InNamespace("nstat", "-a", "-z", "-s", name);
        foreach (var line in result.Output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] == name)
            {
                return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"nstat does not know {name}: {result}");
    }

    private const int NewNetworkNamespace = 0x40000000; // CLONE_NEWNET

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    public ProcessResult InNamespace(params string[] command) => InNamespace(60_000, command);

    public ProcessResult InNamespace(int timeoutMs, params string[] command) => InNamespace(null, null, timeoutMs, command);

    public ProcessResult InNamespace(string? inputFile, string? outputFile, int timeoutMs, params string[] command)
    {
        var full = Prefix.Concat(command).ToArray();
        return Shell.Run(full[0], full.Skip(1), timeoutMs, inputFile, outputFile);
    }

    /// <summary>Starts a program where the board is reachable, its output redirected; the caller ends it.</summary>
    public System.Diagnostics.Process Start(bool redirectInput, params string[] command)
    {
        var full = Prefix.Concat(command).ToArray();
        var start = new System.Diagnostics.ProcessStartInfo(full[0]) { RedirectStandardInput = redirectInput, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in full.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException(command[0] + " did not start");
    }

    /// <summary>curl inside the namespace, quiet but for errors, with a 100 s ceiling.</summary>
    public ProcessResult Curl(params string[] arguments) =>
        InNamespace(120_000, new[] { "curl", "--silent", "--show-error", "--max-time", "100" }.Concat(arguments).ToArray());

    /// <summary>
    /// Makes this host's namespace with a TAP device <paramref name="tap"/> in it at 192.0.2.1/24 (the board's side is
    /// whoever opens the TAP). The caller removes the namespace if what follows fails.
    /// </summary>
    protected void CreateNamespaceWithTap(string tap)
    {
        Check(Shell.Run("ip", "netns", "add", Namespace));
        Check(InNamespace("ip", "link", "set", "lo", "up"));
        Check(InNamespace("ip", "tuntap", "add", "dev", tap, "mode", "tap"));
        Check(InNamespace("ip", "addr", "add", "192.0.2.1/24", "dev", tap));
        Check(InNamespace("ip", "link", "set", tap, "up"));
    }

    protected static void Check(ProcessResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("setting up the namespace failed: " + result);
        }
    }
}
