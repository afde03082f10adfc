using IoTStack.Net.Services;

namespace IoTStack.Fuzz.Tests;

/// <summary>
/// The dhcp and sntp seeds are only worth fuzzing from if they reach the clients' deeper states: a lease bound, a clock
/// set, a kiss-o'-death obeyed. (The targets write the client's transaction id or nonce into each message.)
/// </summary>
public class ServiceSeedTests
{
    private static byte[] Seed(string target, string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", target, name));

    [Theory]
    [InlineData("offer-ack.bin")]
    [InlineData("offer-overloaded-ack.bin")]
    public void An_offer_and_an_ack_bind_the_dhcp_client(string seed)
    {
        var dhcp = FuzzTargets.Dhcp(Seed("dhcp", seed));
        Assert.Equal(DhcpState.Bound, dhcp.State);
        Assert.Equal(1, dhcp.Offers);
        Assert.Equal(1, dhcp.Acks);
        Assert.Equal(3600u, dhcp.LeaseSeconds); // from the file field when overloaded
        Assert.Equal(2, dhcp.DnsServerCount);
    }

    [Fact]
    public void A_nak_sends_the_dhcp_client_back_to_discovery()
    {
        var dhcp = FuzzTargets.Dhcp(Seed("dhcp", "offer-nak.bin"));
        Assert.Equal(1, dhcp.Naks);
        Assert.Equal(0, dhcp.Acks);
    }

    [Fact]
    public void An_answer_sets_the_clock_and_a_kiss_slows_the_client()
    {
        Assert.True(FuzzTargets.Sntp(Seed("sntp", "answer.bin")).Synchronized);
        var kissed = FuzzTargets.Sntp(Seed("sntp", "kiss-then-answer.bin"));
        Assert.True(kissed.IntervalMs > 200, $"interval {kissed.IntervalMs}");
        Assert.False(FuzzTargets.Sntp(Seed("sntp", "unsynchronised.bin")).Synchronized);
    }

    [Fact]
    public void The_mdns_seeds_are_answered_and_rename_the_instance_a_rival_claims()
    {
        Assert.Equal(3, FuzzTargets.Mdns(Seed("mdns", "browse-resolve-enumerate.bin")).QueriesAnswered);
        Assert.Equal(1, FuzzTargets.Mdns(Seed("mdns", "legacy-browse.bin")).QueriesAnswered);
        Assert.Equal(0, FuzzTargets.Mdns(Seed("mdns", "rival-probe.bin")).QueriesAnswered); // probing: the tie-break, no answers
        var claimed = FuzzTargets.Mdns(Seed("mdns", "conflict-answer-compressed.bin"));
        var name = new byte[128];
        Assert.Equal("board._ipp._tcp.local", System.Text.Encoding.ASCII.GetString(name, 0, claimed.WriteServiceName(1, name, 0)));
        Assert.Equal("board (2)._http._tcp.local", System.Text.Encoding.ASCII.GetString(name, 0, claimed.WriteServiceName(0, name, 0)));
    }

    [Fact]
    public void The_clients_ignore_what_their_views_refuse()
    {
        // A reply whose options lack End (RFC 2131 section 4.1) is not an offer.
        var offer = Seeds.DhcpReply(DhcpMessage.Offer, overload: false);
        int end = Array.LastIndexOf(offer, (byte)DhcpMessage.OptionEnd);
        offer[end] = DhcpMessage.OptionPad;
        var dhcp = FuzzTargets.Dhcp(Seeds.Encode([offer]));
        Assert.Equal(0, dhcp.Offers);
        Assert.Equal(DhcpState.Selecting, dhcp.State);
        Assert.Equal(1, FuzzTargets.Dhcp(Seeds.Encode([Seeds.DhcpReply(DhcpMessage.Offer, overload: false)])).Offers);

        // An SNTP answer of version 0 is not an answer (RFC 4330 section 5); version 3 is.
        var answer = Seeds.SntpAnswer(0, 2);
        answer[0] = (byte)(answer[0] & 0xC7);
        Assert.False(FuzzTargets.Sntp(Seeds.Encode([answer])).Synchronized);
        answer[0] |= 3 << 3;
        Assert.True(FuzzTargets.Sntp(Seeds.Encode([answer])).Synchronized);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void The_mqtt_seeds_connect_deliver_and_resume(int version)
    {
        var client = FuzzTargets.Mqtt(Seed("mqtt", $"conversation-v{version}.bin"));
        Assert.Equal(1, client.Connections);
        Assert.Equal(3, client.MessagesReceived); // QoS 0, 1 (by topic alias on 5.0) and 2
        Assert.Equal(0, client.ProtocolErrors);
        var resumed = FuzzTargets.Mqtt(Seed("mqtt", $"resumed-v{version}.bin"));
        Assert.Equal(2, resumed.Connections);
        Assert.True(resumed.SessionPresent);
        Assert.True(resumed.MessagesResent > 0);
        var refused = FuzzTargets.Mqtt(Seed("mqtt", $"refused-v{version}.bin"));
        Assert.Equal(0, refused.Connections);
        Assert.Equal(1, refused.Refusals); // then attempts that time out: the seed answers only the first CONNECT
    }

    [Fact]
    public void Mutated_mqtt_seeds_never_make_the_client_throw()
    {
        // A seeded stand-in for afl-fuzz where it is not installed: byte flips, insertions and cuts of each seed.
        var random = new Random(17);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", "mqtt")))
        {
            byte[] seed = File.ReadAllBytes(file);
            for (int i = 0; i < 150; i++)
            {
                var input = new List<byte>(seed);
                for (int m = random.Next(1, 6); m > 0 && input.Count > 1; m--)
                {
                    int at = random.Next(1, input.Count);
                    switch (random.Next(3))
                    {
                        case 0: input[at] = (byte)random.Next(256); break;
                        case 1: input.Insert(at, (byte)random.Next(256)); break;
                        default: input.RemoveAt(at); break;
                    }
                }

                FuzzTargets.Mqtt(input.ToArray());
            }
        }
    }
}
