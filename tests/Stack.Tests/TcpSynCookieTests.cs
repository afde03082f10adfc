using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using static IoTStack.Stack.Tests.TcpHarness;

namespace IoTStack.Stack.Tests;

/// <summary>SYN cookies (RFC 4987 section 3.6) once the SYN queue is full: real clients get in, forged ACKs do not.</summary>
public class TcpSynCookieTests
{
    private const int ClientPort = 40000;

    /// <summary>
    /// A server whose SYN queue a spoofed flood fills, and a hand-driven client at 192.0.2.1: a stack there answers
    /// ARP, and its own TCP answers (resets for a port it never opened) are dropped by the switch.
    /// </summary>
    private sealed class Rig
    {
        public readonly TestNetwork Network = new();
        public readonly NetStack Server;
        public readonly int Listener;
        private readonly Random _random = new(7);

        public Rig(NetStackOptions options, int backlog = 4)
        {
            Server = Network.Add(2, options);
            Server.Configure(TestNetwork.Ip(2), TestNetwork.Mask, TestNetwork.Ip(254)); // a gateway that never answers ARP
            Network.Add(1);
            Network.Switch.Drop = f => MacAddress.Read(f, 6) == TestNetwork.Mac(1) && f[23] == 6;
            Listener = Listen(Server, 80, backlog);
        }

        public int Counter(Counter counter) => Server.Counters[counter];

        /// <summary>Spoofed SYNs from off the subnet (<see cref="TcpHarness.SynFlood"/>).</summary>
        public void Flood(int count) => SynFlood(Network, Server, _random, count);

        /// <summary>A segment from 192.0.2.1 with the options <paramref name="write"/> writes.</summary>
        public void Send(int port, uint sequence, uint acknowledgment, TcpFlags flags, int window, Action<TcpOptionWriter>? write = null)
        {
            var options = new byte[40];
            var writer = new TcpOptionWriter(options, 0);
            write?.Invoke(writer);
            int optionsLength = writer.Finish();
            var frame = new byte[Math.Max(60, 54 + optionsLength)];
            EthernetFrame.WriteHeader(frame, 0, TestNetwork.Mac(2), TestNetwork.Mac(1), EtherType.IPv4);
            int length = TcpSegment.WriteHeader(frame, 34, port, 80, sequence, acknowledgment, flags, window, optionsLength);
            Array.Copy(options, 0, frame, 54, optionsLength);
            TcpSegment.FillChecksum(frame, 34, length, TestNetwork.Ip(1), TestNetwork.Ip(2));
            Ipv4Packet.WriteHeader(frame, 14, TestNetwork.Ip(1), TestNetwork.Ip(2), IpProtocol.Tcp, length, 9, 64, false);
            ((VirtualPort)Server.Device).Inject(frame);
            Network.Settle();
        }

        /// <summary>What the server sent to 192.0.2.1:<paramref name="port"/>, oldest first.</summary>
        public List<TcpSegment> Replies(int port)
        {
            var replies = new List<TcpSegment>();
            foreach (var frame in Network.Frames.Where(f => f.Length > 34 && f[23] == 6 && MacAddress.Read(f, 6) == TestNetwork.Mac(2)))
            {
                Ipv4Packet.TryParse(frame, 14, frame.Length - 14, out var ip);
                if (ip.Destination == TestNetwork.Ip(1)
                    && TcpSegment.TryParse(frame, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var tcp) == WireError.None
                    && tcp.DestinationPort == port)
                {
                    replies.Add(tcp);
                }
            }

            return replies;
        }

        public TcpSegment SynAck(int port) => Replies(port).Last(s => s.Has(TcpFlags.Syn) && s.Has(TcpFlags.Ack));

        public bool Accepted(out int socket) => Server.Accept(Listener, out socket) == SocketResult.Success;
    }

    private static NetStackOptions Options(int queue = 1) => new() { TcpConnections = 8, TcpListeners = 1, TcpSynQueueSize = queue };

