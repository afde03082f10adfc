using IoTStack.Net;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.Services.DnsServerDouble.Builder;

namespace IoTStack.Stack.Tests.Services;

/// <summary>The mDNS responder between stacks on the virtual switch, in virtual time.</summary>
public class MdnsResponderTests
{
    private readonly TestNetwork _net = new();

    private MdnsResponder Responder(NetStack stack, string name)
    {
        var responder = new MdnsResponder(stack, stack, name, 2);
        Assert.Equal(SocketResult.Success, responder.Start());
        _net.Services.Add(responder.Poll);
        return responder;
    }

    private static string HostName(MdnsResponder responder)
    {
        var buffer = new byte[80];
        return System.Text.Encoding.ASCII.GetString(buffer, 0, responder.WriteHostName(buffer, 0));
    }

    private DnsStatus Resolve(DnsResolver resolver, string name, out IPv4Address address)
    {
        Assert.Equal(SocketResult.Success, resolver.Resolve(name, out int query));
        _net.RunUntil(() => resolver.GetStatus(query, out _) != DnsStatus.Pending, 10_000);
        var status = resolver.GetStatus(query, out address);
        resolver.Release(query);
        return status;
    }

    [Fact]
    public void The_board_probes_announces_and_is_found_by_name()
    {
        var board = Responder(_net.Add(2), "board");
        var client = _net.Add(3);
        var resolver = new DnsResolver(client, client, 2, 2) { Mdns = Responder(client, "client") };
        _net.Services.Add(resolver.Poll);
        _net.Run(1_000);
        Assert.Equal(MdnsState.Announcing, board.State); // probes at 0-250, +250, +500 ms, then the first announcement
        Assert.True(_net.RunUntil(() => board.State == MdnsState.Ready, 2_000));
        Assert.Equal(DnsStatus.Resolved, Resolve(resolver, "board.local", out var address));
        Assert.Equal(TestNetwork.Ip(2), address);
        Assert.Equal(DnsStatus.Resolved, Resolve(resolver, "CLIENT.local", out address)); // its own name, answered by nobody else
        Assert.Equal(DnsStatus.TimedOut, Resolve(resolver, "nobody.local", out _));
    }

    [Fact]
    public void The_responder_sleeps_between_probes_and_announcements_and_has_no_deadline_once_ready()
    {
        var stack = _net.Add(2);
        var board = new MdnsResponder(stack, stack, "board", 2);
        Assert.Equal(SocketResult.Success, board.Start());
        board.Poll(); // takes up the stack's address: the sequence starts
        Assert.InRange(board.PollDelay(), 0, 249); // RFC 6762 section 8.1: the first probe after 0-250 ms
        long polls = 0;
        while (board.State != MdnsState.Ready)
        {
            int delay = board.PollDelay();
            Assert.InRange(delay, 0, 1_000); // probes 250 ms apart, announcements a second apart (sections 8.1, 8.3)
            _net.Run(delay);
            board.Poll();
            polls++;
            Assert.True(polls < 20, "the responder never got ready");
        }

        Assert.Equal(int.MaxValue, board.PollDelay());
    }

    [Fact]
    public void A_second_host_wanting_the_same_name_takes_the_next_one()
    {
        var first = Responder(_net.Add(2), "board");
        _net.Run(3_000);
        var second = Responder(_net.Add(4), "board");
        Assert.True(_net.RunUntil(() => second.State == MdnsState.Ready, 10_000));
        Assert.Equal("board.local", HostName(first));
        Assert.Equal("board-2.local", HostName(second));
        Assert.Equal(1, second.Conflicts);
        var client = _net.Add(3);
        var resolver = new DnsResolver(client, client, 2, 2) { Mdns = new MdnsResponder(client, client, "client", 2) };
        _net.Services.Add(resolver.Poll);
        _net.Services.Add(resolver.Mdns.Poll);
        Assert.Equal(DnsStatus.Resolved, Resolve(resolver, "board-2.local", out var address));
        Assert.Equal(TestNetwork.Ip(4), address);
        Assert.Equal(DnsStatus.Resolved, Resolve(resolver, "board.local", out address));
        Assert.Equal(TestNetwork.Ip(2), address);
    }

