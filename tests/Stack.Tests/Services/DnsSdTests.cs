using IoTStack.Net;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.Services.DnsServerDouble.Builder;

namespace IoTStack.Stack.Tests.Services;

/// <summary>DNS-SD (RFC 6763) in the mDNS responder: queries in, exact records out, between stacks on the virtual switch in virtual time.</summary>
public class DnsSdTests
{
    private const int Ptr = 12;
    private const int Txt = 16;
    private const int Srv = 33;
    private const int Any = 255;
    private const int Flush = 0x8001; // class IN with the cache-flush bit (RFC 6762 section 10.2)

    private static readonly byte[] PathText = [6, .. "path=/"u8];

    private readonly TestNetwork _net = new();

    private MdnsResponder Responder(NetStack stack, string name, int services = 2)
    {
        var responder = new MdnsResponder(stack, stack, name, 2, services, null);
        Assert.Equal(SocketResult.Success, responder.Start());
        _net.Services.Add(responder.Poll);
        return responder;
    }

    /// <summary>A board at .2 named "board" with its status page registered, announced and answering.</summary>
    private MdnsResponder Board(byte[]? text = null)
    {
        var board = Responder(_net.Add(2), "board");
        Assert.Equal(0, board.Register("board", "_http._tcp", 80, text ?? PathText));
        Assert.True(_net.RunUntil(() => board.State == MdnsState.Ready, 5_000));
        return board;
    }

    private static string ServiceName(MdnsResponder responder, int service)
    {
        var buffer = new byte[128];
        return System.Text.Encoding.ASCII.GetString(buffer, 0, responder.WriteServiceName(service, buffer, 0));
    }

    /// <summary>A querier on .3, on port 5353 (or <paramref name="port"/>), in the mDNS group.</summary>
    private (NetStack Stack, int Socket) Asker(int port = MdnsResponder.Port)
    {
        var stack = _net.Add(3);
        int socket = TestNetwork.OpenUdp(stack, port);
        Assert.Equal(SocketResult.Success, stack.SetOption(socket, SocketOption.AddMembership, unchecked((int)0xE00000FB)));
        return (stack, socket);
    }

    private static byte[] Query(int id, (string Name, int Type, bool Unicast)[] questions, params byte[][] knownAnswers)
    {
        var message = new List<byte> { (byte)(id >> 8), (byte)id, 0, 0, 0, (byte)questions.Length, 0, (byte)knownAnswers.Length, 0, 0, 0, 0 };
        foreach (var (name, type, unicast) in questions)
        {
            message.AddRange(Name(name));
            message.AddRange(new byte[] { (byte)(type >> 8), (byte)type, (byte)(unicast ? 0x80 : 0), 1 });
        }

        foreach (var answer in knownAnswers)
        {
            message.AddRange(answer);
        }

        return [.. message];
    }

    /// <summary>Sends the query to the group and collects the records of every response within a second, as text.</summary>
    private List<string> Ask((NetStack Stack, int Socket) asker, byte[] query, int waitMs = 1_000)
    {
        asker.Stack.SendTo(asker.Socket, query, 0, query.Length, MdnsResponder.Group, MdnsResponder.Port, out _);
        return Collect(asker, waitMs);
    }

    private List<string> Collect((NetStack Stack, int Socket) asker, int waitMs, bool queriesToo = false)
    {
        var records = new List<string>();
        var reply = new byte[1500];
        long until = _net.Clock.NowMilliseconds + waitMs;
        while (_net.Clock.NowMilliseconds < until)
        {
            _net.Run(10);
            while (asker.Stack.ReceiveFrom(asker.Socket, reply, 0, reply.Length, out int length, out _) == SocketResult.Success)
            {
                if (queriesToo || (reply[2] & 0x80) != 0)
                {
                    records.AddRange(Records(reply, length));
                }
            }
        }

        return records;
    }

