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
    /// restart; it holds a message until its reply fits (<see cref="MqttClientOptions.ReserveForReplies"/>).
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
            options.BrokerAddress = settings.MqttBroker.Value;
            options.BrokerPort = settings.MqttPort;
            options.ClientId = "iotstack-" + prefix;
            options.CleanSession = false;
            options.SessionExpirySeconds = 3600;
            options.KeepAliveSeconds = 30;
            options.MaximumPacketSize = settings.SmallTables ? 512 : 1024;
            options.InFlight = settings.SmallTables ? 2 : 8;
            options.Subscriptions = 1;
            options.ReserveForReplies = true;
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

        public bool Poll()
        {
            bool worked = Client.Poll();
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

            if (sender.Publish(_replyTopic, message.Buffer, message.PayloadOffset, message.PayloadLength, message.Qos, false) == MqttResult.Success)
            {
                Echoes++;
            }
            else
            {
                EchoesRefused++; // only a QoS 0 echo when the output is full, or a payload too large to answer
            }
        }
    }
}
