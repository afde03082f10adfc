namespace IoTStack.Emulator.Network;

/// <summary>What the virtual wire does to frames, each a probability from 0 to 1 per delivered frame.</summary>
public sealed class LinkFaults
{
    public double Loss { get; set; }
    public double Duplicate { get; set; }

    /// <summary>Chance a frame is held back by <see cref="ReorderDelayMs"/> so that later frames overtake it.</summary>
    public double Reorder { get; set; }

    /// <summary>Chance one random bit of the frame is flipped.</summary>
    public double Corrupt { get; set; }

    /// <summary>Latency added to every frame, in virtual milliseconds.</summary>
    public int DelayMs { get; set; }

    public int ReorderDelayMs { get; set; } = 3;

    public bool Any => Loss > 0 || Duplicate > 0 || Reorder > 0 || Corrupt > 0 || DelayMs > 0;
}
