using IoTStack.Net;

namespace IoTStack.Boards.Tests;

/// <summary>The socket budget a board's settings ask for, and the combinations refused at start (issue 14).</summary>
public class BoardSettingsTests
{
    [Fact]
    public void The_settings_budget_counts_listeners_sessions_and_the_services_sockets()
    {
        var settings = new BoardSettings { Dhcp = true, HostName = "board" };
        var options = settings.StackOptions();
        Assert.Equal(8 + 2, options.TcpConnections);
        Assert.Equal(4, options.TcpListeners);
        Assert.Equal(1 + 4, options.UdpSockets); // UDP echo; DHCP, DNS, mDNS, SNTP
        Assert.Equal(0, options.RawSockets);
        settings.CheckBudget(options);
        Assert.Equal(1 + 2, new BoardSettings { Dns = new Net.Wire.IPv4Address(192, 0, 2, 1) }.StackOptions().UdpSockets); // DNS and SNTP only
        Assert.Equal(1, new BoardSettings().StackOptions().UdpSockets);
    }

    [Fact]
    public void The_emulators_defaults_with_dhcp_and_a_name_serve_eight_sessions()
    {
        var options = new CommandLine.BoardCommandLine(BoardProfiles.ShippedSettings(BoardProfiles.EmulatedEnc28j60));
        options.Settings.Dhcp = true;
        options.Settings.HostName = "board";
        options.Settings.CheckBudget(Emulator.Board.StackOptions(options));
        Assert.True(options.Settings.Sessions >= 8);
    }

    [Fact]
    public void Join_groups_size_the_group_table_and_a_table_too_small_is_refused()
    {
        var line = CommandLine.BoardCommandLine.Parse(["--join", "239.1.2.3", "--join", "224.0.1.187", "--hostname", "board"], _ => new BoardSettings());
        Assert.Equal(new uint[] { 0xEF010203, 0xE00001BB }, line.Settings.EchoGroups);
        NetStackOptions options = line.Settings.StackOptions();
        Assert.True(options.MulticastGroups >= 3); // two groups and mDNS's
        line.Settings.CheckBudget(options);
        options.MulticastGroups = 2;
        Assert.Contains("NetStackOptions.MulticastGroups is 2, fewer than the 3 groups", Assert.Throws<ArgumentException>(() => line.Settings.CheckBudget(options)).Message);
    }

    [Theory]
    [InlineData("192.0.2.9", "bad group '192.0.2.9' for --join")]
    [InlineData("224.0.0.1", "bad group '224.0.0.1' for --join")]
    [InlineData("239.1.2.3.4", "bad group")]
    public void Join_takes_only_a_multicast_group_other_than_all_hosts(string group, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.BoardCommandLine.Parse(["--join", group], _ => new BoardSettings()));
        Assert.Contains(message, error.Message);
        Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => CommandLine.BoardCommandLine.Parse(["--join", "239.1.1.1", "--join", "239.1.1.1"], _ => new BoardSettings())).Message);
        Assert.Throws<ArgumentException>(() => new BoardSettings { EchoGroups = [0xEF010101, 0xEF010101] }.Validate());
    }

    [Theory]
    [InlineData("listeners", "NetStackOptions.TcpListeners is 3")]
    [InlineData("connections", "NetStackOptions.TcpConnections is 5, fewer than BoardSettings.Sessions (8)")]
    [InlineData("udp", "NetStackOptions.UdpSockets is 2, fewer than the 5")]
    [InlineData("sessions", "BoardSettings.Sessions must be 1 to 250")]
    public void A_combination_that_cannot_work_is_refused_naming_the_settings(string what, string message)
    {
        var settings = new BoardSettings { Dhcp = true, HostName = "board" };
        NetStackOptions options = settings.StackOptions();
        switch (what)
        {
            case "listeners": options.TcpListeners = 3; break;
            case "connections": options.TcpConnections = 5; break;
            case "udp": options.UdpSockets = 2; break;
            default: settings.Sessions = 0; break;
        }

        var error = Assert.Throws<ArgumentException>(() => settings.CheckBudget(options));
        Assert.Contains(message, error.Message);
        var clock = new Net.Link.VirtualClock(0);
        var chip = Emulator.Chips.ChipModel.Create("enc28j60", new Emulator.Network.VirtualSwitch(clock).AddPort(BoardProfiles.EmulatedEnc28j60.Mac), clock);
        Assert.Throws<ArgumentException>(() => BoardNetwork.Create(ChipKind.Enc28j60, chip.Bus, BoardProfiles.EmulatedEnc28j60.Mac, clock, options, settings));
    }
}

/// <summary>The board's status lines go to the log the board supplies (serial on nanoFramework), Release builds included.</summary>
public class BoardLogTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed class Lines : IBoardLog
    {
        public List<string> Written { get; } = new();

        public void WriteLine(byte[] line, int offset, int length) => Written.Add(System.Text.Encoding.ASCII.GetString(line, offset, length));
    }

    [Fact]
    public void A_status_line_at_start_and_every_interval_reaches_the_log()
    {
        var clock = new Net.Link.VirtualClock(0);
        var profile = BoardProfiles.Esp32DevKitCW5500;
        var chip = Emulator.Chips.ChipModel.Create("w5500", new Emulator.Network.VirtualSwitch(clock).AddPort(profile.Mac), clock);
        var settings = BoardProfiles.ShippedSettings(profile);
        var board = Firmware.FirmwareBoard.Create(profile.Chip, chip.Bus, profile.Mac, clock, settings)!;
        Assert.True(board.Start());
        var log = new Lines();
        board.Log = log;
        for (int ms = 0; ms < 25_000; ms += 10)
        {
            board.Poll();
            clock.Advance(10);
        }

        foreach (string line in log.Written)
        {
            output.WriteLine(line);
        }

        Assert.Equal(3, log.Written.Count); // at 0, 10 and 20 s
        Assert.StartsWith("IoTStack: address 0.0.0.0, DHCP SELECTING, sessions 0/3, HTTP requests 0, frames in ", log.Written[0]);
        Assert.StartsWith("IoTStack: address 192.0.2.2, DHCP ", log.Written[2]); // no lease after 10 s: the static fallback
    }
}
