using IoTStack.Drivers;
using IoTStack.Boards;
using IoTStack.Drivers.W5500;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.TlsHarness;
using IoTStack.Net.Services;
using IoTStack.Net.Wire;

namespace IoTStack.Fuzz;

/// <summary>Seed inputs for the stack target from real captures (classic pcap, Ethernet): frames in the target's format.</summary>
public static class Seeds
{
    public static void FromCaptures(string[] captures, string directory)
    {
        Directory.CreateDirectory(directory);
        int written = 0;
        foreach (var capture in captures)
        {
            var frames = Read(capture);
            string stem = Path.GetFileNameWithoutExtension(capture);
            // Each distinct frame the board received alone, and runs of ten in order (a conversation's state).
            var seen = new HashSet<string>();
            for (int i = 0; i < frames.Count; i++)
            {
                if (frames[i].Length >= 14 && frames[i][0] == 0x02 && frames[i][5] == 0x02 && seen.Add(Kind(frames[i])))
                {
                    File.WriteAllBytes(Path.Combine(directory, $"{stem}-{i:D5}.bin"), Encode([frames[i]]));
                    written++;
                }
            }

            for (int i = 0; i + 10 <= frames.Count && i < 100; i += 25)
            {
                File.WriteAllBytes(Path.Combine(directory, $"{stem}-run{i:D5}.bin"), Encode(frames.GetRange(i, 10)));
                written++;
            }
        }

        Console.WriteLine($"{written} seeds in {directory}");
    }

