using System.Text;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Mqtt;

/// <summary>DESIGN.md rule 2 for the MQTT client: publishing and receiving at every QoS allocate nothing after construction.</summary>
public class MqttAllocationTests
{
    [Theory]
    [InlineData(4, 0)]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 1)]
    public void Publishing_and_receiving_allocate_nothing(int version, int qos)
    {
        var clock = new VirtualClock(1_000);
        var boardDevice = new CrossoverDevice(TestNetwork.Mac(2));
        var brokerDevice = new CrossoverDevice(TestNetwork.Mac(1)) { Peer = boardDevice };
        boardDevice.Peer = brokerDevice;
        var board = new NetStack(new NetStackOptions(), boardDevice, clock);
        var brokerStack = new NetStack(new NetStackOptions(), brokerDevice, clock);
        board.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        brokerStack.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        var broker = new TestBroker(brokerStack);
        var client = new MqttClient(board, board, new MqttClientOptions { Version = version, BrokerAddress = TestNetwork.Ip(1).Value, KeepAliveSeconds = 30 });
        int received = 0;
        client.MessageReceived += (sender, message) => received++;
        byte[] topic = Encoding.UTF8.GetBytes("board/echo");
        byte[] payload = new byte[100];

        void Step()
        {
            for (int i = 0; i < 8; i++)
            {
                clock.Advance(1);
                board.Poll();
                brokerStack.Poll();
                broker.Poll();
                client.Poll();
            }
        }

        client.Start();
        for (int i = 0; i < 200 && !client.IsConnected; i++)
        {
            Step();
        }

        client.Subscribe(topic, 2);
        for (int i = 0; i < 50; i++)
        {
            Step();
        }

        Assert.True(client.IsSubscribed(topic));
        broker.Record = false;
        int sent = 0;

        void Iteration()
        {
            if (client.Publish(topic, payload, 0, payload.Length, qos, false) == MqttResult.Success)
            {
                sent++;
            }

            Step();
        }

        for (int i = 0; i < 300; i++)
        {
            Iteration(); // warm up
        }

        long least = long.MaxValue;
        for (int run = 0; run < 3 && least > 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 2_000; i++)
            {
                Iteration();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        Assert.True(client.IsConnected);
        Assert.InRange(received, sent - 2, sent);
        Assert.True(sent > 2_000);
    }
}
