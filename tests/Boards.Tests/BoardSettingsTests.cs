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
        var options = new Emulator.BoardOptions();
        options.Settings.Dhcp = true;
        options.Settings.HostName = "board";
        options.Settings.CheckBudget(Emulator.Board.StackOptions(options));
        Assert.True(options.Settings.Sessions >= 8);
    }

    [Theory]
    [InlineData("listeners", "NetStackOptions.TcpListeners is 3")]
    [InlineData("connections", "NetStackOptions.TcpConnections is 5, fewer than BoardSettings.Sessions (8)")]
    [InlineData("udp", "NetStackOptions.UdpSockets is 2, fewer than the 5")]
    [InlineData("sessions", "FirmwareSettings.Sessions must be 1 to 250")]
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
        Assert.Throws<ArgumentException>(() => BoardRuntime.Create(ChipKind.Enc28j60, chip.Bus, BoardProfiles.EmulatedEnc28j60.Mac, clock, options, settings));
    }
}
