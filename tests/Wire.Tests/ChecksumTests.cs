using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

public class ChecksumTests
{
    [Fact]
    public void Matches_the_worked_example_of_rfc1071_section_3()
    {
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0xddf2u, InternetChecksum.Add(0, data, 0, data.Length));
        Assert.Equal((ushort)0x220d, InternetChecksum.Compute(data, 0, data.Length));
    }

    [Fact]
    public void Pads_an_odd_last_byte_with_zero()
    {
        byte[] odd = [0x12, 0x34, 0x56];
        byte[] even = [0x12, 0x34, 0x56, 0x00];
        Assert.Equal(InternetChecksum.Compute(even, 0, 4), InternetChecksum.Compute(odd, 0, 3));
    }

    [Fact]
    public void Sums_in_chunks_as_in_one_piece()
    {
        var data = new byte[1501];
        new Random(7).NextBytes(data);
        uint chunked = InternetChecksum.Add(InternetChecksum.Add(0, data, 0, 600), data, 600, 901);
        Assert.Equal(InternetChecksum.Compute(data, 0, data.Length), InternetChecksum.Complement(chunked));
    }

    [Fact]
    public void Verifies_to_zero_once_stored()
    {
        var data = new byte[64];
        new Random(3).NextBytes(data);
        data[10] = data[11] = 0;
        NetworkOrder.WriteUInt16(data, 10, InternetChecksum.Compute(data, 0, data.Length));
        Assert.Equal(0, InternetChecksum.Compute(data, 0, data.Length));
    }

    [Fact]
    public void Does_not_overflow_on_the_largest_datagrams()
    {
        var ones = Enumerable.Repeat((byte)0xFF, 65535).ToArray();
        var random = new byte[65535];
        new Random(1).NextBytes(random);
        foreach (var data in new[] { ones, random })
        {
            foreach (int length in new[] { 65534, 65535 })
            {
                Assert.Equal(ReferenceChecksum(data, length), InternetChecksum.Compute(data, 0, length));
            }
        }
    }

    /// <summary>RFC 1071 section 4.1, with a 64-bit accumulator that cannot overflow.</summary>
    private static ushort ReferenceChecksum(byte[] data, int length)
    {
        ulong sum = 0;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += (ulong)((data[i] << 8) | data[i + 1]);
        }

        if ((length & 1) != 0)
        {
            sum += (ulong)(data[length - 1] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    [Fact]
    public void Incremental_update_of_rfc1624_section_4_example()
    {
        // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555 changes to m' = 0x3285, HC' = 0x0000.
        Assert.Equal((ushort)0x0000, InternetChecksum.Update((ushort)0xDD2F, (ushort)0x5555, (ushort)0x3285));
    }

    [Fact]
    public void Incremental_update_matches_recomputation_for_random_words()
    {
        var random = new Random(11);
        for (int round = 0; round < 2000; round++)
        {
            var data = new byte[40];
            random.NextBytes(data);
            int at = random.Next(0, 19) * 2;
            ushort before = InternetChecksum.Compute(data, 0, data.Length);
            ushort oldWord = NetworkOrder.ReadUInt16(data, at);
            ushort newWord = (ushort)random.Next(0, 65536);
            NetworkOrder.WriteUInt16(data, at, newWord);
            ushort updated = InternetChecksum.Update(before, oldWord, newWord);
            ushort recomputed = InternetChecksum.Compute(data, 0, data.Length);
            // RFC 1624 equation 3 never yields +0 (0x0000) when the recomputation does -0 (0xFFFF) or back,
            // except for all-zero data; both verify as the same one's complement value.
            Assert.Equal(recomputed % 0xFFFF, updated % 0xFFFF);
        }
    }

    [Fact]
    public void Incremental_update_of_a_32_bit_field_matches_recomputation()
    {
        var data = new byte[20];
        new Random(5).NextBytes(data);
        ushort before = InternetChecksum.Compute(data, 0, data.Length);
        uint oldValue = NetworkOrder.ReadUInt32(data, 12);
        NetworkOrder.WriteUInt32(data, 12, 0xC0000202);
        Assert.Equal(InternetChecksum.Compute(data, 0, 20) % 0xFFFF, InternetChecksum.Update(before, oldValue, 0xC0000202u) % 0xFFFF);
    }
}
