using System.Text;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Segments;

/// <summary>
/// One TCP segment as a test sends or expects it: flags, numbers, window, data and the options that matter.
/// Window -1 means the harness default (the peer's <see cref="SegmentHarness.PeerWindow"/> when sent, our full
/// receive buffer when expected); ports -1 the harness connection's. Mss and WindowScale -1: option absent.
/// </summary>
public sealed record Seg(TcpFlags Flags, uint Seq, uint Ack = 0)
{
    public int Window { get; init; } = -1;
    public byte[] Data { get; init; } = [];
    public int Mss { get; init; } = -1;
    public int WindowScale { get; init; } = -1;
    public bool SackPermitted { get; init; }
    public uint? TsVal { get; init; }
    public uint TsEcr { get; init; }
    public uint[]? Sack { get; init; }
    public int SourcePort { get; init; } = -1;
    public int DestinationPort { get; init; } = -1;

    /// <summary>One line, every field that is compared: what a failing test prints for both sides.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(SourcePort).Append('>').Append(DestinationPort).Append(" [");
        var names = new List<string>();
        foreach (TcpFlags flag in new[] { TcpFlags.Syn, TcpFlags.Fin, TcpFlags.Rst, TcpFlags.Psh, TcpFlags.Ack, TcpFlags.Urg, TcpFlags.Ece, TcpFlags.Cwr })
        {
            if ((Flags & flag) != 0)
            {
                names.Add(flag.ToString().ToUpperInvariant());
            }
        }

        text.Append(string.Join(',', names)).Append("] seq=").Append(Seq).Append(" ack=").Append(Ack).Append(" win=").Append(Window)
            .Append(" len=").Append(Data.Length);
        if (Data.Length > 0)
        {
            text.Append(" data=").Append(Convert.ToHexString(Data.AsSpan(0, Math.Min(Data.Length, 16))));
            if (Data.Length > 16)
            {
                text.Append("..").Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Data).AsSpan(0, 4)));
            }
        }

        if (Mss >= 0) text.Append(" mss=").Append(Mss);
        if (WindowScale >= 0) text.Append(" ws=").Append(WindowScale);
        if (SackPermitted) text.Append(" sackOK");
        if (TsVal.HasValue) text.Append(" ts=").Append(TsVal.Value).Append('/').Append(TsEcr);
        if (Sack != null && Sack.Length > 0)
        {
            text.Append(" sack=");
            for (int i = 0; i < Sack.Length; i += 2)
            {
                text.Append(i > 0 ? "," : "").Append(Sack[i]).Append('-').Append(Sack[i + 1]);
            }
        }

        return text.ToString();
    }

    public override string ToString() => Describe();
}

/// <summary>A frame device that hands the stack queued frames and keeps every frame it sends.</summary>
public sealed class CaptureDevice(MacAddress macAddress) : IFrameDevice
{
    public readonly Queue<byte[]> Inbound = new();
    public readonly Queue<byte[]> Outbound = new();

    public MacAddress MacAddress { get; } = macAddress;

    public bool IsLinkUp => true;

    public int Receive(byte[] buffer, int offset, int capacity)
    {
        if (Inbound.Count == 0)
        {
            return 0;
        }

        byte[] frame = Inbound.Dequeue();
        if (frame.Length > capacity)
        {
            return 0;
        }

        Array.Copy(frame, 0, buffer, offset, frame.Length);
        return frame.Length;
    }

    public bool Transmit(byte[] buffer, int offset, int length)
    {
        Outbound.Enqueue(buffer.AsSpan(offset, length).ToArray());
        return true;
    }
}

