using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator.Network;

/// <summary>A cable between two stacks in preallocated frame buffers: what one sends, the other receives. Allocates nothing.</summary>
public sealed class CrossoverDevice : IFrameDevice
{
    private readonly byte[][] _frames;
    private readonly int[] _lengths;
    private int _head;
    private int _count;

    public CrossoverDevice(MacAddress macAddress, int frames = 64)
    {
        MacAddress = macAddress;
        _frames = Enumerable.Range(0, frames).Select(_ => new byte[1518]).ToArray();
        _lengths = new int[frames];
    }

    public CrossoverDevice? Peer { get; set; }

    public MacAddress MacAddress { get; }

    public bool IsLinkUp => true;

    public int Receive(byte[] buffer, int offset, int capacity)
    {
        if (_count == 0)
        {
            return 0;
        }

        int length = _lengths[_head];
        Array.Copy(_frames[_head], 0, buffer, offset, length);
        _head = (_head + 1) % _frames.Length;
        _count--;
        return length;
    }

    public bool Transmit(byte[] buffer, int offset, int length) => Peer!.Accept(buffer, offset, length);

    private bool Accept(byte[] buffer, int offset, int length)
    {
        if (_count == _frames.Length)
        {
            return false;
        }

        int tail = (_head + _count) % _frames.Length;
        Array.Copy(buffer, offset, _frames[tail], 0, length);
        _lengths[tail] = length;
        _count++;
        return true;
    }
}
