using System.Net.Sockets;

namespace IoTStack.Hil.Tests;

/// <summary>
/// A real board on the bench, reached from this machine's own network: IOTSTACK_TARGET is its address,
/// IOTSTACK_INTERFACE the interface it hangs off (for arping and the link tests), IOTSTACK_CHIP which chip
/// mode it runs (enc28j60, w5500 or w5500-sockets; default enc28j60), IOTSTACK_RESET_COMMAND a shell command
/// that resets it (a relay, a USB power switch) for the reset test.
/// </summary>
public sealed class RemoteTarget(string address) : NamespaceHost("bench")
{
    public static string? Configured => Environment.GetEnvironmentVariable("IOTSTACK_TARGET");

    public override string Address { get; } = address;

    public override string Interface => Environment.GetEnvironmentVariable("IOTSTACK_INTERFACE")
        ?? throw new InvalidOperationException("set IOTSTACK_INTERFACE to the interface the board is on (for arping and the link tests)");

    public string Chip => Environment.GetEnvironmentVariable("IOTSTACK_CHIP") ?? "enc28j60";

    public override string? Failure => null;

    protected override string[] Prefix => [];

    public override void Reset()
    {
        string command = Environment.GetEnvironmentVariable("IOTSTACK_RESET_COMMAND")
            ?? throw new InvalidOperationException("set IOTSTACK_RESET_COMMAND to a shell command that resets the board, or leave this test out");
        var result = Shell.Run("sh", ["-c", command], 60_000);
        Check(result);
    }

    public override Socket OpenSocket(SocketType type, ProtocolType protocol) => new(AddressFamily.InterNetwork, type, protocol);
}
