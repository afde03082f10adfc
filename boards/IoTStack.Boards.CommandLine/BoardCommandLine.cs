using System.Globalization;
using IoTStack.Drivers.W5500;
using IoTStack.Net;
using IoTStack.Net.Wire;

namespace IoTStack.Boards.CommandLine;

/// <summary>
/// Handles an option the shared parser does not know (a program's own: the emulator's --tap, --pcap, faults): gets the
/// option's name and a function that takes its value (throwing "NAME needs a value" when there is none); returns
/// false for an option it does not know either.
/// </summary>
public delegate bool ProgramOption(string name, Func<string> value);

/// <summary>
/// A board's command line, parsed once for the emulator and the Linux board: the <see cref="BoardSettings"/> every
/// board builds from (chip, MAC, SPI clock, address or DHCP, name, servers, sessions, ring sizes), the profile named by
/// <c>--board</c> and how long to run. Each mistake is an <see cref="ArgumentException"/> whose message is the
/// one line a program prints after "error: ".
/// </summary>
public sealed class BoardCommandLine
{
    /// <summary>The options every board program takes, for its --help (each program adds its own lines).</summary>
    public const string OptionsHelp = """
  --board NAME          start as that board's image: its chip, MAC, SPI clock and shipped settings; the options
                        below then change them
  --chip CHIP           enc28j60, w5500 (MACRAW under IoTStack) or w5500-sockets (the chip's TCP/IP)
  --ip A.B.C.D/N        the board's address (default 192.0.2.2/24; N from 1 to 30)
  --gateway A.B.C.D     default gateway (default none)
  --dhcp                take the address, gateway, DNS and NTP servers by DHCP instead of --ip
  --hostname NAME       the board's name: sent to DHCP (option 12) and answered by mDNS as NAME.local
  --dns A.B.C.D         a DNS server for the board's resolver (GET /resolve?name=...)
  --ntp A.B.C.D         an NTP server to set the board's clock from (SNTP)
  --join GROUP          the UDP echo (port 7) also answers datagrams sent to this multicast group; the board joins it
                        and reports it by IGMP (repeatable; on the W5500's own sockets one group)
  --mqtt HOST[:PORT]    an MQTT broker the firmware reports to, by address or by name (looked up with --dns or the
                        DNS servers DHCP gives; NAME.local by mDNS), port 1883 unless given: counters to
                        PREFIX/status, every message on PREFIX/echo back to PREFIX/echo/reply at its QoS;
                        mqtt://HOST[:PORT] is the same, mqtts://HOST[:PORT] is MQTT over TLS (port 8883 unless given)
  --ca FILE             with mqtts: the PEM certificates the broker's chain must end in (one or more); the broker's
                        certificate must name HOST (an address: its iPAddress entry); the board's clock must be set
                        (--ntp, or an NTP server DHCP gives) before it accepts any certificate
  --cert FILE --key FILE   with mqtts: the board's certificate and private key (PEM) for a broker that asks for one
  --mqtt-prefix PREFIX  the topic prefix (default board)
  --mqtt-keep-alive S   the MQTT keep-alive (default 30 s): a broker that stops answering is left after 1.5 x S
  --mac XX:XX:XX:XX:XX:XX  the board's MAC (default 02:00:00:00:00:02, or the board's own)
  --sessions N          connections the firmware serves at once (default 8; the stack gets 2 more, its listeners
                        and the UDP sockets the services need)
  --rx-buffer BYTES --tx-buffer BYTES   each TCP connection's rings
  --spi-hz HZ           the SPI clock (default: the board's, or the chip's maximum, 20 or 80 MHz)
  --duration S          stop after S seconds (default: run until Ctrl-C)
  -h, --help            this text
""" + "\n";

    public BoardCommandLine(BoardSettings settings) => Settings = settings;

    /// <summary>The settings the board starts with.</summary>
    public BoardSettings Settings { get; set; }

    /// <summary>The profile named by --board, or null.</summary>
    public BoardProfile? Profile { get; private set; }

    /// <summary>Whether --mac was given (a Linux board otherwise makes its MAC from its serial number).</summary>
    public bool MacGiven { get; private set; }

    /// <summary>Seconds to run; 0 for until stopped.</summary>
    public double DurationSeconds { get; set; }

    /// <summary>Whether --help was asked for (the rest of the line is still checked up to it).</summary>
    public bool Help { get; private set; }

    /// <summary>The chip's name, as --chip takes it.</summary>
    public string ChipName => ChipNames.NameOf(Settings.Chip);

    /// <summary>The prefix length of the settings' subnet mask (for messages).</summary>
    public int PrefixLength => System.Numerics.BitOperations.PopCount(Settings.SubnetMask.Value);

