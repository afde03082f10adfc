using System.Runtime.InteropServices;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator.Tap;

/// <summary>
/// A Linux TAP device (/dev/net/tun with IFF_TAP | IFF_NO_PI, see the kernel's Documentation/networking/tuntap.rst)
/// as the board's Ethernet: frames the board sends appear on the Linux interface and the other way round.
/// The file descriptor is non-blocking, so <see cref="Receive"/> returns 0 at once when nothing waits. Needs root
/// (CAP_NET_ADMIN). The interface lives as long as this object.
/// </summary>
public sealed class TapDevice : IFrameDevice, IDisposable
{
    private const int OpenReadWrite = 2;
    private const int OpenNonBlocking = 0x800;
    private const ulong TunSetInterface = 0x400454CA; // TUNSETIFF = _IOW('T', 202, int)
    private const short InterfaceTap = 0x0002;
    private const short NoPacketInformation = 0x1000;
    private const int InterfaceRequestLength = 40; // struct ifreq
    private const int InterfaceNameLength = 16; // IFNAMSIZ
    private const int DeviceBusy = 16; // EBUSY: a TAP device without IFF_MULTI_QUEUE takes one reader

    private int _descriptor;

    public TapDevice(string name, MacAddress macAddress)
    {
        if (string.IsNullOrEmpty(name) || name.Length >= InterfaceNameLength)
        {
            throw new ArgumentException($"a TAP interface name has 1 to {InterfaceNameLength - 1} characters", nameof(name));
        }

        MacAddress = macAddress;
        _descriptor = open("/dev/net/tun", OpenReadWrite | OpenNonBlocking);
        if (_descriptor < 0)
        {
            throw new IOException($"cannot open /dev/net/tun (errno {Marshal.GetLastPInvokeError()}): TAP needs root and the tun module");
        }

        var request = new byte[InterfaceRequestLength];
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(request, 0);
        BitConverter.GetBytes((short)(InterfaceTap | NoPacketInformation)).CopyTo(request, InterfaceNameLength);
        if (ioctl(_descriptor, TunSetInterface, request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            close(_descriptor);
            _descriptor = -1;
            throw new IOException(errno == DeviceBusy
                ? $"cannot attach TAP device {name}: another program has it open"
                : $"cannot attach TAP device {name} (errno {errno}): TAP needs root (CAP_NET_ADMIN)");
        }

        Name = name;
    }

    public string Name { get; }

    public MacAddress MacAddress { get; }

    public bool IsLinkUp => _descriptor >= 0;

    public long FramesReceived { get; private set; }

    public long FramesSent { get; private set; }

    public int Receive(byte[] buffer, int offset, int capacity)
    {
        if (_descriptor < 0)
        {
            return 0;
        }

        // A frame longer than the capacity is cut short by read(2): drop it rather than pass a torn frame.
        var span = buffer.AsSpan(offset, capacity);
        nint length = read(_descriptor, ref MemoryMarshal.GetReference(span), capacity);
        if (length <= 0 || length >= capacity)
        {
            return 0;
        }

        FramesReceived++;
        return (int)length;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for a frame from Linux (poll(2) on the device), returning at once when one
    /// comes: an idle loop sleeps here instead of in Thread.Sleep, so a ping that arrives mid-sleep is not held for the rest.
    /// </summary>
    public void WaitForFrame(int timeoutMs)
    {
        if (_descriptor < 0)
        {
            Thread.Sleep(timeoutMs);
            return;
        }

        var descriptor = new PollDescriptor { Descriptor = _descriptor, Events = PollIn };
        poll(ref descriptor, 1, timeoutMs);
    }

    public bool Transmit(byte[] buffer, int offset, int length)
    {
        if (_descriptor < 0)
        {
            return false;
        }

        var span = buffer.AsSpan(offset, length);
        bool sent = write(_descriptor, ref MemoryMarshal.GetReference(span), length) == length;
        if (sent)
        {
            FramesSent++;
        }

        return sent;
    }

    public void Dispose()
    {
        if (_descriptor >= 0)
        {
            close(_descriptor);
            _descriptor = -1;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int descriptor, ulong request, byte[] interfaceRequest);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int descriptor, ref byte buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int descriptor, ref byte buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int descriptor);

    private const short PollIn = 0x0001;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int poll(ref PollDescriptor descriptors, nuint count, int timeoutMs);
}
