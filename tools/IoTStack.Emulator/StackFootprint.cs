using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator;

/// <summary>
/// What a stack holds after construction (managed bytes allocated on desktop .NET, object headers included),
/// against the buffers its options ask for; the rest is tables and control blocks. The bench reports it,
/// the tests hold a limit on it.
/// </summary>
public static class StackFootprint
{
    public sealed record Footprint(long Total, long SocketRings, long FrameAndPacketBuffers, long Reassembly, long Overhead)
    {
        public long Requested => SocketRings + FrameAndPacketBuffers + Reassembly;
    }

    private sealed class NullDevice : IFrameDevice
    {
        public MacAddress MacAddress => new(2, 0, 0, 0, 0, 2);
        public bool IsLinkUp => true;
        public int Receive(byte[] buffer, int offset, int capacity) => 0;
        public bool Transmit(byte[] buffer, int offset, int length) => true;
    }

    public static Footprint Measure(NetStackOptions o)
    {
        var device = new NullDevice();
        var clock = new VirtualClock(0);
        _ = new NetStack(o, device, clock); // the type system warmed up
        long before = GC.GetAllocatedBytesForCurrentThread();
        var stack = new NetStack(o, device, clock);
        long total = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(stack);
        long rings = (long)o.TcpConnections * (o.ReceiveBufferSize + o.TransmitBufferSize) + (long)(o.UdpSockets + o.RawSockets) * o.DatagramBufferSize;
        // Frames waiting for ARP and on loopback, the receive and transmit frames (TCP builds its segments in the latter), the ping buffer.
        long frames = (o.ArpQueueSize + o.LoopbackQueueSize) * 1514L + 1518 + 1514 + o.PingMaxDataLength;
        long reassembly = o.ReassemblySlots * (60L + o.ReassemblyBufferSize);
        return new Footprint(total, rings, frames, reassembly, total - rings - frames - reassembly);
    }
}
