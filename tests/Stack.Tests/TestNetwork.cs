using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>Stacks on a virtual switch in virtual time: host N is 192.0.2.N/24 with MAC 02:00:00:00:00:N.</summary>
public sealed class TestNetwork
{
    public static readonly IPv4Address Mask = IPv4Address.MaskFromPrefixLength(24);

    public TestNetwork(int seed = 1, long startMs = 1_000)
    {
        Clock = new VirtualClock(startMs);
        Switch = new VirtualSwitch(Clock, seed);
        Switch.Observer = frame => Frames.Add(frame);
    }

    public VirtualClock Clock { get; }
    public VirtualSwitch Switch { get; }

    /// <summary>Every frame any stack sent onto the wire.</summary>
    public List<byte[]> Frames { get; } = new();

    public List<NetStack> Stacks { get; } = new();

    /// <summary>Services (DHCP, DNS, mDNS, SNTP clients, test doubles) polled with the stacks.</summary>
    public List<Func<bool>> Services { get; } = new();

    public static IPv4Address Ip(int host) => new(192, 0, 2, (byte)host);

    public static MacAddress Mac(int host) => new(0x02, 0, 0, 0, 0, (byte)host);

    public NetStack Add(int host, NetStackOptions? options = null, bool configure = true)
    {
        var stack = new NetStack(options ?? new NetStackOptions(), Switch.AddPort(Mac(host)), Clock);
        if (configure)
        {
            stack.Configure(Ip(host), Mask, IPv4Address.Any);
        }

        Stacks.Add(stack);
        return stack;
    }

    /// <summary>Polls every stack until none has anything left to do now.</summary>
    public void Settle()
    {
        for (int round = 0; round < 100_000; round++)
        {
            bool worked = false;
            foreach (var stack in Stacks)
            {
                worked |= stack.Poll();
            }

            foreach (var service in Services)
            {
                worked |= service();
            }

            if (!worked)
            {
                return;
            }
        }

        throw new InvalidOperationException("the network did not settle");
    }

    /// <summary>Advances virtual time in 1 ms steps, settling at each.</summary>
    public void Run(int milliseconds)
    {
        Settle();
        for (int i = 0; i < milliseconds; i++)
        {
            Clock.Advance(1);
            Settle();
        }
    }

    /// <summary>Runs until the condition holds, at most <paramref name="limitMs"/> of virtual time; returns whether it held.</summary>
    public bool RunUntil(Func<bool> condition, int limitMs = 10_000)
    {
        Settle();
        for (int i = 0; i <= limitMs; i++)
        {
            if (condition())
            {
                return true; // evaluated once per step: conditions may consume (an Accept, a Receive)
            }

            Clock.Advance(1);
            Settle();
        }

        return false;
    }

    /// <summary>Pings and waits; returns the final status.</summary>
    public Net.Ip.PingStatus Ping(NetStack from, IPv4Address to, int dataLength, int timeoutMs = 2_000)
    {
        Assert.Equal(SocketResult.Success, from.StartPing(to, dataLength, timeoutMs, out int ping));
        RunUntil(() => from.GetPingStatus(ping, out _) != Net.Ip.PingStatus.Pending, timeoutMs + 10);
        var status = from.GetPingStatus(ping, out _);
        from.EndPing(ping);
        return status;
    }

    public static int OpenUdp(NetStack stack, int port = 0, IPv4Address? address = null)
    {
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket));
        Assert.Equal(SocketResult.Success, stack.Bind(socket, address ?? IPv4Address.Any, port));
        return socket;
    }
}
