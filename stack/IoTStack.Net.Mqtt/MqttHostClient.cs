using IoTStack.Net.Sockets;

namespace IoTStack.Net.Mqtt
{
    /// <summary>
    /// Blocking MQTT calls with timeouts for application threads (issue 17 item 3), in the shape nanoFramework's M2Mqtt gives
    /// them: Connect, Publish (returning once the broker has the message at its QoS), Subscribe (returning once the SUBACK
    /// came), Disconnect, and the client's MessageReceived event, raised on the poll thread. The <see cref="MqttClient"/>
    /// must be among the pollables the host was made with, so the host's
    /// thread moves its packets; every call here takes the host's <see cref="NetHost.SyncRoot"/> while it touches the client.
    /// </summary>
    public sealed class MqttHostClient
    {
        private readonly NetHost _host;

        public MqttHostClient(NetHost host, MqttClient client)
        {
            if (host == null || client == null)
            {
                throw new System.ArgumentNullException(host == null ? "host" : "client");
            }

            _host = host;
            Client = client;
        }

        public MqttClient Client { get; private set; }

        /// <summary>Starts the client and waits until the broker accepted the CONNECT; false after the timeout (the client keeps trying: see <see cref="MqttClient.LastError"/>).</summary>
        public bool Connect(int timeoutMs)
        {
            lock (_host.SyncRoot)
            {
                Client.Start();
            }

            return WaitConnected(timeoutMs);
        }

        /// <summary>
        /// Publishes and waits: at QoS 0 until the message is queued, at QoS 1 until PUBACK, at QoS 2 until PUBCOMP (MQTT 3.1.1
        /// section 4.3). TimedOut when the window stays full or the acknowledgement does not come in time; the message then
        /// stays with the client, which still delivers it (it is resent after a reconnect).
        /// </summary>
        public MqttResult Publish(byte[] topic, byte[] payload, int offset, int count, int qos, bool retain, int timeoutMs)
        {
            long start = _host.Clock.NowMilliseconds;
            int packetId;
            while (true)
            {
                MqttResult result;
                lock (_host.SyncRoot)
                {
                    result = Client.Publish(topic, payload, offset, count, qos, retain);
                    packetId = Client.LastPacketId;
                }

                if (result != MqttResult.WouldBlock && result != MqttResult.NotConnected)
                {
                    if (result != MqttResult.Success || qos == 0)
                    {
                        return result;
                    }

                    break;
                }

                if (!_host.WaitForActivity(start, timeoutMs))
                {
                    return MqttResult.TimedOut;
                }
            }

            while (true)
            {
                lock (_host.SyncRoot)
                {
                    if (!Client.IsInFlight(packetId))
                    {
                        return MqttResult.Success;
                    }
                }

                if (!_host.WaitForActivity(start, timeoutMs))
                {
                    return MqttResult.TimedOut;
                }
            }
        }

        /// <summary>Subscribes and waits for the broker's SUBACK; TimedOut otherwise (the subscription stays and is sent when it can be).</summary>
        public MqttResult Subscribe(byte[] filter, int qos, int timeoutMs)
        {
            long start = _host.Clock.NowMilliseconds;
            MqttResult result;
            lock (_host.SyncRoot)
            {
                result = Client.Subscribe(filter, qos);
            }

            if (result != MqttResult.Success)
            {
                return result;
            }

            while (true)
            {
                lock (_host.SyncRoot)
                {
                    if (Client.IsSubscribed(filter))
                    {
                        return MqttResult.Success;
                    }
                }

                if (!_host.WaitForActivity(start, timeoutMs))
                {
                    return MqttResult.TimedOut;
                }
            }
        }

        /// <summary>Sends DISCONNECT (the will is not published) and closes the connection.</summary>
        public void Disconnect()
        {
            lock (_host.SyncRoot)
            {
                Client.Disconnect();
            }
        }

        private bool WaitConnected(int timeoutMs)
        {
            long start = _host.Clock.NowMilliseconds;
            while (true)
            {
                lock (_host.SyncRoot)
                {
                    if (Client.IsConnected)
                    {
                        return true;
                    }
                }

                if (!_host.WaitForActivity(start, timeoutMs))
                {
                    return false;
                }
            }
        }
    }
}
