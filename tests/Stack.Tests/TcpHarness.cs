using System.Security.Cryptography;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests;

/// <summary>TCP helpers over <see cref="TestNetwork"/>.</summary>
public static class TcpHarness
{
    public static int Listen(NetStack stack, int port, int backlog = 4)
    {
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener));
        Assert.Equal(SocketResult.Success, stack.Bind(listener, IPv4Address.Any, port));
        Assert.Equal(SocketResult.Success, stack.Listen(listener, backlog));
        return listener;
    }

    /// <summary>Connects and accepts; returns (client socket, server socket).</summary>
    public static (int Client, int Server) Connect(TestNetwork network, NetStack client, NetStack server, int listener, IPv4Address address, int port)
    {
        Assert.Equal(SocketResult.Success, client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        Assert.Equal(SocketResult.WouldBlock, client.Connect(socket, address, port));
        int accepted = 0;
        Assert.True(network.RunUntil(() => server.Accept(listener, out accepted) == SocketResult.Success, 10_000), "no connection to accept");
        Assert.True(network.RunUntil(() => client.PollSocket(socket).HasFlag(SocketEvents.Writable), 10_000), "client never connected");
        return (socket, accepted);
    }

    /// <summary>
    /// Moves <paramref name="data"/> from one socket to the other through whatever the wire does, a
    /// millisecond at a time; returns what arrived once the sender's data is all acknowledged and read.
    /// </summary>
    public static byte[] Transfer(TestNetwork network, NetStack from, int sender, NetStack to, int receiver, byte[] data, int limitMs = 600_000, bool closeAfter = false)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int offset = 0;
        bool closed = false;
        for (int ms = 0; ms < limitMs; ms++)
        {
            while (offset < data.Length)
            {
                var result = from.SendSome(sender, data, offset, data.Length - offset, out int sent);
                if (result != SocketResult.Success)
                {
                    Assert.Equal(SocketResult.WouldBlock, result);
                    break;
                }

                offset += sent;
            }

            if (closeAfter && offset == data.Length && !closed)
            {
                Assert.Equal(SocketResult.Success, from.Shutdown(sender, ShutdownDirection.Send));
                closed = true;
            }

            network.Settle();
            while (true)
            {
                var result = to.Receive(receiver, buffer, 0, buffer.Length, out int n);
                if (result != SocketResult.Success || n == 0)
                {
                    break;
                }

                received.Write(buffer, 0, n);
            }

            if (received.Length == data.Length)
            {
                return received.ToArray();
            }

            network.Clock.Advance(1);
        }

        throw new Xunit.Sdk.XunitException($"transfer stalled at {received.Length} of {data.Length} bytes");
    }

    public static byte[] RandomData(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Hash(byte[] data) => Convert.ToHexString(SHA256.HashData(data));

    public static SocketInfo Info(NetStack stack, int socket)
    {
        for (int i = 0; i < stack.SocketCount; i++)
        {
            if (stack.GetSocketInfo(i, out var info) == SocketResult.Success && info.Descriptor == socket)
            {
                return info;
            }
        }

        throw new Xunit.Sdk.XunitException("no such socket in the table");
    }

    /// <summary>
    /// <paramref name="count"/> SYNs to port 80 of the stack at 192.0.2.2 from spoofed sources off the subnet (198.51.100.x,
    /// random ports and sequence numbers): their SYN-ACKs have nowhere to go, as in a real flood.
    /// </summary>
    public static void SynFlood(TestNetwork network, NetStack server, Random random, int count)
    {
        var port = (Emulator.Network.VirtualPort)server.Device;
        for (int i = 0; i < count; i++)
        {
            var source = new IPv4Address(198, 51, 100, (byte)random.Next(1, 255));
            var frame = new byte[60];
            EthernetFrame.WriteHeader(frame, 0, TestNetwork.Mac(2), TestNetwork.Mac(99), EtherType.IPv4);
            int length = TcpSegment.WriteHeader(frame, 34, random.Next(1024, 65536), 80, (uint)random.NextInt64(), 0, TcpFlags.Syn, 1024, 0);
            TcpSegment.FillChecksum(frame, 34, length, source, TestNetwork.Ip(2));
            Ipv4Packet.WriteHeader(frame, 14, source, TestNetwork.Ip(2), IpProtocol.Tcp, length, 1, 64, false);
            port.Inject(frame);
        }

        network.Settle();
    }

    public static int Used(NetStack stack) => Enumerable.Range(0, stack.SocketCount).Count(i => stack.GetSocketInfo(i, out _) == SocketResult.Success);
}
