using System.Text;
using IoTStack.Boards;
using IoTStack.CostModel.Probe;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.CostModel;

/// <summary>
/// The board paths of issue 15, each on a fresh board built as the ESP32 image ships
/// (<see cref="BoardProfiles.ShippedSettings"/> of the DevKitC, static address instead of DHCP) and a peer
/// IoTStack on a virtual switch, in virtual time. Runs inside <see cref="InstrumentedContext"/>: only the board's
/// own calls are counted, and a board poll that finds nothing to do is not counted on the packet paths (the idle
/// poll is its own path).
/// </summary>
public static class Scenarios
{
    public const int BulkBytes = 16 * 1024;
    public const int Echoes = 16;

    public static PathCost[] RunAll(string[] chips, int top)
    {
        var results = new List<PathCost>();
        foreach (string chip in chips)
        {
            results.Add(TcpReceive(chip, top));
            results.Add(TcpSend(chip, top));
            results.Add(UdpEcho(chip, top));
            results.Add(IcmpEcho(chip, top));
            results.Add(ArpReply(chip, top));
            results.Add(IdlePoll(chip, top));
            results.Add(QuietSecond(chip, top));
            results.Add(HttpGet(chip, top));
            results.Add(MqttEcho(chip, top, 0));
            results.Add(MqttEcho(chip, top, 1));
        }

        return [.. results];
    }

    /// <summary>The peer sends <see cref="BulkBytes"/> to the board's discard service (port 9).</summary>
    public static PathCost TcpReceive(string chip, int top)
    {
        var rig = new Rig(chip);
        int client = rig.ConnectPeer(9);
        var data = Pattern(BulkBytes);
        rig.PushThrough(client, data, 2048); // warm-up: windows open, tables filled
        long frames = rig.PeerFramesSent;
        rig.StartCounting();
        rig.PushThrough(client, data, data.Length);
        return rig.Result("TCP bulk receive (discard 9)", rig.PeerFramesSent - frames, data.Length, top);
    }

    /// <summary>The peer reads <see cref="BulkBytes"/> from the board's chargen service (port 19).</summary>
    public static PathCost TcpSend(string chip, int top)
    {
        var rig = new Rig(chip);
        int client = rig.ConnectPeer(19);
        rig.Drain(client, 2048);
        long frames = rig.PeerFramesReceived;
        rig.StartCounting();
        int received = rig.Drain(client, BulkBytes);
        return rig.Result("TCP bulk send (chargen 19)", rig.PeerFramesReceived - frames, received, top);
    }

    /// <summary><see cref="Echoes"/> 64-byte datagrams to the board's UDP echo (port 7), each answered.</summary>
    public static PathCost UdpEcho(string chip, int top)
    {
        var rig = new Rig(chip);
        rig.Peer.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        var datagram = Pattern(64);
        var buffer = new byte[2048];
        for (int i = 0; i <= Echoes; i++)
        {
            if (i == 1)
            {
                rig.StartCounting(); // the first echo resolved the addresses
            }

            rig.Peer.SendTo(socket, datagram, 0, datagram.Length, Rig.BoardIp, 7, out _);
            rig.RunUntil(() => rig.Peer.ReceiveFrom(socket, buffer, 0, buffer.Length, out int n, out _) == SocketResult.Success && n == datagram.Length);
        }

        return rig.Result("UDP 64-byte echo (port 7)", Echoes, Echoes * datagram.Length, top);
    }

    /// <summary><see cref="Echoes"/> pings of 56 bytes from the peer.</summary>
    public static PathCost IcmpEcho(string chip, int top)
    {
        var rig = new Rig(chip);
        for (int i = 0; i <= Echoes; i++)
        {
            if (i == 1)
            {
                rig.StartCounting();
            }

            rig.Peer.StartPing(Rig.BoardIp, 56, 1000, out int ping);
            rig.RunUntil(() => rig.Peer.GetPingStatus(ping, out _) != PingStatus.Pending);
            rig.Peer.EndPing(ping);
        }

        return rig.Result("ICMP 56-byte echo", Echoes, Echoes * 56, top);
    }

