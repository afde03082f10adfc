namespace IoTStack.Net.Mqtt
{
    /// <summary>
    /// A received PUBLISH as the handler sees it: offsets into the client's receive buffer, valid only during the call
    /// (copy what you keep). One instance is reused for every message, so receiving allocates nothing (DESIGN.md rule 2).
    /// </summary>
    public sealed class MqttMessage
    {
        public byte[] Buffer;
        public int TopicOffset;
        public int TopicLength;
        public int PayloadOffset;
        public int PayloadLength;
        public int Qos;
        public bool Retain;
        public bool Duplicate;
        public int PacketId;

        /// <summary>Whether the topic is <paramref name="topic"/>, byte for byte.</summary>
        public bool TopicIs(byte[] topic)
        {
            if (topic == null || topic.Length != TopicLength)
            {
                return false;
            }

            for (int i = 0; i < TopicLength; i++)
            {
                if (Buffer[TopicOffset + i] != topic[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The topic as a string: allocates, for logs and tests.</summary>
        public string Topic()
        {
            char[] chars = new char[TopicLength];
            for (int i = 0; i < TopicLength; i++)
            {
                chars[i] = (char)Buffer[TopicOffset + i];
            }

            return new string(chars);
        }
    }

    /// <summary>One call per received message, as nanoFramework's M2Mqtt raises MqttMsgPublishReceived.</summary>
    public delegate void MqttMessageHandler(MqttClient sender, MqttMessage message);
}
