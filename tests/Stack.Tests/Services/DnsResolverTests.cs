using IoTStack.Net;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.Services.DnsServerDouble.Builder;

namespace IoTStack.Stack.Tests.Services;

/// <summary>The stub resolver against DNS servers the test plays, on the virtual switch in virtual time.</summary>
public class DnsResolverTests
{
    private readonly TestNetwork _net = new();
    private readonly DnsServerDouble _first;
    private readonly DnsServerDouble _second;
    private readonly NetStack _board;
    private readonly DnsResolver _resolver;

    public DnsResolverTests()
    {
        _first = new DnsServerDouble(_net.Add(1));
        _second = new DnsServerDouble(_net.Add(3));
        _board = _net.Add(2);
        _resolver = new DnsResolver(_board, _board, 4, 4);
        _resolver.SetServers(TestNetwork.Ip(1), TestNetwork.Ip(3), IPv4Address.Any);
        _net.Services.Add(_first.Poll);
        _net.Services.Add(_second.Poll);
        _net.Services.Add(_resolver.Poll);
    }

    private DnsStatus Lookup(string name, out IPv4Address address, int limitMs = 30_000)
    {
        Assert.Equal(SocketResult.Success, _resolver.Resolve(name, out int query));
        IPv4Address found = default;
        _net.RunUntil(() => _resolver.GetStatus(query, out found) != DnsStatus.Pending, limitMs);
        var status = _resolver.GetStatus(query, out address);
        _resolver.Release(query);
        Assert.Equal(DnsStatus.Invalid, _resolver.GetStatus(query, out _)); // released: the descriptor is stale
        return status;
    }

    [Fact]
    public void A_name_resolves_and_the_second_lookup_comes_from_the_cache()
    {
        Assert.Equal(DnsStatus.Resolved, Lookup("board.example", out var address));
        Assert.Equal(new IPv4Address(192, 0, 2, 77), address);
        Assert.Equal(DnsStatus.Resolved, Lookup("BOARD.example.", out address)); // names compare without case (RFC 4343)
        Assert.Single(_first.Questions);
        Assert.Equal(1, _resolver.CacheHits);
    }

    [Fact]
    public void A_cached_answer_expires_with_its_ttl()
    {
        _first.Answer = q => Reply(q, 0, A(Question(q), "192.0.2.77", 5));
        Assert.Equal(DnsStatus.Resolved, Lookup("short.example", out _));
        _net.Run(5_100);
        Assert.Equal(DnsStatus.Resolved, Lookup("short.example", out _));
        Assert.Equal(2, _first.Questions.Count);
    }

    [Fact]
    public void A_cname_chain_is_followed_to_its_address()
    {
        // The records in the wrong order on purpose: the chain is followed, not the list.
        _first.Answer = q => Reply(q, 0, A("end.example", "192.0.2.88", 60), Cname("middle.example", "end.example", 60), Cname("www.example", "middle.example", 60));
        Assert.Equal(DnsStatus.Resolved, Lookup("www.example", out var address));
        Assert.Equal(new IPv4Address(192, 0, 2, 88), address);
    }

    [Fact]
    public void A_chain_that_ends_without_an_address_is_no_address()
    {
        _first.Answer = q => Reply(q, 0, Cname("www.example", "elsewhere.example", 60));
        Assert.Equal(DnsStatus.NoAddress, Lookup("www.example", out _));
    }

    [Fact]
    public void A_name_that_does_not_exist_is_a_name_error_at_once()
    {
        _first.Answer = q => Reply(q, 3);
        Assert.Equal(DnsStatus.NameError, Lookup("nothing.example", out _));
        Assert.Empty(_second.Questions);
    }

    [Fact]
    public void A_silent_server_is_passed_over_for_the_next()
    {
        _first.Answer = _ => null;
        Assert.Equal(DnsStatus.Resolved, Lookup("board.example", out _));
        Assert.Single(_first.Questions);
        Assert.Single(_second.Questions);
    }

    [Fact]
    public void Servers_that_never_answer_time_out_after_every_round()
    {
        _first.Answer = _ => null;
        _second.Answer = _ => null;
        long start = _net.Clock.NowMilliseconds;
        Assert.Equal(DnsStatus.TimedOut, Lookup("board.example", out _));
        Assert.Equal(3, _first.Questions.Count); // three rounds: 1 s, 2 s, 4 s each server
        Assert.Equal(3, _second.Questions.Count);
        Assert.InRange(_net.Clock.NowMilliseconds - start, 14_000, 14_100);
    }

    [Fact]
    public void Server_failure_moves_to_the_next_server_and_is_reported_when_all_fail()
    {
        _first.Answer = q => Reply(q, 2);
        Assert.Equal(DnsStatus.Resolved, Lookup("board.example", out _));
        _second.Answer = q => Reply(q, 5);
        Assert.Equal(DnsStatus.ServerFailure, Lookup("other.example", out _));
    }

    [Fact]
    public void A_truncated_answer_is_reported_as_truncated()
    {
        _first.Answer = q => Reply(q, 0x0200);
        Assert.Equal(DnsStatus.Truncated, Lookup("big.example", out _));
    }