    [Fact]
    public void A_one_shot_query_from_another_port_gets_a_legacy_unicast_answer()
    {
        var board = Responder(_net.Add(2), "board");
        _net.Run(3_000);
        var asker = _net.Add(3);
        int socket = TestNetwork.OpenUdp(asker, 40000);
        var query = new byte[] { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }.Concat(Name("Board.local")).Concat(new byte[] { 0, 1, 0, 1 }).ToArray();
        asker.SendTo(socket, query, 0, query.Length, MdnsResponder.Group, MdnsResponder.Port, out _);
        var reply = new byte[512];
        int length = 0;
        SocketEndpoint from = default;
        Assert.True(_net.RunUntil(() => asker.ReceiveFrom(socket, reply, 0, reply.Length, out length, out from) == SocketResult.Success, 1_000));
        Assert.Equal(new SocketEndpoint(IpProtocol.Udp, TestNetwork.Ip(2), 5353), from);
        Assert.Equal(0x1234, NetworkOrder.ReadUInt16(reply, 0)); // section 6.7: its ID back
        Assert.Equal(0x8400, NetworkOrder.ReadUInt16(reply, 2)); // response, authoritative
        Assert.Equal(1, NetworkOrder.ReadUInt16(reply, 4)); // the question repeated
        Assert.Equal(1, NetworkOrder.ReadUInt16(reply, 6));
        int name = Name("board.local").Length;
        int answer = 12 + name + 4;
        Assert.Equal(1, NetworkOrder.ReadUInt16(reply, answer + name + 2)); // class IN, no cache-flush bit
        Assert.Equal(10u, NetworkOrder.ReadUInt32(reply, answer + name + 4)); // TTL at most 10 s
        Assert.Equal(TestNetwork.Ip(2), IPv4Address.Read(reply, length - 4));
        Assert.Equal(1, board.QueriesAnswered);
    }

    [Fact]
    public void Answering_queries_allocates_nothing()
    {
        var rig = new CrossoverRig();
        var board = new MdnsResponder(rig.Board, rig.Board, "board", 1);
        Assert.Equal(SocketResult.Success, board.Start());
        rig.Run(3_000, board.Poll, () => false);
        Assert.Equal(MdnsState.Ready, board.State);
        var query = new byte[] { 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }.Concat(Name("board.local")).Concat(new byte[] { 0, 1, 0, 1 }).ToArray();
        var (answers, allocated) = rig.AskEveryMillisecond(query, board.Poll);
        Assert.True(answers >= 1_990, $"answers {answers}");
        Assert.True(allocated == 0, $"{allocated} bytes allocated");
    }
}

/// <summary>The SNTP client against a time server the test plays.</summary>
public class SntpClientTests
{
    private const long UnixEpochInNtpSeconds = 2208988800L;
    private static readonly long Noon = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private readonly TestNetwork _net = new();
    private readonly NetStack _server;
    private readonly NetStack _board;
    private readonly SntpClient _sntp;
    private readonly int _socket;
    private readonly byte[] _buffer = new byte[100];

    public SntpClientTests()
    {
        _server = _net.Add(1);
        _board = _net.Add(2);
        _socket = TestNetwork.OpenUdp(_server, 123);
        _sntp = new SntpClient(_board, _board) { Server = TestNetwork.Ip(1) };
        _net.Services.Add(_sntp.Poll);
        _net.Services.Add(Serve);
    }

    /// <summary>What the server does to each answer before sending it.</summary>
    private Action<byte[]> _tamper = _ => { };

    /// <summary>Unix ms the server's clock reads at virtual time 0.</summary>
    private long _serverEpoch = Noon - 1_000;

    private int _requests;