    /// <summary>"section name type class ttl data" for each record of a response; names read through compression pointers.</summary>
    private static IEnumerable<string> Records(byte[] message, int length)
    {
        int at = 12;
        for (int i = 0; i < NetworkOrder.ReadUInt16(message, 4); i++)
        {
            at = ReadName(message, at, out string question);
            if ((message[2] & 0x80) == 0)
            {
                yield return $"qd {question} {NetworkOrder.ReadUInt16(message, at)} {NetworkOrder.ReadUInt16(message, at + 2):x4}";
            }

            at += 4;
        }

        string[] sections = ["an", "ns", "ar"];
        for (int section = 0; section < 3; section++)
        {
            for (int i = 0; i < NetworkOrder.ReadUInt16(message, 6 + 2 * section); i++)
            {
                at = ReadName(message, at, out string owner);
                int type = NetworkOrder.ReadUInt16(message, at);
                int recordClass = NetworkOrder.ReadUInt16(message, at + 2);
                uint ttl = NetworkOrder.ReadUInt32(message, at + 4);
                int dataLength = NetworkOrder.ReadUInt16(message, at + 8);
                int data = at + 10;
                string text = type switch
                {
                    1 => IPv4Address.Read(message, data).ToString(),
                    Ptr => Target(message, data),
                    Srv => $"{NetworkOrder.ReadUInt16(message, data)} {NetworkOrder.ReadUInt16(message, data + 2)} {NetworkOrder.ReadUInt16(message, data + 4)} {Target(message, data + 6)}",
                    Txt => Convert.ToHexString(message, data, dataLength),
                    _ => "?",
                };
                string typeName = type switch { 1 => "A", Ptr => "PTR", Srv => "SRV", Txt => "TXT", _ => type.ToString() };
                yield return $"{sections[section]} {owner} {typeName} {recordClass:x4} {ttl} {text}";
                at = data + dataLength;
                Assert.True(at <= length);
            }
        }
    }

    private static string Target(byte[] message, int at)
    {
        ReadName(message, at, out string name);
        return name;
    }

    private static int ReadName(byte[] message, int at, out string name)
    {
        var labels = new List<string>();
        int end = -1;
        while (message[at] != 0)
        {
            if ((message[at] & 0xC0) == 0xC0)
            {
                end = end < 0 ? at + 2 : end;
                at = ((message[at] & 0x3F) << 8) | message[at + 1];
                continue;
            }

            labels.Add(System.Text.Encoding.ASCII.GetString(message, at + 1, message[at]));
            at += message[at] + 1;
        }

        name = string.Join('.', labels);
        return end < 0 ? at + 1 : end;
    }

    private static string Hex(string text) => Convert.ToHexString([(byte)text.Length, .. System.Text.Encoding.ASCII.GetBytes(text)]);

    [Fact]
    public void A_browse_gets_the_ptr_with_srv_txt_and_address_as_additional_records()
    {
        Board();
        var records = Ask(Asker(), Query(0, [("_http._tcp.local", Ptr, true)]));
        Assert.Equal(
        [
            "an _http._tcp.local PTR 0001 4500 board._http._tcp.local", // shared: no cache-flush bit
            "ar board.local A 8001 120 192.0.2.2", // RFC 6763 section 12.1
            "ar board._http._tcp.local SRV 8001 120 0 0 80 board.local",
            "ar board._http._tcp.local TXT 8001 4500 " + Hex("path=/"),
        ], records);
    }

    [Fact]
    public void A_resolve_gets_the_srv_with_the_address_and_the_txt_on_its_own()
    {
        Board();
        var asker = Asker();
        Assert.Equal(
        [
            "an board._http._tcp.local SRV 8001 120 0 0 80 board.local",
            "ar board.local A 8001 120 192.0.2.2", // RFC 6763 section 12.2
        ], Ask(asker, Query(0, [("board._http._tcp.local", Srv, true)])));
        Assert.Equal(["an board._http._tcp.local TXT 8001 4500 " + Hex("path=/")], Ask(asker, Query(0, [("Board._HTTP._tcp.local", Txt, true)])));
        Assert.Equal(
        [
            "an board._http._tcp.local SRV 8001 120 0 0 80 board.local",
            "an board._http._tcp.local TXT 8001 4500 " + Hex("path=/"),
            "ar board.local A 8001 120 192.0.2.2",
        ], Ask(asker, Query(0, [("board._http._tcp.local", Any, true)])));
    }

