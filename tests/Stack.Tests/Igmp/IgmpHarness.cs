using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Igmp;

/// <summary>One IGMP message the stack sent, parsed with the wire views: where it went, its type and group, its v3 records.</summary>
public sealed record IgmpSent(long At, uint Destination, byte Type, uint Group, (byte Type, uint Group)[] Records)
{
    public override string ToString() =>
        $"{At}: to {new IPv4Address(Destination)} type 0x{Type:x2} group {new IPv4Address(Group)} records [{string.Join(", ", Records.Select(r => $"{r.Type} {new IPv4Address(r.Group)}"))}]";
}

/// <summary>A frame device that keeps what the stack sends and the group list it programs (<see cref="IMulticastFilter"/>).</summary>
public sealed class FilteringDevice(MacAddress macAddress) : IFrameDevice, IMulticastFilter
{
    public readonly Queue<byte[]> Inbound = new();
    public readonly Queue<byte[]> Outbound = new();

    public MacAddress MacAddress { get; } = macAddress;

    public bool IsLinkUp { get; set; } = true;

    /// <summary>The groups of every SetMulticastGroups call, in order.</summary>
    public List<uint[]> Filters { get; } = new();

    public int Receive(byte[] buffer, int offset, int capacity)
    {
        if (Inbound.Count == 0)
        {
            return 0;
        }

        byte[] frame = Inbound.Dequeue();
        Array.Copy(frame, 0, buffer, offset, frame.Length);
        return frame.Length;
    }

    public bool Transmit(byte[] buffer, int offset, int length)
    {
        if (!IsLinkUp)
        {
            return false;
        }

        Outbound.Enqueue(buffer.AsSpan(offset, length).ToArray());
        return true;
    }

    public void SetMulticastGroups(uint[] groups, int count) => Filters.Add(groups.AsSpan(0, count).ToArray());
}

/// <summary>
/// An IGMP harness in the Segments tests' manner: one stack ("us", 192.0.2.2) on a capture device with a virtual clock,
/// and a scripted querier (192.0.2.1) whose messages the test writes. Every frame the stack sends is parsed with the wire
/// views; every IGMP one must carry TTL 1, TOS 0xC0, the Router Alert option, our address as its source and the group's
/// MAC address (RFC 3376 section 4, RFC 2236 section 2, RFC 1112 section 6.4).
/// </summary>
public sealed class IgmpHarness
{
    public static readonly IPv4Address OurAddress = new(192, 0, 2, 2);
    public static readonly IPv4Address QuerierAddress = new(192, 0, 2, 1);
    public static readonly MacAddress OurMac = new(0x02, 0, 0, 0, 0, 2);
    public static readonly MacAddress QuerierMac = new(0x02, 0, 0, 0, 0, 1);
    public const uint GroupA = 0xEF010203; // 239.1.2.3
    public const uint GroupB = 0xEF010204;
    public const uint GroupC = 0xEF010205;
    public const long Start = 100_000;

    private ushort _identification = 1;

    public IgmpHarness(Action<NetStackOptions>? configure = null, bool configureAddress = true)
    {
        Options = new NetStackOptions();
        configure?.Invoke(Options);
        Clock = new VirtualClock(Start);
        Device = new FilteringDevice(OurMac);
        Stack = new NetStack(Options, Device, Clock);
        if (configureAddress)
        {
            Configure();
        }
    }

    public NetStackOptions Options { get; }

    public VirtualClock Clock { get; }

    public FilteringDevice Device { get; }

    public NetStack Stack { get; }

    public long Now => Clock.NowMilliseconds;

    public int Counter(Counter counter) => Stack.Counters[counter];

    public void Configure()
    {
        Stack.Configure(OurAddress, new IPv4Address(255, 255, 255, 0), IPv4Address.Any);
    }

    public void Poll() => StackDriving.PollAll(Stack);