/// <summary>
/// A segment-level TCP harness (smoltcp's socket tests are the model): one stack ("us", 192.0.2.2) on a capture
/// device with a virtual clock, and a scripted peer (192.0.2.1) whose segments the test writes one by one. Every
/// frame the stack sends is parsed with the wire views and compared field by field with what the test expects.
/// The peer's MAC is known to the stack from the start, so no ARP appears; ARP requests that do appear are
/// answered and never reach the test. TCP options are off and delayed ACKs too unless a test turns them on.
/// </summary>
public sealed class SegmentHarness
{
    public static readonly IPv4Address OurAddress = new(192, 0, 2, 2);
    public static readonly IPv4Address PeerAddress = new(192, 0, 2, 1);
    public static readonly MacAddress OurMac = new(0x02, 0, 0, 0, 0, 2);
    public static readonly MacAddress PeerMac = new(0x02, 0, 0, 0, 0, 1);
    public const int ListenPort = 80;
    public const int ActivePort = 4000;
    public const int PeerPort = 50000;
    public const uint PeerIss = 10_000;
    public const int PeerWindow = 8192;
    public const int PeerMss = 1460;
    public const long Start = 100_000;

    private ushort _identification = 1;

    public SegmentHarness(Action<NetStackOptions>? configure = null)
    {
        Options = new NetStackOptions
        {
            TcpTimestamps = false,
            TcpWindowScaling = false,
            TcpSelectiveAcknowledgments = false,
            TcpDelayedAckMs = 0,
            TcpSecret = 0x5EC7E575,
        };
        configure?.Invoke(Options);
        Clock = new VirtualClock(Start);
        Device = new CaptureDevice(OurMac);
        Stack = new NetStack(Options, Device, Clock);
        Stack.Configure(OurAddress, new IPv4Address(255, 255, 255, 0), IPv4Address.Any);
        // The peer asks for our address: the stack learns its MAC (RFC 826) and answers; both ARP frames are dropped here.
        var arp = new byte[60];
        EthernetFrame.WriteHeader(arp, 0, MacAddress.Broadcast, PeerMac, EtherType.Arp);
        ArpPacket.Write(arp, EthernetFrame.HeaderLength, ArpPacket.OperationRequest, PeerMac, PeerAddress, MacAddress.Zero, OurAddress);
        Device.Inbound.Enqueue(arp);
        Poll();
        Device.Outbound.Clear();
        Assert.True(Stack.TryGetNeighbour(PeerAddress, out _));
    }

    public NetStackOptions Options { get; }

    public VirtualClock Clock { get; }

    public CaptureDevice Device { get; }

    public NetStack Stack { get; }

    /// <summary>Our initial sequence number, read from our first SYN or SYN-ACK (RFC 6528 makes it unpredictable).</summary>
    public uint Iss { get; private set; }

    /// <summary>The connection's socket (accepted or connected).</summary>
    public int Socket { get; private set; }

    public int Listener { get; private set; }

    /// <summary>Our port of the connection under test.</summary>
    public int LocalPort { get; private set; } = ListenPort;

    /// <summary>The window we advertise with an empty receive buffer (unscaled).</summary>
    public int DefaultWindow => Math.Min(Options.ReceiveBufferSize, 0xFFFF);

    /// <summary>
    /// The window once the peer's FIN took a sequence number: the right edge stays where it was, as moving it by one
    /// byte would be a silly window (RFC 9293 section 3.8.6.2.2), so the window is one less.
    /// </summary>
    public int WindowAfterFin => DefaultWindow - 1;

    public long Now => Clock.NowMilliseconds;

    // ---- moving frames ----

    public void Poll() => StackDriving.PollAll(Stack);

    /// <summary>Moves the clock <paramref name="milliseconds"/> on, polling at every deadline the stack names on the way.</summary>
    public void Advance(long milliseconds) => StackDriving.Advance(Stack, Clock, milliseconds);

    /// <summary>The peer sends <paramref name="segment"/>: Ethernet, IPv4 and TCP with correct checksums; the stack polls.</summary>
    public void Send(Seg segment)
    {
        Device.Inbound.Enqueue(Build(segment));
        Poll();
    }