    [Fact]
    public void A_flood_that_fills_the_syn_queue_lets_every_real_client_in_and_evicts_nobody()
    {
        var rig = new Rig(Options(queue: 8), backlog: 8);
        rig.Network.Switch.Drop = null; // real clients here
        rig.Flood(2000);
        var clients = new List<(NetStack Stack, int Socket)>();
        for (int i = 0; i < 6; i++)
        {
            var stack = rig.Network.Add(10 + i);
            Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
            Assert.Equal(SocketResult.WouldBlock, stack.Connect(socket, TestNetwork.Ip(2), 80));
            clients.Add((stack, socket));
            rig.Flood(10); // the flood goes on while they shake hands
        }

        var accepted = new List<int>();
        Assert.True(rig.Network.RunUntil(() =>
        {
            while (rig.Accepted(out int s))
            {
                accepted.Add(s);
            }

            return accepted.Count == clients.Count;
        }, 5_000));
        for (int i = 0; i < clients.Count; i++)
        {
            int server = accepted.Single(s => Info(rig.Server, s).Remote.Address == TestNetwork.Ip(10 + i));
            var data = RandomData(4000, i);
            Assert.Equal(Hash(data), Hash(Transfer(rig.Network, clients[i].Stack, clients[i].Socket, rig.Server, server, data)));
        }

        Assert.Equal(2060 - 8 + 6, rig.Counter(Counter.TcpSynCookiesSent)); // every flood SYN past the first eight, and each client's
        Assert.Equal(clients.Count, rig.Counter(Counter.TcpSynCookiesValid));
        Assert.Equal(0, rig.Counter(Counter.TcpSynCookiesFailed));
        Assert.Equal(0, rig.Counter(Counter.TcpSynQueueEvictions));
    }

    [Fact]
    public void With_cookies_off_a_full_queue_evicts_its_oldest_entry()
    {
        var options = Options(queue: 8);
        options.TcpSynCookies = false;
        var rig = new Rig(options);
        rig.Flood(100);
        Assert.Equal(92, rig.Counter(Counter.TcpSynQueueEvictions));
        Assert.Equal(0, rig.Counter(Counter.TcpSynCookiesSent));
    }

    [Fact]
    public void A_cookie_ack_with_a_wrong_hash_another_tuple_or_sequence_or_a_stale_minute_is_reset()
    {
        var rig = new Rig(Options());
        rig.Flood(1);
        rig.Send(ClientPort, 1000, 0, TcpFlags.Syn, 8192);
        uint cookie = rig.SynAck(ClientPort).SequenceNumber;
        Assert.Equal(1001u, rig.SynAck(ClientPort).AcknowledgmentNumber);
        Assert.Equal(1, rig.Counter(Counter.TcpSynCookiesSent));

        int resets = rig.Counter(Counter.TcpResetsSent);
        rig.Send(ClientPort, 1001, (cookie ^ 0x100) + 1, TcpFlags.Ack, 8192); // a hash bit flipped
        rig.Send(ClientPort, 1001, (cookie ^ 0x08000000) + 1, TcpFlags.Ack, 8192); // another MSS index
        rig.Send(ClientPort, 1001, (cookie ^ 0x40000000) + 1, TcpFlags.Ack, 8192); // another minute
        rig.Send(ClientPort + 1, 1001, cookie + 1, TcpFlags.Ack, 8192); // another port
        rig.Send(ClientPort, 2001, cookie + 1, TcpFlags.Ack, 8192); // another peer ISN
        Assert.Equal(5, rig.Counter(Counter.TcpSynCookiesFailed));
        Assert.Equal(resets + 5, rig.Counter(Counter.TcpResetsSent));
        Assert.True(rig.Replies(ClientPort).Last().Has(TcpFlags.Rst));
        Assert.False(rig.Accepted(out _));

        // Three minutes on, the same cookie is stale (the current minute and the two before are taken).
        rig.Network.Clock.Advance(180_000);
        rig.Network.Settle();
        rig.Flood(2); // the queue's entry timed out: refill it, so cookies are outstanding again
        rig.Send(ClientPort, 1001, cookie + 1, TcpFlags.Ack, 8192);
        Assert.Equal(6, rig.Counter(Counter.TcpSynCookiesFailed));
        Assert.False(rig.Accepted(out _));
        Assert.Equal(0, rig.Counter(Counter.TcpSynCookiesValid));

        // A fresh cookie two minutes old still lets the client in.
        rig.Send(ClientPort, 5000, 0, TcpFlags.Syn, 8192);
        cookie = rig.SynAck(ClientPort).SequenceNumber;
        rig.Network.Clock.Advance(120_000);
        rig.Network.Settle();
        rig.Send(ClientPort, 5001, cookie + 1, TcpFlags.Ack, 8192);
        Assert.Equal(1, rig.Counter(Counter.TcpSynCookiesValid));
        Assert.True(rig.Accepted(out int socket));
        Assert.Equal(SocketState.Established, Info(rig.Server, socket).State);
    }

