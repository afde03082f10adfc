using System.Text;
using IoTStack.Net.Mqtt;

namespace IoTStack.Stack.Tests.Mqtt;

/// <summary>The packet view and writer: every packet type round trips, and malformed input gets its exact error, never a throw.</summary>
public class MqttCodecTests
{
    private static readonly byte[] Topic = Encoding.UTF8.GetBytes("board/echo");
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("hello");

    private static (byte[] Buffer, int Length) Write(int version, Func<MqttWriter, bool> write)
    {
        var buffer = new byte[512];
        var writer = new MqttWriter();
        writer.Attach(buffer, 0, buffer.Length, version);
        Assert.True(write(writer));
        return (buffer, writer.Position);
    }

    private static MqttPacket Parse(int version, (byte[] Buffer, int Length) packet)
    {
        var view = new MqttPacket();
        Assert.Equal(MqttError.None, view.Parse(packet.Buffer, 0, packet.Length, version, 1024));
        Assert.Equal(packet.Length, view.TotalLength);
        return view;
    }

    private static MqttError ParseBytes(int version, params byte[] bytes) => new MqttPacket().Parse(bytes, 0, bytes.Length, version, 1024);

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Connect_round_trips_with_will_user_password_and_keep_alive(int version)
    {
        var packet = Write(version, w => w.WriteConnect(false, 30, Encoding.UTF8.GetBytes("board-1"), Encoding.UTF8.GetBytes("board/will"),
            Encoding.UTF8.GetBytes("gone"), 1, true, Encoding.UTF8.GetBytes("user"), Encoding.UTF8.GetBytes("secret"), 3600, 8, 1024, 4));
        var p = Parse(version, packet);
        Assert.Equal(MqttPacketType.Connect, p.Type);
        Assert.Equal(version, p.ProtocolLevel);
        Assert.Equal(0x80 | 0x40 | 0x20 | 0x08 | 0x04, p.ConnectFlags); // user, password, will retain, will QoS 1, will; not clean
        Assert.Equal(30, p.KeepAlive);
        Assert.Equal("board-1", Encoding.UTF8.GetString(p.Buffer, p.ClientIdOffset, p.ClientIdLength));
        Assert.Equal("board/will", Encoding.UTF8.GetString(p.Buffer, p.WillTopicOffset, p.WillTopicLength));
        Assert.Equal("gone", Encoding.UTF8.GetString(p.Buffer, p.WillPayloadOffset, p.WillPayloadLength));
        Assert.Equal("user", Encoding.UTF8.GetString(p.Buffer, p.UserNameOffset, p.UserNameLength));
        Assert.Equal("secret", Encoding.UTF8.GetString(p.Buffer, p.PasswordOffset, p.PasswordLength));
        if (version == 5)
        {
            Assert.Equal(3600, p.SessionExpiry);
            Assert.Equal(8, p.ReceiveMaximum);
            Assert.Equal(1024, p.MaximumPacketSize);
            Assert.Equal(4, p.TopicAliasMaximum);
        }
    }

    [Fact]
    public void Connect_with_a_clean_session_and_nothing_else_is_the_minimal_packet()
    {
        var packet = Write(4, w => w.WriteConnect(true, 60, Encoding.UTF8.GetBytes("a"), null, null, 0, false, null, null, 0, 0, 0, 0));
        Assert.Equal(new byte[] { 0x10, 13, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 2, 0, 60, 0, 1, (byte)'a' }, packet.Buffer[..packet.Length]);
    }

    [Theory]
    [InlineData(4, true, 0x0E)]
    [InlineData(5, false, 0x21)]
    public void ConnAck_round_trips(int version, bool sessionPresent, int code)
    {
        var p = Parse(version, Write(version, w => w.WriteConnAck(sessionPresent, code, 5, 3)));
        Assert.Equal(MqttPacketType.ConnAck, p.Type);
        Assert.Equal(sessionPresent, p.SessionPresent);
        Assert.Equal(code, p.ReasonCode);
        if (version == 5)
        {
            Assert.Equal(5, p.ReceiveMaximum);
            Assert.Equal(3, p.TopicAliasMaximum);
        }
    }

