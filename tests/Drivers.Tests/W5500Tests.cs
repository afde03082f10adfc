namespace IoTStack.Drivers.Tests;

/// <summary>What only the W5500 has: bounded command waits and MACRAW receive-header resynchronisation.</summary>
public class W5500Tests
{
    [Fact]
    public void A_command_the_chip_never_takes_times_out_instead_of_hanging()
    {
        var bench = new W5500Bench();
        bench.Chip.CommandsHang = true;
        var frame = bench.FrameToBoard(100, 1);
        Assert.False(bench.MacRaw.Transmit(frame, 0, frame.Length));
        Assert.True(bench.MacRaw.Counters.CommandTimeouts >= 1);
        bench.Chip.CommandsHang = false;
        Assert.True(bench.MacRaw.Initialise());
    }

    [Fact]
    public void A_board_without_a_w5500_is_reported()
    {
        var bench = new W5500Bench();
        bench.Chip.StuckMiso = 0x00;
        Assert.False(bench.MacRaw.Initialise());
    }
}