    public byte[] Build(Seg segment)
    {
        var header = new byte[TcpSegment.MaximumHeaderLength];
        var writer = new TcpOptionWriter(header, TcpSegment.MinimumHeaderLength);
        if (segment.Mss >= 0) writer.WriteMaximumSegmentSize(segment.Mss);
        if (segment.SackPermitted) writer.WriteSackPermitted();
        if (segment.TsVal.HasValue)
        {
            if (!segment.SackPermitted)
            {
                writer.WriteNoOperation();
                writer.WriteNoOperation();
            }

            writer.WriteTimestamps(segment.TsVal.Value, segment.TsEcr);
        }

        if (segment.WindowScale >= 0)
        {
            writer.WriteNoOperation();
            writer.WriteWindowScale(segment.WindowScale);
        }

        if (segment.Sack != null && segment.Sack.Length > 0)
        {
            writer.WriteNoOperation();
            writer.WriteNoOperation();
            Assert.True(writer.WriteSack(segment.Sack, segment.Sack.Length / 2), "SACK blocks do not fit");
        }

        int optionsLength = writer.Finish();
        int window = segment.Window < 0 ? PeerWindow : segment.Window;
        int source = segment.SourcePort < 0 ? PeerPort : segment.SourcePort;
        int destination = segment.DestinationPort < 0 ? LocalPort : segment.DestinationPort;
        int tcpLength = TcpSegment.WriteHeader(header, 0, source, destination, segment.Seq, segment.Ack, segment.Flags, window, optionsLength) + segment.Data.Length;
        const int tcpAt = EthernetFrame.HeaderLength + Ipv4Packet.MinimumHeaderLength;
        var frame = new byte[Math.Max(EthernetFrame.MinimumLength, tcpAt + tcpLength)];
        EthernetFrame.WriteHeader(frame, 0, OurMac, PeerMac, EtherType.IPv4);
        Array.Copy(header, 0, frame, tcpAt, tcpLength - segment.Data.Length);
        segment.Data.CopyTo(frame, tcpAt + tcpLength - segment.Data.Length);
        TcpSegment.FillChecksum(frame, tcpAt, tcpLength, PeerAddress, OurAddress);
        Ipv4Packet.WriteHeader(frame, EthernetFrame.HeaderLength, PeerAddress, OurAddress, IpProtocol.Tcp, tcpLength, _identification++, 64, true);
        return frame;
    }

    /// <summary>The next TCP segment the stack sent, parsed with the wire views; null when there is none.</summary>
    public Seg? Recv()
    {
        while (Device.Outbound.Count > 0)
        {
            byte[] frame = Device.Outbound.Dequeue();
            Assert.Equal(WireError.None, EthernetFrame.TryParse(frame, 0, frame.Length, out var ethernet));
            if (ethernet.EtherType == EtherType.Arp)
            {
                AnswerArp(frame, ethernet);
                continue;
            }

            Assert.Equal(EtherType.IPv4, ethernet.EtherType);
            Assert.Equal(PeerMac, ethernet.Destination);
            Assert.Equal(WireError.None, Ipv4Packet.TryParse(frame, ethernet.PayloadOffset, ethernet.PayloadLength, out var ip));
            Assert.True(ip.Protocol == IpProtocol.Tcp, $"the stack sent IP protocol {ip.Protocol}, not TCP");
            Assert.Equal(OurAddress, ip.Source);
            Assert.Equal(PeerAddress, ip.Destination);
            Assert.Equal(WireError.None, TcpSegment.TryParse(frame, ip.PayloadOffset, ip.PayloadLength, ip.Source, ip.Destination, out var tcp));
            var options = new TcpOptions();
            tcp.ReadOptions(options);
            uint[]? sack = null;
            if (options.SackBlockCount > 0)
            {
                sack = new uint[2 * options.SackBlockCount];
                for (int i = 0; i < options.SackBlockCount; i++)
                {
                    options.GetSackBlock(i, out sack[2 * i], out sack[2 * i + 1]);
                }
            }

            return new Seg(tcp.Flags, tcp.SequenceNumber, tcp.AcknowledgmentNumber)
            {
                Window = tcp.Window,
                Data = frame.AsSpan(tcp.PayloadOffset, tcp.PayloadLength).ToArray(),
                Mss = options.HasMaximumSegmentSize ? options.MaximumSegmentSize : -1,
                WindowScale = options.HasWindowScale ? options.WindowScale : -1,
                SackPermitted = options.SackPermitted,
                TsVal = options.HasTimestamps ? options.TimestampValue : null,
                TsEcr = options.HasTimestamps ? options.TimestampEchoReply : 0,
                Sack = sack,
                SourcePort = tcp.SourcePort,
                DestinationPort = tcp.DestinationPort,
            };
        }

        return null;
    }

