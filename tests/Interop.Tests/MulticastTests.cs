using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// Issue 20 through a real switch that listens to IGMP: a Linux bridge with snooping and a querier, the board's TAP on
/// one port (which floods no unregistered multicast, so only what the bridge learned from the board reaches it) and a
/// second namespace on a veth on another. The board (static 192.0.2.2) joins a group with --join: its IGMP report puts
/// its port in the bridge's multicast database, a datagram to the group crosses to the board and its UDP echo answers;
/// after "leave" the entry goes and the bridge stops forwarding the group, which the board's own capture shows.
/// </summary>
public sealed class MulticastTests(ITestOutputHelper log)
{
    private const string Group = "239.1.2.3";
    private const string Peer = "192.0.2.3";
    private static int _peers;

    [Theory]
    [InlineData("enc28j60", 3)]
    [InlineData("enc28j60", 2)]
    [InlineData("w5500", 3)]
    [InlineData("w5500", 2)]
    [InlineData("w5500-sockets", 3)]
    [InlineData("w5500-sockets", 2)]
    public void A_snooping_bridge_forwards_a_joined_group_to_the_board_and_stops_after_its_leave(string chip, int igmpVersion)
    {
        string peer = $"iotstack-{Environment.ProcessId}-m{Interlocked.Increment(ref _peers)}";
        EmulatorProcess? board = null;
        try
        {
            board = new EmulatorProcess(chip, host => Bridge(host, peer, igmpVersion), "--join", Group);
            var emulator = board;
            string Context(object what) => $"{chip}, IGMPv{igmpVersion} querier: {what}\n{emulator.Output}";

            Assert.True(WaitFor(() => Listed(emulator)), Context("the bridge never listed the board's port for " + Group + ":\n" + Mdb(emulator)));
            log.WriteLine($"{chip}: {Mdb(board).Trim()}");
            Assert.True(Echo(peer, Group, "before-leave", attempts: 10) == "before-leave", Context("no echo from the group"));
            Assert.True(Echo(peer, "239.9.9.9", "never-joined") is null, Context("an answer on a group the board never joined"));

            string left = board.Command("leave " + Group);
            Assert.True(left == "left " + Group, Context(left));
            Assert.True(WaitFor(() => !Listed(emulator)), Context("the bridge still lists the board's port after its leave:\n" + Mdb(emulator)));
            Assert.True(Echo(peer, Group, "after-leave") is null, Context("an echo after the leave"));

            Assert.Equal(0, board.Stop());
            // The board's capture holds every frame its wire carried: the group's datagram before the leave, none after,
            // and the board's IGMP (protocol 2) both ways of its membership.
            byte[] capture = File.ReadAllBytes(board.CapturePath);
            Assert.True(Contains(capture, "before-leave"), Context("the capture misses the datagram the board answered"));
            Assert.False(Contains(capture, "after-leave"), Context("the bridge forwarded the group after the leave"));
            Assert.False(Contains(capture, "never-joined"), Context("the bridge forwarded a group nobody on the board's port joined"));
            int reports = IgmpFromBoard(capture);
            log.WriteLine($"{chip}: {reports} IGMP messages from the board");
            Assert.True(reports >= 2, Context($"{reports} IGMP messages from the board (a report and a leave at least)"));
        }
        finally
        {
            board?.Dispose();
            Shell.Run("ip", "netns", "del", peer);
        }
    }