    /// <summary>
    /// Parses <paramref name="args"/>. <c>--board</c> is applied first wherever it stands (the other options change its
    /// settings): <paramref name="defaults"/> makes the settings to start from, for the profile or for none;
    /// <paramref name="boards"/> says which profiles this program runs. Options the parser does not know go to
    /// <paramref name="programOption"/>. Throws ArgumentException with a one-line message for any mistake.
    /// </summary>
    public static BoardCommandLine Parse(IReadOnlyList<string> args, Func<BoardProfile?, BoardSettings> defaults, Func<BoardProfile, bool>? boards = null, ProgramOption? programOption = null)
    {
        boards ??= _ => true;
        BoardProfile? profile = null;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--board")
            {
                string name = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException("--board needs a value");
                profile = BoardProfiles.Find(name);
                if (profile is null || !boards(profile))
                {
                    throw new ArgumentException($"unknown board '{name}' (one of {string.Join(", ", BoardProfiles.All.Where(boards).Select(p => p.Name))})");
                }
            }
        }

        var line = new BoardCommandLine(defaults(profile)) { Profile = profile };
        BoardSettings settings = line.Settings;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--board": Value(); break;
                case "--chip": settings.Chip = ChipNames.Parse(Value()); break;
                case "--ip":
                {
                    ParsePrefix(Value(), out var address, out int prefix);
                    settings.Address = address;
                    settings.SubnetMask = IPv4Address.MaskFromPrefixLength(prefix);
                    break;
                }

                case "--gateway": settings.Gateway = Address(Value(), "gateway"); break;
                case "--dhcp": settings.Dhcp = true; break;
                case "--hostname": settings.HostName = HostName(Value()); break;
                case "--dns": settings.Dns = Address(Value(), "DNS server"); break;
                case "--ntp": settings.Ntp = Address(Value(), "NTP server"); break;
                case "--join": settings.EchoGroups = Join(settings.EchoGroups, Value()); break;
                case "--mqtt":
                {
                    string text = Value();
                    string rest = text;
                    settings.MqttTls = false;
                    if (text.StartsWith("mqtts://", StringComparison.OrdinalIgnoreCase))
                    {
                        settings.MqttTls = true;
                        rest = text["mqtts://".Length..];
                    }
                    else if (text.StartsWith("mqtt://", StringComparison.OrdinalIgnoreCase))
                    {
                        rest = text["mqtt://".Length..];
                    }
                    else if (text.Contains("://", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"bad MQTT broker '{text}' (the scheme is mqtt:// or mqtts://)");
                    }

                    int colon = rest.IndexOf(':');
                    string host = colon < 0 ? rest : rest[..colon];
                    settings.MqttPort = colon < 0 ? (settings.MqttTls ? 8883 : 1883) : Integer(name, rest[(colon + 1)..]);
                    if (IPv4Address.TryParse(host, out var broker))
                    {
                        settings.MqttBroker = broker;
                        settings.MqttBrokerName = null;
                    }
                    else
                    {
                        settings.MqttBroker = IPv4Address.Any;
                        settings.MqttBrokerName = DomainName(host);
                    }

                    if ((settings.MqttBrokerName is null && settings.MqttBroker.IsAny) || settings.MqttPort is < 1 or > 65535)
                    {
                        throw new ArgumentException($"bad MQTT broker '{text}' (want HOST, A.B.C.D, HOST:PORT or A.B.C.D:PORT, optionally after mqtt:// or mqtts://)");
                    }

                    break;
                }

                case "--ca": settings.MqttTrustAnchors = PemFile(name, Value(), "CERTIFICATE"); break;
                case "--cert": settings.MqttClientCertificate = PemFile(name, Value(), "CERTIFICATE"); break;
                case "--key": settings.MqttClientKey = PemFile(name, Value(), "PRIVATE KEY"); break;
                case "--mqtt-keep-alive":
                    settings.MqttKeepAliveSeconds = Integer(name, Value());
                    if (settings.MqttKeepAliveSeconds is < 1 or > 65535)
                    {
                        throw new ArgumentException("bad MQTT keep-alive (1 to 65535 seconds, MQTT 3.1.1 section 3.1.2.10)");
                    }

                    break;

                case "--mqtt-prefix":
                {
                    string text = Value();
                    settings.MqttPrefix = text.Length is > 0 and <= 40 && !text.Contains('+') && !text.Contains('#') && text[^1] != '/'
                        ? text
                        : throw new ArgumentException($"bad MQTT prefix '{text}' (1 to 40 characters, no + or #, not ending in /)");
                    break;
                }

                case "--mac":
                {
                    string text = Value();
                    settings.Mac = MacAddress.TryParse(text, out var mac) && !mac.IsMulticast ? mac : throw new ArgumentException($"bad MAC '{text}' (want a unicast XX:XX:XX:XX:XX:XX)");
                    line.MacGiven = true;
                    break;
                }

                case "--sessions": settings.Sessions = Integer(name, Value()); break;
                case "--rx-buffer": settings.TcpReceiveBufferSize = Integer(name, Value()); break;
                case "--tx-buffer": settings.TcpTransmitBufferSize = Integer(name, Value()); break;
                case "--spi-hz":
                    settings.SpiClockHz = Integer(name, Value());
                    if (settings.SpiClockHz < 1000)
                    {
                        throw new ArgumentException($"--spi-hz wants at least 1000 Hz, not {settings.SpiClockHz}");
                    }