    /// <summary>Moves the clock <paramref name="milliseconds"/> on, polling at every deadline the stack names on the way.</summary>
    public void Advance(long milliseconds) => StackDriving.Advance(Stack, Clock, milliseconds);

    public int OpenUdp(int port)
    {
        Assert.Equal(SocketResult.Success, Stack.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket));
        Assert.Equal(SocketResult.Success, Stack.Bind(socket, IPv4Address.Any, port));
        return socket;
    }

    public SocketResult Join(int socket, uint group) => Stack.SetOption(socket, SocketOption.AddMembership, (int)group);

    public SocketResult Drop(int socket, uint group) => Stack.SetOption(socket, SocketOption.DropMembership, (int)group);

    // ---- what the querier sends ----

    /// <summary>An IGMPv1 (code 0) or v2 query of 8 bytes to 224.0.0.1 (general) or the group.</summary>
    public void QueryV2(uint group, int maxResponseTenths) =>
        Inject(Message(b => IgmpMessage.Write(b, 0, IgmpMessage.TypeMembershipQuery, maxResponseTenths, group)), group == 0 ? IgmpMessage.AllSystems : group);

    /// <summary>An IGMPv3 query; sources make it a group-and-source-specific one.</summary>
    public void QueryV3(uint group, int maxResponseCode, int robustness = 2, int queryIntervalCode = 125, params uint[] sources) =>
        Inject(V3Query(group, maxResponseCode, robustness, queryIntervalCode, sources), group == 0 ? IgmpMessage.AllSystems : group);

    public static byte[] V3Query(uint group, int maxResponseCode, int robustness, int queryIntervalCode, params uint[] sources)
    {
        var message = new byte[IgmpMessage.V3QueryLength + 4 * sources.Length];
        IgmpMessage.WriteV3Query(message, 0, maxResponseCode, group, false, robustness, queryIntervalCode);
        NetworkOrder.WriteUInt16(message, 10, sources.Length);
        for (int i = 0; i < sources.Length; i++)
        {
            NetworkOrder.WriteUInt32(message, IgmpMessage.V3QueryLength + 4 * i, sources[i]);
        }

        IgmpMessage.FillChecksum(message, 0, message.Length);
        return message;
    }

    /// <summary>Another member's v1/v2 report, to the group (RFC 2236 section 3).</summary>
    public void OtherMembersReport(byte type, uint group) =>
        Inject(Message(b => IgmpMessage.Write(b, 0, type, 0, group)), group, new IPv4Address(192, 0, 2, 7).Value);

    public static byte[] Message(Func<byte[], int> write)
    {
        var buffer = new byte[64];
        int length = write(buffer);
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>Injects an IGMP message in an IP datagram with Router Alert and TTL 1; the stack polls.</summary>
    public void Inject(byte[] igmp, uint destination, uint? source = null)
    {
        Device.Inbound.Enqueue(Frame(igmp, destination, source ?? QuerierAddress.Value, ref _identification));
        Poll();
    }

    public static byte[] Frame(byte[] igmp, uint destination, uint source, ref ushort identification)
    {
        const int ipAt = EthernetFrame.HeaderLength;
        const int headerLength = Ipv4Packet.MinimumHeaderLength + 4;
        var frame = new byte[Math.Max(EthernetFrame.MinimumLength, ipAt + headerLength + igmp.Length)];
        EthernetFrame.WriteHeader(frame, 0, MacAddress.FromIPv4Multicast(new IPv4Address(destination)), QuerierMac, EtherType.IPv4);
        var ip = Ipv4Packet.Init(frame, ipAt, headerLength);
        ip.TotalLength = headerLength + igmp.Length;
        ip.Identification = identification++;
        ip.TimeToLive = 1;
        ip.DifferentiatedServices = 0xC0;
        ip.Protocol = IpProtocol.Igmp;
        ip.SourceValue = source;
        ip.DestinationValue = destination;
        NetworkOrder.WriteUInt32(frame, ip.OptionsOffset, 0x94040000);
        ip.FillChecksum();
        igmp.CopyTo(frame, ipAt + headerLength);
        return frame;
    }

    // ---- what the stack sends ----

    /// <summary>Every IGMP message sent since the last call (ARP frames skipped), each checked as the class summary says.</summary>
    public List<IgmpSent> Sent()
    {
        var sent = new List<IgmpSent>();
        while (Device.Outbound.Count > 0)
        {
            var message = Parse(Device.Outbound.Dequeue(), Now);
            if (message != null)
            {
                sent.Add(message);
            }
        }

        return sent;
    }

    /// <summary>Moves the clock on and returns every IGMP message sent on the way, each stamped with the time it left.</summary>
    public List<IgmpSent> SentWithin(long milliseconds)
    {
        var sent = Sent();
        Poll();
        sent.AddRange(Sent());
        while (milliseconds > 0)
        {
            long step = Math.Min(milliseconds, Math.Max(1, Stack.PollDelay()));
            Clock.Advance(step);
            milliseconds -= step;
            Poll();
            sent.AddRange(Sent());
        }

        return sent;
    }

    public static IgmpSent? Parse(byte[] frame, long at)
    {
        Assert.Equal(WireError.None, EthernetFrame.TryParse(frame, 0, frame.Length, out var ethernet));
        if (ethernet.EtherType == EtherType.Arp)
        {
            return null;
        }

        Assert.Equal(EtherType.IPv4, ethernet.EtherType);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(frame, ethernet.PayloadOffset, ethernet.PayloadLength, out var ip));
        if (ip.Protocol != IpProtocol.Igmp)
        {
            return null;
        }

        Assert.Equal(1, ip.TimeToLive);
        Assert.Equal(0xC0, ip.DifferentiatedServices);
        Assert.Equal(24, ip.HeaderLength);
        Assert.Equal(0x94040000u, NetworkOrder.ReadUInt32(frame, ip.OptionsOffset)); // RFC 2113 Router Alert
        Assert.Equal(OurAddress, ip.Source);
        Assert.Equal(MacAddress.FromIPv4Multicast(ip.Destination), ethernet.Destination);
        Assert.Equal(OurMac, ethernet.Source);
        int offset = ip.PayloadOffset;
        Assert.Equal(WireError.None, IgmpMessage.Validate(frame, offset, ip.PayloadLength));
        byte type = IgmpMessage.Type(frame, offset);
        var records = new List<(byte, uint)>();
        if (type == IgmpMessage.TypeV3Report)
        {
            int record = offset + IgmpMessage.HeaderLength;
            for (int i = 0; i < IgmpMessage.GroupRecordCount(frame, offset); i++)
            {
                Assert.Equal(0, IgmpMessage.RecordSourceCount(frame, record)); // RFC 5790: only EXCLUDE {} and INCLUDE {}
                Assert.Equal(0, IgmpMessage.RecordAuxiliaryWords(frame, record));
                records.Add((IgmpMessage.RecordType(frame, record), IgmpMessage.RecordGroup(frame, record)));
                record += IgmpMessage.RecordLength(frame, record);
            }

            Assert.Equal(IgmpMessage.AllV3Routers, ip.DestinationValue);
            return new IgmpSent(at, ip.DestinationValue, type, 0, records.ToArray());
        }

        Assert.Equal(IgmpMessage.HeaderLength, ip.PayloadLength);
        return new IgmpSent(at, ip.DestinationValue, type, IgmpMessage.Group(frame, offset), []);
    }

    /// <summary>An IGMPv3 report with exactly these records.</summary>
    public static void AssertV3(IgmpSent sent, params (byte Type, uint Group)[] records)
    {
        Assert.Equal(IgmpMessage.TypeV3Report, sent.Type);
        Assert.Equal(IgmpMessage.AllV3Routers, sent.Destination);
        Assert.Equal(records, sent.Records);
    }
}
