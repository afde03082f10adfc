using IoTStack.Net;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Services;

/// <summary>The DHCP client against a server the test plays, on the virtual switch in virtual time.</summary>
public class DhcpClientTests
{
    private const int Discover = 1, Request = 3, Decline = 4;
    private static readonly IPv4Address First = TestNetwork.Ip(100);
    private static readonly IPv4Address Second = TestNetwork.Ip(101);

    private readonly TestNetwork _net = new();
    private readonly NetStack _serverStack;
    private readonly DhcpServerDouble _server;
    private readonly NetStack _board;
    private readonly DhcpClient _dhcp;
    private readonly DnsResolver _resolver;
    private readonly SntpClient _sntp;

    public DhcpClientTests()
    {
        _serverStack = _net.Add(1);
        _server = new DhcpServerDouble(_serverStack, First, Second);
        var observe = _net.Switch.Observer!;
        _net.Switch.Observer = frame =>
        {
            observe(frame);
            _server.Observe(frame);
        };
        _board = _net.Add(2, configure: false);
        _resolver = new DnsResolver(_board, _board, 2, 2);
        _sntp = new SntpClient(_board, _board);
        _dhcp = new DhcpClient(_board, _board, "board") { Resolver = _resolver, Sntp = _sntp };
        _net.Services.Add(_server.Poll);
        _net.Services.Add(_dhcp.Poll);
    }

    private void Bind()
    {
        Assert.Equal(SocketResult.Success, _dhcp.Start());
        Assert.True(_net.RunUntil(() => _dhcp.State == DhcpState.Bound, 10_000), $"state {_dhcp.State}");
    }

    [Fact]
    public void A_lease_configures_the_interface_the_resolver_and_the_time_client()
    {
        Assert.Equal(IPv4Address.Any, _board.Address);
        Bind();
        Assert.Equal(First, _board.Address);
        Assert.Equal(First, _dhcp.Address);
        Assert.Equal(TestNetwork.Mask, _board.SubnetMask);
        Assert.Equal(TestNetwork.Ip(1), _board.Gateway);
        Assert.Equal(1, _resolver.ServerCount);
        Assert.Equal(TestNetwork.Ip(1), _resolver.Server(0));
        Assert.Equal(TestNetwork.Ip(1), _sntp.Server);
        Assert.Equal(3600u, _dhcp.LeaseSeconds);
        Assert.Equal(1, _server.Count(Discover));
        Assert.Equal(1, _server.Count(Request));
        Assert.Equal(2, _board.Counters[Counter.ArpProbesSent]); // RFC 5227 probes before the address was used
        Assert.Equal(Net.Ip.PingStatus.Replied, _net.Ping(_serverStack, First, 32));
    }

    [Fact]
    public void Retransmissions_back_off_from_four_seconds_while_no_server_answers()
    {
        _server.Silent = true;
        Assert.Equal(SocketResult.Success, _dhcp.Start());
        _net.Run(35_000);
        // Sent at 0, ~4, ~12, ~28 s (RFC 2131 section 4.1: 4, 8, 16 s apart, each ±1 s).
        Assert.Equal(4, _server.Count(Discover));
        Assert.Equal(DhcpState.Selecting, _dhcp.State);
        _server.Silent = false;
        Assert.True(_net.RunUntil(() => _dhcp.State == DhcpState.Bound, 70_000));
    }

    [Fact]
    public void At_t1_the_lease_is_renewed_by_unicast_to_the_server_that_granted_it()
    {
        _server.LeaseSeconds = 100;
        Bind();
        Assert.InRange(_dhcp.RenewInMs, 45_000, 50_000);
        _net.Run(51_000);
        Assert.Equal(1, _dhcp.Renewals);
        Assert.Equal(DhcpState.Bound, _dhcp.State);
        Assert.Equal(First, _board.Address);
        var renewal = _server.Heard.Last();
        Assert.Equal((Request, IPv4Address.Any, First, false), renewal); // ciaddr set, no option 50, not broadcast
    }

    [Fact]
    public void A_bound_client_next_needs_a_poll_at_t1_and_renews_when_polled_then()
    {
        _server.LeaseSeconds = 100;
        Bind();
        int delay = _dhcp.PollDelay();
        Assert.Equal(_dhcp.RenewInMs, delay);
        _net.Services.Remove(_dhcp.Poll); // from here the client is polled only at its deadline
        _net.Run(delay - 1);
        Assert.Equal(1, _dhcp.PollDelay());
        _net.Clock.Advance(1);
        _dhcp.Poll();
        Assert.Equal(DhcpState.Renewing, _dhcp.State); // RFC 2131 section 4.4.5: at T1, a REQUEST to the server
        _net.Services.Add(_dhcp.Poll);
        Assert.True(_net.RunUntil(() => _dhcp.Renewals == 1, 1_000));
        Assert.InRange(_dhcp.PollDelay(), 45_000, 50_000); // the next T1, of the lease just extended
    }

    [Fact]
    public void While_no_server_answers_the_client_sleeps_until_its_next_discover()
    {
        _server.Silent = true;
        Assert.Equal(SocketResult.Success, _dhcp.Start());
        _net.Run(10);
        Assert.Equal(1, _server.Count(Discover));
        int delay = _dhcp.PollDelay();
        Assert.InRange(delay, 2_990, 4_990); // 4 s ± 1 s (section 4.1), less the 10 ms gone
        _net.Services.Remove(_dhcp.Poll);
        _net.Run(delay - 1);
        _dhcp.Poll();
        Assert.Equal(1, _server.Count(Discover));
        _net.Clock.Advance(1);
        _dhcp.Poll();
        _net.Settle();
        Assert.Equal(2, _server.Count(Discover));
    }

