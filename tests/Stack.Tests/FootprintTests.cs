using IoTStack.Net;
using IoTStack.Net.Link;
using Xunit.Abstractions;

namespace IoTStack.Stack.Tests;

/// <summary>What construction takes (managed bytes allocated on desktop .NET), against the buffers the options ask for.</summary>
public class FootprintTests(ITestOutputHelper output)
{
    private static long Constructed(NetStackOptions options)
    {
        var device = new ScriptedDevice(TestNetwork.Mac(2));
        var clock = new VirtualClock(0);
        _ = new NetStack(options, device, clock); // warm up the type system
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stack = new NetStack(options, device, clock);
        long after = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(stack);
        return after - before;
    }

    /// <summary>Socket rings, ARP queue, reassembly, loopback, TCP segment and frame buffers: the memory the options name.</summary>
    private static long Requested(NetStackOptions o) =>
        (long)o.SocketCount * (o.ReceiveBufferSize + o.TransmitBufferSize)
        + o.ArpQueueSize * 1514L + o.ReassemblySlots * (60L + o.ReassemblyBufferSize)
        + o.LoopbackQueueSize * 1514L + o.PingMaxDataLength + o.TcpMaximumSegmentSize + 1518 + 1514;

    [Theory]
    [InlineData("default", 8, 2048, 2048)]
    [InlineData("small (6 slots, 1 KB buffers)", 6, 1024, 1024)]
    public void Overhead_beyond_the_buffers_asked_for_stays_small(string profile, int sockets, int receive, int transmit)
    {
        var options = new NetStackOptions { SocketCount = sockets, ReceiveBufferSize = receive, TransmitBufferSize = transmit };
        long total = Constructed(options);
        long requested = Requested(options);
        output.WriteLine($"{profile}: {total} bytes allocated, {requested} in buffers, overhead {total - requested}");
        Assert.InRange(total - requested, 0, 16 * 1024);
    }
}