    private void AnswerArp(byte[] frame, EthernetFrame ethernet)
    {
        Assert.Equal(WireError.None, ArpPacket.TryParse(frame, ethernet.PayloadOffset, ethernet.PayloadLength, out var arp));
        if (arp.Operation == ArpPacket.OperationRequest && arp.TargetProtocolAddress == PeerAddress)
        {
            var reply = new byte[60];
            EthernetFrame.WriteHeader(reply, 0, OurMac, PeerMac, EtherType.Arp);
            ArpPacket.Write(reply, EthernetFrame.HeaderLength, ArpPacket.OperationReply, PeerMac, PeerAddress, OurMac, OurAddress);
            Device.Inbound.Enqueue(reply);
        }
    }

    /// <summary>The expected segment with the harness defaults filled in, as it must appear on the wire.</summary>
    public Seg Complete(Seg expected) => expected with
    {
        Window = expected.Window < 0 ? DefaultWindow : expected.Window,
        SourcePort = expected.SourcePort < 0 ? LocalPort : expected.SourcePort,
        DestinationPort = expected.DestinationPort < 0 ? PeerPort : expected.DestinationPort,
    };

    /// <summary>The next segment we sent must be exactly <paramref name="expected"/>.</summary>
    public Seg ExpectSegment(Seg expected)
    {
        Seg? actual = Recv();
        string want = Complete(expected).Describe();
        if (actual == null)
        {
            throw new Xunit.Sdk.XunitException($"expected a segment, the stack sent none\n  expected: {want}");
        }

        string got = actual.Describe();
        if (want != got)
        {
            throw new Xunit.Sdk.XunitException($"segment differs\n  expected: {want}\n  actual:   {got}");
        }

        return actual;
    }

    /// <summary>As <see cref="ExpectSegment"/>, the sequence number taken from the segment (our ISS, unknown before).</summary>
    public Seg ExpectSegmentAnySeq(Seg expected)
    {
        Seg? actual = Recv();
        if (actual == null)
        {
            throw new Xunit.Sdk.XunitException($"expected a segment, the stack sent none\n  expected: {Complete(expected).Describe()}");
        }

        string want = Complete(expected with { Seq = actual.Seq }).Describe();
        if (want != actual.Describe())
        {
            throw new Xunit.Sdk.XunitException($"segment differs\n  expected: {want}\n  actual:   {actual.Describe()}");
        }

        return actual;
    }

    public void ExpectSegments(params Seg[] expected)
    {
        foreach (var segment in expected)
        {
            ExpectSegment(segment);
        }
    }

    /// <summary>We sent nothing (after polling once more).</summary>
    public void ExpectNothing()
    {
        Poll();
        Seg? actual = Recv();
        if (actual != null)
        {
            throw new Xunit.Sdk.XunitException($"expected no segment, the stack sent\n  actual:   {actual.Describe()}");
        }
    }

    // ---- sockets ----

    /// <summary>The socket's state as the netstat view shows it; null once its slot is free.</summary>
    public SocketState? State(int socket)
    {
        for (int i = 0; i < Stack.SocketCount; i++)
        {
            if (Stack.GetSocketInfo(i, out var info) == SocketResult.Success && info.Descriptor == socket)
            {
                return info.State;
            }
        }

        return null;
    }

    public SocketState? State() => State(Socket);

    public void AssertState(SocketState expected) => Assert.Equal(expected, State());

    /// <summary>Slots in use by connections (not listeners), whatever their descriptor.</summary>
    public int Connections()
    {
        int count = 0;
        for (int i = 0; i < Stack.SocketCount; i++)
        {
            if (Stack.GetSocketInfo(i, out var info) == SocketResult.Success && info.Type == SocketKind.Stream && info.State != SocketState.Listen)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The application writes: all of it is queued, and goes out with the next poll.</summary>
    public void Write(byte[] data)
    {
        Assert.Equal(SocketResult.Success, Stack.SendSome(Socket, data, 0, data.Length, out int sent));
        Assert.Equal(data.Length, sent);
        Poll();
    }

    /// <summary>Everything the application can read now.</summary>
    public byte[] Read()
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (Stack.Receive(Socket, buffer, 0, buffer.Length, out int n) == SocketResult.Success && n > 0)
        {
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        Poll();
        return received.ToArray();
    }

    /// <summary>The result the next read reports (0 bytes: end of stream).</summary>
    public SocketResult ReadResult(out int count)
    {
        var buffer = new byte[4096];
        return Stack.Receive(Socket, buffer, 0, buffer.Length, out count);
    }

    public static byte[] Bytes(int length, int seed = 0)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)((i + seed) % 251);
        }

