using IoTStack.Net;

namespace IoTStack.Fuzz.Tests;

/// <summary>The IGMP seeds are worth fuzzing from only if the board takes them as IGMP and answers (its counters say).</summary>
public class IgmpSeedTests
{
    private static NetStack Run(string name) =>
        FuzzTargets.Stack(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", "stack", name)));

    [Theory]
    [InlineData("igmp-v1-query.bin")]
    [InlineData("igmp-v2-general-query.bin")]
    [InlineData("igmp-v2-group-query.bin")]
    [InlineData("igmp-v2-then-v3.bin")]
    public void Every_older_version_query_seed_is_taken(string seed)
    {
        var board = Run(seed);
        Assert.Equal(0, board.Counters[Counter.IgmpMalformed]);
        Assert.True(board.Counters[Counter.IgmpQueriesReceived] >= 1, seed);
    }

    [Theory]
    [InlineData("igmp-v3-general-query.bin")]
    [InlineData("igmp-v3-group-query.bin")]
    [InlineData("igmp-v3-group-and-source-query.bin")]
    public void Every_v3_query_seed_is_answered(string seed)
    {
        var board = Run(seed);
        var joinsOnly = FuzzTargets.Stack([]); // the joins' own reports: mDNS's group and the UDP socket's
        Assert.Equal(0, board.Counters[Counter.IgmpMalformed]);
        Assert.Equal(1, board.Counters[Counter.IgmpQueriesReceived]);
        Assert.Equal(joinsOnly.Counters[Counter.IgmpReportsSent] + 1, board.Counters[Counter.IgmpReportsSent]);
    }

    [Fact]
    public void The_reports_seed_reaches_suppression_and_the_router_messages()
    {
        var board = Run("igmp-reports.bin");
        Assert.Equal(0, board.Counters[Counter.IgmpMalformed]);
        Assert.Equal(1, board.Counters[Counter.IgmpQueriesReceived]);
    }
}
