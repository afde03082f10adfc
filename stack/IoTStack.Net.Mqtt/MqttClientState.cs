namespace IoTStack.Net.Mqtt
{
    public enum MqttClientState
    {
        /// <summary>Not started, or stopped by <see cref="MqttClient.Disconnect"/>.</summary>
        Stopped = 0,
        /// <summary>Waiting out the reconnect back-off.</summary>
        Waiting,
        /// <summary>TCP connection being opened.</summary>
        Connecting,
        /// <summary>CONNECT sent, waiting for CONNACK.</summary>
        AwaitingConnAck,
        Connected
    }
}