        return data;
    }

    public void SetOption(SocketOption option, int value) => Assert.Equal(SocketResult.Success, Stack.SetOption(Socket, option, value));

    // ---- bringing a connection to each state ----

    /// <summary>The peer's SYN with the options it offers by default (MSS only).</summary>
    public static Seg PeerSyn => new(TcpFlags.Syn, PeerIss) { Mss = PeerMss };

    /// <summary>LISTEN: a listener on port 80.</summary>
    public SegmentHarness Listen(int backlog = 4)
    {
        Assert.Equal(SocketResult.Success, Stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int listener));
        Assert.Equal(SocketResult.Success, Stack.Bind(listener, IPv4Address.Any, ListenPort));
        Assert.Equal(SocketResult.Success, Stack.Listen(listener, backlog));
        Listener = listener;
        LocalPort = ListenPort;
        return this;
    }

    /// <summary>SYN-RECEIVED, passive (RFC 9293 figure 5, LISTEN -> rcv SYN, snd SYN,ACK): a half-open entry; reads our ISS from the SYN-ACK.</summary>
    public SegmentHarness SynReceived(Seg? syn = null)
    {
        Listen();
        Send(syn ?? PeerSyn);
        Seg? synAck = Recv();
        Assert.NotNull(synAck);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
        Assert.Equal((syn ?? PeerSyn).Seq + 1, synAck.Ack);
        Iss = synAck.Seq;
        ExpectNothing();
        return this;
    }

    /// <summary>ESTABLISHED, passive: the handshake's ACK completes it and the application accepts.</summary>
    public SegmentHarness Established(Seg? syn = null, Seg? ack = null)
    {
        SynReceived(syn);
        Send(ack ?? new Seg(TcpFlags.Ack, PeerIss + 1, Iss + 1));
        Accept();
        AssertState(SocketState.Established);
        ExpectNothing();
        return this;
    }

    /// <summary>The application accepts the connection the handshake established; it becomes the one under test.</summary>
    public SegmentHarness Accept()
    {
        Assert.Equal(SocketResult.Success, Stack.Accept(Listener, out int socket));
        Socket = socket;
        return this;
    }

    /// <summary>ESTABLISHED, passive, with the peer's SYN offering <paramref name="mss"/> and more (for mechanisms that need it).</summary>
    public SegmentHarness Established(int mss, bool sackPermitted = false, int windowScale = -1, int ackWindow = -1)
    {
        SynReceived(new Seg(TcpFlags.Syn, PeerIss) { Mss = mss, SackPermitted = sackPermitted, WindowScale = windowScale });
        Send(new Seg(TcpFlags.Ack, PeerIss + 1, Iss + 1) { Window = ackWindow });
        Accept();
        AssertState(SocketState.Established);
        ExpectNothing();
        return this;
    }

    /// <summary>SYN-SENT (CLOSED -> active OPEN, snd SYN): reads our ISS from the SYN.</summary>
    public SegmentHarness SynSent()
    {
        Assert.Equal(SocketResult.Success, Stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        Assert.Equal(SocketResult.Success, Stack.Bind(socket, OurAddress, ActivePort));
        Socket = socket;
        LocalPort = ActivePort;
        Assert.Equal(SocketResult.WouldBlock, Stack.Connect(socket, PeerAddress, PeerPort));
        Seg? syn = Recv();
        Assert.NotNull(syn);
        Assert.Equal(TcpFlags.Syn, syn.Flags);
        Iss = syn.Seq;
        AssertState(SocketState.SynSent);
        ExpectNothing();
        return this;
    }

    /// <summary>ESTABLISHED, active: the peer's SYN-ACK, our ACK.</summary>
    public SegmentHarness EstablishedActive(Seg? synAck = null)
    {
        SynSent();
        Send(synAck ?? new Seg(TcpFlags.Syn | TcpFlags.Ack, PeerIss, Iss + 1) { Mss = PeerMss });
        ExpectSegment(new Seg(TcpFlags.Ack, Iss + 1, PeerIss + 1));
        AssertState(SocketState.Established);
        return this;
    }

    /// <summary>SYN-RECEIVED by simultaneous open (SYN-SENT -> rcv SYN, snd SYN,ACK; RFC 9293 figure 8).</summary>
    public SegmentHarness SimultaneousSynReceived()
    {
        SynSent();
        Send(new Seg(TcpFlags.Syn, PeerIss) { Mss = PeerMss });
        ExpectSegment(new Seg(TcpFlags.Syn | TcpFlags.Ack, Iss, PeerIss + 1) { Mss = Options.TcpMaximumSegmentSize });
        AssertState(SocketState.SynReceived);
        return this;
    }

    /// <summary>FIN-WAIT-1 (ESTABLISHED -> CLOSE, snd FIN): the application shuts down sending; the socket stays ours.</summary>
    public SegmentHarness FinWait1()
    {
        Established();
        Assert.Equal(SocketResult.Success, Stack.Shutdown(Socket, ShutdownDirection.Send));
        ExpectSegment(new Seg(TcpFlags.Fin | TcpFlags.Ack, Iss + 1, PeerIss + 1));
        AssertState(SocketState.FinWait1);
        return this;
    }

    /// <summary>FIN-WAIT-2 (FIN-WAIT-1 -> rcv ACK of FIN).</summary>
    public SegmentHarness FinWait2()
    {
        FinWait1();
        Send(new Seg(TcpFlags.Ack, PeerIss + 1, Iss + 2));
        ExpectNothing();
        AssertState(SocketState.FinWait2);
        return this;
    }

    /// <summary>CLOSING (FIN-WAIT-1 -> rcv FIN, snd ACK): the FINs crossed.</summary>
    public SegmentHarness Closing()
    {
        FinWait1();
        Send(new Seg(TcpFlags.Fin | TcpFlags.Ack, PeerIss + 1, Iss + 1));
        ExpectSegment(new Seg(TcpFlags.Ack, Iss + 2, PeerIss + 2) { Window = WindowAfterFin });
        AssertState(SocketState.Closing);
        return this;
    }

    /// <summary>TIME-WAIT (FIN-WAIT-2 -> rcv FIN, snd ACK); the socket still ours, so its state shows.</summary>
    public SegmentHarness TimeWait()
    {
        FinWait2();
        Send(new Seg(TcpFlags.Fin | TcpFlags.Ack, PeerIss + 1, Iss + 2));
        ExpectSegment(new Seg(TcpFlags.Ack, Iss + 2, PeerIss + 2) { Window = WindowAfterFin });
        AssertState(SocketState.TimeWait);
        return this;
    }

    /// <summary>CLOSE-WAIT (ESTABLISHED -> rcv FIN, snd ACK).</summary>
    public SegmentHarness CloseWait()
    {
        Established();
        Send(new Seg(TcpFlags.Fin | TcpFlags.Ack, PeerIss + 1, Iss + 1));
        ExpectSegment(new Seg(TcpFlags.Ack, Iss + 1, PeerIss + 2) { Window = WindowAfterFin });
        AssertState(SocketState.CloseWait);
        return this;
    }

    /// <summary>LAST-ACK (CLOSE-WAIT -> CLOSE, snd FIN).</summary>
    public SegmentHarness LastAck()
    {
        CloseWait();
        Assert.Equal(SocketResult.Success, Stack.Shutdown(Socket, ShutdownDirection.Send));
        ExpectSegment(new Seg(TcpFlags.Fin | TcpFlags.Ack, Iss + 1, PeerIss + 2) { Window = WindowAfterFin });
        AssertState(SocketState.LastAck);
        return this;
    }
}
