using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// Issue 7 against real servers, on all three boards (issue 16: ENC28J60 and W5500 MACRAW under IoTStack, and the
/// W5500's own TCP/IP through its hardware sockets): the emulated board takes
/// its address from dnsmasq by DHCP and renews it, resolves names dnsmasq serves, is found as NAME.local by
/// mDNS, and sets its clock from chronyd. All inside the test's network namespace.
/// </summary>
public sealed class ServicesTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-services-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private EmulatorProcess Board(string chip) =>
        new(chip, host => LinkServers.Start(host, _directory, fixedAddress: false), "--dhcp", "--hostname", LinkServers.HostName);

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void The_board_leases_renews_resolves_is_found_by_name_and_sets_its_clock(string chip)
    {
        using var board = Board(chip);
        string Context(object what) => $"{chip}: {what}\n{board.Output}";
        string leases = LinkServers.LeaseFile(_directory);

        // The lease: dnsmasq writes "expiry mac address name client-id" once it has acknowledged.
        string? address = null;
        for (int i = 0; i < 200 && address is null; i++)
        {
            Thread.Sleep(100);
            address = File.Exists(leases) ? File.ReadAllLines(leases).Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 3 && f[1] == "02:00:00:00:00:02")?[2] : null;
        }

        Assert.True(address is not null, Context("no lease within 20 s"));
        Assert.Contains("iotboard", File.ReadAllText(leases)); // option 12 reached the server
        var ping = board.InNamespace("ping", "-c", "3", "-i", "0.2", "-W", "2", address);
        Assert.True(ping.ExitCode == 0, Context(ping));

        // dnsmasq serves the name the board gave it; the board resolves through dnsmasq, CNAME and NXDOMAIN included.
        var dig = board.InNamespace("dig", "+short", "@192.0.2.1", "iotboard.");
        Assert.True(dig.Output.Trim() == address, Context(dig));
        Assert.Equal("192.0.2.123", Resolve(board, address, "known.test", 200));
        Assert.Equal("192.0.2.123", Resolve(board, address, "alias.test", 200));
        Assert.Equal("NXDOMAIN", Resolve(board, address, "nothing.test", 404));

        // mDNS: a one-shot query straight to the board's port 5353 (RFC 6762 section 5.5), which is what dig can do;
        // then a query to the group from Linux's own socket, answered the legacy unicast way (section 6.7).
        // The board may still be probing for its name (about a second after the lease): dig's retries cover that.
        var mdns = board.InNamespace("dig", "+short", "+time=2", "+tries=3", "@" + address, "-p", "5353", "iotboard.local");
        Assert.True(mdns.Output.Trim().Split('\n')[^1] == address, Context(mdns));
        Assert.Equal(address, MulticastQuery(board, "iotboard.local"));
        Assert.Equal(address, Resolve(board, address, "iotboard.local", 200));

        // The renewal at T1 (10 s after the ACK), and the clock from chronyd.
        JsonElement stats = default;
        for (int i = 0; i < 60; i++)
        {
            stats = board.Stats(address);
            if (stats.GetProperty("dhcp").GetProperty("renewals").GetInt32() >= 1 && stats.GetProperty("time").ValueKind == JsonValueKind.String)
            {
                break;
            }

            Thread.Sleep(500);
        }

        Assert.True(stats.GetProperty("dhcp").GetProperty("renewals").GetInt32() >= 1, Context(stats));
        Assert.Equal("BOUND", stats.GetProperty("dhcp").GetProperty("state").GetString());
        Assert.Equal("192.0.2.1", stats.GetProperty("dhcp").GetProperty("server").GetString());
        Assert.Equal("192.0.2.1", stats.GetProperty("dns")[0].GetString());
        Assert.Equal("iotboard.local", stats.GetProperty("hostname").GetString());
        Assert.Equal(address, stats.GetProperty("address").GetString());
        var time = DateTimeOffset.Parse(stats.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        log.WriteLine($"{chip}: board time {time:O}, this machine {DateTimeOffset.UtcNow:O}");
        // chronyd serves this machine's clock: the board's agrees to within the time a request takes, not to the hour.
        Assert.InRange((time - DateTimeOffset.UtcNow).Duration().TotalSeconds, 0, 30);
        Assert.Equal(0, board.Stop());
    }

    private static string Resolve(EmulatorProcess board, string address, string name, int expectedCode)
    {
        var result = board.Curl("-w", "\n%{http_code}", $"http://{address}/resolve?name={name}");
        var lines = result.Output.Split('\n');
        Assert.True(result.ExitCode == 0 && lines[^1] == expectedCode.ToString(), $"/resolve?name={name}: {result}\n{board.Output}");
        return lines[0];
    }

    /// <summary>A legacy mDNS query (from a port other than 5353) to 224.0.0.251 from a socket in the namespace; the address answered.</summary>
    private static string MulticastQuery(EmulatorProcess board, string name)
    {
        using var socket = board.OpenSocket(SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveTimeout = 2_000;
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        var labels = name.Split('.').SelectMany(l => new[] { (byte)l.Length }.Concat(System.Text.Encoding.ASCII.GetBytes(l)));
        var query = new byte[] { 0x4A, 0x17, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }.Concat(labels).Concat(new byte[] { 0, 0, 1, 0, 1 }).ToArray();
        var reply = new byte[512];
        for (int attempt = 0; attempt < 3; attempt++)
        {
            socket.SendTo(query, new IPEndPoint(IPAddress.Parse("224.0.0.251"), 5353));
            try
            {
                int length = socket.Receive(reply);
                Assert.True(reply[0] == 0x4A && reply[1] == 0x17, "the reply does not carry the query's ID");
                return $"{reply[length - 4]}.{reply[length - 3]}.{reply[length - 2]}.{reply[length - 1]}";
            }
            catch (SocketException)
            {
            }
        }

        return "no answer";
    }
}
