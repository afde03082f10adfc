using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>A device that hands the stack prepared frames and swallows what it sends, allocating nothing.</summary>
public sealed class ScriptedDevice(MacAddress macAddress) : IFrameDevice
{
    private byte[][] _script = [];
    private int _next;

    public MacAddress MacAddress { get; } = macAddress;

    public bool IsLinkUp => true;

    public long Transmitted { get; private set; }

    public long TransmittedBytes { get; private set; }

    /// <summary>The last frame sent, copied into a buffer taken once.</summary>
    public byte[] LastSent { get; } = new byte[1518];

    /// <summary>Frames to hand out next (the caller keeps the array, so loading allocates nothing).</summary>
    public void Load(byte[][] frames)
    {
        _script = frames;
        _next = 0;
    }

    public int Receive(byte[] buffer, int offset, int capacity)
    {
        if (_next >= _script.Length)
        {
            return 0;
        }

        var frame = _script[_next++];
        Array.Copy(frame, 0, buffer, offset, frame.Length);
        return frame.Length;
    }

    public bool Transmit(byte[] buffer, int offset, int length)
    {
        Transmitted++;
        TransmittedBytes += length;
        Array.Copy(buffer, offset, LastSent, 0, length);
        return true;
    }
}
