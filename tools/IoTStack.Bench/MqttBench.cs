using System.Diagnostics;
using System.Text;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Bench;

/// <summary>
/// Figure 9 (issue 17): the MQTT client publishing as fast as it may, on a stack joined by a cable to a broker that takes
/// every message (CONNACK, PUBACK, PUBREC/PUBCOMP) on a second stack, in wall time. The desktop's rate, not a board's: the
/// board's cost per message is the cost model's MQTT paths (IL per message on nanoCLR).
/// </summary>
public static class MqttBench
{
    private static readonly IPv4Address Board = new(192, 0, 2, 2);
    private static readonly IPv4Address BrokerAddress = new(192, 0, 2, 1);

    public sealed record Rate(double MessagesPerSecond, long Messages, double Seconds);

    public static Rate Publish(int qos, int messages, int payloadLength = 32)
    {
        var clock = new SystemClock();
        var boardDevice = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 2), 256);
        var brokerDevice = new CrossoverDevice(new MacAddress(2, 0, 0, 0, 0, 1), 256) { Peer = boardDevice };
        boardDevice.Peer = brokerDevice;
        var mask = IPv4Address.MaskFromPrefixLength(24);
        var board = new NetStack(new NetStackOptions(), boardDevice, clock);
        var brokerStack = new NetStack(new NetStackOptions(), brokerDevice, clock);
        board.Configure(Board, mask, IPv4Address.Any);
        brokerStack.Configure(BrokerAddress, mask, IPv4Address.Any);
        var broker = new SinkBroker(brokerStack);
        var client = new MqttClient(board, board, new MqttClientOptions { Version = 5, BrokerAddress = BrokerAddress.Value, KeepAliveSeconds = 60, InFlight = 8 });
        byte[] topic = Encoding.ASCII.GetBytes("board/bench");
        var payload = new byte[payloadLength];

        void Step()
        {
            board.Poll();
            brokerStack.Poll();
            broker.Poll();
            client.Poll();
        }

        client.Start();
        var setup = Stopwatch.StartNew();
        while (!client.IsConnected)
        {
            if (setup.Elapsed.TotalSeconds > 10)
            {
                throw new InvalidOperationException("the client did not connect within 10 s: " + client.LastError);
            }

            Step();
        }

        var watch = Stopwatch.StartNew();
        long sent = 0;
        while (broker.Publishes < messages || client.InFlightCount > 0)
        {
            while (sent < messages && client.Publish(topic, payload, 0, payload.Length, qos, false) == MqttResult.Success)
            {
                sent++;
            }

            Step();
            if (watch.Elapsed.TotalSeconds > 120)
            {
                throw new InvalidOperationException($"{broker.Publishes} of {messages} messages in 120 s");
            }
        }

        double seconds = watch.Elapsed.TotalSeconds;
        return new Rate(messages / seconds, messages, seconds);
    }

    /// <summary>Takes every PUBLISH and acknowledges it as its QoS asks; nothing else.</summary>
    private sealed class SinkBroker
    {
        private readonly NetStack _stack;
        private readonly int _listener;
        private readonly MqttPacket _packet = new();
        private readonly MqttWriter _writer = new();
        private readonly byte[] _rx = new byte[65536];
        private readonly byte[] _tx = new byte[65536];
        private int _connection;
        private int _rxCount;
        private int _txCount;

        public SinkBroker(NetStack stack)
        {
            _stack = stack;
            stack.Open(SocketKind.Stream, IpProtocol.Tcp, out _listener);
            stack.Bind(_listener, IPv4Address.Any, 1883);
            stack.Listen(_listener, 1);
        }

        public long Publishes { get; private set; }

        public void Poll()
        {
            if (_connection == 0)
            {
                if (_stack.Accept(_listener, out int accepted) != SocketResult.Success)
                {
                    return;
                }

                _connection = accepted;
                _stack.SetOption(accepted, SocketOption.NoDelay, 1);
            }

            if (_stack.Receive(_connection, _rx, _rxCount, _rx.Length - _rxCount, out int received) == SocketResult.Success)
            {
                _rxCount += received;
            }

            int at = 0;
            while (_packet.Parse(_rx, at, _rxCount - at, 5, _rx.Length) == MqttError.None)
            {
                _writer.Attach(_tx, _txCount, _tx.Length, 5);
                switch (_packet.Type)
                {
                    case MqttPacketType.Connect:
                        _writer.WriteConnAck(false, 0, 0, 0);
                        break;
                    case MqttPacketType.Publish:
                        Publishes++;
                        if (_packet.Qos > 0)
                        {
                            _writer.WriteAck(_packet.Qos == 1 ? MqttPacketType.PubAck : MqttPacketType.PubRec, _packet.PacketId, 0);
                        }

                        break;
                    case MqttPacketType.PubRel:
                        _writer.WriteAck(MqttPacketType.PubComp, _packet.PacketId, 0);
                        break;
                    case MqttPacketType.PingReq:
                        _writer.WriteEmpty(MqttPacketType.PingResp);
                        break;
                }

                _txCount = _writer.Position;
                at += _packet.TotalLength;
            }

            Array.Copy(_rx, at, _rx, 0, _rxCount - at);
            _rxCount -= at;
            if (_txCount > 0 && _stack.SendSome(_connection, _tx, 0, _txCount, out int taken) == SocketResult.Success)
            {
                Array.Copy(_tx, taken, _tx, 0, _txCount - taken);
                _txCount -= taken;
            }
        }
    }
}
