using IoTStack.Net.Wire;

namespace IoTStack.Drivers.Tests;

/// <summary>What only the ENC28J60 has: its revision, duplex setups, overflow flag and late-collision retries.</summary>
public class Enc28j60Tests
{
    [Fact]
    public void Initialises_in_either_duplex_and_reads_the_silicon_revision()
    {
        var full = new Enc28j60Bench();
        Assert.Equal(0x06, full.Enc.Revision);
        Assert.True(full.Enc.IsLinkUp);
        Assert.True(new Enc28j60Bench(fullDuplex: false).Enc.IsLinkUp);
    }

    [Fact]
    public void Overflows_are_counted_from_the_receive_error_flag()
    {
        var bench = new Enc28j60Bench();
        for (int i = 0; i < 10; i++)
        {
            var frame = bench.FrameToBoard(1514, i);
            bench.Peer.Transmit(frame, 0, frame.Length);
        }

        while (bench.Receive() is not null)
        {
        }

        Assert.True(bench.Chip.FramesDropped > 0);
        Assert.Equal(1, bench.Enc.Counters.Overflows);
    }

    [Fact]
    public void A_late_collision_is_retried_and_counted()
    {
        var bench = new Enc28j60Bench();
        bench.Chip.LateCollisions = 3;
        var frame = bench.FrameToBoard(200, 1);
        EthernetFrame.WriteHeader(frame, 0, ChipBench.PeerMac, ChipBench.BoardMac, 0x88B5);
        Assert.True(bench.Enc.Transmit(frame, 0, frame.Length));
        Assert.Equal(3, bench.Enc.Counters.TransmitRetries);
        bench.Chip.LateCollisions = 100;
        Assert.False(bench.Enc.Transmit(frame, 0, frame.Length));
        Assert.Equal(1, bench.Enc.Counters.TransmitFailures);
    }
}
