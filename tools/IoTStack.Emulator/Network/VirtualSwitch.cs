using IoTStack.Emulator.Pcap;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator.Network;

/// <summary>
/// A learning Ethernet switch in virtual time: several stacks on one wire, with seeded faults (loss,
/// duplication, reordering, corruption, delay) and optional pcap capture of every frame sent.
/// </summary>
public sealed class VirtualSwitch
{
    private readonly List<VirtualPort> _ports = new();
    private readonly Dictionary<MacAddress, VirtualPort> _learned = new();
    private readonly Random _random;

    public VirtualSwitch(VirtualClock clock, int seed = 1)
    {
        Clock = clock;
        _random = new Random(seed);
    }

    public VirtualClock Clock { get; }

    public LinkFaults Faults { get; set; } = new();

    /// <summary>Every frame sent by any port, before faults, stamped with virtual time.</summary>
    public PcapWriter? Capture { get; set; }

    /// <summary>Called with every frame sent by any port, before faults.</summary>
    public Action<byte[]>? Observer { get; set; }

    /// <summary>A test's choice of frames to lose (true: this one never arrives), after the observer and the capture.</summary>
    public Func<byte[], bool>? Drop { get; set; }

    public long FramesForwarded { get; private set; }
    public long FramesLost { get; private set; }
    public long FramesCorrupted { get; private set; }
    public long FramesDuplicated { get; private set; }

    public IReadOnlyList<VirtualPort> Ports => _ports;

    public VirtualPort AddPort(MacAddress macAddress)
    {
        var port = new VirtualPort(this, macAddress);
        _ports.Add(port);
        return port;
    }

    internal void Forward(VirtualPort from, byte[] frame)
    {
        Capture?.WriteFrame(frame, Clock.NowMilliseconds * 1000);
        Observer?.Invoke(frame);
        if (frame.Length < EthernetFrame.HeaderLength || (Drop is not null && Drop(frame)))
        {
            return;
        }

        var source = MacAddress.Read(frame, 6);
        if (!source.IsMulticast)
        {
            _learned[source] = from;
        }

        var destination = MacAddress.Read(frame, 0);
        if (!destination.IsMulticast && _learned.TryGetValue(destination, out var port))
        {
            if (port != from)
            {
                Deliver(port, frame);
            }

            return;
        }

        foreach (var other in _ports)
        {
            if (other != from)
            {
                Deliver(other, frame);
            }
        }
    }

    private void Deliver(VirtualPort port, byte[] frame)
    {
        if (!port.IsLinkUp)
        {
            return;
        }

        FramesForwarded++;
        var faults = Faults;
        if (!faults.Any)
        {
            port.Deliver(frame, Clock.NowMilliseconds);
            return;
        }

        if (_random.NextDouble() < faults.Loss)
        {
            FramesLost++;
            return;
        }

        int copies = _random.NextDouble() < faults.Duplicate ? 2 : 1;
        FramesDuplicated += copies - 1;
        for (int i = 0; i < copies; i++)
        {
            var copy = frame;
            if (_random.NextDouble() < faults.Corrupt)
            {
                copy = (byte[])frame.Clone();
                int bit = _random.Next(copy.Length * 8);
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                FramesCorrupted++;
            }

            long due = Clock.NowMilliseconds + faults.DelayMs;
            if (_random.NextDouble() < faults.Reorder)
            {
                due += faults.ReorderDelayMs;
            }

            port.Deliver(copy, due);
        }
    }
}