    [Fact]
    public void An_empty_txt_record_is_one_zero_byte()
    {
        Board(text: []);
        Assert.Equal(["an board._http._tcp.local TXT 8001 4500 00"], Ask(Asker(), Query(0, [("board._http._tcp.local", Txt, true)])));
    }

    [Fact]
    public void Service_type_enumeration_names_each_type_once()
    {
        var board = Responder(_net.Add(2), "board", services: 3);
        Assert.Equal(0, board.Register("board", "_http._tcp", 80, PathText));
        Assert.Equal(1, board.Register("board admin", "_http._tcp", 8080, null));
        Assert.Equal(2, board.Register("board", "_mqtt._tcp", 1883, null));
        Assert.True(_net.RunUntil(() => board.State == MdnsState.Ready, 5_000));
        Assert.Equal(
        [
            "an _services._dns-sd._udp.local PTR 0001 4500 _http._tcp.local", // RFC 6763 section 9
            "an _services._dns-sd._udp.local PTR 0001 4500 _mqtt._tcp.local",
        ], Ask(Asker(), Query(0, [("_services._dns-sd._udp.local", Ptr, true)])));
    }

    [Fact]
    public void A_known_answer_with_half_its_ttl_left_is_not_sent_again()
    {
        Board();
        var asker = Asker();
        byte[] known = Record("_http._tcp.local", Ptr, 2_250, Name("board._http._tcp.local"));
        Assert.Empty(Ask(asker, Query(0, [("_http._tcp.local", Ptr, false)], known))); // RFC 6762 section 7.1
        byte[] stale = Record("_http._tcp.local", Ptr, 2_249, Name("board._http._tcp.local"));
        Assert.Contains("an _http._tcp.local PTR 0001 4500 board._http._tcp.local", Ask(asker, Query(0, [("_http._tcp.local", Ptr, false)], stale)));
    }

    [Fact]
    public void A_legacy_browse_gets_its_id_the_question_and_ten_second_ttls()
    {
        Board();
        var records = Ask(Asker(port: 40000), Query(0x1234, [("_http._tcp.local", Ptr, false)]));
        Assert.Equal(
        [
            "an _http._tcp.local PTR 0001 10 board._http._tcp.local", // RFC 6762 section 6.7: no cache-flush bit, TTL at most 10 s
            "ar board.local A 0001 10 192.0.2.2",
            "ar board._http._tcp.local SRV 0001 10 0 0 80 board.local",
            "ar board._http._tcp.local TXT 0001 10 " + Hex("path=/"),
        ], records);
    }

    [Fact]
    public void The_board_probes_for_its_instance_name_and_announces_every_record()
    {
        var asker = Asker();
        var board = Responder(_net.Add(2), "board");
        board.Register("board", "_http._tcp", 80, PathText);
        var records = Collect(asker, 3_000, queriesToo: true);
        // Section 8.1: three probes ask for both names (ANY, unicast response wanted) with the proposed records in the
        // authority section; then two announcements of every record (section 8.3).
        string[] probe =
        [
            "qd board.local 255 8001",
            "qd board._http._tcp.local 255 8001",
            "ns board.local A 0001 120 192.0.2.2",
            "ns board._http._tcp.local SRV 0001 120 0 0 80 board.local",
            "ns board._http._tcp.local TXT 0001 4500 " + Hex("path=/"),
        ];
        string[] announcement =
        [
            "an board.local A 8001 120 192.0.2.2",
            "an _http._tcp.local PTR 0001 4500 board._http._tcp.local",
            "an board._http._tcp.local SRV 8001 120 0 0 80 board.local",
            "an board._http._tcp.local TXT 8001 4500 " + Hex("path=/"),
            "an _services._dns-sd._udp.local PTR 0001 4500 _http._tcp.local",
        ];
        Assert.Equal([.. probe, .. probe, .. probe, .. announcement, .. announcement], records);
        Assert.Equal(MdnsState.Ready, board.State);
    }

