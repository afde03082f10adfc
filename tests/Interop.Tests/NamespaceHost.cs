using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace IoTStack.Interop.Tests;

/// <summary>
/// A network namespace of a test's own, and running Linux programs inside it. LinuxPeer (the stack in this
/// process) and EmulatorProcess (the emulator as its own process) each put a board on a TAP device in it.
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
    }

    public string Namespace { get; }

    /// <summary>The TAP device that carries Linux's side (192.0.2.1/24) inside the namespace.</summary>
    public abstract string Interface { get; }

    /// <summary>Why the board stopped serving (its loop threw, its process exited), or null while it runs.</summary>
    public abstract string? Failure { get; }

    /// <summary>
    /// A socket of Linux's own inside the namespace, for what no command-line tool does well (a datagram of every
    /// size in one go). A network namespace belongs to a thread (setns(2)), and a socket to the namespace of the
    /// thread that made it, so a short-lived thread enters the namespace and makes the socket.
    /// </summary>
    public Socket OpenSocket(SocketType type, ProtocolType protocol)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/var/run/netns/" + Namespace);
                if (setns((int)handle.DangerousGetHandle(), NewNetworkNamespace) != 0)
                {
                    throw new IOException($"setns into {Namespace} failed: errno {Marshal.GetLastPInvokeError()}");
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

    public ProcessResult InNamespace(int timeoutMs, params string[] command) =>
        Shell.Run("ip", new[] { "netns", "exec", Namespace }.Concat(command), timeoutMs);

    public ProcessResult InNamespace(string? inputFile, string? outputFile, int timeoutMs, params string[] command) =>
        Shell.Run("ip", new[] { "netns", "exec", Namespace }.Concat(command), timeoutMs, inputFile, outputFile);

    /// <summary>curl inside the namespace, quiet but for errors, with a 100 s ceiling.</summary>
    public ProcessResult Curl(params string[] arguments) =>
        InNamespace(120_000, new[] { "curl", "--silent", "--show-error", "--max-time", "100" }.Concat(arguments).ToArray());

    protected static void Check(ProcessResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("setting up the namespace failed: " + result);
        }
    }
}
