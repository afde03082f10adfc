using IoTStack.Net;
using IoTStack.Net.Wire;
using static IoTStack.Net.Wire.IgmpMessage;
using static IoTStack.Stack.Tests.Igmp.IgmpHarness;

namespace IoTStack.Stack.Tests.Igmp;

/// <summary>The host side of IGMPv3 (RFC 3376, lightweight as RFC 5790) and its IGMPv2 (RFC 2236) and v1 compatibility.</summary>
public class IgmpHostTests
{
    private static (IgmpHarness H, int Socket) Joined(params uint[] groups)
    {
        var h = new IgmpHarness();
        int socket = h.OpenUdp(5000);
        foreach (uint group in groups)
        {
            Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, group));
        }

        h.SentWithin(2_000); // the joins' state-change reports
        return (h, socket);
    }

    [Fact]
    public void Join_sends_two_change_to_exclude_reports_to_all_v3_routers_within_a_second()
    {
        var h = new IgmpHarness();
        h.Sent();
        int socket = h.OpenUdp(5000);
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, GroupA));
        var sent = h.SentWithin(20_000);
        // RFC 3376 section 5.1: the report at once, [Robustness Variable] - 1 = 1 more within the Unsolicited Report Interval (1 s).
        Assert.Equal(2, sent.Count);
        AssertV3(sent[0], (ChangeToExcludeMode, GroupA));
        AssertV3(sent[1], (ChangeToExcludeMode, GroupA));
        Assert.Equal(Start, sent[0].At);
        Assert.InRange(sent[1].At, Start + 1, Start + 1_000);
        Assert.Equal(2, h.Counter(Counter.IgmpReportsSent));
    }

    [Fact]
    public void Leave_sends_two_change_to_include_reports_and_stops_delivery()
    {
        var (h, socket) = Joined(GroupA);
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Drop(socket, GroupA));
        var sent = h.SentWithin(20_000);
        Assert.Equal(2, sent.Count);
        AssertV3(sent[0], (ChangeToIncludeMode, GroupA));
        AssertV3(sent[1], (ChangeToIncludeMode, GroupA));
        Assert.InRange(sent[1].At - sent[0].At, 1, 1_000);
        Assert.Equal(2, h.Counter(Counter.IgmpLeavesSent));
        Assert.Empty(h.Device.Filters[^1]);
    }

    [Fact]
    public void General_query_is_answered_with_is_exclude_for_every_joined_group_within_max_response_time()
    {
        var (h, _) = Joined(GroupA);
        Assert.True(h.Stack.JoinGroup(new IPv4Address(GroupB)));
        h.SentWithin(2_000);
        long asked = h.Now;
        h.QueryV3(0, 50); // 5 s
        var sent = h.SentWithin(30_000);
        Assert.Single(sent);
        AssertV3(sent[0], (ModeIsExclude, GroupA), (ModeIsExclude, GroupB));
        Assert.InRange(sent[0].At, asked + 1, asked + 5_000);
        Assert.Equal(1, h.Counter(Counter.IgmpQueriesReceived));
    }

    [Fact]
    public void A_second_general_query_replaces_the_pending_answer_instead_of_adding_one()
    {
        var (h, _) = Joined(GroupA);
        h.QueryV3(0, 100);
        h.QueryV3(0, 100);
        var sent = h.SentWithin(30_000);
        Assert.Single(sent);
        AssertV3(sent[0], (ModeIsExclude, GroupA));
    }

    [Fact]
    public void Max_resp_code_of_128_and_above_is_a_floating_point_time()
    {
        var (h, _) = Joined(GroupA);
        long asked = h.Now;
        h.QueryV3(0, 0x8F); // (0x0F | 0x10) << 3 = 248 tenths (RFC 3376 section 4.1.1)
        var sent = h.SentWithin(60_000);
        Assert.Single(sent);
        Assert.InRange(sent[0].At, asked + 1, asked + 24_800);
    }

    [Fact]
    public void Group_specific_query_is_answered_for_that_group_only()
    {
        var (h, _) = Joined(GroupA, GroupB);
        long asked = h.Now;
        h.QueryV3(GroupB, 20);
        var sent = h.SentWithin(30_000);
        Assert.Single(sent);
        AssertV3(sent[0], (ModeIsExclude, GroupB));
        Assert.InRange(sent[0].At, asked + 1, asked + 2_000);
    }

    [Fact]
    public void Group_and_source_specific_query_is_answered_with_is_exclude_of_nothing()
    {
        // EXCLUDE {} excludes none of the queried sources: answered as a group query (RFC 5790, as Linux answers).
        var (h, _) = Joined(GroupA);
        h.QueryV3(GroupA, 10, 2, 125, 0xC0000263, 0xC0000264);
        var sent = h.SentWithin(30_000);
        Assert.Single(sent);
        AssertV3(sent[0], (ModeIsExclude, GroupA));
    }

    [Fact]
    public void Group_query_while_an_earlier_general_answer_is_pending_adds_nothing()
    {
        var (h, _) = Joined(GroupA, GroupB);
        h.QueryV3(0, 0); // Max Resp Time 0: the general answer is due at once
        h.QueryV3(GroupA, 100); // section 5.2 rule 1: the pending general answer comes first and covers it
        var sent = h.SentWithin(30_000);
        Assert.Single(sent);
        AssertV3(sent[0], (ModeIsExclude, GroupA), (ModeIsExclude, GroupB));
    }

    [Fact]
    public void Query_for_a_group_we_did_not_join_is_not_answered()
    {
        var (h, _) = Joined(GroupA);
        h.QueryV3(GroupC, 10);
        Assert.Empty(h.SentWithin(30_000));
    }

    [Fact]
    public void Querier_robustness_sets_how_often_a_state_change_is_sent()
    {
        var (h, socket) = Joined(GroupA);
        h.QueryV3(GroupA, 10, robustness: 3);
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, GroupB));
        var sent = h.SentWithin(20_000);
        Assert.Equal(3, sent.Count(s => s.Records.SequenceEqual([(ChangeToExcludeMode, GroupB)])));
        Assert.Single(sent, s => s.Records.SequenceEqual([(ModeIsExclude, GroupA)])); // the query's own answer
    }

    [Fact]
    public void V2_querier_gets_v2_reports_to_the_group_and_a_leave_to_all_routers()
    {
        var (h, socket) = Joined(GroupA);
        long asked = h.Now;
        h.QueryV2(0, 100);
        var sent = h.SentWithin(30_000);
        Assert.Single(sent);
        Assert.Equal(new IgmpSent(sent[0].At, GroupA, TypeV2Report, GroupA, []), sent[0]);
        Assert.InRange(sent[0].At, asked + 1, asked + 10_000);
        // We were the last to report: a Leave Group to 224.0.0.2 (RFC 2236 section 3), once.
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Drop(socket, GroupA));
        sent = h.SentWithin(30_000);
        Assert.Single(sent);
        Assert.Equal(new IgmpSent(sent[0].At, AllRouters, TypeLeaveGroup, GroupA, []), sent[0]);
        Assert.Equal(1, h.Counter(Counter.IgmpLeavesSent));
    }

    [Fact]
    public void Join_under_a_v2_querier_is_reported_twice_with_v2_reports_within_ten_seconds()
    {
        var (h, socket) = Joined(GroupA);
        h.QueryV2(0, 100);
        h.SentWithin(11_000);
        long joined = h.Now;
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, GroupB));
        var sent = h.SentWithin(30_000);
        Assert.Equal(2, sent.Count);
        Assert.All(sent, s => Assert.Equal(new IgmpSent(s.At, GroupB, TypeV2Report, GroupB, []), s));
        Assert.Equal(joined, sent[0].At);
        Assert.InRange(sent[1].At, joined + 1, joined + 10_000); // RFC 2236 section 8.10
    }

    [Fact]
    public void Another_members_v2_report_suppresses_ours_and_then_no_leave_is_sent()
    {
        var (h, socket) = Joined(GroupA);
        h.QueryV2(0, 100);
        h.OtherMembersReport(TypeV2Report, GroupA);
        Assert.Empty(h.SentWithin(30_000));
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Drop(socket, GroupA));
        Assert.Empty(h.SentWithin(30_000)); // not the last reporter: RFC 2236 section 3 lets it stay quiet
    }

    [Fact]
    public void After_the_older_querier_present_timeout_the_host_speaks_v3_again()
    {
        var (h, socket) = Joined(GroupA);
        h.QueryV2(GroupA, 100);
        h.SentWithin(11_000);
        // 2 x 125 s + 10 s = 260 s by default (RFC 3376 section 8.12).
        h.Advance(240_000);
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, GroupB));
        var sent = h.Sent();
        Assert.Equal(new IgmpSent(sent[0].At, GroupB, TypeV2Report, GroupB, []), sent[0]);
        h.SentWithin(20_000);
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, GroupC));
        sent = h.Sent();
        AssertV3(sent[0], (ChangeToExcludeMode, GroupC));
    }

    [Fact]
    public void The_older_querier_timeout_takes_robustness_and_interval_from_the_last_v3_query()
    {
        var (h, socket) = Joined(GroupA);
        h.QueryV3(0, 10, robustness: 2, queryIntervalCode: 20); // QQI 20 s
        h.QueryV2(GroupA, 100);
        h.SentWithin(11_000);
        h.Advance(40_000); // 2 x 20 s + 10 s from the v2 query have passed
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, GroupB));
        AssertV3(h.Sent()[0], (ChangeToExcludeMode, GroupB));
    }

    [Fact]
    public void V1_querier_gets_v1_reports_and_no_leave()
    {
        var (h, socket) = Joined(GroupA);
        long asked = h.Now;
        h.QueryV2(0, 0); // Max Response Time 0: an IGMPv1 query, answered within 10 s (RFC 2236 section 4)
        var sent = h.SentWithin(30_000);
        Assert.Single(sent);
        Assert.Equal(new IgmpSent(sent[0].At, GroupA, TypeV1Report, GroupA, []), sent[0]);
        Assert.InRange(sent[0].At, asked + 1, asked + 10_000);
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Drop(socket, GroupA));
        Assert.Empty(h.SentWithin(30_000));
    }

    [Fact]
    public void Entering_v2_compatibility_cancels_pending_v3_retransmissions()
    {
        var h = new IgmpHarness();
        int socket = h.OpenUdp(5000);
        h.Sent();
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, GroupA));
        Assert.Single(h.Sent()); // the first TO_EX; its repeat is pending
        h.QueryV2(0, 100); // RFC 3376 section 7.2.1: the repeat is cancelled, only the v2 answer goes
        var sent = h.SentWithin(30_000);
        Assert.Equal(new IgmpSent(sent[0].At, GroupA, TypeV2Report, GroupA, []), Assert.Single(sent));
    }

    [Fact]
    public void All_hosts_is_never_reported_nor_given_to_the_filter()
    {
        var h = new IgmpHarness();
        h.Sent();
        int socket = h.OpenUdp(5000);
        Assert.Equal(Net.Sockets.SocketResult.Success, h.Join(socket, AllSystems));
        Assert.True(h.Stack.JoinGroup(new IPv4Address(AllSystems)));
        h.QueryV3(0, 10);
        Assert.Empty(h.SentWithin(30_000));
        Assert.All(h.Device.Filters, f => Assert.Empty(f));
    }

    [Fact]
    public void Malformed_igmp_is_counted_and_dropped()
    {
        var (h, _) = Joined(GroupA);
        var badChecksum = Message(b => IgmpMessage.Write(b, 0, TypeMembershipQuery, 100, 0));
        badChecksum[2] ^= 0x55;
        h.Inject(badChecksum, AllSystems);
        h.Inject([TypeMembershipQuery, 100, 0xEE, 0xFF], AllSystems); // 4 bytes
        var ten = new byte[10];
        IgmpMessage.Write(ten, 0, TypeMembershipQuery, 100, 0);
        IgmpMessage.FillChecksum(ten, 0, 10);
        h.Inject(ten, AllSystems); // 9 to 11 bytes: no query of any version (RFC 3376 section 7.1)
        var sourcesBeyond = V3Query(0, 10, 2, 125, 0xC0000263);
        NetworkOrder.WriteUInt16(sourcesBeyond, 10, 9);
        IgmpMessage.FillChecksum(sourcesBeyond, 0, sourcesBeyond.Length);
        h.Inject(sourcesBeyond, AllSystems);
        var recordsBeyond = new byte[16];
        IgmpMessage.WriteV3ReportHeader(recordsBeyond, 0, 3);
        IgmpMessage.WriteGroupRecord(recordsBeyond, 8, ModeIsExclude, GroupA);
        IgmpMessage.FillChecksum(recordsBeyond, 0, 16);
        h.Inject(recordsBeyond, AllSystems);
        Assert.Equal(5, h.Counter(Counter.IgmpMalformed));
        Assert.Equal(0, h.Counter(Counter.IgmpQueriesReceived));
        Assert.Empty(h.SentWithin(30_000));
    }

    [Fact]
    public void Groups_joined_before_the_address_are_reported_once_it_is_configured()
    {
        var h = new IgmpHarness(configureAddress: false);
        Assert.True(h.Stack.JoinGroup(new IPv4Address(GroupA)));
        Assert.Empty(h.SentWithin(5_000));
        h.Configure();
        var sent = h.SentWithin(5_000);
        Assert.Equal(2, sent.Count);
        AssertV3(sent[0], (ChangeToExcludeMode, GroupA));
    }

    [Fact]
    public void Groups_are_reported_again_when_the_link_comes_back()
    {
        var (h, _) = Joined(GroupA);
        h.Device.IsLinkUp = false;
        h.Advance(1_000);
        h.Device.IsLinkUp = true;
        var sent = h.SentWithin(5_000);
        Assert.Equal(2, sent.Count);
        AssertV3(sent[0], (ChangeToExcludeMode, GroupA));
    }

    [Fact]
    public void The_chip_filter_is_given_the_joined_groups_at_start_and_on_every_change()
    {
        var h = new IgmpHarness();
        Assert.Empty(Assert.Single(h.Device.Filters)); // at start: nothing joined
        int socket = h.OpenUdp(5000);
        h.Join(socket, GroupA);
        Assert.True(h.Stack.JoinGroup(new IPv4Address(GroupB)));
        Assert.Equal([GroupA, GroupB], h.Device.Filters[^1]);
        h.Drop(socket, GroupA);
        Assert.Equal([GroupB], h.Device.Filters[^1]);
        h.Stack.LeaveGroup(new IPv4Address(GroupB));
        Assert.Empty(h.Device.Filters[^1]);
        Assert.Equal(5, h.Device.Filters.Count);
    }
}
