using IoTStack.Firmware;
using IoTStack.Emulator.Tap;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// A board on a TAP device inside a network namespace of its own, with Linux at 192.0.2.1/24 on the other
/// side and the board at 192.0.2.2/24, running the firmware: TCP and UDP echo (7), discard (9), chargen (19)
/// and HTTP (80).
/// Everything it made is removed on dispose, also after a failure.
/// </summary>
public sealed class LinuxPeer : NamespaceHost, IDisposable
{
    public static readonly IPv4Address BoardIp = new(192, 0, 2, 2);
    public const string LinuxIp = "192.0.2.1";

    private static int _instances;
    private readonly TapDevice _tap;
    private volatile bool _running = true;
    private Thread _loop = null!;
    private volatile Exception? _failure;

    public LinuxPeer()
        : base(NextName(out int instance))
    {
        string tap = $"iot{Environment.ProcessId % 100000}x{instance}";
        Check(Shell.Run("ip", "netns", "add", Namespace));
        try
        {
            _tap = new TapDevice(tap, new MacAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x02));
            Check(Shell.Run("ip", "link", "set", tap, "netns", Namespace));
            Check(InNamespace("ip", "link", "set", "lo", "up"));
            Check(InNamespace("ip", "addr", "add", LinuxIp + "/24", "dev", tap));
            Check(InNamespace("ip", "link", "set", tap, "up"));
            Interface = tap;
            Boot();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override string Interface { get; } = "";

    public override string? Failure => _failure?.ToString() ?? (_loop.IsAlive ? null : "the board's loop stopped");

    private static string NextName(out int instance)
    {
        instance = Interlocked.Increment(ref _instances);
        return $"iotstack-{Environment.ProcessId}-{instance}";
    }

    /// <summary>The board's stack; owned by the service thread while it runs.</summary>
    public NetStack Stack { get; private set; } = null!;

    /// <summary>Stops the board and reads its counters (the stack is the test's again afterwards).</summary>
    public NetCounters StopAndReadCounters()
    {
        _running = false;
        _loop.Join();
        if (_failure is not null)
        {
            throw new InvalidOperationException("the board's loop failed", _failure);
        }

        return Stack.Counters;
    }

    public void Dispose()
    {
        _running = false;
        _loop?.Join();
        _tap?.Dispose();
        Shell.Run("ip", "netns", "del", Namespace);
    }


    /// <summary>A new stack and firmware on the TAP device, serving on a thread of their own.</summary>
    private void Boot()
    {
        Stack = new NetStack(new NetStackOptions { TcpConnections = 14, TcpListeners = 4, UdpSockets = 4, ReceiveBufferSize = 8192, TransmitBufferSize = 8192, PingMaxDataLength = 4000 }, _tap, new SystemClock());
        Stack.Configure(BoardIp, IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        _running = true;
        _loop = new Thread(Serve) { IsBackground = true, Name = "board " + Namespace };
        _loop.Start();
    }

    /// <summary>A board reset: the stack and everything it knew thrown away, a fresh one booted on the same TAP device.</summary>
    public override void Reset()
    {
        _running = false;
        _loop.Join();
        Boot();
    }

    private void Serve()
    {
        try
        {
            var firmware = new Firmware.Firmware(Stack, Stack, Stack.Clock, new FirmwareSettings { Sessions = 12 });
            if (!firmware.Start(4))
            {
                throw new InvalidOperationException("the firmware could not open its services");
            }

            while (_running)
            {
                if (!firmware.Poll() && !Stack.Poll())
                {
                    Thread.Sleep(0);
                }
            }
        }
        catch (Exception exception)
        {
            _failure = exception;
        }
    }
}
