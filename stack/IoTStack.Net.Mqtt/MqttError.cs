namespace IoTStack.Net.Mqtt
{
    /// <summary>
    /// What <see cref="MqttPacket.Parse"/> found wrong with bytes off the wire (DESIGN.md rule 5: bad input is data, never a
    /// throw), and what the client last failed on. Every value except None and Incomplete is a malformed packet or a
    /// protocol error, after which the client closes the network connection (3.1.1 section 4.8, 5.0 section 4.13).
    /// </summary>
    public enum MqttError
    {
        None = 0,
        /// <summary>Not all of the packet is there yet: read more.</summary>
        Incomplete,
        /// <summary>The remaining length takes more than 4 bytes or is not minimally encoded (3.1.1 section 2.2.3, 5.0 section 1.5.5).</summary>
        BadRemainingLength,
        /// <summary>The packet is larger than the buffer it must fit (the options' MaximumPacketSize).</summary>
        TooLarge,
        /// <summary>Type 0, or AUTH on 3.1.1.</summary>
        UnknownType,
        /// <summary>Fixed-header flags other than the type requires (3.1.1 section 2.2.2), or reserved bits set.</summary>
        BadFlags,
        /// <summary>A length inside the packet runs past its end, or the remaining length is wrong for the type.</summary>
        BadLength,
        /// <summary>A string is not well-formed UTF-8 or holds U+0000 (3.1.1 section 1.5.3, 5.0 section 1.5.4).</summary>
        BadUtf8,
        /// <summary>A topic name with a wildcard or empty, or a malformed topic filter (section 4.7).</summary>
        BadTopic,
        /// <summary>QoS 3 (3.1.1 section 3.3.1.2).</summary>
        BadQos,
        /// <summary>Packet identifier 0 where one is required (3.1.1 section 2.3.1).</summary>
        BadPacketId,
        /// <summary>An unknown 5.0 property, one twice that may appear once, or one on the wrong packet (5.0 section 2.2.2.2).</summary>
        BadProperty,
        /// <summary>A packet a client never receives (CONNECT, SUBSCRIBE, ...), or one out of order.</summary>
        UnexpectedPacket,
        /// <summary>A 5.0 topic alias of 0, above the maximum we announced, or not yet set (5.0 section 3.3.2.3.4).</summary>
        BadTopicAlias,
        /// <summary>The broker sent more QoS 1/2 messages than the receive maximum we announced (5.0 section 3.3.4).</summary>
        ReceiveMaximumExceeded,
        /// <summary>The broker refused the CONNECT (the reason is in <see cref="MqttClient.LastReasonCode"/>).</summary>
        Refused,
        /// <summary>No CONNACK, or no PINGRESP, in time: the broker went silent (3.1.1 section 3.1.2.10).</summary>
        Timeout,
        /// <summary>The network connection failed or closed.</summary>
        ConnectionLost,
        /// <summary>The broker sent DISCONNECT (5.0).</summary>
        ServerDisconnect
    }
}
