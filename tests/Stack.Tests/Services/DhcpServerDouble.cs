using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Services;

/// <summary>
/// A DHCP server played by the test (RFC 2131 from the server's side, just enough): on its own stack, port 67,
/// it offers <see cref="Pool"/> addresses in turn, acknowledges or refuses requests as the test says, and
/// records what it heard. Replies are broadcast, as the client asks with the broadcast flag; renewals, which
/// come unicast from a configured client, get a unicast answer.
/// </summary>
public sealed class DhcpServerDouble
{
    private readonly NetStack _stack;
    private readonly int _socket;
    private readonly byte[] _buffer = new byte[1500];
    private int _next;

    public DhcpServerDouble(NetStack stack, params IPv4Address[] pool)
    {
        _stack = stack;
        Pool = pool;
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Datagram, IpProtocol.Udp, out _socket));
        stack.SetOption(_socket, SocketOption.Broadcast, 1);
        Assert.Equal(SocketResult.Success, stack.Bind(_socket, IPv4Address.Any, 67));
    }

    public IPv4Address[] Pool { get; }

    public uint LeaseSeconds { get; set; } = 3600;
    public uint RenewalSeconds { get; set; }
    public uint RebindingSeconds { get; set; }
    public IPv4Address[] DnsServers { get; set; } = [TestNetwork.Ip(1)];
    public IPv4Address NtpServer { get; set; } = TestNetwork.Ip(1);

    /// <summary>Answer nothing at all (a dead server).</summary>
    public bool Silent { get; set; }

    /// <summary>Answer only broadcast requests (a renewal, unicast, goes unanswered: the client must rebind).</summary>
    public bool IgnoreUnicast { get; set; }

    /// <summary>Refuse the next this many REQUESTs with a NAK.</summary>
    public int NaksToSend { get; set; }

    /// <summary>Put this many bytes of garbage option (a length running past the end) in the next offers.</summary>
    public int MalformedOffers { get; set; }

    /// <summary>Every message heard: (type, requested address option or ciaddr, whether it came broadcast).</summary>
    public List<(int Type, IPv4Address Requested, IPv4Address ClientAddress, bool Broadcast)> Heard { get; } = new();

    public int Count(int type) => Heard.Count(h => h.Type == type);

    public bool Poll()
    {
        bool worked = false;
        while (_stack.ReceiveFrom(_socket, _buffer, 0, _buffer.Length, out int length, out var from) == SocketResult.Success)
        {
            worked = true;
            Handle(length, from);
        }

        return worked;
    }

    private void Handle(int length, SocketEndpoint from)
    {
        var message = _buffer.AsSpan(0, length).ToArray();
        var options = Options(message);
        int type = options.TryGetValue(53, out var t) ? t[0] : 0;
        var requested = options.TryGetValue(50, out var r) ? IPv4Address.Read(r, 0) : IPv4Address.Any;
        var clientAddress = IPv4Address.Read(message, 12);
        bool broadcast = _broadcasts.Count == 0 || _broadcasts.Dequeue();
        Heard.Add((type, requested, clientAddress, broadcast));
        if (Silent || (IgnoreUnicast && !broadcast))
        {
            return;
        }

        switch (type)
        {
            case 1: // DISCOVER
                Reply(message, 2, Pool[_next % Pool.Length], IPv4Address.Broadcast);
                break;
            case 3: // REQUEST
                var address = !requested.IsAny ? requested : clientAddress;
                if (NaksToSend > 0)
                {
                    NaksToSend--;
                    Reply(message, 6, IPv4Address.Any, IPv4Address.Broadcast);
                }
                else
                {
                    Reply(message, 5, address, clientAddress.IsAny ? IPv4Address.Broadcast : clientAddress);
                }

                break;
            case 4: // DECLINE: that address is taken, offer the next
                _next++;
                break;
        }
    }

    private readonly Queue<bool> _broadcasts = new();

    /// <summary>For the switch's observer: notes, for each frame to UDP port 67, whether it went to the Ethernet broadcast address.</summary>
    public void Observe(byte[] frame)
    {
        if (frame.Length >= 42 && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == 17 && NetworkOrder.ReadUInt16(frame, 14 + (frame[14] & 0xF) * 4 + 2) == 67)
        {
            _broadcasts.Enqueue(MacAddress.Read(frame, 0).IsBroadcast);
        }
    }

    private void Reply(byte[] request, int type, IPv4Address yiaddr, IPv4Address to)
    {
        var reply = new byte[548];
        reply[0] = 2;
        reply[1] = 1;
        reply[2] = 6;
        Array.Copy(request, 4, reply, 4, 4); // xid
        Array.Copy(request, 10, reply, 10, 2); // flags
        Array.Copy(request, 12, reply, 12, 4); // ciaddr
        yiaddr.Write(reply, 16);
        Array.Copy(request, 28, reply, 28, 16); // chaddr
        NetworkOrder.WriteUInt32(reply, 236, 0x63825363);
        int at = 240;
        void Option(int code, params byte[] data)
        {
            reply[at++] = (byte)code;
            reply[at++] = (byte)data.Length;
            data.CopyTo(reply, at);
            at += data.Length;
        }

        byte[] Address(IPv4Address a)
        {
            var b = new byte[4];
            a.Write(b, 0);
            return b;
        }

        byte[] Seconds(uint s) => [(byte)(s >> 24), (byte)(s >> 16), (byte)(s >> 8), (byte)s];

        Option(53, (byte)type);
        Option(54, Address(_stack.Address));
        if (type != 6)
        {
            if (type == 2 && MalformedOffers > 0)
            {
                MalformedOffers--;
                reply[at++] = 3; // router, claiming 200 bytes where the message ends
                reply[at++] = 200;
                _stack.SendTo(_socket, reply, 0, at, to, 68, out _);
                return;
            }

            Option(1, 255, 255, 255, 0);
            Option(3, Address(_stack.Address));
            Option(6, DnsServers.SelectMany(Address).ToArray());
            Option(42, Address(NtpServer));
            Option(51, Seconds(LeaseSeconds));
            if (RenewalSeconds != 0)
            {
                Option(58, Seconds(RenewalSeconds));
            }

            if (RebindingSeconds != 0)
            {
                Option(59, Seconds(RebindingSeconds));
            }
        }

        reply[at++] = 255;
        _stack.SendTo(_socket, reply, 0, Math.Max(at, 300), to, 68, out _);
    }

    private static Dictionary<int, byte[]> Options(byte[] message)
    {
        var options = new Dictionary<int, byte[]>();
        for (int at = 240; at < message.Length && message[at] != 255;)
        {
            if (message[at] == 0)
            {
                at++;
                continue;
            }

            options[message[at]] = message.AsSpan(at + 2, message[at + 1]).ToArray();
            at += 2 + message[at + 1];
        }

        return options;
    }
}