    [Theory]
    [InlineData(4, 0, false, false)]
    [InlineData(4, 1, true, false)]
    [InlineData(4, 2, false, true)]
    [InlineData(5, 0, true, false)]
    [InlineData(5, 1, false, true)]
    [InlineData(5, 2, true, true)]
    public void Publish_round_trips_at_every_qos_with_retain_and_dup(int version, int qos, bool retain, bool dup)
    {
        var p = Parse(version, Write(version, w => w.WritePublish(Topic, 0, Topic.Length, Payload, 0, Payload.Length, qos, retain, dup, qos > 0 ? 4660 : 0, 0)));
        Assert.Equal(MqttPacketType.Publish, p.Type);
        Assert.Equal(qos, p.Qos);
        Assert.Equal(retain, p.Retain);
        Assert.Equal(dup && qos > 0, p.Duplicate);
        Assert.Equal(qos > 0 ? 4660 : 0, p.PacketId);
        Assert.Equal("board/echo", Encoding.UTF8.GetString(p.Buffer, p.TopicOffset, p.TopicLength));
        Assert.Equal("hello", Encoding.UTF8.GetString(p.Buffer, p.PayloadOffset, p.PayloadLength));
    }

    [Fact]
    public void A_5_0_publish_carries_its_topic_alias_and_may_leave_the_name_empty()
    {
        var p = Parse(5, Write(5, w => w.WritePublish(Topic, 0, 0, Payload, 0, Payload.Length, 1, false, false, 7, 3)));
        Assert.Equal(0, p.TopicLength);
        Assert.Equal(3, p.TopicAlias);
        Assert.Equal("hello", Encoding.UTF8.GetString(p.Buffer, p.PayloadOffset, p.PayloadLength));
    }