    [Fact]
    public void A_second_host_registering_the_same_instance_name_takes_name_2()
    {
        var first = Responder(_net.Add(2), "first");
        first.Register("printer", "_ipp._tcp", 631, null);
        _net.Run(3_000);
        var second = Responder(_net.Add(4), "second");
        second.Register("printer", "_ipp._tcp", 631, null);
        Assert.True(_net.RunUntil(() => second.State == MdnsState.Ready, 10_000));
        Assert.Equal("printer._ipp._tcp.local", ServiceName(first, 0));
        Assert.Equal("printer (2)._ipp._tcp.local", ServiceName(second, 0));
        Assert.Equal(0, second.Conflicts); // the host names differ
        var records = Ask(Asker(), Query(0, [("_ipp._tcp.local", Ptr, true)]));
        Assert.Contains("an _ipp._tcp.local PTR 0001 4500 printer._ipp._tcp.local", records);
        Assert.Contains("an _ipp._tcp.local PTR 0001 4500 printer (2)._ipp._tcp.local", records);
    }

    [Fact]
    public void Two_hosts_probing_for_one_instance_name_at_once_end_with_two_names()
    {
        var first = Responder(_net.Add(2), "first");
        var second = Responder(_net.Add(4), "second");
        first.Register("printer", "_ipp._tcp", 631, null);
        second.Register("printer", "_ipp._tcp", 631, null);
        Assert.True(_net.RunUntil(() => first.State == MdnsState.Ready && second.State == MdnsState.Ready, 20_000));
        _net.Run(3_000);
        string[] names = [ServiceName(first, 0), ServiceName(second, 0)];
        Assert.Contains("printer._ipp._tcp.local", names); // section 8.2: the lexicographically later SRV data keeps it
        Assert.Contains("printer (2)._ipp._tcp.local", names);
        Assert.Equal("printer._ipp._tcp.local", ServiceName(second, 0)); // "second.local" sorts after "first.local"
    }