    [Fact]
    public void A_compression_loop_is_malformed_not_a_hang()
    {
        // The answer's owner name is a pointer to itself; then one that points forward; then two that point at each other.
        byte[] Looping(byte[] q, byte[] owner)
        {
            var reply = Reply(q, 0);
            reply[7] = 1; // one answer
            return [.. reply, .. owner, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 9];
        }

        foreach (var make in new Func<byte[], byte[]>[]
        {
            q => Looping(q, [0xC0, (byte)Reply(q, 0).Length]),
            q => Looping(q, [0xC0, (byte)(Reply(q, 0).Length + 4)]),
            q => Looping(q, [1, (byte)'a', 0xC0, (byte)Reply(q, 0).Length]),
        })
        {
            _first.Answer = make;
            _second.Answer = make;
            Assert.Equal(DnsStatus.Malformed, Lookup("loop.example", out _));
        }
    }

    [Fact]
    public void Short_and_lying_replies_are_malformed_or_ignored()
    {
        _first.Answer = q => Reply(q, 0)[..^2]; // the question cut short: not an answer to it
        _second.Answer = q => [.. Reply(q, 0, A(Question(q), "192.0.2.5", 60))[..^3]]; // record data cut short
        Assert.Equal(DnsStatus.Malformed, Lookup("short.example", out _));
        _first.Answer = q => { var r = Reply(q, 0, A(Question(q), "192.0.2.5", 60)); r[0] ^= 0xFF; return r; }; // wrong id
        _second.Answer = q => { var r = Reply(q, 0, A(Question(q), "192.0.2.6", 60)); r[13] ^= 1; return r; }; // answers another question
        Assert.Equal(DnsStatus.TimedOut, Lookup("spoof.example", out _, 20_000));
    }

    [Fact]
    public void Addresses_need_no_server_and_bad_names_are_refused()
    {
        var resolver = new DnsResolver(_board, _board, 1, 0);
        Assert.Equal(SocketResult.Success, resolver.Resolve("192.0.2.44", out int literal));
        Assert.Equal(DnsStatus.Resolved, resolver.GetStatus(literal, out var address));
        Assert.Equal(TestNetwork.Ip(44), address);
        resolver.Release(literal);
        foreach (var bad in new[] { "", ".", "a..b", new string('x', 64) + ".example", string.Join('.', Enumerable.Repeat("abcdefgh", 40)), "sp ace.example" })
        {
            Assert.Equal(SocketResult.InvalidArgument, resolver.Resolve(bad, out _));
        }

        Assert.Equal(SocketResult.Success, resolver.Resolve("board.example", out int none));
        Assert.Equal(DnsStatus.NoServer, resolver.GetStatus(none, out _));
        Assert.Equal(SocketResult.NoBufferSpaceAvailable, resolver.Resolve("other.example", out _)); // its one slot is taken
    }

    [Fact]
    public void Lookups_allocate_nothing()
    {
        var rig = new CrossoverRig();
        var server = new DnsServerDouble(rig.Peer) { Answer = q => Reply(q, 0, Cname(Question(q), "target.example", 0), A("target.example", "192.0.2.77", 0)) };
        var resolver = new DnsResolver(rig.Board, rig.Board, 2, 2);
        resolver.SetServers(TestNetwork.Ip(1), IPv4Address.Any, IPv4Address.Any);
        const string name = "board.example";
        int resolved = 0;
        bool Lookup()
        {
            if (resolver.Resolve(name, out int query) != SocketResult.Success)
            {
                return false;
            }

            bool worked = false;
            for (int i = 0; i < 20 && resolver.GetStatus(query, out _) == DnsStatus.Pending; i++)
            {
                worked |= resolver.Poll() | rig.Board.Poll();
                server.Poll();
                rig.Peer.Poll();
            }

            resolved += resolver.GetStatus(query, out _) == DnsStatus.Resolved ? 1 : 0;
            resolver.Release(query);
            return worked;
        }

        for (int i = 0; i < 50; i++)
        {
            Lookup();
        }

        resolved = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long doubleAllocated = 0;
        int refused = 0;
        for (int i = 0; i < 1_000; i++)
        {
            refused += resolver.Resolve(name, out int query) == SocketResult.Success ? 0 : 1; // no Assert.Equal here: it allocates a comparer
            for (int step = 0; step < 20 && resolver.GetStatus(query, out _) == DnsStatus.Pending; step++)
            {
                resolver.Poll();
                rig.Board.Poll();
                long before = GC.GetAllocatedBytesForCurrentThread();
                server.Poll(); // the double allocates; its bytes are not the resolver's
                rig.Peer.Poll();
                doubleAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
            }

            resolved += resolver.GetStatus(query, out _) == DnsStatus.Resolved ? 1 : 0;
            resolver.Release(query);
            rig.Clock.Advance(1);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore - doubleAllocated;
        Assert.Equal(0, refused);
        Assert.Equal(1_000, resolved); // TTL 0: never cached, every lookup went to the server
        Assert.True(allocated == 0, $"{allocated} bytes allocated");
    }
}
