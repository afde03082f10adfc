using IoTStack.Drivers.Enc28j60;
using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Drivers.Tests;

/// <summary>A driver on its chip model, the chip's wire on a virtual switch with a raw peer port beside it.</summary>
public abstract class ChipBench
{
    public static readonly MacAddress BoardMac = new(0x02, 0, 0, 0, 0, 0x28);
    public static readonly MacAddress PeerMac = new(0x02, 0, 0, 0, 0, 0x01);

    protected ChipBench(MacAddress boardMac)
    {
        Mac = boardMac;
        Switch = new VirtualSwitch(Clock);
        Peer = Switch.AddPort(PeerMac);
    }

    /// <summary>The board's MAC address (BoardMac unless a test needs two boards).</summary>
    public MacAddress Mac { get; }

    public VirtualClock Clock { get; } = new(1_000);
    public VirtualSwitch Switch { get; }
    public VirtualPort Peer { get; }

    public abstract IFrameDevice Driver { get; }
    public abstract bool Initialise();
    public abstract bool LinkUp { set; }
    public abstract byte? StuckMiso { set; }
    public abstract void ResetChip();
    public abstract long BytesClocked { get; }
    public abstract long FramesDroppedByChip { get; }
    public abstract long DriverFramesReceived { get; }
    public abstract long DriverReinitialisations { get; }

    /// <summary>Whether the chip's receive buffer holds this many full-size frames at once.</summary>
    public abstract int FullFramesBuffered { get; }

    public byte[] FrameToBoard(int length, int seed)
    {
        var frame = new byte[length];
        new Random(seed).NextBytes(frame);
        EthernetFrame.WriteHeader(frame, 0, Mac, PeerMac, 0x88B5); // IEEE 802 local experimental EtherType
        return frame;
    }

    public byte[]? Receive()
    {
        var buffer = new byte[1518];
        int length = Driver.Receive(buffer, 0, buffer.Length);
        return length == 0 ? null : buffer[..length];
    }
}

public sealed class Enc28j60Bench : ChipBench
{
    public Enc28j60Bench(bool fullDuplex = true, MacAddress? mac = null)
        : base(mac ?? BoardMac)
    {
        Chip = new Enc28j60Model(Switch.AddPort(Mac));
        Enc = new Enc28j60Driver(Chip.Bus, Mac, Clock, fullDuplex);
        Assert.True(Enc.Initialise());
    }

    public Enc28j60Model Chip { get; }
    public Enc28j60Driver Enc { get; }
    public override IFrameDevice Driver => Enc;
    public override bool Initialise() => Enc.Initialise();
    public override bool LinkUp { set => Chip.LinkUp = value; }
    public override byte? StuckMiso { set => Chip.StuckMiso = value; }
    public override void ResetChip() => Chip.Reset();
    public override long BytesClocked => Chip.BytesClocked;
    public override long FramesDroppedByChip => Chip.FramesDropped;
    public override long DriverFramesReceived => Enc.Counters.FramesReceived;
    public override long DriverReinitialisations => Enc.Counters.ChipReinitialisations;
    public override int FullFramesBuffered => 4; // 6.5 KB of receive buffer
}

public sealed class W5500Bench : ChipBench
{
    public W5500Bench(MacAddress? mac = null)
        : base(mac ?? BoardMac)
    {
        Chip = new W5500Model(Switch.AddPort(Mac));
        MacRaw = new W5500MacRawDriver(Chip.Bus, Mac, Clock);
        Assert.True(MacRaw.Initialise());
    }

    public W5500Model Chip { get; }
    public W5500MacRawDriver MacRaw { get; }
    public override IFrameDevice Driver => MacRaw;
    public override bool Initialise() => MacRaw.Initialise();
    public override bool LinkUp { set => Chip.LinkUp = value; }
    public override byte? StuckMiso { set => Chip.StuckMiso = value; }
    public override void ResetChip() => Chip.Reset();
    public override long BytesClocked => Chip.BytesClocked;
    public override long FramesDroppedByChip => Chip.FramesDropped;
    public override long DriverFramesReceived => MacRaw.Counters.FramesReceived;
    public override long DriverReinitialisations => MacRaw.Counters.ChipReinitialisations;
    public override int FullFramesBuffered => 10; // 16 KB of receive buffer on socket 0
}
