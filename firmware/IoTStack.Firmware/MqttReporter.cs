using IoTStack.Boards;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;

namespace IoTStack.Firmware
{
    /// <summary>
    /// The demo's MQTT side (issue 17 item 4): every <see cref="StatusIntervalMs"/> it publishes the board's counters to
    /// PREFIX/status (QoS 0, retained), and every message on PREFIX/echo goes back to PREFIX/echo/reply with the same
    /// payload at the QoS it came with. The client keeps a persistent session, so echoes at QoS 1 and 2 survive a broker
    /// restart. A reply that does not fit the client's in-flight window now waits in a fixed queue of replies (its QoS,
    /// length and payload), sent in order as the window frees: a broker may send far more messages than the Receive
    /// Maximum we announce (Mosquitto 2.0.11 does), and the client never holds a message back, which could deadlock the
    /// acknowledgements behind it. A reply that does not fit the queue either is counted in <see cref="EchoesRefused"/>.
    /// </summary>
    public sealed class MqttReporter : IPollable
    {
        private readonly Firmware _firmware;
        private readonly NetStack _stack;
        private readonly IClock _clock;
        private readonly byte[] _statusTopic;
        private readonly byte[] _echoTopic;
        private readonly byte[] _replyTopic;
        private readonly AsciiWriter _status = new AsciiWriter(new byte[200]);
        private long _nextStatus;
        private readonly byte[] _replies;
        private int _repliesStart;
        private int _repliesEnd;

        public MqttReporter(BoardNetwork network, Firmware firmware)
        {
            BoardSettings settings = network.Settings;
            if (network.Interface == null)
            {
                throw new System.ArgumentException("the MQTT client needs the engine's INetInterface (clock, random numbers)");
            }

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
            // the acknowledgements behind it. 3.1.1 has no such bound (Mosquitto 2.0.11 sent us hundreds unacknowledged).
            options.Version = 5;
            options.BrokerAddress = settings.MqttBroker.Value;
            options.BrokerPort = settings.MqttPort;
            options.ClientId = "iotstack-" + prefix;
            options.CleanSession = false;
            options.SessionExpirySeconds = 3600;
            options.KeepAliveSeconds = 30;
            options.MaximumPacketSize = settings.SmallTables ? 512 : 1024;
            options.InFlight = settings.SmallTables ? 2 : 8;
            options.Subscriptions = 1;
            _replies = new byte[settings.SmallTables ? 1024 : 16384];
            options.ReconnectMinimumMs = 500;
            options.ReconnectMaximumMs = 30000;
            options.WillTopic = prefix + "/status";
            options.WillPayload = MqttTopic.Encode("offline");
            options.WillRetain = true;
            Client = new MqttClient(network.Engine, network.Interface, options);
            Client.MessageReceived += OnMessage;
            StatusIntervalMs = 5000;
            if (Client.Subscribe(_echoTopic, 2) != MqttResult.Success)
            {
                throw new System.ArgumentException("BoardSettings.MqttPrefix makes a topic longer than the client keeps");
            }
        }

        public MqttClient Client { get; private set; }

        public int StatusIntervalMs { get; set; }

        /// <summary>Status messages published, and echoes answered.</summary>
        public int StatusPublished;
        public int Echoes;
        public int EchoesRefused;

        public void Start()
        {
            Client.Start();
        }

        /// <summary>Replies waiting for the in-flight window.</summary>
        public bool RepliesWaiting
        {
            get { return _repliesEnd > _repliesStart; }
        }

        public bool Poll()
        {
            bool worked = Client.Poll();
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
            int delay = Client.PollDelay();

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

        private void WriteStatus()
        {
            _status.Clear();
            _status.Text("{\"requests\":").Number(_firmware.Requests);
            _status.Text(",\"sessions\":").Number(_firmware.SessionsInUse);
            _status.Text(",\"echoes\":").Number(Echoes);
            _status.Text(",\"mqtt_sent\":").Number(Client.MessagesSent);
            _status.Text(",\"mqtt_received\":").Number(Client.MessagesReceived);
            _status.Text(",\"mqtt_connections\":").Number(Client.Connections);
            if (_stack != null)
            {
                _status.Text(",\"frames_in\":").Number(_stack.Counters[Counter.FramesReceived]);
                _status.Text(",\"frames_out\":").Number(_stack.Counters[Counter.FramesSent]);
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
