using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator.Network;

/// <summary>One port of the virtual switch, seen by a stack as its Ethernet device.</summary>
public sealed class VirtualPort : IFrameDevice
{
    private readonly VirtualSwitch _switch;
    private readonly PriorityQueue<byte[], (long DueAt, long Order)> _inbound = new();
    private long _order;

    internal VirtualPort(VirtualSwitch owner, MacAddress macAddress)
    {
        _switch = owner;
        MacAddress = macAddress;
    }

    public MacAddress MacAddress { get; }

    public bool IsLinkUp { get; set; } = true;

    /// <summary>Frames waiting to be received, due or not.</summary>
    public int Pending => _inbound.Count;

    /// <summary>Frames this port's stack sent.</summary>
    public long Transmitted { get; private set; }

    public int Receive(byte[] buffer, int offset, int capacity)
    {
        while (_inbound.TryPeek(out var frame, out var key) && key.DueAt <= _switch.Clock.NowMilliseconds)
        {
            _inbound.Dequeue();
            if (frame.Length <= capacity)
            {
                frame.CopyTo(buffer, offset);
                return frame.Length;
            }
        }

        return 0;
    }

    public bool Transmit(byte[] buffer, int offset, int length)
    {
        if (!IsLinkUp)
        {
            return false;
        }

        Transmitted++;
        _switch.Forward(this, buffer.AsSpan(offset, length).ToArray());
        return true;
    }

    /// <summary>Hands this port's stack a frame as if it came off the wire, now.</summary>
    public void Inject(byte[] frame) => Deliver(frame, _switch.Clock.NowMilliseconds);

    internal void Deliver(byte[] frame, long dueAt) => _inbound.Enqueue(frame, (dueAt, _order++));
}