    private bool Serve()
    {
        bool worked = false;
        while (_server.ReceiveFrom(_socket, _buffer, 0, _buffer.Length, out int length, out var from) == SocketResult.Success)
        {
            worked = true;
            _requests++;
            var reply = new byte[48];
            reply[0] = (0 << 6) | (4 << 3) | 4;
            reply[1] = 2;
            Array.Copy(_buffer, 40, reply, 24, 8); // originate := the client's transmit
            long now = _serverEpoch + _net.Clock.NowMilliseconds;
            WriteTimestamp(reply, 32, now - 3); // received 3 ms ago, say
            WriteTimestamp(reply, 40, now);
            _tamper(reply);
            _server.SendTo(_socket, reply, 0, reply.Length, from.Address, from.Port, out _);
        }

        return worked;
    }

    private static void WriteTimestamp(byte[] packet, int offset, long unixMs)
    {
        long ntpMs = unixMs + UnixEpochInNtpSeconds * 1000;
        NetworkOrder.WriteUInt32(packet, offset, (uint)(ntpMs / 1000)); // wraps into era 1 after 2036, as NTP does
        NetworkOrder.WriteUInt32(packet, offset + 4, (uint)((ntpMs % 1000 << 32) / 1000));
    }

    [Fact]
    public void The_wall_clock_is_set_from_the_server()
    {
        Assert.False(_board.WallClockSet);
        _sntp.IntervalMs = 10_000;
        _sntp.Start();
        Assert.True(_net.RunUntil(() => _sntp.Synchronized, 1_000));
        Assert.True(_board.WallClockSet);
        Assert.InRange(_board.WallClockMilliseconds - (_serverEpoch + _net.Clock.NowMilliseconds), -2, 2);
        Assert.Equal(2, _sntp.LastStratum);
        _serverEpoch += 250; // the board's clock drifts 250 ms from the server's; the next poll puts it right
        _net.Run(10_100);
        Assert.Equal(2, _sntp.Synchronizations);
        Assert.InRange(_sntp.LastAdjustmentMs, 248, 252);
        Assert.InRange(_board.WallClockMilliseconds - (_serverEpoch + _net.Clock.NowMilliseconds), -2, 2);
    }

    [Fact]
    public void Once_synchronised_the_client_sleeps_until_the_next_synchronisation()
    {
        _sntp.IntervalMs = 10_000;
        Assert.Equal(int.MaxValue, _sntp.PollDelay()); // not started
        _sntp.Start();
        Assert.Equal(0, _sntp.PollDelay());
        Assert.True(_net.RunUntil(() => _sntp.Synchronized, 1_000));
        Assert.Equal(10_000, _sntp.PollDelay());
    }

    [Fact]
    public void A_time_after_2036_reads_in_era_1()
    {
        _serverEpoch = new DateTimeOffset(2040, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        _sntp.Start();
        Assert.True(_net.RunUntil(() => _sntp.Synchronized, 1_000));
        Assert.Equal(2040, DateTimeOffset.FromUnixTimeMilliseconds(_board.WallClockMilliseconds).Year);
    }

    [Fact]
    public void Answers_not_for_our_request_unsynchronised_or_kiss_of_death_do_not_set_the_clock()
    {
        _tamper = reply => reply[31] ^= 1; // not our nonce
        _sntp.Start();
        _net.Run(10_000);
        Assert.False(_sntp.Synchronized);
        Assert.Equal(3, _requests); // three attempts, then it waits RetryMs
        _tamper = reply => reply[0] |= 3 << 6; // leap indicator 3: the server's clock is not synchronised
        _net.Run(60_000);
        Assert.False(_board.WallClockSet);
        _tamper = reply => reply[1] = 0; // kiss-o'-death
        int interval = _sntp.IntervalMs;
        _net.Run(60_000);
        Assert.False(_board.WallClockSet);
        Assert.Equal(interval * 2, _sntp.IntervalMs);
    }
}