    /// <summary><see cref="Echoes"/> ARP requests for the board's address from a third host, each answered.</summary>
    public static PathCost ArpReply(string chip, int top)
    {
        var rig = new Rig(chip);
        VirtualPort prober = rig.Wire.AddPort(Rig.ProberMac);
        byte[] request = ArpRequest();
        var frame = new byte[2048];
        for (int i = 0; i <= Echoes; i++)
        {
            if (i == 1)
            {
                rig.StartCounting();
            }

            prober.Transmit(request, 0, request.Length);
            rig.RunUntil(() => IsArpReply(frame, prober.Receive(frame, 0, frame.Length)));
        }

        return rig.Result("ARP request answered", Echoes, 0, top);
    }

    /// <summary>One thousand firmware polls a millisecond apart with nothing arriving: what the board spends waiting.</summary>
    public static PathCost IdlePoll(string chip, int top)
    {
        var rig = new Rig(chip);
        rig.Settle(2000);
        const int polls = 1000;
        rig.StartCounting();
        for (int i = 0; i < polls; i++)
        {
            rig.PollBoardCounted();
            rig.Clock.Advance(1);
        }

        return rig.Result("Idle firmware poll", polls, 0, top);
    }

    /// <summary>
    /// Ten seconds with nothing arriving, run as the ESP32 and Pi loops now run them (issue 15 item 6): a poll only when
    /// the board's PollDelay has passed or the chip's INT line is low, and PollDelay asked after each (counted too). What
    /// the board spends waiting, per second, against <see cref="IdlePoll"/>'s thousand polls a second.
    /// </summary>
    public static PathCost QuietSecond(string chip, int top)
    {
        var rig = new Rig(chip);
        rig.Settle(2000);
        const int seconds = 10;
        rig.StartCounting();
        rig.RunSleepingLoop(seconds * 1000);
        return rig.Result(QuietSecondPath, seconds, 0, top);
    }

    public const string QuietSecondPath = "Quiet second, loop sleeping to PollDelay";

    /// <summary><see cref="Echoes"/> keep-alive requests for /bytes?n=100 on one connection to port 80.</summary>
    public static PathCost HttpGet(string chip, int top)
    {
        var rig = new Rig(chip);
        int client = rig.ConnectPeer(80);
        byte[] request = Encoding.ASCII.GetBytes("GET /bytes?n=100 HTTP/1.1\r\nHost: board\r\n\r\n");
        long responseBytes = 0;
        for (int i = 0; i <= Echoes; i++)
        {
            if (i == 1)
            {
                rig.StartCounting();
            }

            rig.PushThrough(client, request, request.Length);
            int response = rig.ReadHttpResponse(client);
            if (i > 0)
            {
                responseBytes += response;
            }
        }

        return rig.Result("HTTP keep-alive GET /bytes?n=100", Echoes, responseBytes, top);
    }

    /// <summary>
    /// <see cref="Echoes"/> 32-byte messages from a broker on the peer to the board's PREFIX/echo, each published back on
    /// PREFIX/echo/reply at the QoS it came with (issue 17): per message, the board's whole MQTT exchange through its TCP/IP
    /// and chip. QoS 0: PUBLISH in, PUBLISH out. QoS 1: PUBLISH in, PUBACK out, PUBLISH out, PUBACK in.
    /// </summary>
    public static PathCost MqttEcho(string chip, int top, int qos)
    {
        var rig = new Rig(chip, mqtt: true);
        var broker = new PeerBroker(rig.Peer);
        rig.RunUntil(() =>
        {
            broker.Poll();
            return broker.Subscribed;
        });
        var payload = Pattern(32);
        for (int i = 0; i <= Echoes; i++)
        {
            if (i == 1)
            {
                rig.StartCounting();
            }

            broker.PublishEcho(payload, qos);
            int expected = i + 1;
            rig.RunUntil(() =>
            {
                broker.Poll();
                return broker.Replies == expected && broker.BoardAcks == (qos == 0 ? 0 : expected);
            });
        }

        return rig.Result($"MQTT QoS {qos} echo (32 bytes)", Echoes, Echoes * payload.Length, top);
    }

