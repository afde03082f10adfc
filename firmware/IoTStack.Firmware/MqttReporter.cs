using IoTStack.Boards;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Firmware
{
    /// <summary>
    /// The demo's MQTT side (issue 17 item 4): every <see cref="StatusIntervalMs"/> it publishes the board's counters to
    /// PREFIX/status (QoS 0, retained), and every message on PREFIX/echo goes back to PREFIX/echo/reply with the same
    /// payload at the QoS it came with. The client keeps a persistent session, so echoes at QoS 1 and 2 survive a broker
    /// restart. Flow control is end to end: the client delivers (and so acknowledges) a message only when its reply can
    /// be published at once (<see cref="MqttClientOptions.ReserveForReplies"/>), and a broker keeps no more messages in
    /// flight to us than the Receive Maximum we announce (MQTT 5.0 section 3.3.4), so a burst of any length is echoed
    /// whole. Mosquitto 2.0.11 (Debian's) miscounts that quota for a client that both acknowledges and publishes QoS 1
    /// (its issues #2301 and #2306, fixed in 2.0.12): measured, up to 757 unacknowledged where we allow 8. The client
    /// then delivers anyway rather than deadlock (<see cref="MqttClient.ForcedDeliveries"/>), and the replies that find
    /// the window full wait in a fixed queue (QoS, length, payload) sent in order as it frees; a reply that does not fit
    /// the queue either is counted in <see cref="EchoesRefused"/>.
    /// </summary>
    public sealed class MqttReporter : IPollable
    {
        private readonly Firmware _firmware;
        private readonly NetStack _stack;
        private readonly IClock _clock;
        private readonly byte[] _statusTopic;
        private readonly byte[] _echoTopic;
        private readonly byte[] _replyTopic;
        private readonly AsciiWriter _status;
        private readonly IMqttTransport _transport;
        private long _nextStatus;
        private readonly byte[] _replies;
        private int _repliesStart;
        private int _repliesEnd;
        private readonly MqttClientOptions _options;
        private readonly string _brokerName;
        private readonly DnsResolver _resolver;
        private int _lookup = -1;
        private long _lookupDue;
        private bool _started;
        private bool _lookingUp;

        public MqttReporter(BoardNetwork network, Firmware firmware)
            : this(network, firmware, null)
        {
        }

        /// <param name="transport">The engine MQTT runs over instead of the board's (TLS); null for the board's own. Required when the settings ask for TLS.</param>
        public MqttReporter(BoardNetwork network, Firmware firmware, IMqttTransport transport)
        {
            BoardSettings settings = network.Settings;
            if (network.Interface == null)
            {
                throw new System.ArgumentException("the MQTT client needs the engine's INetInterface (clock, random numbers)");
            }

            if (settings.MqttTls && transport == null)
            {
                throw new System.ArgumentException("BoardSettings.MqttTls needs a TLS transport for MQTT (IoTStack.Firmware.Tls's MqttTls)");
            }

            _transport = transport;
            // The thirteen counters at their largest take 384 bytes; a transport's state (TLS: version, suite, group, errors) up to 160 more.
            _status = new AsciiWriter(new byte[transport == null ? 384 : 544]);

            _firmware = firmware;
            _stack = network.Stack;
            _clock = network.Clock;
            string prefix = settings.MqttPrefix == null || settings.MqttPrefix.Length == 0 ? "board" : settings.MqttPrefix;
            _statusTopic = MqttTopic.Encode(prefix + "/status");
            _echoTopic = MqttTopic.Encode(prefix + "/echo");
            _replyTopic = MqttTopic.Encode(prefix + "/echo/reply");
            MqttClientOptions options = new MqttClientOptions();
            // MQTT 5.0: the broker must keep no more QoS 1/2 messages in flight to us than the Receive Maximum we announce
            // (5.0 section 3.3.4), which is what lets an echo hold a message until its reply fits without ever blocking
            // the acknowledgements behind it. 3.1.1 has no such bound in the protocol (Mosquitto's max_inflight_messages, 20 by default).
            options.Version = 5;
            options.ReserveForReplies = true;
            options.Qos2IdentifierBitmap = !settings.SmallTables; // 8 KB: exactly once whatever the broker sends
            options.OutgoingTopicAliases = 2; // PREFIX/status and PREFIX/echo/reply at QoS 0 go by a 2-byte alias (5.0 section 3.3.2.3.4)
            options.BrokerAddress = settings.MqttBroker.Value;
            options.BrokerPort = settings.MqttPort;
            options.ClientId = "iotstack-" + prefix;
            options.CleanSession = false;
            options.SessionExpirySeconds = 3600;
            options.KeepAliveSeconds = settings.MqttKeepAliveSeconds;
            options.MaximumPacketSize = settings.SmallTables ? 512 : 1024;
            options.InFlight = settings.SmallTables ? 2 : 8;
            options.Subscriptions = 1;
            _replies = new byte[settings.SmallTables ? 1024 : 16384];
            options.ReconnectMinimumMs = 500;
            options.ReconnectMaximumMs = 30000;
            options.WillTopic = prefix + "/status";
            options.WillPayload = MqttTopic.Encode("offline");
            options.WillRetain = true;
            _options = options;
            _brokerName = settings.MqttBrokerName;
            if (_brokerName != null)
            {
                if (network.Services == null)
                {
                    throw new System.ArgumentException("BoardSettings.MqttBrokerName needs the board's DNS resolver (a DNS server, DHCP or, for .local, a host name)");
                }

                _resolver = network.Services.Dns;
            }

            Client = new MqttClient(transport == null ? network.Engine : transport.Engine, network.Interface, options);
            Client.MessageReceived += OnMessage;
            StatusIntervalMs = 5000;
            if (Client.Subscribe(_echoTopic, 2) != MqttResult.Success)
            {
                throw new System.ArgumentException("BoardSettings.MqttPrefix makes a topic longer than the client keeps");
            }
        }

        public MqttClient Client { get; private set; }

        /// <summary>The engine MQTT runs over when it is not the board's own (TLS), or null.</summary>
        public IMqttTransport Transport
        {
            get { return _transport; }
        }

        public int StatusIntervalMs { get; set; }

        /// <summary>Status messages published, echoes answered, and lookups of the broker's name that failed (each retried after 2 s).</summary>
        public int StatusPublished;
        public int BrokerLookupsFailed;
        public int Echoes;
        public int EchoesRefused;

        /// <summary>Connects to the broker; a broker given by name is looked up first (on the next polls).</summary>
        public void Start()
        {
            if (_brokerName == null)
            {
                _started = true;
                Client.Start();
                return;
            }

            _lookupDue = _clock.NowMilliseconds;
            _lookingUp = true;
        }

        /// <summary>Replies waiting for the in-flight window.</summary>
        public bool RepliesWaiting
        {
            get { return _repliesEnd > _repliesStart; }
        }

        public bool Poll()
        {
            if (!_started)
            {
                return _lookingUp && LookUpBroker();
            }

            // The transport's records move first, so the client sees what arrived; what it then sends is flushed by the
            // transport's Send at once, or by the next poll.
            bool worked = _transport != null && _transport.Poll();
            worked |= Client.Poll();
            worked |= SendReplies();
            long now = _clock.NowMilliseconds;
            if (Client.IsConnected && now - _nextStatus >= 0)
            {
                _nextStatus = now + StatusIntervalMs;
                WriteStatus();
                if (Client.Publish(_statusTopic, _status.Buffer, 0, _status.Length, 0, true) == MqttResult.Success)
                {
                    StatusPublished++;
                }

                worked = true;
            }

            return worked;
        }

        public int PollDelay()
        {
            if (!_started)
            {
                return LookupDelay();
            }

            int delay = Client.PollDelay();
            if (_transport != null)
            {
                int transport = _transport.PollDelay();
                delay = transport < delay ? transport : delay;
            }

            if (Client.IsConnected)
            {
                long until = _nextStatus - _clock.NowMilliseconds;
                if (until < delay)
                {
                    delay = until <= 0 ? 0 : (int)until;
                }
            }

            return delay;
        }

        /// <summary>
        /// The broker's name to an address through the board's resolver (DNS, or mDNS for NAME.local), once, before the first
        /// connection; a failed lookup (no server yet while DHCP binds, a timeout, NXDOMAIN) is tried again 2 s later. The
        /// client then reconnects to that address for as long as it runs.
        /// </summary>
        private bool LookUpBroker()
        {
            long now = _clock.NowMilliseconds;
            if (_lookup < 0)
            {
                if (now - _lookupDue < 0)
                {
                    return false;
                }

                if (_resolver.Resolve(_brokerName, out _lookup) != SocketResult.Success)
                {
                    _lookup = -1;
                    BrokerLookupsFailed++;
                    _lookupDue = now + 2000;
                }

                return true;
            }

            IPv4Address address;
            DnsStatus status = _resolver.GetStatus(_lookup, out address);
            if (status == DnsStatus.Pending)
            {
                return false;
            }

            _resolver.Release(_lookup);
            _lookup = -1;
            if (status != DnsStatus.Resolved || address.IsAny)
            {
                BrokerLookupsFailed++;
                _lookupDue = now + 2000;
                return true;
            }

            _options.BrokerAddress = address.Value;
            _lookingUp = false;
            _started = true;
            Client.Start();
            return true;
        }

        private int LookupDelay()
        {
            if (!_lookingUp)
            {
                return 1000;
            }

            if (_lookup >= 0)
            {
                return 20;
            }

            long until = _lookupDue - _clock.NowMilliseconds;
            return until <= 0 ? 0 : (until > 1000 ? 1000 : (int)until);
        }

        private void WriteStatus()
        {
            _status.Clear();
            _status.Text("{\"requests\":").Number(_firmware.Requests);
            _status.Text(",\"sessions\":").Number(_firmware.SessionsInUse);
            _status.Text(",\"echoes\":").Number(Echoes);
            _status.Text(",\"echoes_refused\":").Number(EchoesRefused);
            _status.Text(",\"forced_deliveries\":").Number(Client.ForcedDeliveries);
            _status.Text(",\"mqtt_sent\":").Number(Client.MessagesSent);
            _status.Text(",\"mqtt_received\":").Number(Client.MessagesReceived);
            _status.Text(",\"mqtt_connections\":").Number(Client.Connections);
            _status.Text(",\"mqtt_duplicates\":").Number(Client.DuplicatesDropped);
            _status.Text(",\"mqtt_in_flight\":").Number(Client.InFlightCount);
            _status.Text(",\"mqtt_qos2_evicted\":").Number(Client.Qos2IdentifiersEvicted);
            if (_stack != null)
            {
                _status.Text(",\"frames_in\":").Number(_stack.Counters[Counter.FramesReceived]);
                _status.Text(",\"frames_out\":").Number(_stack.Counters[Counter.FramesSent]);
            }

            if (_transport != null)
            {
                _transport.WriteStatus(_status);
            }

            _status.Text("}");
        }

        private void OnMessage(MqttClient sender, MqttMessage message)
        {
            if (!message.TopicIs(_echoTopic))
            {
                return;
            }

            if (!RepliesWaiting
                && sender.Publish(_replyTopic, message.Buffer, message.PayloadOffset, message.PayloadLength, message.Qos, false) == MqttResult.Success)
            {
                Echoes++;
                return;
            }

            int length = message.PayloadLength;
            if (_replies.Length - _repliesEnd < length + 3 && _repliesStart > 0)
            {
                System.Array.Copy(_replies, _repliesStart, _replies, 0, _repliesEnd - _repliesStart);
                _repliesEnd -= _repliesStart;
                _repliesStart = 0;
            }

            if (_replies.Length - _repliesEnd < length + 3)
            {
                EchoesRefused++;
                return;
            }

            _replies[_repliesEnd] = (byte)message.Qos;
            _replies[_repliesEnd + 1] = (byte)(length >> 8);
            _replies[_repliesEnd + 2] = (byte)length;
            System.Array.Copy(message.Buffer, message.PayloadOffset, _replies, _repliesEnd + 3, length);
            _repliesEnd += length + 3;
        }

        /// <summary>Publishes waiting replies, oldest first, while the client takes them.</summary>
        private bool SendReplies()
        {
            bool worked = false;
            while (_repliesEnd > _repliesStart)
            {
                int qos = _replies[_repliesStart];
                int length = (_replies[_repliesStart + 1] << 8) | _replies[_repliesStart + 2];
                MqttResult result = Client.Publish(_replyTopic, _replies, _repliesStart + 3, length, qos, false);
                if (result == MqttResult.WouldBlock || result == MqttResult.NotConnected)
                {
                    break;
                }

                if (result == MqttResult.Success)
                {
                    Echoes++;
                }
                else
                {
                    EchoesRefused++;
                }

                _repliesStart += length + 3;
                worked = true;
            }

            if (_repliesStart == _repliesEnd)
            {
                _repliesStart = 0;
                _repliesEnd = 0;
            }

            return worked;
        }
    }
}
