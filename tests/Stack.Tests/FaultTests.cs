using System.Security.Cryptography;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Sockets;

namespace IoTStack.Stack.Tests;

public class FaultTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Over_a_bad_wire_no_damaged_datagram_is_delivered_and_the_stack_keeps_working(int seed)
    {
        var network = new TestNetwork(seed);
        var a = network.Add(1, new NetStackOptions { ReassemblyBufferSize = 4000, PingMaxDataLength = 2000 });
        var b = network.Add(2, new NetStackOptions { DatagramBufferSize = 64 * 1024, ReassemblyBufferSize = 4000 });
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 8));
        network.Switch.Faults = new LinkFaults { Loss = 0.1, Duplicate = 0.1, Reorder = 0.2, Corrupt = 0.2, DelayMs = 2 };
        int sender = TestNetwork.OpenUdp(a);
        int receiver = TestNetwork.OpenUdp(b, 9);
        var random = new Random(seed);
        var sent = new HashSet<string>();
        var buffer = new byte[4096];
        int received = 0;
        void Drain()
        {
            while (b.Receive(receiver, buffer, 0, buffer.Length, out int length) == SocketResult.Success)
            {
                Assert.Equal(SHA256.HashData(buffer.AsSpan(32, length - 32)), buffer[..32]);
                Assert.Contains(Convert.ToHexString(buffer, 0, length), sent);
                received++;
            }
        }

        for (int i = 0; i < 200; i++)
        {
            // Each datagram carries its own digest, so any damage that got through would show.
            var body = new byte[random.Next(0, 3000)];
            random.NextBytes(body);
            var datagram = SHA256.HashData(body).Concat(body).ToArray();
            sent.Add(Convert.ToHexString(datagram));
            Assert.Equal(SocketResult.Success, a.SendTo(sender, datagram, 0, datagram.Length, TestNetwork.Ip(2), 9, out _));
            network.Run(1);
            Drain();
        }

        network.Run(100);
        Drain();
        // About half the datagrams (up to three fragments each) survive 10% loss and 20% corruption per frame.
        Assert.InRange(received, 50, 200 + (int)network.Switch.FramesDuplicated);
        Assert.Equal(0, b.Counters[Counter.UdpReceiveQueueFull]);
        Assert.True(network.Switch.FramesCorrupted > 0);
        Assert.True(b.Counters.Dropped(ProtocolLayer.Udp) + b.Counters.Dropped(ProtocolLayer.Ipv4) + b.Counters.Dropped(ProtocolLayer.Ethernet) > 0
            || b.Counters[Counter.FramesNotForUs] > 0 || b.Counters[Counter.UdpNoPort] > 0);

        network.Switch.Faults = new LinkFaults();
        network.Run(30_000); // let reassembly of half-received datagrams time out
        Assert.Equal(PingStatus.Replied, network.Ping(a, TestNetwork.Ip(2), 2000));
    }
}
