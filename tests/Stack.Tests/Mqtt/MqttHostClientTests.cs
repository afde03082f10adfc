using System.Text;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Mqtt;

/// <summary>
/// The blocking calls (issue 17 item 3): the client polled by a <see cref="NetHost"/>'s thread, the application calling
/// Connect, Subscribe and Publish from its own thread, in wall time; the broker double on a second stack polled by the
/// same host, so nothing but the host moves packets.
/// </summary>
public sealed class MqttHostClientTests : IDisposable
{
    private readonly NetHost _host;
    private readonly TestBroker _broker;
    private readonly MqttClient _client;
    private readonly MqttHostClient _blocking;
    private readonly List<string> _received = new();

    private sealed class BrokerSide(NetStack stack, TestBroker broker) : IPollable
    {
        public bool Poll() => stack.Poll() | broker.Poll();

        public int PollDelay() => 1;
    }

    public MqttHostClientTests()
    {
        var clock = new SystemClock();
        var boardDevice = new CrossoverDevice(TestNetwork.Mac(2));
        var brokerDevice = new CrossoverDevice(TestNetwork.Mac(1)) { Peer = boardDevice };
        boardDevice.Peer = brokerDevice;
        var board = new NetStack(new NetStackOptions(), boardDevice, clock);
        var brokerStack = new NetStack(new NetStackOptions(), brokerDevice, clock);
        board.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        brokerStack.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        _broker = new TestBroker(brokerStack);
        _client = new MqttClient(board, board, new MqttClientOptions { Version = 5, BrokerAddress = TestNetwork.Ip(1).Value, KeepAliveSeconds = 30 });
        _client.MessageReceived += (sender, m) => _received.Add(Encoding.UTF8.GetString(m.Buffer, m.PayloadOffset, m.PayloadLength));
        _host = new NetHost(board, clock, [_client, new BrokerSide(brokerStack, _broker)]);
        _blocking = new MqttHostClient(_host, _client);
        _host.Start();
    }

    public void Dispose() => _host.Stop();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Connect_subscribe_and_publish_block_until_the_broker_has_answered()
    {
        Assert.True(_blocking.Connect(5_000), "connected: " + _client.LastError);
        Assert.Equal(MqttResult.Success, _blocking.Subscribe(B("board/in"), 1, 5_000));
        for (int qos = 0; qos <= 2; qos++)
        {
            Assert.Equal(MqttResult.Success, _blocking.Publish(B("board/out"), B("at " + qos), 0, 4, qos, false, 5_000));
        }

        lock (_host.SyncRoot)
        {
            Assert.Equal(0, _client.InFlightCount); // QoS 1 and 2 returned only once PUBACK and PUBCOMP had come
            Assert.Equal(["at 0", "at 1", "at 2"], _broker.Received.Where(r => r.Topic == "board/out").Select(r => r.Payload));
            _broker.Publish("board/in", "hello", 1);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 5_000 && !_received.Contains("hello"))
        {
            _host.WaitForActivity(_host.Clock.NowMilliseconds, 50);
        }

        Assert.Contains("hello", _received);
    }

    [Fact]
    public void A_publish_the_broker_never_acknowledges_times_out_and_stays_in_flight()
    {
        Assert.True(_blocking.Connect(5_000));
        lock (_host.SyncRoot)
        {
            _broker.WithholdAcks = true;
        }

        Assert.Equal(MqttResult.TimedOut, _blocking.Publish(B("board/out"), B("lost?"), 0, 5, 1, false, 300));
        lock (_host.SyncRoot)
        {
            Assert.Equal(1, _client.InFlightCount);
        }

        _blocking.Disconnect();
        Assert.False(_client.IsConnected);
    }
}
