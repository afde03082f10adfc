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
}
