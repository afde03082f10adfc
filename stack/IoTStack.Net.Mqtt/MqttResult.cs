namespace IoTStack.Net.Mqtt
{
    /// <summary>What a client call did (DESIGN.md rule 4: codes, not exceptions).</summary>
    public enum MqttResult
    {
        Success = 0,
        /// <summary>No room now: the in-flight window is full, or the output buffer is; poll and call again.</summary>
        WouldBlock,
        /// <summary>Not connected to the broker (QoS 0 is not queued while disconnected).</summary>
        NotConnected,
        /// <summary>The packet would exceed MaximumPacketSize, or the topic MaximumTopicLength.</summary>
        TooLarge,
        /// <summary>A topic name with wildcards, a malformed filter, QoS above 2.</summary>
        InvalidArgument,
        /// <summary>Every one of the options' Subscriptions is taken.</summary>
        NoSubscriptionSlot,
        /// <summary>A blocking call of <see cref="MqttHostClient"/> ran out of time.</summary>
        TimedOut
    }
}
