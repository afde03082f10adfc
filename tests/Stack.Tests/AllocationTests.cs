using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>DESIGN.md rule 2: after construction, no path allocates (GC.GetAllocatedBytesForCurrentThread).</summary>
public class AllocationTests
{
    private const int Iterations = 10_000;
    private static readonly IPv4Address Peer = TestNetwork.Ip(1);
    private static readonly IPv4Address Board = TestNetwork.Ip(2);

    private readonly VirtualClock _clock = new(1_000);
    private readonly ScriptedDevice _device = new(TestNetwork.Mac(2));
    private readonly NetStack _stack;

    public AllocationTests()
    {
        _stack = new NetStack(new NetStackOptions(), _device, _clock);
        _stack.Configure(Board, TestNetwork.Mask, IPv4Address.Any);
        _device.Load([ArpRequest()]);
        _stack.Poll(); // the peer's request puts it in the neighbour cache
    }

    /// <summary>Iterations the last <see cref="Allocated"/> ran, warm-up included (tests in a class run one at a time).</summary>
    private static int _ran;

    private static long Allocated(Action iteration)
    {
        _ran = 200;
        for (int i = 0; i < 200; i++)
        {
            iteration(); // warm up: JIT, static constructors, first-call paths
        }

        // The least of up to three runs: an allocation on the path shows in every run (Iterations times over), while the
        // runtime's own one-off work on this thread (a tier-up under a loaded machine once cost 7,640 bytes here) does not.
        long least = long.MaxValue;
        for (int run = 0; run < 3 && least > 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Iterations; i++)
            {
                iteration();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            _ran += Iterations;
        }

        return least;
    }

    private static byte[] ArpRequest()
    {
        var frame = new byte[60];
        EthernetFrame.WriteHeader(frame, 0, MacAddress.Broadcast, TestNetwork.Mac(1), EtherType.Arp);
        ArpPacket.Write(frame, 14, ArpPacket.OperationRequest, TestNetwork.Mac(1), Peer, MacAddress.Zero, Board);
        return frame;
    }

    private static byte[] Ipv4Frame(IpProtocol protocol, byte[] payload, bool moreFragments = false, int fragmentOffset = 0, ushort id = 1)
    {
        var frame = new byte[Math.Max(60, 34 + payload.Length)];
        EthernetFrame.WriteHeader(frame, 0, TestNetwork.Mac(2), TestNetwork.Mac(1), EtherType.IPv4);
        var ip = Ipv4Packet.Init(frame, 14, 20);
        ip.TotalLength = 20 + payload.Length;
        ip.Identification = id;
        ip.MoreFragments = moreFragments;
        ip.FragmentOffset = fragmentOffset;
        ip.TimeToLive = 64;
        ip.Protocol = protocol;
        ip.Source = Peer;
        ip.Destination = Board;
        ip.FillChecksum();
        payload.CopyTo(frame, 34);
        return frame;
    }

    private static byte[] EchoRequest(int dataLength)
    {
        var message = new byte[8 + dataLength];
        Icmpv4Message.WriteEcho(message, 0, Icmpv4Message.TypeEchoRequest, 7, 7);
        Icmpv4Message.FillChecksum(message, 0, message.Length);
        return message;
    }

    private static byte[] UdpDatagramTo(int port, int dataLength)
    {
        var datagram = new byte[8 + dataLength];
        UdpDatagram.WriteHeader(datagram, 0, 4000, port, dataLength);
        UdpDatagram.FillChecksum(datagram, 0, Peer, Board);
        return datagram;
    }

    [Fact]
    public void Arp_requests_and_replies_allocate_nothing()
    {
        byte[][] request = [ArpRequest()];
        long sentBefore = _device.Transmitted;
        Assert.Equal(0, Allocated(() =>
        {
            _device.Load(request);
            _stack.Poll();
        }));
        Assert.Equal(_ran, _device.Transmitted - sentBefore);
    }

    [Fact]
    public void Echo_requests_and_replies_allocate_nothing()
    {
        byte[][] request = [Ipv4Frame(IpProtocol.Icmp, EchoRequest(1472))];
        Assert.Equal(0, Allocated(() =>
        {
            _device.Load(request);
            _stack.Poll();
        }));
        Assert.Equal(_ran, _stack.Counters[Counter.IcmpEchoRepliesSent]);
    }

    [Fact]
    public void Udp_in_to_a_socket_and_out_again_allocates_nothing()
    {
        _stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        _stack.Bind(socket, IPv4Address.Any, 7);
        byte[][] frame = [Ipv4Frame(IpProtocol.Udp, UdpDatagramTo(7, 512))];
        var buffer = new byte[1024];
        Assert.Equal(0, Allocated(() =>
        {
            _device.Load(frame);
            _stack.Poll();
            _stack.ReceiveFrom(socket, buffer, 0, buffer.Length, out int received, out var from);
            _stack.SendTo(socket, buffer, 0, received, from.Address, from.Port, out _);
        }));
        Assert.Equal(_ran, _stack.Counters[Counter.UdpSent]);
    }

    [Fact]
    public void Udp_to_a_closed_port_allocates_nothing()
    {
        byte[][] frame = [Ipv4Frame(IpProtocol.Udp, UdpDatagramTo(9999, 64))];
        Assert.Equal(0, Allocated(() =>
        {
            _device.Load(frame);
            _stack.Poll();
            _clock.Advance(1000);
        }));
        Assert.Equal(_ran, _stack.Counters[Counter.IcmpErrorsSent]);
    }

    [Fact]
    public void Reassembly_allocates_nothing()
    {
        var whole = EchoRequest(2000);
        byte[][] fragments = [Ipv4Frame(IpProtocol.Icmp, whole[1480..], fragmentOffset: 1480), Ipv4Frame(IpProtocol.Icmp, whole[..1480], moreFragments: true)];
        Assert.Equal(0, Allocated(() =>
        {
            _device.Load(fragments);
            _stack.Poll();
        }));
        Assert.Equal(_ran, _stack.Counters[Counter.ReassemblyCompleted]);
        Assert.Equal(_ran, _stack.Counters[Counter.IcmpEchoRepliesSent]);
    }

    [Fact]
    public void Timers_resolution_retries_and_give_ups_allocate_nothing()
    {
        _stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
        var data = new byte[100];
        int step = 0;
        Assert.Equal(0, Allocated(() =>
        {
            if (step++ % 40 == 0)
            {
                _stack.SendTo(socket, data, 0, data.Length, TestNetwork.Ip(50), 9, out _);
            }

            _clock.Advance(100);
            _stack.Poll();
        }));
        Assert.True(_stack.Counters[Counter.ArpResolutionFailures] > 200);
    }

    [Fact]
    public void Loopback_and_the_ping_client_allocate_nothing()
    {
        _stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int server);
        _stack.Bind(server, IPv4Address.Loopback, 7);
        _stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int client);
        var buffer = new byte[256];
        Assert.Equal(0, Allocated(() =>
        {
            _stack.SendTo(client, buffer, 0, 200, IPv4Address.Loopback, 7, out _);
            _stack.StartPing(IPv4Address.Loopback, 56, 1000, out int ping);
            _stack.Poll();
            _stack.Poll();
            _stack.Receive(server, buffer, 0, buffer.Length, out _);
            _stack.GetPingStatus(ping, out _);
            _stack.EndPing(ping);
        }));
        Assert.Equal(_ran, _stack.Counters[Counter.PingRepliesReceived]);
    }
}
