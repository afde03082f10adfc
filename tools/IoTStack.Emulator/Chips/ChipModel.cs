using IoTStack.Net.Link;
using IoTStack.Drivers;

namespace IoTStack.Emulator.Chips;

/// <summary>
/// What every chip model shares: the bus meter, strict mode, and the faults of the bus itself (MISO stuck
/// at one value, or bits flipped in what the driver reads back, seeded so a failing run replays).
/// A model is not an <see cref="ISpiBus"/>: drivers reach it through <see cref="Bus"/>, the device's path
/// (<see cref="FullDuplexFrame"/> and one raw full-duplex transfer, as NanoSpiBus, LinuxSpiBus and
/// MeadowSpiBus do), so a limit of that path is met on the desktop too (issue 14). Tests of the model
/// itself call <see cref="Exchange"/>.
/// </summary>
public abstract class ChipModel
{
    private readonly string _name;
    private Random _random = new(1);

    protected ChipModel(string name)
    {
        _name = name;
        Bus = new DeviceSpiBus(this);
    }

    /// <summary>The chip as a driver on a board reaches it: the device's SPI path.</summary>
    public DeviceSpiBus Bus { get; }

    /// <summary>
    /// The model for an emulator chip name: "enc28j60", "w5500" (MACRAW only: a model with a clock would also run
    /// the hardware sockets' engine on the wire) or "w5500-sockets" (the W5500 running its own TCP/IP).
    /// </summary>
    public static ChipModel Create(string chip, IFrameDevice wire, IClock clock) => chip switch
    {
        "enc28j60" => new Enc28j60Model(wire),
        "w5500" => new W5500Model(wire),
        "w5500-sockets" => new W5500Model(wire, clock),
        _ => throw new ArgumentException($"unknown chip '{chip}' (one of enc28j60, w5500, w5500-sockets)"),
    };

    /// <summary>
    /// The chip's interrupt output (INT on the ENC28J60, INTn on the W5500, both active low) is driven low now, as the
    /// datasheet derives it from the chip's registers. Reading it lets the chip take in what waits on its wire first, as
    /// the real one does while the host sleeps; a board loop samples it to wake early.
    /// </summary>
    public abstract bool InterruptAsserted { get; }

    /// <summary>Fail (throw) on accesses the datasheet forbids or leaves undefined, naming the register.</summary>
    public bool Strict { get; set; } = true;

    /// <summary>Fault: MISO stuck, every byte read is this value (0xFF or 0x00); null for a healthy chip.</summary>
    public byte? StuckMiso { get; set; }

    /// <summary>Fault: each byte read back is corrupted (one bit flipped) with this probability.</summary>
    public double CorruptMiso { get; set; }

    /// <summary>Seeds the corruption, so a failing run replays.</summary>
    public int Seed
    {
        set => _random = new Random(value);
    }

    public long Transactions { get; private set; }

    public long BytesClocked { get; private set; }

    /// <summary>Time the bytes clocked so far took on a bus running at <paramref name="hertz"/> (8 clocks a byte).</summary>
    public TimeSpan BusTime(long hertz) => TimeSpan.FromSeconds(BytesClocked * 8.0 / hertz);

    /// <summary>One chip-select frame handed over already split into header and data (tests of the model itself).</summary>
    public void Exchange(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
    {
        Transactions++;
        BytesClocked += headerLength + dataLength;
        if (StuckMiso is byte stuck)
        {
            if (direction == SpiDataDirection.Read)
            {
                Array.Fill(data, stuck, dataOffset, dataLength);
            }

            return;
        }

        Answer(header, headerOffset, headerLength, data, dataOffset, dataLength, direction);
        if (direction == SpiDataDirection.Read)
        {
            for (int i = 0; i < dataLength && CorruptMiso > 0; i++)
            {
                if (_random.NextDouble() < CorruptMiso)
                {
                    data[dataOffset + i] ^= (byte)(1 << _random.Next(8));
                }
            }
        }
    }

    /// <summary>
    /// One chip-select frame as a raw full-duplex bus carries it (what a Linux spidev or nanoFramework
    /// SpiDevice transfer is): <paramref name="length"/> bytes out on MOSI, as many back on MISO. The chip
    /// decodes the command bytes to know where its header ends and whether it reads or writes, as the real
    /// one does; MISO carries zeros during the header and during a write.
    /// </summary>
    public void TransferRaw(byte[] mosi, byte[] miso, int length)
    {
        int header = HeaderLength(mosi, length, out SpiDataDirection direction);
        Array.Clear(miso, 0, length);
        if (direction == SpiDataDirection.Write)
        {
            Exchange(mosi, 0, header, mosi, header, length - header, direction);
        }
        else
        {
            Exchange(mosi, 0, header, miso, header, length - header, direction);
        }
    }

    /// <summary>Where the command header of a raw frame ends, and which way its data phase goes.</summary>
    protected abstract int HeaderLength(byte[] frame, int length, out SpiDataDirection direction);

    /// <summary>The chip's answer to one chip-select frame.</summary>
    protected abstract void Answer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction);

    protected void Expect(bool condition, string message)
    {
        if (!condition && Strict)
        {
            throw new InvalidOperationException($"{_name} model: {message}");
        }
    }
}
