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