                    break;
                case "--duration": line.DurationSeconds = Seconds(name, Value()); break;
                case "-h" or "--help": line.Help = true; return line;
                default:
                    if (programOption is null || !programOption(name, Value))
                    {
                        throw new ArgumentException($"unknown argument: {name} (try --help)");
                    }

                    break;
            }
        }

        if (settings.MqttBrokerName is not null && !settings.MqttBrokerName.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
            && !settings.Dhcp && settings.Dns.IsAny)
        {
            throw new ArgumentException($"the MQTT broker '{settings.MqttBrokerName}' is a name: give --dns A.B.C.D or --dhcp to look it up");
        }

        if (settings.MqttBrokerName is not null && settings.MqttBrokerName.EndsWith(".local", StringComparison.OrdinalIgnoreCase) && settings.HostName is null)
        {
            throw new ArgumentException($"the MQTT broker '{settings.MqttBrokerName}' is looked up by mDNS: give the board a --hostname");
        }

        bool tlsFiles = settings.MqttTrustAnchors is not null || settings.MqttClientCertificate is not null || settings.MqttClientKey is not null;
        if (tlsFiles && !settings.MqttTls)
        {
            throw new ArgumentException("--ca, --cert and --key are for MQTT over TLS: give the broker as --mqtt mqtts://HOST[:PORT]");
        }

        if (settings.MqttTls && settings.MqttTrustAnchors is null)
        {
            throw new ArgumentException("MQTT over TLS needs --ca FILE: the PEM certificates the broker's chain must end in");
        }

        if ((settings.MqttClientCertificate is null) != (settings.MqttClientKey is null))
        {
            throw new ArgumentException("--cert and --key go together: the board's certificate and its private key, both or neither");
        }

        return line;
    }

    /// <summary>
    /// A PEM file's bytes (RFC 7468), read here so that portable code never opens a file; "NAME: cannot read FILE" or
    /// "NAME: FILE holds no LABEL" (any "-----BEGIN ...LABEL-----" line: "PRIVATE KEY" matches EC and PKCS#8 keys).
    /// </summary>
    public static byte[] PemFile(string name, string path, string label)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{name}: cannot read {path} ({error.Message})");
        }

        string text = System.Text.Encoding.ASCII.GetString(bytes);
        int begin = text.IndexOf("-----BEGIN ", StringComparison.Ordinal);
        int end = begin < 0 ? -1 : text.IndexOf("-----", begin + 11, StringComparison.Ordinal);
        if (begin < 0 || end < 0 || !text[(begin + 11)..end].EndsWith(label, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name}: {path} holds no PEM {label} (-----BEGIN {label}-----)");
        }

        return bytes;
    }

    /// <summary>A.B.C.D or A.B.C.D/N (N from 1 to 30; 24 when left out).</summary>
    public static void ParsePrefix(string text, out IPv4Address address, out int prefix)
    {
        string[] parts = text.Split('/');
        prefix = 24;
        if (!IPv4Address.TryParse(parts[0], out address) || parts.Length > 2
            || (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix < 1 || prefix > 30)))
        {
            throw new ArgumentException($"bad address '{text}' (want A.B.C.D/N, N from 1 to 30)");
        }
    }

    /// <summary>An IPv4 address; "bad WHAT 'TEXT'" otherwise.</summary>
    public static IPv4Address Address(string text, string what) =>
        IPv4Address.TryParse(text, out var address) ? address : throw new ArgumentException($"bad {what} '{text}'");

    /// <summary>The groups with one more: a multicast address other than 224.0.0.1, not given before.</summary>
    public static uint[] Join(uint[]? groups, string text)
    {
        if (!IPv4Address.TryParse(text, out var group) || !group.IsMulticast || group.Value == IgmpMessage.AllSystems)
        {
            throw new ArgumentException($"bad group '{text}' for --join (a multicast address, 224.0.0.0 to 239.255.255.255, other than 224.0.0.1)");
        }

        groups ??= [];
        return groups.Contains(group.Value) ? throw new ArgumentException($"--join {text} given twice") : [.. groups, group.Value];
    }

    /// <summary>A host name DHCP and mDNS take: 1 to 57 letters, digits and inner hyphens.</summary>
    public static string HostName(string text) =>
        text.Length is > 0 and <= 57 && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && text[0] != '-' && text[^1] != '-'
            ? text
            : throw new ArgumentException($"bad host name '{text}' (1 to 57 letters, digits and inner hyphens)");

    /// <summary>A DNS name (RFC 1035 section 2.3.1, RFC 1123 section 2.1): dot-separated labels of 1 to 63 letters, digits and inner hyphens, at most 253 characters.</summary>
    public static string DomainName(string text) =>
        text.Length is > 0 and <= 253 && text.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-')
            ? text
            : throw new ArgumentException($"bad host name '{text}' (dot-separated labels of 1 to 63 letters, digits and inner hyphens)");

    public static int Integer(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : throw new ArgumentException($"{name} wants a whole number, not '{text}'");

    public static double Seconds(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentException($"{name} wants a number of seconds, not '{text}'");

    public static double Probability(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0 && value <= 1
            ? value
            : throw new ArgumentException($"{name} wants a probability from 0 to 1, not '{text}'");
}