    [Fact]
    public void A_server_deaf_to_renewals_is_bypassed_by_rebinding_at_t2()
    {
        _server.LeaseSeconds = 100;
        _server.RenewalSeconds = 20;
        _server.RebindingSeconds = 40;
        Bind();
        _server.IgnoreUnicast = true;
        _net.Run(30_000);
        Assert.True(_dhcp.State == DhcpState.Renewing, string.Join(" ", _server.Heard) + " renewals " + _dhcp.Renewals);
        Assert.True(_net.RunUntil(() => _dhcp.Renewals == 1, 12_000));
        Assert.Contains(_server.Heard, h => h.Type == Request && h.ClientAddress == First && h.Broadcast);
        Assert.Equal(DhcpState.Bound, _dhcp.State);
        Assert.Equal(First, _board.Address);
    }

    [Fact]
    public void When_the_lease_runs_out_the_address_goes_and_its_connections_are_told()
    {
        _server.LeaseSeconds = 60;
        Bind();
        Assert.Equal(SocketResult.Success, _serverStack.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener));
        _serverStack.Bind(listener, IPv4Address.Any, 5000);
        _serverStack.Listen(listener, 1);
        Assert.Equal(SocketResult.Success, _board.Open(SocketKind.Stream, IpProtocol.Tcp, out int connection));
        _board.Connect(connection, TestNetwork.Ip(1), 5000);
        Assert.True(_net.RunUntil(() => _board.Connect(connection, TestNetwork.Ip(1), 5000) == SocketResult.IsConnected));
        _server.Silent = true;
        Assert.True(_net.RunUntil(() => _dhcp.Expirations == 1, 61_000));
        Assert.Equal(IPv4Address.Any, _board.Address);
        Assert.Equal(DhcpState.Selecting, _dhcp.State);
        Assert.Equal(SocketResult.NetworkDown, _board.SendSome(connection, new byte[1], 0, 1, out _));
        _server.Silent = false;
        Assert.True(_net.RunUntil(() => _dhcp.State == DhcpState.Bound, 70_000));
    }

    [Fact]
    public void A_nak_starts_discovery_over()
    {
        _server.NaksToSend = 1;
        Bind();
        Assert.Equal(1, _dhcp.Naks);
        Assert.Equal(2, _server.Count(Discover));
        Assert.Equal(First, _board.Address);
    }

    [Fact]
    public void An_address_another_host_answers_for_is_declined_and_the_next_one_taken()
    {
        var squatter = _net.Add(100); // already on 192.0.2.100, the first offer
        Assert.Equal(SocketResult.Success, _dhcp.Start());
        Assert.True(_net.RunUntil(() => _dhcp.State == DhcpState.Declined, 10_000));
        Assert.Equal(1, _dhcp.Declines);
        Assert.Equal(IPv4Address.Any, _board.Address); // never used it
        Assert.Equal(First, _server.Heard.Single(h => h.Type == Decline).Requested);
        Assert.True(_net.RunUntil(() => _dhcp.State == DhcpState.Bound, 20_000));
        Assert.Equal(Second, _board.Address);
        Assert.False(squatter.AddressConflictDetected); // the probe came from 0.0.0.0: nobody's cache was touched
    }

    [Fact]
    public void An_offer_with_an_option_running_past_the_end_is_ignored()
    {
        _server.MalformedOffers = 1;
        Bind();
        Assert.Equal(2, _server.Count(Discover));
        Assert.Equal(1, _dhcp.Offers);
    }

    [Fact]
    public void A_link_that_comes_back_asks_to_keep_the_lease()
    {
        Bind();
        var port = _net.Switch.Ports[1];
        port.IsLinkUp = false;
        _net.Run(1_000);
        port.IsLinkUp = true;
        Assert.True(_net.RunUntil(() => _server.Heard.Count == 3, 5_000));
        Assert.Equal((Request, First, IPv4Address.Any, true), _server.Heard[2]); // INIT-REBOOT: option 50, no ciaddr
        Assert.True(_net.RunUntil(() => _dhcp.State == DhcpState.Bound, 5_000));
        Assert.Equal(First, _board.Address);
    }

    [Fact]
    public void Renewals_allocate_nothing()
    {
        var rig = new CrossoverRig(configureBoard: false);
        var server = new DhcpServerDouble(rig.Peer, First) { LeaseSeconds = 20 };
        var dhcp = new DhcpClient(rig.Board, rig.Board, "board") { Resolver = new DnsResolver(rig.Board, rig.Board, 2, 2), Sntp = new SntpClient(rig.Board, rig.Board) };
        Assert.Equal(SocketResult.Success, dhcp.Start());
        rig.Run(40_000, dhcp.Poll, server.Poll); // bound, and the first renewals warm every path up
        Assert.Equal(First, rig.Board.Address);
        int renewals = dhcp.Renewals;
        long allocated = rig.Run(100_000, dhcp.Poll, server.Poll);
        Assert.True(dhcp.Renewals >= renewals + 8, $"renewals {dhcp.Renewals}");
        Assert.True(allocated == 0, $"{allocated} bytes allocated");
    }
}