    [Fact]
    public void Without_cookies_outstanding_an_ack_to_a_listener_is_reset_without_a_cookie_check()
    {
        var rig = new Rig(Options());
        rig.Send(ClientPort, 1001, 12345, TcpFlags.Ack, 8192);
        Assert.True(rig.Replies(ClientPort).Single().Has(TcpFlags.Rst));
        Assert.Equal(0, rig.Counter(Counter.TcpSynCookiesFailed));
    }

    [Fact]
    public void Window_scale_and_sack_ride_in_the_tsval_and_come_back_in_the_echo()
    {
        var options = Options();
        options.ReceiveBufferSize = 262_144; // our shift count is 3
        options.TransmitBufferSize = 16_384;
        var rig = new Rig(options);
        rig.Flood(1);
        rig.Network.Clock.Advance(1_234); // a TSval whose low bits are not already ours
        rig.Send(ClientPort, 1000, 0, TcpFlags.Syn, 8192, w =>
        {
            w.WriteMaximumSegmentSize(1460);
            w.WriteSackPermitted();
            w.WriteTimestamps(5000, 0);
            w.WriteNoOperation();
            w.WriteWindowScale(7);
        });
        var synAck = rig.SynAck(ClientPort);
        var offered = synAck.ReadOptions();
        Assert.True(offered.HasTimestamps && offered.SackPermitted && offered.HasWindowScale);
        Assert.Equal(3, offered.WindowScale);
        Assert.Equal(5000u, offered.TimestampEchoReply);
        Assert.Equal(7u | 0x10, offered.TimestampValue & 0x1F);
        Assert.True(offered.TimestampValue <= (uint)rig.Network.Clock.NowMilliseconds); // never ahead of our clock
        Assert.True(offered.TimestampValue > (uint)rig.Network.Clock.NowMilliseconds - 32);

        rig.Send(ClientPort, 1001, synAck.SequenceNumber + 1, TcpFlags.Ack, 100, w =>
        {
            w.WriteNoOperation();
            w.WriteNoOperation();
            w.WriteTimestamps(5001, offered.TimestampValue);
        });
        Assert.True(rig.Accepted(out int socket));
        var data = RandomData(6000, 1);
        Assert.Equal(SocketResult.Success, rig.Server.SendSome(socket, data, 0, data.Length, out _));
        rig.Network.Settle();
        var sent = rig.Replies(ClientPort).Where(s => s.PayloadLength > 0).ToList();
        // A window of 100 scaled by 2^7 lets the whole initial window out; unscaled it would be 100 bytes.
        Assert.True(sent.Sum(s => s.PayloadLength) > 1000, sent.Sum(s => s.PayloadLength).ToString());
        foreach (var segment in sent)
        {
            var carried = segment.ReadOptions();
            Assert.True(carried.HasTimestamps);
            Assert.Equal(5001u, carried.TimestampEchoReply);
            Assert.Equal(262_144 >> 3, segment.Window); // our window, scaled as the SYN-ACK said
        }

        Assert.Equal(1, rig.Counter(Counter.TcpSynCookiesValid));
    }

    [Fact]
    public void Without_timestamps_a_cookie_connection_has_no_window_scaling_or_sack()
    {
        var options = Options();
        options.ReceiveBufferSize = 262_144;
        options.TransmitBufferSize = 16_384;
        var rig = new Rig(options);
        rig.Flood(1);
        rig.Send(ClientPort, 1000, 0, TcpFlags.Syn, 8192, w =>
        {
            w.WriteMaximumSegmentSize(1460);
            w.WriteSackPermitted();
            w.WriteNoOperation();
            w.WriteWindowScale(7);
        });
        var synAck = rig.SynAck(ClientPort);
        var offered = synAck.ReadOptions();
        Assert.False(offered.HasTimestamps || offered.SackPermitted || offered.HasWindowScale);
        Assert.True(offered.HasMaximumSegmentSize);
        Assert.Equal(0xFFFF, synAck.Window);

        rig.Send(ClientPort, 1001, synAck.SequenceNumber + 1, TcpFlags.Ack, 100);
        Assert.True(rig.Accepted(out int socket));
        var data = RandomData(6000, 1);
        Assert.Equal(SocketResult.Success, rig.Server.SendSome(socket, data, 0, data.Length, out _));
        rig.Network.Settle();
        Assert.Equal(100, rig.Replies(ClientPort).Sum(s => s.PayloadLength)); // the window of 100 is taken unscaled
    }