    [Theory]
    [InlineData(4, MqttPacketType.PubAck)]
    [InlineData(4, MqttPacketType.PubRec)]
    [InlineData(4, MqttPacketType.PubRel)]
    [InlineData(4, MqttPacketType.PubComp)]
    [InlineData(5, MqttPacketType.PubAck)]
    [InlineData(5, MqttPacketType.PubRel)]
    public void Acknowledgements_round_trip(int version, MqttPacketType type)
    {
        var packet = Write(version, w => w.WriteAck(type, 513, version == 5 ? 0x10 : 0));
        Assert.Equal(type == MqttPacketType.PubRel ? 0x62 : (int)type << 4, packet.Buffer[0]);
        var p = Parse(version, packet);
        Assert.Equal(type, p.Type);
        Assert.Equal(513, p.PacketId);
        Assert.Equal(version == 5 ? 0x10 : 0, p.ReasonCode);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Subscribe_unsubscribe_and_their_acknowledgements_round_trip(int version)
    {
        byte[] filter = Encoding.UTF8.GetBytes("board/+/x/#");
        var sub = Parse(version, Write(version, w => w.WriteSubscribe(9, filter, 0, filter.Length, 2)));
        Assert.Equal(MqttPacketType.Subscribe, sub.Type);
        Assert.Equal(9, sub.PacketId);
        Assert.Equal("board/+/x/#", Encoding.UTF8.GetString(sub.Buffer, sub.ListOffset + 2, filter.Length));
        Assert.Equal(2, sub.Buffer[sub.ListOffset + 2 + filter.Length]);
        var suback = Parse(version, Write(version, w => w.WriteSubAck(MqttPacketType.SubAck, 9, 1)));
        Assert.Equal(9, suback.PacketId);
        Assert.Equal(1, suback.Buffer[suback.ListOffset]);
        var unsub = Parse(version, Write(version, w => w.WriteUnsubscribe(10, filter, 0, filter.Length)));
        Assert.Equal(MqttPacketType.Unsubscribe, unsub.Type);
        var unsuback = Parse(version, Write(version, w => w.WriteSubAck(MqttPacketType.UnsubAck, 10, 0)));
        Assert.Equal(MqttPacketType.UnsubAck, unsuback.Type);
        Assert.Equal(10, unsuback.PacketId);
    }

    [Theory]
    [InlineData(MqttPacketType.PingReq)]
    [InlineData(MqttPacketType.PingResp)]
    [InlineData(MqttPacketType.Disconnect)]
    public void Empty_packets_are_two_bytes(MqttPacketType type)
    {
        var packet = Write(4, w => w.WriteEmpty(type));
        Assert.Equal(2, packet.Length);
        Assert.Equal(type, Parse(4, packet).Type);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(127, 1)]
    [InlineData(128, 2)]
    [InlineData(16383, 2)]
    [InlineData(16384, 3)]
    [InlineData(2097151, 3)]
    [InlineData(2097152, 4)]
    [InlineData(268435455, 4)]
    public void Remaining_length_uses_the_fewest_bytes(int value, int size) => Assert.Equal(size, MqttWriter.VariableSize(value));

    [Fact]
    public void A_publish_of_the_remaining_length_boundaries_round_trips()
    {
        foreach (int payloadLength in new[] { 0, 113, 114, 16000, 16371, 16372, 70000 })
        {
            var buffer = new byte[payloadLength + 64];
            var payload = new byte[payloadLength];
            var writer = new MqttWriter();
            writer.Attach(buffer, 0, buffer.Length, 4);
            Assert.True(writer.WritePublish(Topic, 0, Topic.Length, payload, 0, payloadLength, 1, false, false, 1, 0));
            var p = new MqttPacket();
            Assert.Equal(MqttError.None, p.Parse(buffer, 0, writer.Position, 4, buffer.Length));
            Assert.Equal(payloadLength, p.PayloadLength);
            Assert.Equal(MqttWriter.PublishSize(4, Topic.Length, payloadLength, 1, 0), writer.Position);
        }
    }

    [Fact]
    public void A_writer_refuses_a_packet_that_does_not_fit_and_writes_nothing()
    {
        var buffer = new byte[10];
        var writer = new MqttWriter();
        writer.Attach(buffer, 0, buffer.Length, 4);
        Assert.False(writer.WritePublish(Topic, 0, Topic.Length, Payload, 0, Payload.Length, 0, false, false, 0, 0));
        Assert.Equal(0, writer.Position);
    }

    [Fact]
    public void Every_prefix_of_a_packet_is_incomplete()
    {
        var packet = Write(5, w => w.WritePublish(Topic, 0, Topic.Length, Payload, 0, Payload.Length, 2, false, false, 3, 0));
        for (int i = 0; i < packet.Length; i++)
        {
            Assert.Equal(MqttError.Incomplete, new MqttPacket().Parse(packet.Buffer, 0, i, 5, 1024));
        }
    }

    public static TheoryData<string, int, byte[], MqttError> Malformed => new()
    {
        { "remaining length of five bytes", 4, new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, MqttError.BadRemainingLength },
        { "remaining length not minimal", 4, new byte[] { 0xD0, 0x80, 0x00 }, MqttError.BadRemainingLength },
        { "oversized for the buffer", 4, new byte[] { 0x30, 0xFF, 0xFF, 0x03 }, MqttError.TooLarge },
        { "type 0", 4, new byte[] { 0x00, 0x00 }, MqttError.UnknownType },
        { "AUTH on 3.1.1", 4, new byte[] { 0xF0, 0x00 }, MqttError.UnknownType },
        { "PUBREL without flags 0010", 4, new byte[] { 0x60, 0x02, 0x00, 0x01 }, MqttError.BadFlags },
        { "SUBACK with flags", 4, new byte[] { 0x91, 0x03, 0x00, 0x01, 0x00 }, MqttError.BadFlags },
        { "PINGRESP with flags", 4, new byte[] { 0xD1, 0x00 }, MqttError.BadFlags },
        { "PUBLISH at QoS 3", 4, new byte[] { 0x36, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x01 }, MqttError.BadQos },
        { "PUBLISH QoS 0 with DUP", 4, new byte[] { 0x38, 0x03, 0x00, 0x01, (byte)'a' }, MqttError.BadFlags },
        { "topic length past the end", 4, new byte[] { 0x30, 0x03, 0x00, 0x09, (byte)'a' }, MqttError.BadLength },
        { "topic length cut", 4, new byte[] { 0x30, 0x01, 0x00 }, MqttError.BadLength },
        { "topic with invalid UTF-8", 4, new byte[] { 0x30, 0x04, 0x00, 0x02, 0xC0, 0x80 }, MqttError.BadUtf8 },
        { "topic with U+0000", 4, new byte[] { 0x30, 0x04, 0x00, 0x02, (byte)'a', 0x00 }, MqttError.BadUtf8 },
        { "topic with a surrogate", 4, new byte[] { 0x30, 0x05, 0x00, 0x03, 0xED, 0xA0, 0x80 }, MqttError.BadUtf8 },
        { "topic with a wildcard", 4, new byte[] { 0x30, 0x03, 0x00, 0x01, (byte)'#' }, MqttError.BadTopic },
        { "empty topic on 3.1.1", 4, new byte[] { 0x30, 0x02, 0x00, 0x00 }, MqttError.BadTopic },
        { "packet identifier 0", 4, new byte[] { 0x32, 0x05, 0x00, 0x01, (byte)'a', 0x00, 0x00 }, MqttError.BadPacketId },
        { "PUBACK with 3 bytes on 3.1.1", 4, new byte[] { 0x40, 0x03, 0x00, 0x01, 0x00 }, MqttError.BadLength },
        { "PUBACK too short", 4, new byte[] { 0x40, 0x01, 0x00 }, MqttError.BadLength },
        { "CONNACK with reserved flags", 4, new byte[] { 0x20, 0x02, 0x02, 0x00 }, MqttError.BadFlags },
        { "CONNACK of 3 bytes on 3.1.1", 4, new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 }, MqttError.BadLength },
        { "SUBACK return code 3", 4, new byte[] { 0x90, 0x03, 0x00, 0x01, 0x03 }, MqttError.BadProperty },
        { "SUBACK without return codes", 4, new byte[] { 0x90, 0x02, 0x00, 0x01 }, MqttError.BadLength },
        { "UNSUBACK with a body on 3.1.1", 4, new byte[] { 0xB0, 0x03, 0x00, 0x01, 0x00 }, MqttError.BadLength },
        { "PINGRESP with a body", 4, new byte[] { 0xD0, 0x01, 0x00 }, MqttError.BadLength },
        { "DISCONNECT with a body on 3.1.1", 4, new byte[] { 0xE0, 0x01, 0x00 }, MqttError.BadLength },
        { "SUBSCRIBE with a bad filter", 4, new byte[] { 0x82, 0x07, 0x00, 0x01, 0x00, 0x02, (byte)'a', (byte)'#', 0x00 }, MqttError.BadTopic },
        { "SUBSCRIBE with QoS 3", 4, new byte[] { 0x82, 0x06, 0x00, 0x01, 0x00, 0x01, (byte)'a', 0x03 }, MqttError.BadQos },
        { "5.0 unknown property", 5, new byte[] { 0x20, 0x05, 0x00, 0x00, 0x02, 0x7F, 0x00 }, MqttError.BadProperty },
        { "5.0 property length past the end", 5, new byte[] { 0x20, 0x03, 0x00, 0x00, 0x09 }, MqttError.BadLength },
        { "5.0 receive maximum 0", 5, new byte[] { 0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x00 }, MqttError.BadProperty },
        { "5.0 topic alias 0", 5, new byte[] { 0x30, 0x07, 0x00, 0x01, (byte)'a', 0x03, 0x23, 0x00, 0x00 }, MqttError.BadTopicAlias },
        { "5.0 empty topic without an alias", 5, new byte[] { 0x30, 0x03, 0x00, 0x00, 0x00 }, MqttError.BadTopic },
        { "5.0 reason string cut", 5, new byte[] { 0x40, 0x06, 0x00, 0x01, 0x80, 0x03, 0x1F, 0x00 }, MqttError.BadLength },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_gets_its_error(string what, int version, byte[] bytes, MqttError expected)
    {
        Assert.True(expected == ParseBytes(version, bytes), what + ": " + ParseBytes(version, bytes));
    }

    [Theory]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/+", "a/b", true)]
    [InlineData("a/+", "a/b/c", false)]
    [InlineData("a/+", "a/", true)]
    [InlineData("a/+", "a", false)]
    [InlineData("a/#", "a", true)]
    [InlineData("a/#", "a/b/c", true)]
    [InlineData("#", "a/b", true)]
    [InlineData("+/+", "/x", true)]
    [InlineData("+/b/#", "a/b", true)]
    [InlineData("+", "$SYS", false)]
    [InlineData("#", "$SYS/x", false)]
    [InlineData("$SYS/#", "$SYS/x", true)]
    [InlineData("a/b", "a/bc", false)]
    [InlineData("a/bc", "a/b", false)]
    public void Topic_filters_match_as_section_4_7_says(string filter, string topic, bool matches)
    {
        byte[] f = Encoding.UTF8.GetBytes(filter);
        byte[] t = Encoding.UTF8.GetBytes(topic);
        Assert.True(MqttTopic.IsValidFilter(f, 0, f.Length));
        Assert.Equal(matches, MqttTopic.Matches(f, 0, f.Length, t, 0, t.Length));
    }

    [Theory]
    [InlineData("a#")]
    [InlineData("a/#/b")]
    [InlineData("a+")]
    [InlineData("a/+b")]
    [InlineData("")]
    public void Malformed_filters_are_refused(string filter)
    {
        byte[] f = Encoding.UTF8.GetBytes(filter);
        Assert.False(MqttTopic.IsValidFilter(f, 0, f.Length));
    }

    [Fact]
    public void Encode_writes_utf8_as_the_runtime_does()
    {
        foreach (string text in new[] { "", "board/status", "température", "日本", "emoji 😀" })
        {
            Assert.Equal(Encoding.UTF8.GetBytes(text), MqttTopic.Encode(text));
        }
    }
}