    /// <summary>
    /// Puts the namespace's TAP (Linux's 192.0.2.1 moved to the bridge) and a veth to namespace <paramref name="peer"/>
    /// (192.0.2.3) on a bridge with IGMP snooping and a querier of <paramref name="igmpVersion"/>; the TAP's port floods no
    /// unregistered multicast (mcast_flood off), so what reaches the board is what the bridge learned.
    /// </summary>
    private static void Bridge(EmulatorProcess host, string peer, int igmpVersion)
    {
        string tap = host.Interface;
        Run(host.InNamespace("ip", "addr", "del", "192.0.2.1/24", "dev", tap));
        // The bridge forwards a group by its database only once its querier counts as present (Linux's
        // br_multicast_querier_exists); until then it floods, which the TAP port refuses. Turning the querier on arms a
        // delay of one query response interval (br_multicast_set_querier), read when the option is applied: so the
        // interval is set to 1 s (100 centiseconds) first and the querier turned on after, not 10 s. The board then also
        // answers queries within a 1 s maximum response time.
        Run(host.InNamespace("ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "1",
            "mcast_igmp_version", igmpVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "mcast_query_response_interval", "100"));
        Run(host.InNamespace("ip", "link", "set", "br0", "type", "bridge", "mcast_querier", "1"));
        Run(host.InNamespace("ip", "link", "set", tap, "master", "br0"));
        Run(host.InNamespace("bridge", "link", "set", "dev", tap, "mcast_flood", "off"));
        Run(host.InNamespace("ip", "addr", "add", "192.0.2.1/24", "dev", "br0"));
        Run(Shell.Run("ip", "netns", "add", peer));
        Run(host.InNamespace("ip", "link", "add", "vethb", "type", "veth", "peer", "name", "vethp", "netns", peer));
        Run(host.InNamespace("ip", "link", "set", "vethb", "master", "br0"));
        Run(host.InNamespace("ip", "link", "set", "vethb", "up"));
        Run(host.InNamespace("ip", "link", "set", "br0", "up"));
        Run(Shell.Run("ip", "netns", "exec", peer, "ip", "addr", "add", Peer + "/24", "dev", "vethp"));
        Run(Shell.Run("ip", "netns", "exec", peer, "ip", "link", "set", "vethp", "up"));
        Run(Shell.Run("ip", "netns", "exec", peer, "ip", "link", "set", "lo", "up"));

        static void Run(ProcessResult result) =>
            Assert.True(result.ExitCode == 0, $"setting up the bridge: {result}");
    }

    private static string Mdb(EmulatorProcess board) => board.InNamespace("bridge", "mdb", "show", "dev", "br0").Output;

    /// <summary>Whether the bridge's multicast database has the board's port for <see cref="Group"/>.</summary>
    private static bool Listed(EmulatorProcess board) =>
        Mdb(board).Split('\n').Any(line => line.Contains("port " + board.Interface + " ", StringComparison.Ordinal) && line.Contains("grp " + Group + " ", StringComparison.Ordinal));

    private static bool WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 100; i++)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
    }

    /// <summary>A datagram to <paramref name="group"/>:7 from the peer namespace (a second a try); the board's echo, or null.</summary>
    private static string? Echo(string peer, string group, string text, int attempts = 3)
    {
        using var socket = NamespaceHost.OpenSocketIn(peer, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(Peer), 0));
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Parse(Peer).GetAddressBytes());
        socket.ReceiveTimeout = 1_000;
        var reply = new byte[512];
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            socket.SendTo(Encoding.ASCII.GetBytes(text), new IPEndPoint(IPAddress.Parse(group), 7));
            try
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length = socket.ReceiveFrom(reply, ref from);
                if (((IPEndPoint)from).Address.ToString() == "192.0.2.2")
                {
                    return Encoding.ASCII.GetString(reply, 0, length);
                }
            }
            catch (SocketException)
            {
            }
        }

        return null;
    }

    /// <summary>IPv4 frames of protocol 2 (IGMP) from 192.0.2.2 in a pcap file (24-byte header, 16-byte record headers, Ethernet).</summary>
    private static int IgmpFromBoard(byte[] pcap)
    {
        int count = 0;
        for (int at = 24; at + 16 <= pcap.Length;)
        {
            int length = BitConverter.ToInt32(pcap, at + 8);
            int frame = at + 16;
            if (length >= 34 && frame + length <= pcap.Length && pcap[frame + 12] == 0x08 && pcap[frame + 13] == 0x00 && pcap[frame + 23] == 2
                && pcap[frame + 26] == 192 && pcap[frame + 27] == 0 && pcap[frame + 28] == 2 && pcap[frame + 29] == 2)
            {
                count++;
            }

            at = frame + length;
        }

        return count;
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;
}