    [Fact]
    public void A_record_is_multicast_at_most_once_a_second_however_often_it_is_asked_and_a_probe_is_defended_sooner()
    {
        // RFC 6762 section 6: a flood of multicast queries draws one multicast answer a second (no amplifier), a probe for
        // a name of ours is answered after a quarter of a second, and a query asking for a unicast answer is not held back.
        Board();
        var asker = Asker();
        _net.Run(2_000); // past the announcements
        var browse = Query(0, [("_http._tcp.local", Ptr, false)]);
        var reply = new byte[1500];
        int responses = 0;
        for (int i = 0; i < 50; i++)
        {
            asker.Stack.SendTo(asker.Socket, browse, 0, browse.Length, MdnsResponder.Group, MdnsResponder.Port, out _);
            _net.Run(10);
            while (asker.Stack.ReceiveFrom(asker.Socket, reply, 0, reply.Length, out _, out _) == SocketResult.Success)
            {
                responses += (reply[2] & 0x80) != 0 ? 1 : 0;
            }
        }

        Assert.Equal(1, responses); // 50 queries in half a second
        Assert.Contains("an _http._tcp.local PTR 0001 4500 board._http._tcp.local", Ask(asker, Query(0, [("_http._tcp.local", Ptr, true)])));
        _net.Run(1_000);
        Assert.Contains("an _http._tcp.local PTR 0001 4500 board._http._tcp.local", Ask(asker, browse, 300));
        Assert.Contains("an board.local A 8001 120 192.0.2.2", Ask(asker, Query(0, [("board.local", Any, false)]), 300));
        var probe = Query(0, [("board.local", Any, false)]).ToList();
        probe[9] = 1; // one authority record: the rival's proposed address
        probe.AddRange(A("board.local", "192.0.2.3", 120));
        Assert.Contains("an board.local A 8001 120 192.0.2.2", Ask(asker, [.. probe], 300));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_shared_answer_waits_20_to_120_ms_and_a_unique_one_goes_at_once(int seed)
    {
        // RFC 6762 section 6: a browse (a PTR, which other hosts may share) is answered after a random 20-120 ms, and a
        // second browse in that time rides in the same response; a question only this host answers (its address) is
        // answered at once. The times are the virtual clock's, first response counted from the query.
        Board();
        var asker = Asker();
        _net.Run(2_000 + 300 * seed); // past the announcements; a different random draw per seed
        var reply = new byte[1500];
        int Respond(byte[] query, int repeatAfterMs = -1)
        {
            asker.Stack.SendTo(asker.Socket, query, 0, query.Length, MdnsResponder.Group, MdnsResponder.Port, out _);
            int first = -1, responses = 0;
            for (int ms = 1; ms <= 300; ms++)
            {
                _net.Run(1);
                if (ms == repeatAfterMs)
                {
                    asker.Stack.SendTo(asker.Socket, query, 0, query.Length, MdnsResponder.Group, MdnsResponder.Port, out _);
                }

                while (asker.Stack.ReceiveFrom(asker.Socket, reply, 0, reply.Length, out _, out _) == SocketResult.Success)
                {
                    if ((reply[2] & 0x80) != 0)
                    {
                        first = first < 0 ? ms : first;
                        responses++;
                    }
                }
            }

            Assert.Equal(1, responses);
            return first;
        }

        int browse = Respond(Query(0, [("_http._tcp.local", Ptr, false)]), repeatAfterMs: 10);
        Assert.InRange(browse, 20, 125); // and a few milliseconds of the wire
        _net.Run(1_000);
        Assert.InRange(Respond(Query(0, [("board.local", 1, false)])), 1, 10);
    }

    [Fact]
    public void Withdrawing_a_service_says_goodbye()
    {
        var board = Board();
        var asker = Asker();
        board.Unregister(0);
        Assert.Equal(
        [
            "an _http._tcp.local PTR 0001 0 board._http._tcp.local", // RFC 6762 section 10.1
            "an board._http._tcp.local SRV 8001 0 0 0 80 board.local",
            "an board._http._tcp.local TXT 8001 0 " + Hex("path=/"),
        ], Collect(asker, 500));
        Assert.Empty(Ask(asker, Query(0, [("_http._tcp.local", Ptr, true)])));
    }

    [Theory]
    [InlineData("board", "_http", 80)]
    [InlineData("board", "http._tcp", 80)]
    [InlineData("board", "_http._tcp.local", 80)]
    [InlineData("board", "_abcdefghijklmnop._tcp", 80)]
    [InlineData("board", "_http._tcpx", 80)]
    [InlineData("", "_http._tcp", 80)]
    [InlineData("a name of fifty-eight characters, one over what is allowed", "_http._tcp", 80)]
    [InlineData("board", "_http._tcp", 0)]
    public void Registering_what_is_not_a_service_is_refused(string instance, string type, int port)
    {
        var stack = _net.Add(2);
        var board = new MdnsResponder(stack, stack, "board", 1, 1, null);
        Assert.Equal(-1, board.Register(instance, type, port, null));
        Assert.Equal(0, board.Register("board", "_http._tcp", 80, null)); // the slot is still free
        Assert.Equal(-1, board.Register("other", "_http._tcp", 80, null)); // the table is full
    }

    [Fact]
    public void Answering_browses_allocates_nothing()
    {
        var rig = new CrossoverRig();
        var board = new MdnsResponder(rig.Board, rig.Board, "board", 1, 1, null);
        Assert.Equal(0, board.Register("board", "_http._tcp", 80, PathText));
        Assert.Equal(SocketResult.Success, board.Start());
        rig.Run(3_000, board.Poll, () => false);
        Assert.Equal(MdnsState.Ready, board.State);
        var query = Query(7, [("_http._tcp.local", Ptr, false), ("board._http._tcp.local", Any, false)]);
        var (answers, allocated) = rig.AskEveryMillisecond(query, board.Poll);
        Assert.True(answers >= 1_990, $"answers {answers}");
        Assert.True(allocated == 0, $"{allocated} bytes allocated");
    }

    [Fact]
    public void A_question_whose_name_points_at_itself_is_dropped()
    {
        Board();
        var asker = Asker();
        byte[] loop = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 12, 0x80, 1];
        Assert.Empty(Ask(asker, loop));
        Assert.Single(Ask(asker, Query(0, [("board._http._tcp.local", Txt, true)])));
    }
}
