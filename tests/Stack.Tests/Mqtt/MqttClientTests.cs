using System.Text;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Mqtt;

/// <summary>The client on one stack against <see cref="TestBroker"/> on another, over the virtual switch in virtual time.</summary>
public class MqttClientTests
{
    private readonly TestNetwork _network = new();
    private readonly NetStack _brokerStack;
    private readonly NetStack _boardStack;
    private readonly TestBroker _broker;
    private readonly List<(string Topic, string Payload, int Qos, bool Retain)> _received = new();

    public MqttClientTests()
    {
        _brokerStack = _network.Add(1);
        _boardStack = _network.Add(2);
        _broker = new TestBroker(_brokerStack);
        _network.Services.Add(_broker.Poll);
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private MqttClient Client(Action<MqttClientOptions>? configure = null)
    {
        var options = new MqttClientOptions
        {
            BrokerAddress = TestNetwork.Ip(1).Value,
            ClientId = "board",
            KeepAliveSeconds = 10,
            ReconnectMinimumMs = 200,
            ReconnectMaximumMs = 2_000,
        };
        configure?.Invoke(options);
        var client = new MqttClient(_boardStack, _boardStack, options);
        client.MessageReceived += (sender, m) => _received.Add((m.Topic(),
            Encoding.UTF8.GetString(m.Buffer, m.PayloadOffset, m.PayloadLength), m.Qos, m.Retain));
        _network.Services.Add(client.Poll);
        client.Start();
        Assert.True(_network.RunUntil(() => client.IsConnected, 2_000), "connected: " + client.LastError);
        return client;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void It_connects_with_what_the_options_say(int version)
    {
        var client = Client(o =>
        {
            o.Version = version;
            o.CleanSession = false;
            o.WillTopic = "board/will";
            o.WillPayload = B("gone");
        });
        Assert.Equal(1, _broker.Connects);
        Assert.Equal(version, _broker.Version);
        Assert.False(_broker.LastClean);
        Assert.Equal(10, _broker.LastKeepAlive);
        Assert.Equal("board", _broker.LastClientId);
        Assert.Equal("board/will", _broker.LastWillTopic);
        Assert.False(client.SessionPresent);
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 0)]
    [InlineData(5, 1)]
    [InlineData(5, 2)]
    public void Messages_go_both_ways_at_every_qos(int version, int qos)
    {
        var client = Client(o => o.Version = version);
        Assert.Equal(MqttResult.Success, client.Subscribe(B("board/#"), 2));
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("board/#")), 1_000));
        Assert.Equal(MqttResult.Success, client.Publish(B("board/echo"), B("ping " + qos), 0, 6, qos, qos == 1));
        Assert.True(_network.RunUntil(() => _received.Count == 1 && client.InFlightCount == 0, 1_000));
        Assert.Equal(("board/echo", "ping " + qos, qos, false), _received[0]);
        Assert.Equal(("board/echo", "ping " + qos, qos, false, qos == 1), _broker.Received[0]);

        _broker.Publish("board/cmd", "from broker", qos, retain: true);
        Assert.True(_network.RunUntil(() => _received.Count == 2, 1_000));
        Assert.Equal(("board/cmd", "from broker", qos, true), _received[1]);
        _network.Run(50);
        Assert.Equal(qos == 1 ? 2 : 0, _broker.PubAcks); // the echo's copy and the broker's own message
        Assert.Equal(qos == 2 ? 2 : 0, _broker.PubComps);
        Assert.Equal(qos == 2 ? 1 : 0, _broker.PubRels);
        Assert.Equal(2, _received.Count);
    }

    [Fact]
    public void A_message_on_a_topic_not_subscribed_is_acknowledged_but_not_delivered()
    {
        var client = Client();
        _broker.Publish("other/topic", "x", 1);
        _network.Run(50);
        Assert.Empty(_received);
        Assert.Equal(1, client.UnsolicitedMessages);
        Assert.Equal(1, _broker.PubAcks);
    }

    [Fact]
    public void The_in_flight_window_holds_what_the_broker_has_not_acknowledged()
    {
        var client = Client(o => o.InFlight = 4);
        _broker.WithholdAcks = true;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(MqttResult.Success, client.Publish(B("board/n"), B("m" + i), 0, 2, 1, false));
        }

        Assert.Equal(MqttResult.WouldBlock, client.Publish(B("board/n"), B("m4"), 0, 2, 1, false));
        Assert.Equal(MqttResult.Success, client.Publish(B("board/n"), B("q0"), 0, 2, 0, false)); // QoS 0 is not windowed
        _network.Run(50);
        Assert.Equal(5, _broker.PublishesReceived);
        Assert.Equal(4, client.InFlightCount);
        _broker.WithholdAcks = false;
        _broker.SendRaw([0x40, 0x02, (byte)(_broker.Withheld[0] >> 8), (byte)_broker.Withheld[0]]);
        _network.Run(10);
        Assert.Equal(3, client.InFlightCount);
        Assert.Equal(MqttResult.Success, client.Publish(B("board/n"), B("m4"), 0, 2, 1, false));
    }

    [Fact]
    public void The_5_0_receive_maximum_of_the_broker_narrows_the_window()
    {
        _broker.ReceiveMaximum = 2;
        var client = Client(o => { o.Version = 5; o.InFlight = 4; });
        _broker.WithholdAcks = true;
        Assert.Equal(MqttResult.Success, client.Publish(B("t"), B("1"), 0, 1, 1, false));
        Assert.Equal(MqttResult.Success, client.Publish(B("t"), B("2"), 0, 1, 1, false));
        Assert.Equal(MqttResult.WouldBlock, client.Publish(B("t"), B("3"), 0, 1, 1, false));
    }

    [Fact]
    public void What_does_not_fit_is_refused_with_a_code()
    {
        var client = Client(o => { o.MaximumPacketSize = 128; o.Subscriptions = 1; o.MaximumTopicLength = 16; });
        Assert.Equal(MqttResult.TooLarge, client.Publish(B("t"), new byte[200], 0, 200, 1, false));
        Assert.Equal(MqttResult.InvalidArgument, client.Publish(B("a/#"), B("x"), 0, 1, 0, false));
        Assert.Equal(MqttResult.InvalidArgument, client.Publish(B("t"), B("x"), 0, 1, 3, false));
        Assert.Equal(MqttResult.TooLarge, client.Subscribe(B("a/very/long/topic/filter"), 0));
        Assert.Equal(MqttResult.InvalidArgument, client.Subscribe(B("a#"), 0));
        Assert.Equal(MqttResult.Success, client.Subscribe(B("a"), 0));
        Assert.Equal(MqttResult.NoSubscriptionSlot, client.Subscribe(B("b"), 0));
    }

    [Fact]
    public void A_silent_broker_is_noticed_by_the_keep_alive_and_the_client_reconnects()
    {
        var client = Client(o => { o.KeepAliveSeconds = 2; o.PingTimeoutMs = 1_000; });
        _network.Run(2_500);
        Assert.True(_broker.Pings >= 1);
        Assert.True(client.IsConnected);
        _broker.Silent = true;
        long silentAt = _network.Clock.NowMilliseconds;
        Assert.True(_network.RunUntil(() => !client.IsConnected, 5_000));
        Assert.Equal(MqttError.Timeout, client.LastError);
        Assert.InRange(_network.Clock.NowMilliseconds - silentAt, 1_000, 3_100);
        _broker.Silent = false;
        Assert.True(_network.RunUntil(() => client.IsConnected, 5_000));
        Assert.Equal(2, _broker.Connects);
        Assert.Equal(1, client.ConnectionsLost);
    }

    [Fact]
    public void A_refused_connect_is_retried_with_a_growing_randomised_back_off()
    {
        _broker.RefuseCode = 5; // not authorised
        var options = new MqttClientOptions { BrokerAddress = TestNetwork.Ip(1).Value, ReconnectMinimumMs = 100, ReconnectMaximumMs = 1_600 };
        var client = new MqttClient(_boardStack, _boardStack, options);
        _network.Services.Add(client.Poll);
        client.Start();
        var attempts = new List<long>();
        int seen = 0;
        _network.RunUntil(() =>
        {
            if (_broker.Connects > seen)
            {
                seen = _broker.Connects;
                attempts.Add(_network.Clock.NowMilliseconds);
            }

            return attempts.Count >= 7;
        }, 20_000);
        Assert.Equal(7, attempts.Count);
        Assert.Equal(MqttError.Refused, client.LastError);
        Assert.Equal(5, client.LastReasonCode);
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        Assert.InRange(gaps[0], 50, 200);
        Assert.InRange(gaps[^1], 800, 1_700); // capped at the maximum
        _broker.RefuseCode = 0;
        Assert.True(_network.RunUntil(() => client.IsConnected, 3_000));
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 1)]
    [InlineData(5, 2)]
    public void A_persistent_session_resumes_without_losing_or_duplicating_messages(int version, int qos)
    {
        var client = Client(o => { o.Version = version; o.CleanSession = false; o.SessionExpirySeconds = 600; o.InFlight = 8; });
        _broker.WithholdAcks = true;
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(MqttResult.Success, client.Publish(B("board/seq"), B("m" + i), 0, 2, qos, false));
        }

        _network.Run(20);
        Assert.Equal(8, _broker.PublishesReceived);
        _broker.WithholdAcks = false;
        _broker.Drop(); // the link goes with every message unacknowledged
        Assert.True(_network.RunUntil(() => !client.IsConnected, 1_000));
        Assert.True(_network.RunUntil(() => client.IsConnected && client.InFlightCount == 0, 5_000));
        Assert.True(client.SessionPresent);
        Assert.Equal(8, client.MessagesResent);
        Assert.Equal(16, _broker.PublishesReceived);
        Assert.Equal(8, _broker.DuplicatesFlagged); // resent with DUP (3.1.1 section 4.4)
        var payloads = _broker.Received.Select(r => r.Payload).ToList();
        if (qos == 2)
        {
            Assert.Equal(Enumerable.Range(0, 8).Select(i => "m" + i), payloads); // exactly once
        }
        else
        {
            Assert.Equal(Enumerable.Range(0, 8).Select(i => "m" + i).Concat(Enumerable.Range(0, 8).Select(i => "m" + i)), payloads);
        }
    }

    [Fact]
    public void A_pubrel_is_resent_after_a_reconnect_and_the_broker_does_not_deliver_twice()
    {
        var client = Client(o => { o.CleanSession = false; });
        Assert.Equal(MqttResult.Success, client.Publish(B("board/x"), B("once"), 0, 4, 2, false));
        // Let PUBLISH and PUBREC pass, then cut before PUBCOMP arrives: poll only until the broker saw a PUBREL.
        Assert.True(_network.RunUntil(() => _broker.PubRels == 1, 1_000));
        _broker.Drop();
        Assert.True(_network.RunUntil(() => client.IsConnected && client.InFlightCount == 0, 5_000));
        Assert.Single(_broker.Received);
    }

    [Fact]
    public void Subscriptions_are_made_again_when_the_broker_lost_the_session()
    {
        var client = Client(o => o.CleanSession = false);
        client.Subscribe(B("board/echo"), 1);
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("board/echo")), 1_000));
        _broker.ForgetSession();
        _broker.Drop();
        Assert.True(_network.RunUntil(() => !client.IsConnected, 1_000));
        Assert.True(_network.RunUntil(() => client.IsConnected && client.IsSubscribed(B("board/echo")), 5_000));
        Assert.False(client.SessionPresent);
        Assert.Equal(2, _broker.Subscribes);
        _broker.Publish("board/echo", "after", 1);
        Assert.True(_network.RunUntil(() => _received.Count == 1, 1_000));
    }

    [Fact]
    public void A_qos_2_message_sent_again_by_the_broker_is_delivered_once()
    {
        var client = Client();
        client.Subscribe(B("t"), 2);
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("t")), 1_000));
        var bytes = new byte[32];
        var w = new MqttWriter();
        w.Attach(bytes, 0, bytes.Length, 4);
        w.WritePublish(B("t"), 0, 1, B("x"), 0, 1, 2, false, false, 77, 0);
        int first = w.Position;
        w.WritePublish(B("t"), 0, 1, B("x"), 0, 1, 2, false, true, 77, 0);
        _broker.SendRaw(bytes[..w.Position]);
        _network.Run(20);
        Assert.True(_received.Count == 1, $"received {_received.Count}, error {client.LastError}, connected {client.IsConnected}, unsolicited {client.UnsolicitedMessages}, recs {_broker.PubRecs} msgs {client.MessagesReceived} perr {client.ProtocolErrors} bconn {_broker.Connected} berr {_broker.LastError} subs {_broker.Subscribes}");
        Assert.Equal(1, client.DuplicatesDropped);
        Assert.Equal(2, _broker.PubRecs);
        Assert.True(first > 0);
    }

    [Fact]
    public void Unsubscribe_stops_delivery()
    {
        var client = Client();
        client.Subscribe(B("t/+"), 0);
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("t/+")), 1_000));
        Assert.Equal(MqttResult.Success, client.Unsubscribe(B("t/+")));
        Assert.True(_network.RunUntil(() => _broker.Unsubscribes == 1, 1_000));
        _network.Run(10);
        _broker.Publish("t/a", "x", 0);
        _network.Run(10);
        Assert.Empty(_received);
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, MqttError.BadRemainingLength)]
    [InlineData(new byte[] { 0x30, 0xFF, 0x7F }, MqttError.TooLarge)]
    [InlineData(new byte[] { 0x00, 0x00 }, MqttError.UnknownType)]
    [InlineData(new byte[] { 0x10, 0x00 }, MqttError.BadLength)]
    [InlineData(new byte[] { 0x82, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x00 }, MqttError.UnexpectedPacket)]
    [InlineData(new byte[] { 0x62, 0x00 }, MqttError.BadLength)]
    [InlineData(new byte[] { 0x20, 0x02, 0x00, 0x00 }, MqttError.UnexpectedPacket)]
    public void A_hostile_broker_packet_ends_the_connection_with_its_error_and_the_client_reconnects(byte[] bytes, MqttError expected)
    {
        var client = Client();
        _broker.SendRaw(bytes);
        Assert.True(_network.RunUntil(() => !client.IsConnected, 1_000));
        Assert.Equal(expected, client.LastError);
        Assert.Equal(1, client.ProtocolErrors);
        Assert.True(_network.RunUntil(() => client.IsConnected, 5_000));
    }

    private void SendQos2(MqttWriter writer, int id, bool again)
    {
        var bytes = new byte[64];
        writer.Attach(bytes, 0, bytes.Length, 4);
        writer.WritePublish(B("board/in"), 0, 8, B("m" + id), 0, id < 10 ? 2 : 3, 2, false, again, id, 0);
        _broker.SendRaw(bytes[..writer.Position]);
    }

    [Fact]
    public void Qos_2_resends_from_a_broker_over_the_window_are_delivered_once_with_the_bitmap()
    {
        var client = Client(o =>
        {
            o.InFlight = 4;
            o.Qos2IdentifierBitmap = true;
        });
        client.Subscribe(B("board/in"), 2);
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("board/in")), 1_000));
        _broker.WithholdReleases = true;
        var writer = new MqttWriter();
        foreach (bool again in new[] { false, true })
        {
            for (int id = 1; id <= 12; id++) // three times the window without a PUBREL, then each one resent
            {
                SendQos2(writer, id, again);
            }

            _network.RunUntil(() => false, 300);
        }

        Assert.Equal(Enumerable.Range(1, 12).Select(id => "m" + id), _received.Select(r => r.Payload));
        Assert.Equal(12, client.DuplicatesDropped);
        Assert.Equal(0, client.Qos2IdentifiersEvicted);
    }

    [Fact]
    public void Without_the_bitmap_a_qos_2_message_waits_for_an_identifier_slot_until_a_pubrel_frees_one()
    {
        var client = Client(o => o.InFlight = 4);
        client.Subscribe(B("board/in"), 2);
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("board/in")), 1_000));
        _broker.WithholdReleases = true;
        var writer = new MqttWriter();
        for (int id = 1; id <= 6; id++)
        {
            SendQos2(writer, id, false);
        }

        _network.RunUntil(() => false, 300);
        Assert.Equal(4, _received.Count); // the window's four slots hold their identifiers; the rest wait unacknowledged
        _broker.SendRaw([0x62, 0x02, 0x00, 0x01]); // PUBREL for the first
        Assert.True(_network.RunUntil(() => _received.Count == 5, 1_000));
        Assert.Equal(0, client.Qos2IdentifiersEvicted);
    }

    [Fact]
    public void Qos_0_topics_go_by_alias_up_to_the_brokers_maximum_and_are_set_again_on_a_new_connection()
    {
        _broker.TopicAliasMaximum = 2;
        var client = Client(o =>
        {
            o.Version = 5;
            o.OutgoingTopicAliases = 4;
        });
        foreach (string topic in new[] { "board/status", "board/status", "board/reply", "board/status", "board/third", "board/reply" })
        {
            Assert.Equal(MqttResult.Success, client.Publish(B(topic), B("x"), 0, 1, 0, false));
        }

        Assert.Equal(MqttResult.Success, client.Publish(B("board/status"), B("q1"), 0, 2, 1, false)); // QoS 1 always carries its name
        Assert.True(_network.RunUntil(() => _broker.Received.Count == 7 && client.InFlightCount == 0, 1_000));
        Assert.Equal(["board/status", "board/status", "board/reply", "board/status", "board/third", "board/reply", "board/status"],
            _broker.Received.Select(r => r.Topic));
        Assert.Equal(3, _broker.AliasedPublishes); // the broker took 2 aliases: status and reply; third went by name

        _broker.Drop(); // a new connection: the broker forgets the aliases, the client sets them again
        Assert.True(_network.RunUntil(() => client.Connections == 2 && client.IsConnected, 5_000));
        Assert.Equal(MqttResult.Success, client.Publish(B("board/status"), B("y"), 0, 1, 0, false));
        Assert.True(_network.RunUntil(() => _broker.Received.Count == 8, 1_000));
        Assert.Equal("board/status", _broker.Received[^1].Topic);
        Assert.Equal(3, _broker.AliasedPublishes);
    }

    [Fact]
    public void An_echo_that_answers_every_message_loses_none_of_a_long_qos_1_stream()
    {
        var client = Client(o => { o.ReserveForReplies = true; o.InFlight = 2; o.MaximumPacketSize = 256; });
        byte[] reply = B("board/echo/reply");
        client.MessageReceived += (sender, m) =>
        {
            if (m.TopicIs(B("board/echo")))
            {
                Assert.Equal(MqttResult.Success, sender.Publish(reply, m.Buffer, m.PayloadOffset, m.PayloadLength, m.Qos, false));
            }
        };
        client.Subscribe(B("board/echo"), 1);
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("board/echo")), 1_000));
        _broker.MaxInflight = 2; // as the broker honours the 5.0 Receive Maximum, or Mosquitto's max_inflight_messages on 3.1.1
        for (int i = 0; i < 300; i++)
        {
            _broker.Publish("board/echo", "n" + i, 1);
        }

        Assert.True(_network.RunUntil(() => _broker.Received.Count == 300, 20_000), "echoed " + _broker.Received.Count);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => "n" + i), _broker.Received.Select(r => r.Payload));
        Assert.Equal(300, _broker.PubAcks);
    }

    [Fact]
    public void A_broker_that_ignores_the_window_cannot_deadlock_a_client_that_holds_messages()
    {
        // ReserveForReplies holds a message while its reply would not fit; a broker with no in-flight limit fills the
        // receive buffer with such messages, and the client then delivers the oldest rather than wait forever.
        var client = Client(o => { o.ReserveForReplies = true; o.InFlight = 2; o.MaximumPacketSize = 128; });
        int refused = 0;
        client.MessageReceived += (sender, m) =>
        {
            if (sender.Publish(B("board/echo/reply"), m.Buffer, m.PayloadOffset, m.PayloadLength, 1, false) != MqttResult.Success)
            {
                refused++;
            }
        };
        client.Subscribe(B("board/echo"), 1);
        Assert.True(_network.RunUntil(() => client.IsSubscribed(B("board/echo")), 1_000));
        for (int i = 0; i < 200; i++)
        {
            _broker.Publish("board/echo", "n" + i, 1);
        }

        Assert.True(_network.RunUntil(() => _received.Count == 200, 20_000), "delivered " + _received.Count);
        Assert.True(client.ForcedDeliveries > 0);
        Assert.Equal(200 - refused, _broker.Received.Count);
        Assert.True(client.IsConnected);
    }
}
