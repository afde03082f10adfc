using System.Text;
using IoTStack.Net;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Mqtt;

/// <summary>
/// A small MQTT broker double on a second stack, for one client at a time: CONNACK (with or without the session, or a
/// refusal), SUBACK, acknowledgements for every QoS, routing of the client's PUBLISH to its own subscriptions, PINGRESP,
/// and switches that make it misbehave (silent, withholding acknowledgements, dropping the link). Its steady path
/// allocates nothing unless <see cref="Record"/> is on, so the client's allocation can be measured beside it.
/// </summary>
public sealed class TestBroker
{
    private readonly NetStack _stack;
    private readonly int _listener;
    private readonly MqttPacket _p = new();
    private readonly MqttWriter _w = new();
    private readonly byte[] _rx = new byte[16384];
    private readonly byte[] _tx = new byte[65536];
    private readonly bool[] _qos2Pending = new bool[65536];
    private readonly byte[][] _filters = new byte[8][];
    private readonly int[] _filterQos = new int[8];
    private int _filterCount;
    private int _connection;
    private int _rxCount;
    private int _txStart;
    private int _txEnd;
    private int _nextId = 1;
    private bool _hasSession;

    public TestBroker(NetStack stack, int port = 1883)
    {
        _stack = stack;
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Stream, IpProtocol.Tcp, out _listener));
        Assert.Equal(SocketResult.Success, stack.Bind(_listener, IPv4Address.Any, port));
        Assert.Equal(SocketResult.Success, stack.Listen(_listener, 2));
    }

    public int Version { get; private set; } = 4;
    public bool Silent { get; set; }
    public bool WithholdAcks { get; set; }

    /// <summary>No PUBREL for the client's PUBREC: its QoS 2 identifiers stay held, as with a broker that restarted mid-flow.</summary>
    public bool WithholdReleases { get; set; }
    public int RefuseCode { get; set; }
    public bool Record { get; set; } = true;
    public bool KeepsSessions { get; set; } = true;
    public int ReceiveMaximum { get; set; }

    /// <summary>5.0: the Topic Alias Maximum the CONNACK announces; the client's aliases are then resolved (topic names in <see cref="Received"/>).</summary>
    public int TopicAliasMaximum { get; set; }

    /// <summary>PUBLISH packets from the client that named their topic by alias alone.</summary>
    public int AliasedPublishes { get; private set; }

    private readonly Dictionary<int, string> _clientAliases = new();

    public int Connects { get; private set; }
    public bool LastClean { get; private set; }
    public int LastKeepAlive { get; private set; }
    public string LastClientId { get; private set; } = "";
    public string? LastWillTopic { get; private set; }
    public int PublishesReceived { get; private set; }
    public int DuplicatesFlagged { get; private set; }
    public int PubAcks { get; private set; }
    public int PubRecs { get; private set; }
    public int PubComps { get; private set; }
    public int PubRels { get; private set; }
    public int Pings { get; private set; }
    public int Subscribes { get; private set; }
    public int Unsubscribes { get; private set; }
    public MqttError LastError { get; private set; }

    public List<(string Topic, string Payload, int Qos, bool Duplicate, bool Retain)> Received { get; } = new();

    /// <summary>Packet identifiers of the client's unacknowledged QoS 1 messages (withheld acknowledgements).</summary>
    public List<int> Withheld { get; } = new();

    public bool Connected => _connection != 0;

    public bool Poll()
    {
        bool worked = false;
        if (_stack.Accept(_listener, out int incoming) == SocketResult.Success)
        {
            if (_connection != 0)
            {
                _stack.Close(_connection);
            }

            _connection = incoming;
            _stack.SetOption(incoming, SocketOption.NoDelay, 1);
            _rxCount = 0;
            _txStart = _txEnd = 0;
            worked = true;
        }

        if (_connection == 0)
        {
            return worked;
        }

        SocketResult r = _stack.Receive(_connection, _rx, _rxCount, _rx.Length - _rxCount, out int n);
        if (r == SocketResult.Success && n == 0 || r != SocketResult.Success && r != SocketResult.WouldBlock)
        {
            Drop();
            return true;
        }

        if (n > 0)
        {
            _rxCount += n;
            worked = true;
        }

        while (!Silent && _rxCount > 0)
        {
            MqttError error = _p.Parse(_rx, 0, _rxCount, Version, _rx.Length);
            if (error == MqttError.Incomplete)
            {
                break;
            }

            if (error != MqttError.None)
            {
                LastError = error;
                Drop();
                return true;
            }

            int length = _p.TotalLength;
            Handle();
            if (_connection == 0)
            {
                return true;
            }

            Array.Copy(_rx, length, _rx, 0, _rxCount - length);
            _rxCount -= length;
            worked = true;
        }

        worked |= Flush();
        return worked;
    }

    /// <summary>Closes the connection (the client sees the link go).</summary>
    public void Drop()
    {
        if (_connection != 0)
        {
            _stack.Close(_connection);
            _connection = 0;
        }

        _rxCount = 0;
        _txStart = _txEnd = 0;
    }

    /// <summary>Forgets the session (a broker restarted without persistence).</summary>
    public void ForgetSession()
    {
        _hasSession = false;
        _filterCount = 0;
    }

    public void Publish(string topic, string payload, int qos, bool retain = false)
    {
        byte[] t = Encoding.UTF8.GetBytes(topic);
        byte[] p = Encoding.UTF8.GetBytes(payload);
        Publish(t, p, 0, p.Length, qos, retain, 0);
    }

    /// <summary>Sends raw bytes to the client (malformed input).</summary>
    public void SendRaw(byte[] bytes)
    {
        Array.Copy(bytes, 0, _tx, _txEnd, bytes.Length);
        _txEnd += bytes.Length;
        Flush();
    }

    /// <summary>QoS 1/2 messages to the client unacknowledged at once, as Mosquitto's max_inflight_messages; 0 for no limit.</summary>
    public int MaxInflight { get; set; }

    private int _inflight;
    private readonly Queue<(byte[] Topic, byte[] Payload, int Qos, bool Retain)> _queued = new();

    private void Completed()
    {
        _inflight = Math.Max(0, _inflight - 1);
        if (_queued.Count > 0 && (MaxInflight == 0 || _inflight < MaxInflight))
        {
            var (t, p, q, r) = _queued.Dequeue();
            Publish(t, p, 0, p.Length, q, r, 0);
        }
    }

    public int Publish(byte[] topic, byte[] payload, int offset, int count, int qos, bool retain, int alias)
    {
        if (qos > 0 && MaxInflight > 0)
        {
            if (_inflight >= MaxInflight)
            {
                _queued.Enqueue((topic, payload[offset..(offset + count)], qos, retain));
                return 0;
            }

            _inflight++;
        }

        int id = 0;
        if (qos > 0)
        {
            id = _nextId;
            _nextId = _nextId == 65535 ? 1 : _nextId + 1;
        }

        Begin();
        Assert.True(_w.WritePublish(topic, 0, topic.Length, payload, offset, count, qos, retain, false, id, alias));
        End();
        return id;
    }

    private void Handle()
    {
        switch (_p.Type)
        {
            case MqttPacketType.Connect:
                Connects++;
                Version = _p.ProtocolLevel >= 5 ? 5 : 4;
                LastClean = (_p.ConnectFlags & 2) != 0;
                LastKeepAlive = _p.KeepAlive;
                if (Record)
                {
                    LastClientId = Encoding.UTF8.GetString(_p.Buffer, _p.ClientIdOffset, _p.ClientIdLength);
                    LastWillTopic = (_p.ConnectFlags & 4) != 0 ? Encoding.UTF8.GetString(_p.Buffer, _p.WillTopicOffset, _p.WillTopicLength) : null;
                }

                bool present = !LastClean && _hasSession && KeepsSessions;
                if (LastClean || !KeepsSessions)
                {
                    _filterCount = 0;
                    Array.Clear(_qos2Pending);
                }

                Begin();
                _w.WriteConnAck(RefuseCode == 0 && present, RefuseCode, ReceiveMaximum, TopicAliasMaximum);
                _clientAliases.Clear();
                End();
                if (RefuseCode == 0)
                {
                    _hasSession = !LastClean;
                }

                break;
            case MqttPacketType.Publish:
                PublishesReceived++;
                if (_p.Duplicate)
                {
                    DuplicatesFlagged++;
                }

                bool fresh = true;
                if (_p.Qos == 2)
                {
                    fresh = !_qos2Pending[_p.PacketId];
                    _qos2Pending[_p.PacketId] = true;
                }

                string? topicName = null;
                if (_p.TopicAlias > 0)
                {
                    Assert.True(_p.TopicAlias <= TopicAliasMaximum, "alias above the Topic Alias Maximum announced");
                    if (_p.TopicLength > 0)
                    {
                        _clientAliases[_p.TopicAlias] = Encoding.UTF8.GetString(_p.Buffer, _p.TopicOffset, _p.TopicLength);
                    }
                    else
                    {
                        Assert.True(_clientAliases.TryGetValue(_p.TopicAlias, out topicName), "alias never set on this connection");
                        AliasedPublishes++;
                    }
                }

                if (fresh && Record)
                {
                    Received.Add((topicName ?? Encoding.UTF8.GetString(_p.Buffer, _p.TopicOffset, _p.TopicLength),
                        Encoding.UTF8.GetString(_p.Buffer, _p.PayloadOffset, _p.PayloadLength), _p.Qos, _p.Duplicate, _p.Retain));
                }

                if (fresh)
                {
                    Route();
                }

                if (_p.Qos == 1)
                {
                    if (WithholdAcks)
                    {
                        Withheld.Add(_p.PacketId);
                    }
                    else
                    {
                        Ack(MqttPacketType.PubAck, _p.PacketId);
                    }
                }
                else if (_p.Qos == 2 && !WithholdAcks)
                {
                    Ack(MqttPacketType.PubRec, _p.PacketId);
                }

                break;
            case MqttPacketType.PubRel:
                PubRels++;
                _qos2Pending[_p.PacketId] = false;
                Ack(MqttPacketType.PubComp, _p.PacketId);
                break;
            case MqttPacketType.PubAck:
                PubAcks++;
                Completed();
                break;
            case MqttPacketType.PubRec:
                PubRecs++;
                if (!WithholdReleases)
                {
                    Ack(MqttPacketType.PubRel, _p.PacketId);
                }

                break;
            case MqttPacketType.PubComp:
                PubComps++;
                Completed();
                break;
            case MqttPacketType.Subscribe:
                Subscribes++;
                Subscribe();
                break;
            case MqttPacketType.Unsubscribe:
                Unsubscribes++;
                _filterCount = 0;
                Begin();
                _w.WriteSubAck(MqttPacketType.UnsubAck, _p.PacketId, 0);
                End();
                break;
            case MqttPacketType.PingReq:
                Pings++;
                Begin();
                _w.WriteEmpty(MqttPacketType.PingResp);
                End();
                break;
            case MqttPacketType.Disconnect:
                Drop();
                break;
        }
    }

    private void Subscribe()
    {
        int at = _p.ListOffset;
        int length = (_rx[at] << 8) | _rx[at + 1];
        byte[] filter = new byte[length];
        Array.Copy(_rx, at + 2, filter, 0, length);
        int existing = Array.FindIndex(_filters, 0, _filterCount, f => f.AsSpan().SequenceEqual(filter));
        int slot = existing >= 0 ? existing : _filterCount++;
        _filters[slot] = filter;
        _filterQos[slot] = _rx[at + 2 + length] & 3;
        Begin();
        _w.WriteSubAck(MqttPacketType.SubAck, _p.PacketId, _filterQos[slot]);
        End();
    }

    /// <summary>The client's message to every subscription of its own that matches, at the lesser QoS.</summary>
    private void Route()
    {
        for (int i = 0; i < _filterCount; i++)
        {
            byte[] f = _filters[i];
            if (MqttTopic.Matches(f, 0, f.Length, _p.Buffer, _p.TopicOffset, _p.TopicLength))
            {
                int qos = Math.Min(_p.Qos, _filterQos[i]);
                int id = 0;
                if (qos > 0)
                {
                    id = _nextId;
                    _nextId = _nextId == 65535 ? 1 : _nextId + 1;
                }

                if (qos > 0 && MaxInflight > 0)
                {
                    Publish(_p.Buffer[_p.TopicOffset..(_p.TopicOffset + _p.TopicLength)], _p.Buffer, _p.PayloadOffset, _p.PayloadLength, qos, false, 0);
                    return;
                }

                Begin();
                Assert.True(_w.WritePublish(_p.Buffer, _p.TopicOffset, _p.TopicLength, _p.Buffer, _p.PayloadOffset, _p.PayloadLength, qos, false, false, id, 0));
                End();
                return;
            }
        }
    }

    private void Ack(MqttPacketType type, int id)
    {
        Begin();
        _w.WriteAck(type, id, 0);
        End();
    }

    private void Begin()
    {
        if (_txStart == _txEnd)
        {
            _txStart = _txEnd = 0;
        }

        _w.Attach(_tx, _txEnd, _tx.Length, Version);
    }

    private void End() => _txEnd = _w.Position;

    public bool Flush()
    {
        if (_connection == 0 || _txEnd == _txStart)
        {
            return false;
        }

        SocketResult r = _stack.SendSome(_connection, _tx, _txStart, _txEnd - _txStart, out int sent);
        _txStart += sent;
        if (_txStart == _txEnd)
        {
            _txStart = _txEnd = 0;
        }
        else if (_txStart > _tx.Length / 2)
        {
            Array.Copy(_tx, _txStart, _tx, 0, _txEnd - _txStart);
            _txEnd -= _txStart;
            _txStart = 0;
        }

        return sent > 0 || r != SocketResult.Success && r != SocketResult.WouldBlock;
    }
}
