namespace IoTStack.Net.Mqtt
{
    /// <summary>The control packet types (MQTT 3.1.1 section 2.2.1, MQTT 5.0 section 2.1.2); 0 is reserved, AUTH is 5.0 only.</summary>
    public enum MqttPacketType
    {
        Reserved = 0,
        Connect = 1,
        ConnAck = 2,
        Publish = 3,
        PubAck = 4,
        PubRec = 5,
        PubRel = 6,
        PubComp = 7,
        Subscribe = 8,
        SubAck = 9,
        Unsubscribe = 10,
        UnsubAck = 11,
        PingReq = 12,
        PingResp = 13,
        Disconnect = 14,
        Auth = 15
    }
}