    /// <summary>A broker on the peer for <see cref="MqttEcho"/>: accepts the board, answers CONNACK (5.0), SUBACK and PUBACK.</summary>
    private sealed class PeerBroker
    {
        private readonly NetStack _peer;
        private readonly int _listener;
        private readonly Net.Mqtt.MqttPacket _packet = new();
        private readonly Net.Mqtt.MqttWriter _writer = new();
        private readonly byte[] _rx = new byte[8192];
        private readonly byte[] _tx = new byte[8192];
        private readonly byte[] _topic = Encoding.ASCII.GetBytes("board/echo");
        private int _connection;
        private int _rxCount;
        private int _nextId = 1;

        public PeerBroker(NetStack peer)
        {
            _peer = peer;
            peer.Open(SocketKind.Stream, IpProtocol.Tcp, out _listener);
            peer.Bind(_listener, IPv4Address.Any, 1883);
            peer.Listen(_listener, 1);
        }

        public bool Subscribed { get; private set; }

        public int Replies { get; private set; }

        public int BoardAcks { get; private set; }

        public void PublishEcho(byte[] payload, int qos)
        {
            _writer.Attach(_tx, 0, _tx.Length, 5);
            _writer.WritePublish(_topic, 0, _topic.Length, payload, 0, payload.Length, qos, false, false, qos == 0 ? 0 : _nextId++, 0);
            Send();
        }

        public void Poll()
        {
            if (_connection == 0)
            {
                if (_peer.Accept(_listener, out int accepted) != SocketResult.Success)
                {
                    return;
                }

                _connection = accepted;
                _peer.SetOption(accepted, SocketOption.NoDelay, 1);
            }

            if (_peer.Receive(_connection, _rx, _rxCount, _rx.Length - _rxCount, out int received) == SocketResult.Success)
            {
                _rxCount += received;
            }

            while (_packet.Parse(_rx, 0, _rxCount, 5, _rx.Length) == Net.Mqtt.MqttError.None)
            {
                _writer.Attach(_tx, 0, _tx.Length, 5);
                switch (_packet.Type)
                {
                    case Net.Mqtt.MqttPacketType.Connect:
                        _writer.WriteConnAck(false, 0, 0, 0);
                        break;
                    case Net.Mqtt.MqttPacketType.Subscribe:
                        _writer.WriteSubAck(Net.Mqtt.MqttPacketType.SubAck, _packet.PacketId, 1);
                        Subscribed = true;
                        break;
                    case Net.Mqtt.MqttPacketType.Publish:
                        if (_packet.TopicLength == _topic.Length + 6)
                        {
                            Replies++;
                        }

                        if (_packet.Qos == 1)
                        {
                            _writer.WriteAck(Net.Mqtt.MqttPacketType.PubAck, _packet.PacketId, 0);
                        }

                        break;
                    case Net.Mqtt.MqttPacketType.PubAck:
                        BoardAcks++;
                        break;
                    case Net.Mqtt.MqttPacketType.PingReq:
                        _writer.WriteEmpty(Net.Mqtt.MqttPacketType.PingResp);
                        break;
                }

                Send();
                int length = _packet.TotalLength;
                Array.Copy(_rx, length, _rx, 0, _rxCount - length);
                _rxCount -= length;
            }
        }

        private void Send()
        {
            if (_writer.Position > 0)
            {
                _peer.SendSome(_connection, _tx, 0, _writer.Position, out _);
            }
        }
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 7 + 3);
        }

        return data;
    }

    private static byte[] ArpRequest()
    {
        var frame = new byte[42];
        for (int i = 0; i < 6; i++)
        {
            frame[i] = 0xFF;
        }

        Rig.ProberMac.Write(frame, 6);
        frame[12] = 0x08; frame[13] = 0x06; // ARP
        frame[14] = 0x00; frame[15] = 0x01; // Ethernet
        frame[16] = 0x08; frame[17] = 0x00; // IPv4
        frame[18] = 6; frame[19] = 4;
        frame[20] = 0; frame[21] = 1; // request
        Rig.ProberMac.Write(frame, 22);
        Rig.ProberIp.Write(frame, 28);
        Rig.BoardIp.Write(frame, 38);
        return frame;
    }

    private static bool IsArpReply(byte[] frame, int length) =>
        length >= 42 && frame[12] == 0x08 && frame[13] == 0x06 && frame[21] == 2;
}
