using Xunit.Abstractions;

using IoTStack.Hil.Tests;

namespace IoTStack.Interop.Tests;

/// <summary>
/// Issue 20: Avahi (Debian's avahi-daemon and avahi-browse) finds the emulated board's status page by DNS-SD (RFC 6763)
/// with its port and TXT record, on every chip. Avahi runs inside the test's network namespace on a D-Bus of the test's
/// own (a private dbus-daemon, its socket in a temporary directory) and in a mount namespace of its own with a tmpfs
/// on /run, so its PID file and socket never meet a host's avahi-daemon; both daemons go with the board.
/// </summary>
public sealed class DnsSdTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-dnssd-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Bus => "unix:path=" + Path.Combine(_directory, "bus");

    /// <summary>The private system bus, then avahi-daemon on it, allowed the namespace's TAP device only, IPv4 only.</summary>
    private void StartAvahi(EmulatorProcess host)
    {
        string dbusConfig = Path.Combine(_directory, "dbus.conf");
        File.WriteAllText(dbusConfig, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <listen>{Bus}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_destination="*"/>
                <allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        string avahiConfig = Path.Combine(_directory, "avahi-daemon.conf");
        File.WriteAllText(avahiConfig, $"""
            [server]
            host-name=linuxpeer
            use-ipv4=yes
            use-ipv6=no
            allow-interfaces={host.Interface}
            enable-dbus=yes
            [wide-area]
            enable-wide-area=no
            [publish]
            disable-publishing=yes
            [reflector]
            enable-reflector=no
            """);
        host.StartDaemon("dbus-daemon", "--config-file=" + dbusConfig, "--nofork", "--nopidfile");
        for (int i = 0; i < 50 && !File.Exists(Path.Combine(_directory, "bus")); i++)
        {
            Thread.Sleep(100);
        }

        host.StartDaemon("env", "DBUS_SYSTEM_BUS_ADDRESS=" + Bus, "unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run && mkdir -p /run/avahi-daemon && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f " + avahiConfig);
    }

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void Avahi_browse_finds_the_boards_status_page_with_its_port_and_txt(string chip)
    {
        using var board = new EmulatorProcess(chip, StartAvahi, "--hostname", LinkServers.HostName, "--mqtt", "192.0.2.1:1883");
        string Context(object what) => $"{chip}: {what}\n{board.Output}";

        // "=;interface;IPv4;instance;type;domain;host;address;port;TXT": a resolved service, in avahi-browse's parsable form.
        string[]? found = null;
        ProcessResult browse = default!;
        for (int attempt = 0; attempt < 20 && found is null; attempt++)
        {
            browse = board.InNamespace(30_000, "env", "DBUS_SYSTEM_BUS_ADDRESS=" + Bus, "avahi-browse", "--resolve", "--terminate", "--parsable", "--no-db-lookup", "_http._tcp");
            found = browse.Output.Split('\n').Select(l => l.Split(';')).FirstOrDefault(f => f.Length >= 10 && f[0] == "=" && f[3] == LinkServers.HostName);
            if (found is null)
            {
                Thread.Sleep(500);
            }
        }

        Assert.True(found is not null, Context(browse));
        log.WriteLine($"{chip}: {string.Join(';', found)}");
        Assert.Equal("_http._tcp", found[4]);
        Assert.Equal("local", found[5]);
        Assert.Equal(LinkServers.HostName + ".local", found[6]);
        Assert.Equal("192.0.2.2", found[7]);
        Assert.Equal("80", found[8]);
        Assert.Contains("\"path=/\"", found[9]);
        Assert.Contains("\"mqtt=192.0.2.1:1883\"", found[9]);

        // The board's name, listed among the service types the link offers (RFC 6763 section 9).
        var types = board.InNamespace(30_000, "env", "DBUS_SYSTEM_BUS_ADDRESS=" + Bus, "avahi-browse", "--terminate", "--parsable", "--no-db-lookup", "--all");
        Assert.Contains(types.Output.Split('\n'), l => l.StartsWith("+;", StringComparison.Ordinal) && l.Contains(";" + LinkServers.HostName + ";_http._tcp;", StringComparison.Ordinal));
        Assert.Equal(0, board.Stop());
    }
}
