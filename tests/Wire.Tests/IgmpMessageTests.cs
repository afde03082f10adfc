using IoTStack.Net.Wire;

namespace IoTStack.Wire.Tests;

public class IgmpMessageTests
{
    [Fact]
    public void A_v2_report_for_mdns_is_the_bytes_every_host_sends()
    {
        var message = new byte[8];
        Assert.Equal(8, IgmpMessage.Write(message, 0, IgmpMessage.TypeV2Report, 0, 0xE00000FB));
        Assert.Equal(Convert.FromHexString("16000904E00000FB"), message);
        Assert.Equal(WireError.None, IgmpMessage.Validate(message, 0, 8));
        Assert.Equal(0xE00000FBu, IgmpMessage.Group(message, 0));
    }

    [Fact]
    public void A_v3_change_to_exclude_report_is_the_bytes_linux_sends_on_join()
    {
        var message = new byte[16];
        IgmpMessage.WriteV3ReportHeader(message, 0, 1);
        IgmpMessage.WriteGroupRecord(message, 8, IgmpMessage.ChangeToExcludeMode, 0xE00000FB);
        IgmpMessage.FillChecksum(message, 0, 16);
        Assert.Equal(Convert.FromHexString("2200F9020000000104000000E00000FB"), message);
        Assert.Equal(WireError.None, IgmpMessage.Validate(message, 0, 16));
        Assert.Equal(1, IgmpMessage.GroupRecordCount(message, 0));
        Assert.Equal(IgmpMessage.ChangeToExcludeMode, IgmpMessage.RecordType(message, 8));
        Assert.Equal(8, IgmpMessage.RecordLength(message, 8));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 100)]
    [InlineData(127, 127)]
    [InlineData(0x80, 128)]
    [InlineData(0x8F, 248)]
    [InlineData(0x90, 256)]
    [InlineData(0xFF, 31744)]
    public void Max_resp_code_and_qqic_decode_as_rfc_3376_section_4_1_1_says(int code, int value)
    {
        Assert.Equal(value, IgmpMessage.DecodeFloatingCode(code));
        Assert.Equal(code, IgmpMessage.EncodeFloatingCode(value));
    }

    [Fact]
    public void Encoding_rounds_down_to_what_the_format_holds()
    {
        for (int value = 0; value < 40_000; value += 7)
        {
            int decoded = IgmpMessage.DecodeFloatingCode(IgmpMessage.EncodeFloatingCode(value));
            Assert.True(decoded <= value && (value > 31744 || decoded * 17 / 16 + 8 >= value), $"{value} -> {decoded}");
        }
    }

    [Fact]
    public void A_v3_query_reads_back_its_fields_and_sources()
    {
        var message = new byte[20];
        IgmpMessage.WriteV3Query(message, 0, 0x8F, 0xEF010203, true, 5, IgmpMessage.EncodeFloatingCode(60));
        NetworkOrder.WriteUInt16(message, 10, 2);
        NetworkOrder.WriteUInt32(message, 12, 0xC0000201);
        NetworkOrder.WriteUInt32(message, 16, 0xC0000202);
        IgmpMessage.FillChecksum(message, 0, 20);
        Assert.Equal(WireError.None, IgmpMessage.Validate(message, 0, 20));
        Assert.Equal(24_800, IgmpMessage.MaxResponseTimeMs(message, 0, 20));
        Assert.True(IgmpMessage.SuppressRouterProcessing(message, 0));
        Assert.Equal(5, IgmpMessage.QuerierRobustness(message, 0));
        Assert.Equal(60, IgmpMessage.QueryIntervalSeconds(message, 0));
        Assert.Equal(2, IgmpMessage.SourceCount(message, 0));
        Assert.Equal(0xC0000202u, IgmpMessage.Source(message, 0, 1));
    }

    [Fact]
    public void The_version_of_a_query_is_its_length_and_a_v1_query_allows_ten_seconds()
    {
        var message = new byte[8];
        IgmpMessage.Write(message, 0, IgmpMessage.TypeMembershipQuery, 0, 0);
        Assert.Equal(10_000, IgmpMessage.MaxResponseTimeMs(message, 0, 8)); // RFC 2236 section 4
        IgmpMessage.Write(message, 0, IgmpMessage.TypeMembershipQuery, 0x8F, 0);
        Assert.Equal(14_300, IgmpMessage.MaxResponseTimeMs(message, 0, 8)); // IGMPv2: tenths, no floating point
    }

    [Fact]
    public void Validation_refuses_what_no_version_defines()
    {
        var query = new byte[16];
        IgmpMessage.WriteV3Query(query, 0, 100, 0, false, 2, 125);
        NetworkOrder.WriteUInt16(query, 10, 1);
        IgmpMessage.FillChecksum(query, 0, 16);
        Assert.Equal(WireError.None, IgmpMessage.Validate(query, 0, 16));
        IgmpMessage.FillChecksum(query, 0, 12);
        Assert.Equal(WireError.Truncated, IgmpMessage.Validate(query, 0, 12)); // one source counted, none there
        IgmpMessage.FillChecksum(query, 0, 10);
        Assert.Equal(WireError.Truncated, IgmpMessage.Validate(query, 0, 10)); // 9 to 11 bytes (RFC 3376 section 7.1)
        Assert.Equal(WireError.Truncated, IgmpMessage.Validate(query, 0, 7));
        query[4] ^= 1;
        Assert.Equal(WireError.BadChecksum, IgmpMessage.Validate(query, 0, 10));
        Assert.Equal(WireError.OutOfBuffer, IgmpMessage.Validate(query, 10, 8));

        var report = new byte[20];
        IgmpMessage.WriteV3ReportHeader(report, 0, 1);
        IgmpMessage.WriteGroupRecord(report, 8, IgmpMessage.ModeIsInclude, 0xEF010203);
        NetworkOrder.WriteUInt16(report, 10, 1); // one source: 12 bytes of record
        IgmpMessage.FillChecksum(report, 0, 20);
        Assert.Equal(WireError.None, IgmpMessage.Validate(report, 0, 20));
        report[9] = 1; // and one auxiliary word: 16 bytes, past the end
        IgmpMessage.FillChecksum(report, 0, 20);
        Assert.Equal(WireError.Truncated, IgmpMessage.Validate(report, 0, 20));
    }
}
