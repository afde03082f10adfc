using IoTStack.Drivers.Enc28j60;
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

public class Enc28j60MulticastTests
{
    [Fact]
    public void The_hash_table_option_lets_joined_groups_in_and_keeps_most_others_out()
    {
        var bench = new Enc28j60Bench();
        var mdns = new MacAddress(0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB);
        var frame = bench.FrameToBoard(100, 1);
        EthernetFrame.WriteHeader(frame, 0, new MacAddress(0x01, 0x00, 0x5E, 0x12, 0x34, 0x56), ChipBench.PeerMac, 0x88B5);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.NotNull(bench.Receive()); // by default every multicast frame comes in
        bench.Enc.SetMulticastGroups([new IPv4Address(224, 0, 0, 251).Value], 1);
        var others = Enumerable.Range(0, 64).Select(i => new MacAddress(0x01, 0x00, 0x5E, 0x00, 0x01, (byte)i)).ToList();
        int admitted = 0;
        foreach (var group in others)
        {
            EthernetFrame.WriteHeader(frame, 0, group, ChipBench.PeerMac, 0x88B5);
            bench.Peer.Transmit(frame, 0, frame.Length);
            admitted += bench.Receive() is null ? 0 : 1;
        }

        EthernetFrame.WriteHeader(frame, 0, mdns, ChipBench.PeerMac, 0x88B5);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Equal(frame, bench.Receive());
        Assert.InRange(admitted, 0, 8); // a 64-bucket hash lets about one group in 64 through
        EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, ChipBench.PeerMac, 0x88B5);
        bench.Peer.Transmit(frame, 0, frame.Length);
        Assert.Equal(frame, bench.Receive());
    }
}

public class Enc28j60StrictModelTests
{
    [Fact]
    public void The_strict_model_names_an_access_to_a_register_the_selected_bank_does_not_have()
    {
        var bench = new Enc28j60Bench();
        // Select bank 2, then read address 0x01: reserved there (MACON2 existed only on the first silicon).
        bench.Chip.Exchange([(byte)(Enc28j60Registers.BitFieldClear | 0x1F), 0x03], 0, 2, [], 0, 0, SpiDataDirection.Write);
        bench.Chip.Exchange([(byte)(Enc28j60Registers.BitFieldSet | 0x1F), 0x02], 0, 2, [], 0, 0, SpiDataDirection.Write);
        var error = Assert.Throws<InvalidOperationException>(() => bench.Chip.Exchange([0x01], 0, 1, new byte[2], 0, 2, SpiDataDirection.Read));
        Assert.Contains("0x01 in bank 2", error.Message);
        var readOnly = Assert.Throws<InvalidOperationException>(() => bench.Chip.Exchange([(byte)(Enc28j60Registers.WriteControlRegister | 0x1D), 0], 0, 2, [], 0, 0, SpiDataDirection.Write));
        Assert.Contains("read-only", readOnly.Message);
    }
}

public class Enc28j60HashTests
{
    [Theory]
    [InlineData(new byte[] { 0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB }, 62)] // mDNS 224.0.0.251
    [InlineData(new byte[] { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, 51)] // IPv6 all-nodes
    public void The_hash_bit_matches_microchips_computation(byte[] address, int bit)
    {
        // Values worked out independently with the MSB-first CRC-32 Microchip's own stack uses.
        Assert.Equal(bit, Enc28j60Registers.HashBit(address, 0));
    }
}