    [Theory]
    [InlineData(1460, 1460)]
    [InlineData(1452, 1440)]
    [InlineData(1380, 1300)]
    [InlineData(1000, 536)]
    [InlineData(536, 536)]
    [InlineData(300, 256)]
    [InlineData(100, 64)]
    public void A_cookie_keeps_the_peer_mss_rounded_down_to_its_table(int peerMss, int segmentSize)
    {
        var options = Options();
        options.TransmitBufferSize = 8192; // segments are not cut to a small ring's share
        var rig = new Rig(options);
        rig.Flood(1);
        rig.Send(ClientPort, 1000, 0, TcpFlags.Syn, 65535, w => w.WriteMaximumSegmentSize(peerMss));
        var synAck = rig.SynAck(ClientPort);
        rig.Send(ClientPort, 1001, synAck.SequenceNumber + 1, TcpFlags.Ack, 65535);
        Assert.True(rig.Accepted(out int socket));
        var data = RandomData(1500, 2);
        Assert.Equal(SocketResult.Success, rig.Server.SendSome(socket, data, 0, data.Length, out _));
        rig.Network.Settle();
        Assert.Equal(segmentSize, rig.Replies(ClientPort).Max(s => s.PayloadLength));
    }

    [Fact]
    public void A_valid_cookie_with_no_slot_free_is_refused_with_a_reset()
    {
        var options = Options();
        options.TcpConnections = 1;
        var rig = new Rig(options);
        rig.Flood(1);
        rig.Send(ClientPort, 1000, 0, TcpFlags.Syn, 8192);
        uint first = rig.SynAck(ClientPort).SequenceNumber;
        rig.Send(ClientPort + 1, 3000, 0, TcpFlags.Syn, 8192);
        uint second = rig.SynAck(ClientPort + 1).SequenceNumber;
        rig.Send(ClientPort, 1001, first + 1, TcpFlags.Ack, 8192);
        rig.Send(ClientPort + 1, 3001, second + 1, TcpFlags.Ack, 8192); // the one slot is taken
        Assert.Equal(2, rig.Counter(Counter.TcpSynCookiesValid));
        Assert.Equal(1, rig.Counter(Counter.TcpConnectionsRefused));
        Assert.True(rig.Replies(ClientPort + 1).Last().Has(TcpFlags.Rst));
        Assert.True(rig.Accepted(out _));
    }

    [Fact]
    public void Without_refusal_by_reset_an_ack_that_finds_no_slot_is_dropped_and_its_retransmission_gets_in_once_one_is_free()
    {
        var options = Options();
        options.TcpConnections = 1;
        options.TcpRefuseWithReset = false; // as boards run
        var rig = new Rig(options);
        rig.Flood(1);
        rig.Send(ClientPort, 1000, 0, TcpFlags.Syn, 8192);
        uint first = rig.SynAck(ClientPort).SequenceNumber;
        rig.Send(ClientPort + 1, 3000, 0, TcpFlags.Syn, 8192);
        uint second = rig.SynAck(ClientPort + 1).SequenceNumber;
        rig.Send(ClientPort, 1001, first + 1, TcpFlags.Ack, 8192);
        Assert.True(rig.Accepted(out int taken));
        rig.Send(ClientPort + 1, 3001, second + 1, TcpFlags.Ack | TcpFlags.Psh, 8192);
        Assert.False(rig.Replies(ClientPort + 1).Last().Has(TcpFlags.Rst)); // dropped, not reset
        Assert.Equal(1, rig.Counter(Counter.TcpConnectionsRefused));

        Assert.Equal(SocketResult.Success, rig.Server.SetOption(taken, SocketOption.Linger, 0));
        Assert.Equal(SocketResult.Success, rig.Server.Close(taken)); // an abort: RST, and the slot is free
        rig.Network.Settle();
        rig.Send(ClientPort + 1, 3001, second + 1, TcpFlags.Ack | TcpFlags.Psh, 8192); // the client's retransmission
        Assert.Equal(3, rig.Counter(Counter.TcpSynCookiesValid)); // the dropped ACK's cookie was good too
        Assert.True(rig.Accepted(out int socket));
        Assert.Equal(SocketState.Established, Info(rig.Server, socket).State);
    }
}
