using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

public class TcpAllocationTests
{
    [Fact]
    public void Ten_thousand_segments_each_way_allocate_nothing_after_construction()
    {
        var clock = new VirtualClock(1_000);
        var clientDevice = new CrossoverDevice(TestNetwork.Mac(1));
        var serverDevice = new CrossoverDevice(TestNetwork.Mac(2)) { Peer = clientDevice };
        clientDevice.Peer = serverDevice;
        var client = new NetStack(new NetStackOptions(), clientDevice, clock);
        var server = new NetStack(new NetStackOptions(), serverDevice, clock);
        client.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        server.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        server.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener);
        server.Bind(listener, IPv4Address.Any, 9);
        server.Listen(listener, 2);
        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int c);
        client.Connect(c, TestNetwork.Ip(2), 9);
        int s = 0;
        for (int i = 0; i < 100 && server.Accept(listener, out s) != SocketResult.Success; i++)
        {
            client.Poll();
            server.Poll();
            clock.Advance(1);
        }

        var data = new byte[1448];
        var buffer = new byte[4096];
        long segmentsBefore = 0;
        void Round()
        {
            client.SendSome(c, data, 0, data.Length, out _);
            server.SendSome(s, data, 0, data.Length, out _);
            for (int i = 0; i < 4; i++)
            {
                client.Poll();
                server.Poll();
            }

            server.Receive(s, buffer, 0, buffer.Length, out _);
            client.Receive(c, buffer, 0, buffer.Length, out _);
            clock.Advance(1);
        }

        for (int i = 0; i < 200; i++)
        {
            Round();
        }

        segmentsBefore = client.Counters[Counter.TcpSegmentsSent] + server.Counters[Counter.TcpSegmentsSent];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            Round();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long segments = client.Counters[Counter.TcpSegmentsSent] + server.Counters[Counter.TcpSegmentsSent] - segmentsBefore;
        Assert.Equal(0, allocated);
        Assert.True(segments >= 20_000, $"only {segments} segments moved");
        Assert.Equal(SocketState.Established, TcpHarness.Info(client, c).State);
    }
}