    /// <summary>
    /// Seeds for the chip targets: what each chip model really answered (every byte read back) while its driver
    /// started, received a few frames and sent some, so the fuzzer begins from register values that make sense.
    /// </summary>
    public static void FromChipModels(string corpus)
    {
        foreach (var target in new[] { ChipNames.Enc28j60, ChipNames.W5500, ChipNames.W5500Sockets })
        {
            var clock = new VirtualClock(0);
            var wire = new VirtualSwitch(clock);
            var mac = new MacAddress(2, 0, 0, 0, 0, 2);
            var peer = wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 1));
            var model = ChipModel.Create(target, wire.AddPort(mac), clock);
            var recorder = new RecordingBus(model.Bus);
            var frame = new byte[300];
            EthernetFrame.WriteHeader(frame, 0, mac, new MacAddress(2, 0, 0, 0, 0, 1), EtherType.IPv4);
            var buffer = new byte[1518];
            if (target == ChipNames.W5500Sockets)
            {
                var engine = new W5500SocketEngine(recorder, mac, clock);
                engine.Initialise(new IPv4Address(192, 0, 2, 2), IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
                engine.Open(Net.Sockets.SocketKind.Datagram, Net.Wire.IpProtocol.Udp, out int udp);
                engine.Bind(udp, IPv4Address.Any, 9);
                for (int i = 0; i < 20; i++)
                {
                    engine.Poll();
                    engine.ReceiveFrom(udp, buffer, 0, buffer.Length, out _, out _);
                    clock.Advance(1);
                }
            }
            else
            {
                var driver = BoardNetwork.StartFrameDriver(ChipNames.Parse(target), recorder, mac, clock)
                    ?? throw new InvalidOperationException($"the {target} model did not come up");
                for (int i = 0; i < 5; i++)
                {
                    peer.Transmit(frame, 0, frame.Length);
                    clock.Advance(1);
                    driver.Receive(buffer, 0, buffer.Length);
                    driver.Transmit(frame, 0, 60);
                }
            }

            string directory = Path.Combine(corpus, target);
            Directory.CreateDirectory(directory);
            File.WriteAllBytes(Path.Combine(directory, "model-session.bin"), recorder.Read.ToArray());
            File.WriteAllBytes(Path.Combine(directory, "zeros.bin"), new byte[64]);
            File.WriteAllBytes(Path.Combine(directory, "ones.bin"), Enumerable.Repeat((byte)0xFF, 64).ToArray());
            Console.WriteLine($"{target}: {recorder.Read.Count} bytes read back in the model session");
        }
    }

    /// <summary>
    /// Seeds for the dhcp and sntp targets, written with the views themselves: a server's offer and acknowledgement (one
    /// with option overload into file and sname), a NAK; an SNTP answer, a kiss-o'-death, an unsynchronised one. The targets
    /// write the client's transaction id or nonce in, so these reach the clients' own checks. Then the mqtt seeds and the
    /// stack target's IGMP seeds.
    /// </summary>
    public static void FromServiceViews(string corpus)
    {
        string dhcp = Path.Combine(corpus, "dhcp");
        Directory.CreateDirectory(dhcp);
        byte[] offer = DhcpReply(DhcpMessage.Offer, overload: false);
        byte[] ack = DhcpReply(DhcpMessage.Ack, overload: false);
        File.WriteAllBytes(Path.Combine(dhcp, "offer-ack.bin"), Encode([offer, ack]));
        File.WriteAllBytes(Path.Combine(dhcp, "offer-overloaded-ack.bin"), Encode([offer, DhcpReply(DhcpMessage.Ack, overload: true)]));
        File.WriteAllBytes(Path.Combine(dhcp, "offer-nak.bin"), Encode([offer, DhcpReply(DhcpMessage.Nak, overload: false)]));

        string sntp = Path.Combine(corpus, "sntp");
        Directory.CreateDirectory(sntp);
        File.WriteAllBytes(Path.Combine(sntp, "answer.bin"), Encode([SntpAnswer(0, 2)]));
        File.WriteAllBytes(Path.Combine(sntp, "kiss-then-answer.bin"), Encode([SntpAnswer(3, 0), SntpAnswer(0, 1)]));
        File.WriteAllBytes(Path.Combine(sntp, "unsynchronised.bin"), Encode([SntpAnswer(3, 16)]));
        Console.WriteLine($"dhcp and sntp seeds in {dhcp}, {sntp}");
        FromMdnsMessages(corpus);
        FromMqttWriter(corpus);
        FromIgmpViews(corpus);
    }

    /// <summary>
    /// IGMP seeds for the stack target, written with <see cref="IgmpMessage"/>: a querier (192.0.2.1) asking in each version
    /// (v1, v2 general and group, v3 general, group and group-and-source, with QRV and QQIC), other members' v1 and v2
    /// reports (suppression), a leave, a v3 report with records, and a conversation that moves the board to IGMPv2 and
    /// back. The board has joined 224.0.0.251 (mDNS) and its UDP socket 239.1.2.3, so group messages reach the groups.
    /// </summary>
    public static void FromIgmpViews(string corpus)
    {
        string stack = Path.Combine(corpus, "stack");
        Directory.CreateDirectory(stack);
        const uint mdns = 0xE00000FB;
        const uint joined = 0xEF010203;
        byte[] Short(byte type, int code, uint group)
        {
            var message = new byte[IgmpMessage.HeaderLength];
            IgmpMessage.Write(message, 0, type, code, group);
            return message;
        }

        byte[] V3Query(uint group, int code, params uint[] sources)
        {
            var message = new byte[IgmpMessage.V3QueryLength + 4 * sources.Length];
            IgmpMessage.WriteV3Query(message, 0, code, group, false, 3, IgmpMessage.EncodeFloatingCode(60));
            NetworkOrder.WriteUInt16(message, 10, sources.Length);
            for (int i = 0; i < sources.Length; i++)
            {
                NetworkOrder.WriteUInt32(message, IgmpMessage.V3QueryLength + 4 * i, sources[i]);
            }

            IgmpMessage.FillChecksum(message, 0, message.Length);
            return message;
        }

        var report = new byte[IgmpMessage.HeaderLength + 2 * IgmpMessage.GroupRecordLength];
        IgmpMessage.WriteV3ReportHeader(report, 0, 2);
        IgmpMessage.WriteGroupRecord(report, 8, IgmpMessage.ModeIsExclude, mdns);
        IgmpMessage.WriteGroupRecord(report, 16, IgmpMessage.ChangeToIncludeMode, joined);
        IgmpMessage.FillChecksum(report, 0, report.Length);
        var seeds = new (string Name, (byte[] Message, uint To)[] Frames)[]
        {
            ("igmp-v1-query", [(Short(IgmpMessage.TypeMembershipQuery, 0, 0), IgmpMessage.AllSystems)]),
            ("igmp-v2-general-query", [(Short(IgmpMessage.TypeMembershipQuery, 20, 0), IgmpMessage.AllSystems)]),
            ("igmp-v2-group-query", [(Short(IgmpMessage.TypeMembershipQuery, 10, joined), joined)]),
            ("igmp-v3-general-query", [(V3Query(0, 20), IgmpMessage.AllSystems)]),
            ("igmp-v3-group-query", [(V3Query(mdns, 20), mdns)]),
            ("igmp-v3-group-and-source-query", [(V3Query(joined, 20, 0xC0000201, 0xC0000203), joined)]),
            ("igmp-reports", [(Short(IgmpMessage.TypeMembershipQuery, 100, 0), IgmpMessage.AllSystems), (Short(IgmpMessage.TypeV2Report, 0, joined), joined),
                (Short(IgmpMessage.TypeV1Report, 0, mdns), mdns), (Short(IgmpMessage.TypeLeaveGroup, 0, joined), IgmpMessage.AllRouters), (report, IgmpMessage.AllSystems)]),
            ("igmp-v2-then-v3", [(Short(IgmpMessage.TypeMembershipQuery, 50, 0), IgmpMessage.AllSystems), (V3Query(0, 0), IgmpMessage.AllSystems), (V3Query(joined, 0x80), joined)]),
        };
        foreach (var (name, frames) in seeds)
        {
            File.WriteAllBytes(Path.Combine(stack, name + ".bin"), Encode(frames.Select(f => IgmpFrame(f.Message, f.To))));
        }

        Console.WriteLine($"{seeds.Length} igmp seeds in {stack}");
    }

    /// <summary>An IGMP message from 192.0.2.1 in a datagram with TTL 1 and Router Alert, as a querier sends it (RFC 3376 section 4).</summary>
    private static byte[] IgmpFrame(byte[] message, uint destination)
    {
        const int headerLength = Ipv4Packet.MinimumHeaderLength + 4;
        var frame = new byte[Math.Max(EthernetFrame.MinimumLength, EthernetFrame.HeaderLength + headerLength + message.Length)];
        EthernetFrame.WriteHeader(frame, 0, MacAddress.FromIPv4Multicast(new IPv4Address(destination)), new MacAddress(2, 0, 0, 0, 0, 1), EtherType.IPv4);
        var ip = Ipv4Packet.Init(frame, EthernetFrame.HeaderLength, headerLength);
        ip.TotalLength = headerLength + message.Length;
        ip.TimeToLive = 1;
        ip.Protocol = IpProtocol.Igmp;
        ip.Source = new IPv4Address(192, 0, 2, 1);
        ip.DestinationValue = destination;
        NetworkOrder.WriteUInt32(frame, ip.OptionsOffset, 0x94040000);
        ip.FillChecksum();
        message.CopyTo(frame, EthernetFrame.HeaderLength + headerLength);
        return frame;
    }

    /// <summary>
    /// Seeds for the mdns target (issue 20): a browse, a resolve and a service-type enumeration with known answers; a legacy
    /// browse; a rival's probe for the board's instance name (the tie-break); a response claiming it with other SRV data (a
    /// conflict); an answer to the responder's own lookup of peer.local; a question whose name is compressed. An empty message
    /// lets the responder finish probing and announcing first.
    /// </summary>
    public static void FromMdnsMessages(string corpus)
    {
        string mdns = Path.Combine(corpus, "mdns");
        Directory.CreateDirectory(mdns);
        byte[] http = MdnsName("_http._tcp.local");
        byte[] instance = MdnsName("board._http._tcp.local");
        byte[] browse = MdnsMessage(0, 0, [[.. http, 0, 12, 0, 1]], [MdnsRecord(http, 12, 4500, instance)], []);
        byte[] resolve = MdnsMessage(0, 0, [[.. instance, 0, 33, 0x80, 1], [.. instance, 0, 16, 0x80, 1]], [], []);
        byte[] enumerate = MdnsMessage(0, 0, [[.. MdnsName("_services._dns-sd._udp.local"), 0, 12, 0, 1]], [], []);
        File.WriteAllBytes(Path.Combine(mdns, "browse-resolve-enumerate.bin"), Encode([[], browse, resolve, enumerate]));
        File.WriteAllBytes(Path.Combine(mdns, "legacy-browse.bin"), Encode([[], MdnsMessage(0x0101, 0, [[.. http, 0, 12, 0, 1]], [], [])]));
        byte[] srv = [0, 0, 0, 0, 0, 80, .. MdnsName("zzz.local")];
        byte[] probe = MdnsMessage(0, 0, [[.. instance, 0, 255, 0x80, 1]], [], [MdnsRecord(instance, 33, 120, srv)]);
        File.WriteAllBytes(Path.Combine(mdns, "rival-probe.bin"), Encode([probe, probe]));
        byte[] claim = MdnsMessage(0, 0x8400, [], [MdnsRecord(instance, 33, 120, srv)], []);
        byte[] answer = MdnsMessage(0, 0x8400, [], [MdnsRecord(MdnsName("peer.local"), 1, 120, [192, 0, 2, 1])], []);
        byte[] compressed = [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, .. http, 0, 12, 0, 1, 5, .. "board"u8, 0xC0, 12, 0, 33, 0, 1];
        File.WriteAllBytes(Path.Combine(mdns, "conflict-answer-compressed.bin"), Encode([[], claim, answer, compressed]));
        Console.WriteLine($"mdns seeds in {mdns}");
    }

    private static byte[] MdnsName(string name) =>
        [.. name.Split('.').SelectMany(label => new[] { (byte)label.Length }.Concat(System.Text.Encoding.ASCII.GetBytes(label))), 0];

    private static byte[] MdnsRecord(byte[] owner, int type, uint ttl, byte[] data) =>
        [.. owner, 0, (byte)type, 0x80, 1, (byte)(ttl >> 24), (byte)(ttl >> 16), (byte)(ttl >> 8), (byte)ttl, (byte)(data.Length >> 8), (byte)data.Length, .. data];

    /// <summary>A message: its id, flags, questions (name, type, class), answers and authority records, as given.</summary>
    private static byte[] MdnsMessage(int id, int flags, byte[][] questions, byte[][] answers, byte[][] authorities) =>
        [(byte)(id >> 8), (byte)id, (byte)(flags >> 8), (byte)flags, 0, (byte)questions.Length, 0, (byte)answers.Length, 0, (byte)authorities.Length, 0, 0,
            .. questions.SelectMany(q => q), .. answers.SelectMany(a => a), .. authorities.SelectMany(a => a)];

    /// <summary>
    /// Seeds for the mqtt target: a broker's conversation written with <see cref="MqttWriter"/> (CONNACK, SUBACK, messages
    /// at each QoS, acknowledgements, PINGRESP, PUBREL; on 5.0 with properties and a topic alias), and a session resumed
    /// after the link drops. The first byte picks the version (odd: 5.0).
    /// </summary>
    public static void FromMqttWriter(string corpus)
    {
        string mqtt = Path.Combine(corpus, "mqtt");
        Directory.CreateDirectory(mqtt);
        foreach (int version in new[] { 4, 5 })
        {
            byte[] Packet(Func<MqttWriter, bool> write)
            {
                var buffer = new byte[512];
                var writer = new MqttWriter();
                writer.Attach(buffer, 0, buffer.Length, version);
                write(writer);
                return buffer[..writer.Position];
            }

            byte[] topic = "fuzz/in"u8.ToArray();
            byte[] payload = "payload"u8.ToArray();
            var conversation = new List<byte[]>
            {
                Packet(w => w.WriteConnAck(false, 0, 2, 0)),
                Packet(w => w.WriteSubAck(MqttPacketType.SubAck, 1, 2)),
                Packet(w => w.WritePublish(topic, 0, topic.Length, payload, 0, payload.Length, 0, true, false, 0, version == 5 ? 1 : 0)),
                Packet(w => w.WritePublish(topic, 0, version == 5 ? 0 : topic.Length, payload, 0, payload.Length, 1, false, false, 7, version == 5 ? 1 : 0)),
                Packet(w => w.WritePublish(topic, 0, topic.Length, payload, 0, payload.Length, 2, false, false, 8, 0)),
                Packet(w => w.WriteAck(MqttPacketType.PubRel, 8, 0)),
                Packet(w => w.WriteAck(MqttPacketType.PubAck, 2, 0)),
                Packet(w => w.WriteAck(MqttPacketType.PubRec, 3, 0)),
                Packet(w => w.WriteAck(MqttPacketType.PubComp, 3, 0)),
                Packet(w => w.WriteEmpty(MqttPacketType.PingResp)),
            };
            byte first = (byte)(version == 5 ? 1 : 0);
            File.WriteAllBytes(Path.Combine(mqtt, $"conversation-v{version}.bin"), [first, .. Encode(conversation)]);
            var resumed = new List<byte[]>(conversation) { Array.Empty<byte>(), Packet(w => w.WriteConnAck(true, 0, 0, 0)), Packet(w => w.WriteAck(MqttPacketType.PubAck, 4, 0)) };
            File.WriteAllBytes(Path.Combine(mqtt, $"resumed-v{version}.bin"), [first, .. Encode(resumed)]);
            File.WriteAllBytes(Path.Combine(mqtt, $"refused-v{version}.bin"), [first, .. Encode([Packet(w => w.WriteConnAck(false, version == 5 ? 0x87 : 5, 0, 0))])]);
        }

        Console.WriteLine($"mqtt seeds in {mqtt}");
    }

    public static byte[] DhcpReply(int type, bool overload)
    {
        var buffer = new byte[548];
        var message = new DhcpMessage();
        message.Begin(buffer, 0, buffer.Length, DhcpMessage.BootReply, 0);
        message.YourAddressValue = type == DhcpMessage.Nak ? 0 : new IPv4Address(192, 0, 2, 2).Value;
        message.AddByteOption(DhcpMessage.OptionMessageType, type);
        message.AddUInt32Option(DhcpMessage.OptionServerIdentifier, new IPv4Address(192, 0, 2, 1).Value);
        if (type != DhcpMessage.Nak)
        {
            message.AddUInt32Option(DhcpMessage.OptionSubnetMask, 0xFFFFFF00);
            message.AddUInt32Option(DhcpMessage.OptionRouter, new IPv4Address(192, 0, 2, 1).Value);
            int at = message.AddOption(DhcpMessage.OptionDnsServers, 8);
            new IPv4Address(192, 0, 2, 1).Write(buffer, at);
            new IPv4Address(192, 0, 2, 3).Write(buffer, at + 4);
            message.AddUInt32Option(DhcpMessage.OptionNtpServers, new IPv4Address(192, 0, 2, 1).Value);
            if (overload)
            {
                message.AddByteOption(DhcpMessage.OptionOverload, 3);
                // file: lease and T1; sname: T2 (RFC 2131 section 4.1: each starts at the field's first byte and ends with End).
                byte[] file = [DhcpMessage.OptionLeaseTime, 4, 0, 0, 0x0E, 0x10, DhcpMessage.OptionRenewalTime, 4, 0, 0, 0x07, 0x08, DhcpMessage.OptionEnd];
                byte[] sname = [DhcpMessage.OptionRebindingTime, 4, 0, 0, 0x0C, 0x4E, DhcpMessage.OptionEnd];
                file.CopyTo(buffer, 108);
                sname.CopyTo(buffer, 44);
            }
            else
            {
                message.AddUInt32Option(DhcpMessage.OptionLeaseTime, 3600);
            }
        }

        return buffer[..message.End(DhcpMessage.MinimumLength)];
    }

    public static byte[] SntpAnswer(int leap, int stratum)
    {
        var bytes = new byte[SntpPacket.Length];
        var packet = new SntpPacket();
        packet.Begin(bytes, 0);
        packet.LeapIndicator = leap;
        packet.VersionNumber = 4;
        packet.Mode = SntpPacket.ModeServer;
        packet.Stratum = stratum;
        packet.Poll = 6;
        packet.Precision = -20;
        packet.ReferenceIdentifier = stratum == 0 ? SntpPacket.KissRate : 0xC0000201;
        packet.SetReferenceTimestamp(0xED000000, 0);
        packet.SetReceiveTimestamp(0xED000001, 0x40000000);
        packet.SetTransmitTimestamp(0xED000001, 0x41000000);
        return bytes;
    }

    private sealed class RecordingBus(ISpiBus inner) : ISpiBus
    {
        public List<byte> Read { get; } = new();

        public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, SpiDataDirection direction)
        {
            inner.Transfer(header, headerOffset, headerLength, data, dataOffset, dataLength, direction);
            if (direction == SpiDataDirection.Read)
            {
                Read.AddRange(data.AsSpan(dataOffset, dataLength).ToArray());
            }
        }
    }

    /// <summary>What kind of frame: EtherType, IP protocol, ports, TCP flags, size in 256-byte steps (one seed a kind).</summary>
    private static string Kind(byte[] f)
    {
        byte At(int i) => i < f.Length ? f[i] : (byte)0;
        return $"{At(12):x2}{At(13):x2}-{At(23)}-{At(34):x2}{At(35):x2}-{At(36):x2}{At(37):x2}-{At(47):x2}-{f.Length / 256}";
    }

    /// <summary>Frames as the stack target reads them: a 2-byte big-endian length before each.</summary>
    public static byte[] Encode(IEnumerable<byte[]> frames) =>
        frames.SelectMany(f => new[] { (byte)(f.Length >> 8), (byte)f.Length }.Concat(f)).ToArray();

    private static List<byte[]> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var frames = new List<byte[]>();
        for (int at = 24; at + 16 <= bytes.Length;)
        {
            int length = BitConverter.ToInt32(bytes, at + 8);
            at += 16;
            if (length < 0 || at + length > bytes.Length)
            {
                break;
            }

            frames.Add(bytes[at..(at + length)]);
            at += length;
        }

        return frames;
    }

    /// <summary>
    /// Seeds for the tls target, from a session recorded with SslStream (<see cref="ServerFlight"/>): its bytes go to
    /// <paramref name="sessionFile"/> (embedded in this assembly as the odd mode's handshake) and the seeds to CORPUS/tls:
    /// the server's flight record by record and all at once (even mode), and the records after the handshake, its session
    /// tickets and the application record (odd mode).
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static void FromTlsSession(string corpus, string sessionFile)
    {
        ServerFlight flight = ServerFlight.Record(TlsCase.Records[0]);
        var session = RecordedSession.From(flight);
        File.WriteAllBytes(sessionFile, session.ToBytes());
        byte[] bytes = session.ServerBytes;
        var records = new List<byte[]>();
        var after = new List<byte[]>();
        for (int at = 0; at < bytes.Length;)
        {
            int end = ServerFlight.RecordEnd(bytes, at);
            (at < session.HandshakeLength ? records : after).Add(bytes[at..end]);
            at = end;
        }

        string tls = Path.Combine(corpus, "tls");
        Directory.CreateDirectory(tls);
        File.WriteAllBytes(Path.Combine(tls, "handshake-records.bin"), [0, .. Encode(records)]);
        File.WriteAllBytes(Path.Combine(tls, "handshake-coalesced.bin"), [0, .. Encode([bytes[..session.HandshakeLength]])]);
        File.WriteAllBytes(Path.Combine(tls, "session-records.bin"), [0, .. Encode([.. records, .. after])]);
        File.WriteAllBytes(Path.Combine(tls, "after-handshake.bin"), [1, .. Encode(after)]);
        File.WriteAllBytes(Path.Combine(tls, "after-handshake-coalesced.bin"), [1, .. Encode([bytes[session.HandshakeLength..]])]);
        Console.WriteLine($"tls seeds in {tls}, the session in {sessionFile}");
    }
}
