using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Mqtt
{
    /// <summary>
    /// An MQTT 3.1.1 / 5.0 client over any <see cref="ISocketEngine"/> (the software stack or the W5500's sockets), polled
    /// like the services (DESIGN.md rule 3): <see cref="Start"/>, then <see cref="Poll"/> from the board's loop or through
    /// <see cref="NetHost"/> as an <see cref="IPollable"/>. Shaped like nanoFramework's M2Mqtt: Publish, Subscribe,
    /// Unsubscribe and the <see cref="MessageReceived"/> event. Every buffer is taken in the constructor from
    /// <see cref="MqttClientOptions"/>; connecting, publishing and receiving allocate nothing (DESIGN.md rule 2).
    /// It stays connected: a lost link, a silent broker or a refused CONNECT starts a reconnect after a randomised
    /// exponential back-off, and QoS 1/2 messages in flight are sent again on the new connection (3.1.1 section 4.4,
    /// 5.0 section 4.4), so none handed to <see cref="Publish"/> is lost.
    /// </summary>
    public sealed class MqttClient : IPollable
    {
        private const int Free = 0;
        private const int AwaitingAck = 1; // PUBLISH sent: PUBACK (QoS 1) or PUBREC (QoS 2) owed
        private const int AwaitingComp = 2; // PUBREL sent: PUBCOMP owed

        private const int SubscribePending = 1;
        private const int SubscribeSent = 2;
        private const int SubscribeDone = 3;
        private const int UnsubscribePending = 4;
        private const int UnsubscribeSent = 5;

        private readonly ISocketEngine _sockets;
        private readonly INetInterface _net;
        private readonly IClock _clock;
        private readonly MqttClientOptions _options;
        private readonly MqttPacket _packet = new MqttPacket();
        private readonly MqttWriter _writer = new MqttWriter();
        private readonly MqttMessage _message = new MqttMessage();
        private readonly int _version;
        private readonly int _maximumPacket;
        private readonly int _maximumTopic;
        private readonly byte[] _clientId;
        private readonly byte[] _userName;
        private readonly byte[] _password;
        private readonly byte[] _willTopic;

        private readonly byte[] _rx;
        private int _rxCount;
        private readonly byte[] _tx;
        private int _txStart;
        private int _txEnd;

        // Outgoing QoS 1/2 messages (3.1.1 section 4.3): the stored packet (PUBLISH, then PUBREL once PUBREC came), its state,
        // whether this connection has sent it, and the order it was handed over in, kept when resending (section 4.6).
        private readonly byte[] _outStore;
        private readonly int[] _outLength;
        private readonly int[] _outId;
        private readonly int[] _outState;
        private readonly int[] _outQos;
        private readonly int[] _outOrder;
        private readonly bool[] _outSent;
        private int _outCount;
        private int _order;
        private int _nextId;
        private int _window;

        // Incoming QoS 2 identifiers between PUBLISH and PUBREL (method B of 3.1.1 section 4.3.3: delivered once, on arrival).
        private readonly int[] _inIds;
        private readonly byte[] _inBitmap;
        private int _inCount;
        private int _inEvict;
        private readonly byte[] _outAliasTopic;
        private readonly int[] _outAliasLength;
        private int _outAliasesAllowed;

        private readonly byte[] _subFilter;
        private readonly int[] _subLength;
        private readonly int[] _subQos;
        private readonly int[] _subState;
        private readonly int[] _subId;

        private readonly byte[] _aliasTopic;
        private readonly int[] _aliasLength;

        private int _socket;
        private long _deadline;
        private long _lastSent;
        private long _lastReceived;
        private long _pingDeadline;
        private int _keepAliveMs;
        private int _attempts;
        private long _brokerMaximumPacket;

        public MqttClient(ISocketEngine sockets, INetInterface net, MqttClientOptions options)
        {
            if (sockets == null || net == null || options == null)
            {
                throw new System.ArgumentNullException(sockets == null ? "sockets" : (net == null ? "net" : "options"));
            }

            if (options.MaximumPacketSize < 64 || options.InFlight < 1 || options.InFlight > 65535 || options.Subscriptions < 0
                || options.MaximumTopicLength < 1 || options.TopicAliases < 0 || options.OutgoingTopicAliases < 0 || options.WillQos < 0 || options.WillQos > 2
                || options.ReconnectMinimumMs < 1 || options.ReconnectMaximumMs < options.ReconnectMinimumMs)
            {
                throw new System.ArgumentOutOfRangeException("options");
            }

            _sockets = sockets;
            _net = net;
            _clock = net.Clock;
            _options = options;
            _version = options.Version >= 5 ? 5 : 4;
            _maximumPacket = options.MaximumPacketSize;
            _maximumTopic = options.MaximumTopicLength;
            _clientId = MqttTopic.Encode(options.ClientId);
            _userName = MqttTopic.Encode(options.UserName);
            _password = MqttTopic.Encode(options.Password);
            _willTopic = MqttTopic.Encode(options.WillTopic);
            // With ReserveForReplies a held PUBLISH may have as many others behind it as the broker keeps in flight to us (our
            // Receive Maximum on 5.0, InFlight) before the acknowledgement that frees room: the buffer holds them all.
            _rx = new byte[(options.ReserveForReplies ? options.InFlight + 1 : 2) * _maximumPacket];
            _tx = new byte[2 * _maximumPacket];
            int inFlight = options.InFlight;
            _outStore = new byte[inFlight * _maximumPacket];
            _outLength = new int[inFlight];
            _outId = new int[inFlight];
            _outState = new int[inFlight];
            _outQos = new int[inFlight];
            _outOrder = new int[inFlight];
            _outSent = new bool[inFlight];
            _inIds = new int[options.Qos2IdentifierBitmap ? 0 : inFlight];
            _inBitmap = options.Qos2IdentifierBitmap ? new byte[8192] : null;
            int subscriptions = options.Subscriptions;
            _subFilter = new byte[subscriptions * _maximumTopic];
            _subLength = new int[subscriptions];
            _subQos = new int[subscriptions];
            _subState = new int[subscriptions];
            _subId = new int[subscriptions];
            _aliasTopic = new byte[options.TopicAliases * _maximumTopic];
            _outAliasTopic = new byte[options.OutgoingTopicAliases * _maximumTopic];
            _outAliasLength = new int[options.OutgoingTopicAliases];
            _aliasLength = new int[options.TopicAliases];
            _nextId = 1 + (int)(net.NextRandom() % 65535);
            _window = inFlight;
        }

        /// <summary>Raised for every message received on a subscribed topic, during <see cref="Poll"/>.</summary>
        public event MqttMessageHandler MessageReceived;

        public MqttClientState State { get; private set; }

        public bool IsConnected
        {
            get { return State == MqttClientState.Connected; }
        }

        /// <summary>What ended the last connection or attempt.</summary>
        public MqttError LastError { get; private set; }

        /// <summary>The CONNACK return code (3.1.1 section 3.2.2.3) or 5.0 reason code of the last refusal.</summary>
        public int LastReasonCode { get; private set; }

        /// <summary>Whether the broker said it still had our session (CONNACK's Session Present, 3.1.1 section 3.2.2.2).</summary>
        public bool SessionPresent { get; private set; }

        /// <summary>The identifier the last Publish at QoS 1/2 took.</summary>
        public int LastPacketId { get; private set; }

        /// <summary>Messages handed to Publish at QoS 1/2 and not yet acknowledged to the end of their flow.</summary>
        public int InFlightCount
        {
            get { return _outCount; }
        }

        /// <summary>Whether the QoS 1/2 message Publish gave <paramref name="packetId"/> (<see cref="LastPacketId"/>) still waits for its PUBACK or PUBCOMP.</summary>
        public bool IsInFlight(int packetId)
        {
            for (int i = 0; i < _outState.Length; i++)
            {
                if (_outState[i] != Free && _outId[i] == packetId)
                {
                    return true;
                }
            }

            return false;
        }

        public int Connections;
        public int ConnectionsLost;
        public int Refusals;
        public int MessagesSent;
        public int MessagesReceived;
        public int MessagesResent;
        public int DuplicatesDropped;
        public int UnsolicitedMessages;
        public int ProtocolErrors;
        public int PingsSent;

        /// <summary>Messages delivered without room for a reply because the broker sent more than it may (see ReserveForReplies).</summary>
        public int ForcedDeliveries;

        /// <summary>QoS 2 identifiers forgotten before their PUBREL because the broker sent more than our Receive Maximum.</summary>
        public int Qos2IdentifiersEvicted;

        /// <summary>The clock reading when the last connection was acknowledged.</summary>
        public long ConnectedAtMs;

        /// <summary>Starts connecting (now) and staying connected.</summary>
        public void Start()
        {
            if (State == MqttClientState.Stopped)
            {
                State = MqttClientState.Waiting;
                _deadline = _clock.NowMilliseconds;
                _attempts = 0;
            }
        }

        /// <summary>Sends DISCONNECT when connected (the broker then drops the will, 3.1.1 section 3.14) and stops reconnecting.</summary>
        public void Disconnect()
        {
            if (State == MqttClientState.Connected)
            {
                if (Attach(2))
                {
                    _writer.WriteEmpty(MqttPacketType.Disconnect);
                    Commit();
                }

                Flush();
            }

            CloseSocket();
            State = MqttClientState.Stopped;
        }

        /// <summary>
        /// Publishes <paramref name="count"/> bytes of <paramref name="payload"/> to <paramref name="topic"/>. QoS 0 needs a
        /// connection and room to send now; QoS 1/2 takes a slot of the in-flight window (WouldBlock when none is free) and
        /// is delivered, even across reconnects, until the broker acknowledges it (3.1.1 section 4.3).
        /// </summary>
        public MqttResult Publish(byte[] topic, byte[] payload, int offset, int count, int qos, bool retain)
        {
            if (topic == null || qos < 0 || qos > 2 || count < 0 || (count > 0 && (payload == null || offset < 0 || offset > payload.Length - count)))
            {
                return MqttResult.InvalidArgument;
            }

            if (!MqttTopic.IsValidName(topic, 0, topic.Length, false) || !MqttTopic.IsValidUtf8(topic, 0, topic.Length) || topic.Length > 65535)
            {
                return MqttResult.InvalidArgument;
            }

            int size = MqttWriter.PublishSize(_version, topic.Length, count, qos, 0);
            if (size > _maximumPacket || (_brokerMaximumPacket > 0 && size > _brokerMaximumPacket))
            {
                return MqttResult.TooLarge;
            }

            if (qos == 0)
            {
                if (State != MqttClientState.Connected)
                {
                    return MqttResult.NotConnected;
                }

                if (!Attach(size))
                {
                    Flush();
                    if (!Attach(size))
                    {
                        return MqttResult.WouldBlock;
                    }
                }

                int alias = OutgoingAlias(topic);
                bool known = alias > 0 && _outAliasLength[alias - 1] == topic.Length;
                _writer.WritePublish(topic, 0, known ? 0 : topic.Length, payload, offset, count, 0, retain, false, 0, alias);
                if (alias > 0 && !known)
                {
                    System.Array.Copy(topic, 0, _outAliasTopic, (alias - 1) * _maximumTopic, topic.Length);
                    _outAliasLength[alias - 1] = topic.Length; // the broker learns it from this PUBLISH
                }

                Commit();
                MessagesSent++;
                return MqttResult.Success;
            }

            if (_outCount >= _window)
            {
                return MqttResult.WouldBlock;
            }

            int slot = -1;
            for (int i = 0; i < _outState.Length; i++)
            {
                if (_outState[i] == Free)
                {
                    slot = i;
                    break;
                }
            }

            if (slot < 0)
            {
                return MqttResult.WouldBlock;
            }

            int id = NextPacketId();
            _writer.Attach(_outStore, slot * _maximumPacket, (slot + 1) * _maximumPacket, _version);
            _writer.WritePublish(topic, 0, topic.Length, payload, offset, count, qos, retain, false, id, 0);
            _outLength[slot] = size;
            _outId[slot] = id;
            _outQos[slot] = qos;
            _outState[slot] = AwaitingAck;
            _outSent[slot] = false;
            _outOrder[slot] = _order;
            _order++;
            _outCount++;
            LastPacketId = id;
            MessagesSent++;
            if (State == MqttClientState.Connected)
            {
                SendStored();
            }

            return MqttResult.Success;
        }

        /// <summary>
        /// Subscribes to a filter (with + and #, 3.1.1 section 4.7) at the given maximum QoS, now or on connecting; the
        /// client keeps it and subscribes again after a reconnect the broker had no session for.
        /// </summary>
        public MqttResult Subscribe(byte[] filter, int qos)
        {
            if (filter == null || qos < 0 || qos > 2 || !MqttTopic.IsValidFilter(filter, 0, filter.Length) || !MqttTopic.IsValidUtf8(filter, 0, filter.Length))
            {
                return MqttResult.InvalidArgument;
            }

            if (filter.Length > _maximumTopic)
            {
                return MqttResult.TooLarge;
            }

            int slot = FindSubscription(filter, 0, filter.Length);
            if (slot < 0)
            {
                for (int i = 0; i < _subState.Length; i++)
                {
                    if (_subState[i] == Free)
                    {
                        slot = i;
                        break;
                    }
                }
            }

            if (slot < 0)
            {
                return MqttResult.NoSubscriptionSlot;
            }

            System.Array.Copy(filter, 0, _subFilter, slot * _maximumTopic, filter.Length);
            _subLength[slot] = filter.Length;
            _subQos[slot] = qos;
            _subState[slot] = SubscribePending;
            return MqttResult.Success;
        }

        /// <summary>Unsubscribes from a filter given to <see cref="Subscribe"/>; InvalidArgument for one it does not hold.</summary>
        public MqttResult Unsubscribe(byte[] filter)
        {
            int slot = filter == null ? -1 : FindSubscription(filter, 0, filter.Length);
            if (slot < 0)
            {
                return MqttResult.InvalidArgument;
            }

            _subState[slot] = State == MqttClientState.Connected ? UnsubscribePending : Free;
            return MqttResult.Success;
        }

        /// <summary>Whether a filter is subscribed and acknowledged by the broker.</summary>
        public bool IsSubscribed(byte[] filter)
        {
            int slot = filter == null ? -1 : FindSubscription(filter, 0, filter.Length);
            return slot >= 0 && _subState[slot] == SubscribeDone;
        }

        public bool Poll()
        {
            long now = _clock.NowMilliseconds;
            switch (State)
            {
                case MqttClientState.Stopped:
                    return false;
                case MqttClientState.Waiting:
                    if (now - _deadline < 0)
                    {
                        return false;
                    }

                    OpenConnection(now);
                    return true;
                case MqttClientState.Connecting:
                    return PollConnecting(now);
            }

            bool worked = Flush();
            worked |= Read(now);
            if (State < MqttClientState.AwaitingConnAck)
            {
                return true;
            }

            if (State == MqttClientState.AwaitingConnAck)
            {
                if (now - _deadline >= 0)
                {
                    Lose(MqttError.Timeout);
                    return true;
                }

                return worked;
            }

            worked |= SendStored();
            worked |= SendSubscriptions();
            worked |= KeepAlive(now);
            if (State == MqttClientState.Connected)
            {
                worked |= Flush();
            }

            return worked;
        }

        public int PollDelay()
        {
            long now = _clock.NowMilliseconds;
            switch (State)
            {
                case MqttClientState.Stopped:
                    return 1000;
                case MqttClientState.Waiting:
                    return Until(_deadline, now);
                case MqttClientState.Connecting:
                    return 10;
                case MqttClientState.AwaitingConnAck:
                    int delay = Until(_deadline, now);
                    return delay < 10 ? delay : 10;
            }

            if (_txEnd > _txStart)
            {
                return 0;
            }

            if (_keepAliveMs <= 0)
            {
                return 1000;
            }

            if (_pingDeadline != 0)
            {
                return Until(_pingDeadline, now);
            }

            long oldest = _lastSent < _lastReceived ? _lastSent : _lastReceived;
            return Until(oldest + _keepAliveMs, now);
        }

        private static int Until(long deadline, long now)
        {
            long delay = deadline - now;
            return delay <= 0 ? 0 : (delay > 1000 ? 1000 : (int)delay);
        }

        private void OpenConnection(long now)
        {
            CloseSocket();
            int socket;
            SocketResult result = _sockets.Open(SocketKind.Stream, IpProtocol.Tcp, out socket);
            if (result != SocketResult.Success)
            {
                Retry(MqttError.ConnectionLost);
                return;
            }

            _socket = socket;
            _sockets.SetOption(socket, SocketOption.NoDelay, 1); // MQTT's packets are small and answered: Nagle would hold each behind a delayed ACK
            result = _sockets.Connect(socket, new IPv4Address(_options.BrokerAddress), _options.BrokerPort);
            if (result != SocketResult.Success && result != SocketResult.WouldBlock && result != SocketResult.IsConnected)
            {
                Retry(MqttError.ConnectionLost);
                return;
            }

            State = MqttClientState.Connecting;
            _deadline = now + _options.ConnectTimeoutMs;
        }

        private bool PollConnecting(long now)
        {
            SocketResult result = _sockets.Connect(_socket, new IPv4Address(_options.BrokerAddress), _options.BrokerPort);
            if (result == SocketResult.WouldBlock)
            {
                if (now - _deadline >= 0)
                {
                    Retry(MqttError.Timeout);
                    return true;
                }

                return false;
            }

            if (result != SocketResult.IsConnected && result != SocketResult.Success)
            {
                Retry(MqttError.ConnectionLost);
                return true;
            }

            // TCP is up: CONNECT first (3.1.1 section 3.1), and nothing else before CONNACK.
            _rxCount = 0;
            _txStart = 0;
            _txEnd = 0;
            _writer.Attach(_tx, 0, _tx.Length, _version);
            bool written = _writer.WriteConnect(_options.CleanSession, _options.KeepAliveSeconds, _clientId, _willTopic, _options.WillPayload,
                _options.WillQos, _options.WillRetain, _userName, _password, _options.SessionExpirySeconds, _options.InFlight,
                _maximumPacket, _options.TopicAliases);
            if (!written)
            {
                Retry(MqttError.TooLarge);
                return true;
            }

            Commit();
            State = MqttClientState.AwaitingConnAck;
            _deadline = now + _options.ConnectTimeoutMs;
            Flush();
            return true;
        }

        /// <summary>Reads what the socket holds and handles every whole packet; false when nothing came.</summary>
        private bool Read(long now)
        {
            bool worked = false;
            if (_rxCount < _rx.Length)
            {
                int received;
                SocketResult result = _sockets.Receive(_socket, _rx, _rxCount, _rx.Length - _rxCount, out received);
                if (result == SocketResult.Success)
                {
                    if (received == 0)
                    {
                        Lose(MqttError.ConnectionLost); // the broker closed the connection
                        return true;
                    }

                    _rxCount += received;
                    worked = true;
                }
                else if (result != SocketResult.WouldBlock)
                {
                    Lose(MqttError.ConnectionLost);
                    return true;
                }
            }

            // Whole packets in order; a PUBLISH that must wait for room to answer holds every PUBLISH behind it, but
            // acknowledgements behind it are still handled, since they are what frees the room.
            int at = 0;
            bool held = false;
            while (State >= MqttClientState.AwaitingConnAck && at < _rxCount)
            {
                MqttError error = _packet.Parse(_rx, at, _rxCount - at, _version, _maximumPacket);
                if (error == MqttError.Incomplete)
                {
                    break;
                }

                if (error != MqttError.None)
                {
                    ProtocolErrors++;
                    Lose(error);
                    return true;
                }

                int length = _packet.TotalLength;
                bool stuck = at == 0 && _rxCount == _rx.Length; // a full buffer of held messages: nothing behind them can be read
                if (stuck && _packet.Type == MqttPacketType.Publish && !CanDeliver())
                {
                    ForcedDeliveries++; // delivered without room for a reply rather than deadlocked (a broker over its Receive Maximum)
                }
                else if (_packet.Type == MqttPacketType.Publish && (held || !CanDeliver()))
                {
                    held = true;
                    at += length;
                    continue;
                }

                if (_tx.Length - (_txEnd - _txStart) < 16)
                {
                    break; // no room for the acknowledgement it may need: flush first
                }

                _lastReceived = now;
                _pingDeadline = 0;
                error = Handle(now);
                if (error != MqttError.None)
                {
                    if (error != MqttError.Refused)
                    {
                        ProtocolErrors++;
                    }

                    Lose(error);
                    return true;
                }

                worked = true;
                int rest = _rxCount - at - length;
                if (rest > 0)
                {
                    System.Array.Copy(_rx, at + length, _rx, at, rest);
                }

                _rxCount -= length;
            }

            return worked;
        }

        private bool CanDeliver()
        {
            if (_packet.Qos == 2 && _inBitmap == null && _inCount >= _inIds.Length && !HoldsIncoming(_packet.PacketId))
            {
                return false; // no identifier slot until a PUBREL behind it frees one (3.1.1 section 4.3.3)
            }

            int free = _tx.Length - (_txEnd - _txStart);
            if (!_options.ReserveForReplies)
            {
                return free >= 16;
            }

            return free >= _maximumPacket + 16 && _outCount < _window;
        }

        /// <summary>
        /// The alias for a QoS 0 PUBLISH to <paramref name="topic"/>: the one it already has on this connection, a free one
        /// under the broker's Topic Alias Maximum (5.0 section 3.2.2.3.8), or 0 for the name alone.
        /// </summary>
        private int OutgoingAlias(byte[] topic)
        {
            if (topic.Length > _maximumTopic || topic.Length == 0)
            {
                return 0;
            }

            int free = 0;
            for (int i = 0; i < _outAliasesAllowed; i++)
            {
                int length = _outAliasLength[i];
                if (length == 0)
                {
                    if (free == 0)
                    {
                        free = i + 1;
                    }
                }
                else if (length == topic.Length && MqttTopic.Equal(_outAliasTopic, i * _maximumTopic, topic, 0, length))
                {
                    return i + 1;
                }
            }

            return free;
        }

        private bool HoldsIncoming(int packetId)
        {
            if (_inBitmap != null)
            {
                return (_inBitmap[packetId >> 3] & (1 << (packetId & 7))) != 0;
            }

            for (int i = 0; i < _inIds.Length; i++)
            {
                if (_inIds[i] == packetId)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>PUBREL came (3.1.1 section 4.3.3): the identifier may be used for a new message.</summary>
        private void ForgetIncoming(int packetId)
        {
            if (_inBitmap != null)
            {
                _inBitmap[packetId >> 3] &= (byte)~(1 << (packetId & 7));
                return;
            }

            for (int i = 0; i < _inIds.Length; i++)
            {
                if (_inIds[i] == packetId)
                {
                    _inIds[i] = 0;
                    _inCount--;
                }
            }
        }

        /// <summary>A QoS 2 message delivered: its identifier is held until PUBREL, so a resend is recognised (method B).</summary>
        private void RememberIncoming(int packetId)
        {
            if (_inBitmap != null)
            {
                _inBitmap[packetId >> 3] |= (byte)(1 << (packetId & 7));
                return;
            }

            int free = -1;
            for (int i = 0; i < _inIds.Length && free < 0; i++)
            {
                if (_inIds[i] == 0)
                {
                    free = i;
                }
            }

            if (free < 0)
            {
                // Only a broker over our Receive Maximum gets here (Read holds a QoS 2 PUBLISH until a slot frees, and
                // delivers one anyway only when the buffer is full of them: the PUBRELs that would free slots are behind).
                // Section 3.3.4 would have us disconnect, but Mosquitto 2.0.11 then resends the same overrun on every
                // reconnect, for ever; so the oldest identifier gives way. Its PUBREL is still answered; a resend of that
                // PUBLISH after a reconnect would be delivered twice: Qos2IdentifierBitmap keeps every identifier instead.
                free = _inEvict;
                _inEvict = (_inEvict + 1) % _inIds.Length;
                _inCount--;
                Qos2IdentifiersEvicted++;
            }

            _inIds[free] = packetId;
            _inCount++;
        }

        private void ForgetAllIncoming()
        {
            if (_inBitmap != null)
            {
                System.Array.Clear(_inBitmap, 0, _inBitmap.Length);
            }

            for (int i = 0; i < _inIds.Length; i++)
            {
                _inIds[i] = 0;
            }

            _inCount = 0;
        }

        private MqttError Handle(long now)
        {
            MqttPacketType type = _packet.Type;
            if (State == MqttClientState.AwaitingConnAck)
            {
                if (type != MqttPacketType.ConnAck)
                {
                    return MqttError.UnexpectedPacket; // 3.1.1 section 3.2: the first packet from the server is CONNACK
                }

                return ConnAck(now);
            }

            switch (type)
            {
                case MqttPacketType.Publish:
                    return Received();
                case MqttPacketType.PubAck:
                case MqttPacketType.PubRec:
                case MqttPacketType.PubComp:
                    Acknowledged(type, _packet.PacketId, _packet.ReasonCode);
                    return MqttError.None;
                case MqttPacketType.PubRel:
                    // 3.1.1 section 4.3.3: forget the identifier, answer PUBCOMP (also for one we do not hold: it was
                    // completed before a reconnect).
                    ForgetIncoming(_packet.PacketId);

                    WriteAck(MqttPacketType.PubComp, _packet.PacketId);
                    return MqttError.None;
                case MqttPacketType.SubAck:
                case MqttPacketType.UnsubAck:
                    SubscriptionAcknowledged(type);
                    return MqttError.None;
                case MqttPacketType.PingResp:
                    return MqttError.None;
                case MqttPacketType.Disconnect:
                    LastReasonCode = _packet.ReasonCode;
                    return MqttError.ServerDisconnect;
            }

            return MqttError.UnexpectedPacket;
        }

        private MqttError ConnAck(long now)
        {
            if (_packet.ReasonCode != 0)
            {
                LastReasonCode = _packet.ReasonCode;
                Refusals++;
                return MqttError.Refused;
            }

            State = MqttClientState.Connected;
            Connections++;
            ConnectedAtMs = now;
            _attempts = 0;
            SessionPresent = _packet.SessionPresent;
            // 5.0 section 3.3.2.3.4: aliases belong to one network connection; the broker says how many it takes.
            _outAliasesAllowed = _packet.TopicAliasMaximum > 0 ? (_packet.TopicAliasMaximum < _outAliasLength.Length ? _packet.TopicAliasMaximum : _outAliasLength.Length) : 0;
            for (int i = 0; i < _outAliasLength.Length; i++)
            {
                _outAliasLength[i] = 0;
            }

            _window = _outStore.Length / _maximumPacket;
            if (_packet.ReceiveMaximum > 0 && _packet.ReceiveMaximum < _window)
            {
                _window = _packet.ReceiveMaximum; // 5.0 section 3.3.4: no more unacknowledged QoS 1/2 than the server's Receive Maximum
            }

            _brokerMaximumPacket = _packet.MaximumPacketSize > 0 ? _packet.MaximumPacketSize : 0;
            _keepAliveMs = _options.KeepAliveSeconds * 1000;
            if (_packet.ServerKeepAlive >= 0)
            {
                _keepAliveMs = _packet.ServerKeepAlive * 1000; // 5.0 section 3.2.2.3.14
            }

            _lastSent = now;
            _lastReceived = now;
            _pingDeadline = 0;
            for (int i = 0; i < _aliasLength.Length; i++)
            {
                _aliasLength[i] = 0; // 5.0 section 3.3.2.3.4: aliases last one connection
            }

            // 3.1.1 section 4.4 / 5.0 section 4.4: resend unacknowledged PUBLISH packets with DUP set and PUBREL packets,
            // with their original identifiers, in their original order. The client does so whether or not the broker kept
            // the session: without it the broker takes a PUBLISH as new and answers a PUBREL with PUBCOMP, so a message
            // handed to Publish is delivered at least once (QoS 1) and is not lost (QoS 2).
            for (int i = 0; i < _outState.Length; i++)
            {
                if (_outState[i] != Free)
                {
                    if (_outState[i] == AwaitingAck && _outSent[i])
                    {
                        _outStore[i * _maximumPacket] |= 0x08; // DUP (3.1.1 section 3.3.1.1)
                    }

                    if (_outSent[i])
                    {
                        MessagesResent++;
                    }

                    _outSent[i] = false;
                }
            }

            if (!SessionPresent)
            {
                // The broker has no session: no QoS 2 flows of ours to finish on its side, and no subscriptions.
                ForgetAllIncoming();
                for (int i = 0; i < _subState.Length; i++)
                {
                    if (_subState[i] == SubscribeSent || _subState[i] == SubscribeDone)
                    {
                        _subState[i] = SubscribePending;
                    }
                    else if (_subState[i] == UnsubscribePending || _subState[i] == UnsubscribeSent)
                    {
                        _subState[i] = Free;
                    }
                }
            }
            else
            {
                for (int i = 0; i < _subState.Length; i++)
                {
                    if (_subState[i] == SubscribeSent)
                    {
                        _subState[i] = SubscribePending;
                    }
                    else if (_subState[i] == UnsubscribeSent)
                    {
                        _subState[i] = UnsubscribePending;
                    }
                }
            }

            return MqttError.None;
        }

        private MqttError Received()
        {
            MqttPacket p = _packet;
            int topicOffset = p.TopicOffset;
            int topicLength = p.TopicLength;
            if (p.TopicAlias >= 0)
            {
                // 5.0 section 3.3.2.3.4: an alias within the maximum we announced; with a name it is set, without it is used.
                if (p.TopicAlias == 0 || p.TopicAlias > _aliasLength.Length)
                {
                    return MqttError.BadTopicAlias;
                }

                int alias = p.TopicAlias - 1;
                if (topicLength > 0)
                {
                    if (topicLength > _maximumTopic)
                    {
                        return MqttError.TooLarge;
                    }

                    System.Array.Copy(p.Buffer, topicOffset, _aliasTopic, alias * _maximumTopic, topicLength);
                    _aliasLength[alias] = topicLength;
                }
                else
                {
                    if (_aliasLength[alias] == 0)
                    {
                        return MqttError.BadTopicAlias;
                    }

                    topicLength = _aliasLength[alias];
                    if (topicLength + 2 > p.PayloadOffset - p.Offset)
                    {
                        return MqttError.BadTopicAlias; // no room to put the name in front of the payload
                    }

                    topicOffset = p.PayloadOffset - topicLength;
                    System.Array.Copy(_aliasTopic, alias * _maximumTopic, p.Buffer, topicOffset, topicLength);
                }
            }

            bool deliver = true;
            if (p.Qos == 2)
            {
                if (HoldsIncoming(p.PacketId))
                {
                    deliver = false; // already delivered: answer PUBREC again, deliver nothing (method B, 3.1.1 section 4.3.3)
                    DuplicatesDropped++;
                }
                else
                {
                    RememberIncoming(p.PacketId);
                }
            }

            int packetId = p.PacketId;
            int qos = p.Qos;
            if (deliver)
            {
                if (!Wanted(p.Buffer, topicOffset, topicLength))
                {
                    UnsolicitedMessages++; // acknowledged as the protocol requires, not delivered
                }
                else
                {
                    MessagesReceived++;
                    MqttMessageHandler handler = MessageReceived;
                    if (handler != null)
                    {
                        MqttMessage m = _message;
                        m.Buffer = p.Buffer;
                        m.TopicOffset = topicOffset;
                        m.TopicLength = topicLength;
                        m.PayloadOffset = p.PayloadOffset;
                        m.PayloadLength = p.PayloadLength;
                        m.Qos = qos;
                        m.Retain = p.Retain;
                        m.Duplicate = p.Duplicate;
                        m.PacketId = packetId;
                        handler(this, m);
                    }
                }
            }

            if (qos == 1)
            {
                WriteAck(MqttPacketType.PubAck, packetId); // 3.1.1 section 4.3.2
            }
            else if (qos == 2)
            {
                WriteAck(MqttPacketType.PubRec, packetId);
            }

            return MqttError.None;
        }

        private bool Wanted(byte[] topic, int offset, int length)
        {
            for (int i = 0; i < _subState.Length; i++)
            {
                int state = _subState[i];
                if (state != Free && state != UnsubscribeSent
                    && MqttTopic.Matches(_subFilter, i * _maximumTopic, _subLength[i], topic, offset, length))
                {
                    return true;
                }
            }

            return false;
        }

        private void Acknowledged(MqttPacketType type, int id, int reason)
        {
            for (int i = 0; i < _outState.Length; i++)
            {
                if (_outId[i] != id || _outState[i] == Free)
                {
                    continue;
                }

                int state = _outState[i];
                if (type == MqttPacketType.PubAck && state == AwaitingAck && _outQos[i] == 1)
                {
                    Release(i); // 3.1.1 section 4.3.2: QoS 1 done
                    return;
                }

                if (type == MqttPacketType.PubRec && state == AwaitingAck && _outQos[i] == 2)
                {
                    if (reason >= 0x80)
                    {
                        Release(i); // 5.0 section 4.3.3: a PUBREC with an error ends the flow
                        return;
                    }

                    // 3.1.1 section 4.3.3: discard the message, keep the identifier, send PUBREL (kept for resending).
                    _writer.Attach(_outStore, i * _maximumPacket, (i + 1) * _maximumPacket, _version);
                    _writer.WriteAck(MqttPacketType.PubRel, id, 0);
                    _outLength[i] = _writer.Position - i * _maximumPacket;
                    _outState[i] = AwaitingComp;
                    _outSent[i] = false;
                    SendStored();
                    return;
                }

                if (type == MqttPacketType.PubComp && state == AwaitingComp)
                {
                    Release(i);
                    return;
                }
            }

            if (type == MqttPacketType.PubRec)
            {
                WriteAck(MqttPacketType.PubRel, id); // a PUBREC for a flow we no longer hold: finish it on the broker's side
            }
        }

        private void Release(int slot)
        {
            _outState[slot] = Free;
            _outSent[slot] = false;
            _outCount--;
        }

        private void SubscriptionAcknowledged(MqttPacketType type)
        {
            for (int i = 0; i < _subState.Length; i++)
            {
                if (_subId[i] != _packet.PacketId)
                {
                    continue;
                }

                if (type == MqttPacketType.SubAck && _subState[i] == SubscribeSent)
                {
                    int code = _packet.Buffer[_packet.ListOffset];
                    _subState[i] = code >= 0x80 ? Free : SubscribeDone; // 3.1.1 section 3.9.3: 0x80 is failure
                    return;
                }

                if (type == MqttPacketType.UnsubAck && _subState[i] == UnsubscribeSent)
                {
                    _subState[i] = Free;
                    return;
                }
            }
        }

        /// <summary>Copies stored QoS 1/2 packets not yet sent on this connection into the output, oldest first.</summary>
        private bool SendStored()
        {
            bool worked = false;
            while (true)
            {
                int next = -1;
                for (int i = 0; i < _outState.Length; i++)
                {
                    if (_outState[i] != Free && !_outSent[i] && (next < 0 || _outOrder[i] - _outOrder[next] < 0))
                    {
                        next = i;
                    }
                }

                if (next < 0)
                {
                    return worked;
                }

                int length = _outLength[next];
                if (!Attach(length))
                {
                    Flush();
                    if (!Attach(length))
                    {
                        return worked;
                    }
                }

                System.Array.Copy(_outStore, next * _maximumPacket, _tx, _txEnd, length);
                _txEnd += length;
                _outSent[next] = true;
                _lastSent = _clock.NowMilliseconds;
                worked = true;
            }
        }

        private bool SendSubscriptions()
        {
            bool worked = false;
            for (int i = 0; i < _subState.Length; i++)
            {
                int state = _subState[i];
                if (state != SubscribePending && state != UnsubscribePending)
                {
                    continue;
                }

                if (!Attach(_maximumTopic + 16))
                {
                    return worked;
                }

                int id = NextPacketId();
                _subId[i] = id;
                if (state == SubscribePending)
                {
                    _writer.WriteSubscribe(id, _subFilter, i * _maximumTopic, _subLength[i], _subQos[i]);
                    _subState[i] = SubscribeSent;
                }
                else
                {
                    _writer.WriteUnsubscribe(id, _subFilter, i * _maximumTopic, _subLength[i]);
                    _subState[i] = UnsubscribeSent;
                }

                Commit();
                worked = true;
            }

            return worked;
        }

        /// <summary>
        /// 3.1.1 section 3.1.2.10: a PINGREQ when the keep-alive passed without a packet either way, and the connection
        /// closed when no answer comes in the ping timeout (the broker went silent).
        /// </summary>
        private bool KeepAlive(long now)
        {
            if (_keepAliveMs <= 0)
            {
                return false;
            }

            if (_pingDeadline != 0)
            {
                if (now - _pingDeadline >= 0)
                {
                    Lose(MqttError.Timeout);
                    return true;
                }

                return false;
            }

            long oldest = _lastSent < _lastReceived ? _lastSent : _lastReceived;
            if (now - oldest < _keepAliveMs || !Attach(2))
            {
                return false;
            }

            _writer.WriteEmpty(MqttPacketType.PingReq);
            Commit();
            PingsSent++;
            int timeout = _options.PingTimeoutMs > 0 ? _options.PingTimeoutMs : _keepAliveMs / 2;
            _pingDeadline = now + (timeout < 1000 ? 1000 : timeout);
            if (_pingDeadline == 0)
            {
                _pingDeadline = 1;
            }

            return true;
        }

        private void WriteAck(MqttPacketType type, int id)
        {
            if (Attach(4))
            {
                _writer.WriteAck(type, id, 0);
                Commit();
            }
        }

        /// <summary>Points the writer at the free end of the output buffer, compacting it; false when fewer than <paramref name="size"/> bytes are free.</summary>
        private bool Attach(int size)
        {
            if (_txStart == _txEnd)
            {
                _txStart = 0;
                _txEnd = 0;
            }
            else if (_tx.Length - _txEnd < size && _txStart > 0)
            {
                System.Array.Copy(_tx, _txStart, _tx, 0, _txEnd - _txStart);
                _txEnd -= _txStart;
                _txStart = 0;
            }

            if (_tx.Length - _txEnd < size)
            {
                return false;
            }

            _writer.Attach(_tx, _txEnd, _tx.Length, _version);
            return true;
        }

        private void Commit()
        {
            _txEnd = _writer.Position;
            _lastSent = _clock.NowMilliseconds;
        }

        /// <summary>Hands the output buffer to the socket, as much as it takes.</summary>
        private bool Flush()
        {
            if (_txEnd == _txStart || _socket == 0 || State < MqttClientState.AwaitingConnAck)
            {
                return false;
            }

            int sent;
            SocketResult result = _sockets.SendSome(_socket, _tx, _txStart, _txEnd - _txStart, out sent);
            if (result == SocketResult.Success || result == SocketResult.WouldBlock)
            {
                _txStart += sent;
                return sent > 0;
            }

            Lose(MqttError.ConnectionLost);
            return true;
        }

        private int NextPacketId()
        {
            // 3.1.1 section 2.3.1: non-zero, and not one in use.
            for (int attempt = 0; attempt < 65536; attempt++)
            {
                int id = _nextId;
                _nextId = _nextId >= 65535 ? 1 : _nextId + 1;
                if (!IdInUse(id))
                {
                    return id;
                }
            }

            return 1;
        }

        private bool IdInUse(int id)
        {
            for (int i = 0; i < _outState.Length; i++)
            {
                if (_outState[i] != Free && _outId[i] == id)
                {
                    return true;
                }
            }

            for (int i = 0; i < _subState.Length; i++)
            {
                if ((_subState[i] == SubscribeSent || _subState[i] == UnsubscribeSent) && _subId[i] == id)
                {
                    return true;
                }
            }

            return false;
        }

        private int FindSubscription(byte[] filter, int offset, int length)
        {
            for (int i = 0; i < _subState.Length; i++)
            {
                if (_subState[i] == Free || _subLength[i] != length)
                {
                    continue;
                }

                if (MqttTopic.Equal(_subFilter, i * _maximumTopic, filter, offset, length))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The connection is gone (or failed to come up): close it and reconnect after the back-off.</summary>
        private void Lose(MqttError error)
        {
            if (State == MqttClientState.Connected)
            {
                ConnectionsLost++;
            }

            Retry(error);
        }

        /// <summary>Randomised exponential back-off: between half and all of minimum * 2^(failures - 1), capped at the maximum.</summary>
        private void Retry(MqttError error)
        {
            LastError = error;
            CloseSocket();
            long delay = _options.ReconnectMinimumMs;
            for (int i = 1; i < _attempts && delay < _options.ReconnectMaximumMs; i++)
            {
                delay *= 2;
            }

            if (delay > _options.ReconnectMaximumMs)
            {
                delay = _options.ReconnectMaximumMs;
            }

            _attempts++;
            long half = delay / 2;
            delay = half + (long)(_net.NextRandom() % (uint)(half + 1));
            State = MqttClientState.Waiting;
            _deadline = _clock.NowMilliseconds + delay;
            _rxCount = 0;
            _txStart = 0;
            _txEnd = 0;
        }

        private void CloseSocket()
        {
            if (_socket != 0)
            {
                _sockets.Close(_socket);
                _socket = 0;
            }
        }
    }
}
