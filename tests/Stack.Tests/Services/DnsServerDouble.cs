using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Services;

/// <summary>
/// A DNS server played by the test, on its own stack at port 53: each question is answered by the
/// test's <see cref="Answer"/> function, which builds the reply bytes (so replies can be as broken as a
/// test needs). <see cref="Builder"/> writes the usual ones.
/// </summary>
public sealed class DnsServerDouble
{
    private readonly NetStack _stack;
    private readonly int _socket;
    private readonly byte[] _buffer = new byte[1500];

    public DnsServerDouble(NetStack stack)
    {
        _stack = stack;
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Datagram, IpProtocol.Udp, out _socket));
        Assert.Equal(SocketResult.Success, stack.Bind(_socket, IPv4Address.Any, 53));
    }

    /// <summary>The reply to a query (its bytes), or null to stay silent.</summary>
    public Func<byte[], byte[]?> Answer { get; set; } = query => Builder.Reply(query, 0, Builder.A(Builder.Question(query), "192.0.2.77", 300));

    public List<string> Questions { get; } = new();

    public bool Poll()
    {
        bool worked = false;
        while (_stack.ReceiveFrom(_socket, _buffer, 0, _buffer.Length, out int length, out var from) == SocketResult.Success)
        {
            worked = true;
            var query = _buffer.AsSpan(0, length).ToArray();
            Questions.Add(Builder.Question(query));
            var reply = Answer(query);
            if (reply is not null)
            {
                _stack.SendTo(_socket, reply, 0, reply.Length, from.Address, from.Port, out _);
            }
        }

        return worked;
    }

    /// <summary>DNS messages the long way, for tests.</summary>
    public static class Builder
    {
        public static byte[] Name(string name) =>
            name.TrimEnd('.').Split('.').SelectMany(l => new[] { (byte)l.Length }.Concat(System.Text.Encoding.ASCII.GetBytes(l))).Append((byte)0).ToArray();

        /// <summary>The question's name, dotted.</summary>
        public static string Question(byte[] query)
        {
            var labels = new List<string>();
            for (int at = 12; query[at] != 0; at += query[at] + 1)
            {
                labels.Add(System.Text.Encoding.ASCII.GetString(query, at + 1, query[at]));
            }

            return string.Join('.', labels);
        }

        public static byte[] Record(string owner, int type, uint ttl, byte[] data) =>
            [.. Name(owner), (byte)(type >> 8), (byte)type, 0, 1, (byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl, (byte)(data.Length >> 8), (byte)data.Length, .. data];

        public static byte[] A(string owner, string address, uint ttl) =>
            Record(owner, 1, ttl, address.Split('.').Select(byte.Parse).ToArray());

        public static byte[] Cname(string owner, string target, uint ttl) => Record(owner, 5, ttl, Name(target));

        /// <summary>A reply to <paramref name="query"/>: its id and question, the flags (QR and RD and RA set, plus <paramref name="extraFlags"/>), the answers.</summary>
        public static byte[] Reply(byte[] query, int extraFlags, params byte[][] answers)
        {
            int questionEnd = 12;
            while (query[questionEnd] != 0)
            {
                questionEnd += query[questionEnd] + 1;
            }

            questionEnd += 5;
            int flags = 0x8180 | extraFlags;
            var header = new byte[] { query[0], query[1], (byte)(flags >> 8), (byte)flags, 0, 1, (byte)(answers.Length >> 8), (byte)answers.Length, 0, 0, 0, 0 };
            return [.. header, .. query.AsSpan(12, questionEnd - 12).ToArray(), .. answers.SelectMany(a => a)];
        }
    }
}
