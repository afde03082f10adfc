using IoTStack.Hil.Tests;
using Xunit.Abstractions;

namespace IoTStack.Interop.Tests;

/// <summary>IoTStack straight on a TAP device, in this process, on the wall clock: the Linux-board build.</summary>
public sealed class TapStackBoard : IBoardFixture, IDisposable
{
    private readonly LinuxPeer _peer = new();

    public NamespaceHost Host => _peer;

    public string Chip => "tap";

    public void Dispose() => _peer.Dispose();
}

/// <summary>The board suite (tests/Hil.Tests) against IoTStack on TAP in this process.</summary>
public sealed class TapStackSuite(TapStackBoard board, ITestOutputHelper log) : BoardSuite(board, log), IClassFixture<TapStackBoard>;
