namespace IoTStack.Net.Mqtt
{
    /// <summary>
    /// What an <see cref="MqttClient"/> connects to, as whom, and every size it takes at construction (DESIGN.md rule 2):
    /// nothing grows afterwards, and what does not fit is refused with a code.
    /// </summary>
    public sealed class MqttClientOptions
    {
        /// <summary>4 for MQTT 3.1.1, 5 for MQTT 5.0.</summary>
        public int Version = 4;

        /// <summary>The broker as <see cref="Wire.IPv4Address.Value"/>.</summary>
        public uint BrokerAddress;

        public int BrokerPort = 1883;

        public string ClientId = "iotstack";

        public string UserName;

        public string Password;

        /// <summary>
        /// 3.1.1's CleanSession, 5.0's Clean Start. False keeps a persistent session on the broker: subscriptions and QoS 1/2
        /// messages survive a reconnect (3.1.1 section 3.1.2.4); on 5.0 give <see cref="SessionExpirySeconds"/> too.
        /// </summary>
        public bool CleanSession = true;

        /// <summary>Seconds between control packets before a PINGREQ (3.1.1 section 3.1.2.10); 0 turns keep-alive off.</summary>
        public int KeepAliveSeconds = 60;

        /// <summary>How long to wait for PINGRESP before the broker counts as gone; 0 for half the keep-alive (at least 1 s).</summary>
        public int PingTimeoutMs;

        /// <summary>From the start of the TCP connection to CONNACK.</summary>
        public int ConnectTimeoutMs = 10000;

        /// <summary>The largest packet sent or received, fixed header included: the size of the receive buffer and each in-flight slot.</summary>
        public int MaximumPacketSize = 1024;

        /// <summary>Outgoing QoS 1/2 messages unacknowledged at once (the in-flight window), and incoming QoS 2 ones held.</summary>
        public int InFlight = 4;

        /// <summary>
        /// Hold every incoming QoS 2 identifier until its PUBREL in a bitmap of all 65,535 (8 KB) instead of
        /// <see cref="InFlight"/> slots: exactly once even from a broker that sends over our Receive Maximum (Mosquitto
        /// 2.0.11 does, hundreds at a time after a restart), where the slots would have to forget the oldest identifiers.
        /// </summary>
        public bool Qos2IdentifierBitmap;

        /// <summary>Topic filters the client keeps subscribed (and subscribes again after a reconnect without a session).</summary>
        public int Subscriptions = 4;

        /// <summary>The longest topic filter kept, and (5.0) the longest topic an alias stands for.</summary>
        public int MaximumTopicLength = 64;

        /// <summary>5.0: topic aliases the broker may use towards us (Topic Alias Maximum, 5.0 section 3.1.2.11.5); 0 for none.</summary>
        public int TopicAliases;

        /// <summary>
        /// 5.0: topics we publish at QoS 0 under an alias (5.0 section 3.3.2.3.4), up to the broker's Topic Alias Maximum: the
        /// first PUBLISH to a topic carries name and alias, the next ones the alias alone (2 bytes for the name). Aliases
        /// last one connection, so QoS 1/2 messages, which may be resent on the next, always carry their name. 0 for none.
        /// </summary>
        public int OutgoingTopicAliases;

        /// <summary>5.0: Session Expiry Interval (5.0 section 3.1.2.11.2); 0 ends the session with the connection.</summary>
        public long SessionExpirySeconds;

        public string WillTopic;

        public byte[] WillPayload;

        public int WillQos;

        public bool WillRetain;

        /// <summary>The first reconnect delay; each failure doubles it up to <see cref="ReconnectMaximumMs"/>, randomised to between half and all of it.</summary>
        public int ReconnectMinimumMs = 1000;

        public int ReconnectMaximumMs = 60000;

        /// <summary>
        /// Deliver a received message only when a reply of the largest size could be published from the handler (a free
        /// in-flight slot and room to send): what an application that answers every message (an echo) needs so that its
        /// replies are never refused. Acknowledgements behind a held message are still read; the receive buffer then holds
        /// InFlight + 1 packets, so the broker must keep no more than InFlight QoS 1/2 messages in flight to the client (it
        /// must on 5.0, where InFlight is the Receive Maximum announced, and Mosquitto 2.0.11 does; on 3.1.1 set Mosquitto's
        /// max_inflight_messages). A broker that sends more fills the buffer; then the oldest message is delivered anyway
        /// (MqttClient.ForcedDeliveries), so the connection never deadlocks.
        /// </summary>
        public bool ReserveForReplies;
    }
}
