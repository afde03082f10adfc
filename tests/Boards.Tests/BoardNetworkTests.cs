using System.Text;
using IoTStack.Boards.CommandLine;
using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using IoTStack.Samples.Sensor;

namespace IoTStack.Boards.Tests;

/// <summary>
/// A board on the emulator's virtual switch in virtual time, as any application composes it (issue 16 item 3): the chip
/// model behind the device's bus path, <see cref="BoardNetwork"/> on it, and a client IoTStack at 192.0.2.1.
/// </summary>
internal sealed class VirtualBench
{
    public static readonly IPv4Address ClientIp = new(192, 0, 2, 1);
    public static readonly IPv4Address BoardIp = new(192, 0, 2, 2);

    public VirtualBench(ChipKind chip)
    {
        Wire = new VirtualSwitch(Clock);
        Settings = BoardProfiles.ShippedSettings(BoardProfiles.EmulatedEnc28j60);
        Settings.Chip = chip;
        Settings.Address = BoardIp;
        Model = Emulator.Board.Model(chip, Wire.AddPort(Settings.Mac), Clock);
        Client = new NetStack(new NetStackOptions { ReceiveBufferSize = 16384 }, Wire.AddPort(new MacAddress(0x02, 0, 0, 0, 0, 0x01)), Clock);
        Client.Configure(ClientIp, IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
    }

    public VirtualClock Clock { get; } = new(1_000);

    public VirtualSwitch Wire { get; }

    public BoardSettings Settings { get; }

    public Emulator.Chips.ChipModel Model { get; }

    public NetStack Client { get; }

    /// <summary>Runs <paramref name="board"/> and the client for <paramref name="ms"/> virtual milliseconds, a millisecond at a time.</summary>
    public void Run(int ms, Func<bool> board, Func<bool>? until = null)
    {
        for (int i = 0; i < ms && (until is null || !until()); i++)
        {
            for (int round = 0; round < 100 && (board() | Client.Poll()); round++)
            {
            }

            Clock.Advance(1);
        }
    }

    /// <summary>GET <paramref name="path"/> from the board's port 80 over the client stack; the whole response, once the board closes.</summary>
    public string Get(string path, Func<bool> board)
    {
        Assert.Equal(SocketResult.Success, Client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        Assert.Contains(Client.Connect(socket, BoardIp, 80), new[] { SocketResult.Success, SocketResult.WouldBlock });
        byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: board\r\nConnection: close\r\n\r\n");
        bool sent = false;
        var response = new MemoryStream();
        var buffer = new byte[4096];
        bool closed = false;
        Run(10_000, board, () =>
        {
            if (!sent && Client.SendSome(socket, request, 0, request.Length, out int n) == SocketResult.Success && n == request.Length)
            {
                sent = true;
            }

            while (Client.Receive(socket, buffer, 0, buffer.Length, out int received) == SocketResult.Success)
            {
                if (received == 0)
                {
                    closed = true;
                    break;
                }

                response.Write(buffer, 0, received);
            }

            return closed;
        });
        Client.Close(socket);
        Assert.True(closed, "the board did not close the connection; got: " + Encoding.ASCII.GetString(response.ToArray()));
        return Encoding.ASCII.GetString(response.ToArray());
    }
}

/// <summary>The sensor sample, unchanged, on each of the three boards (issue 16 item 3).</summary>
public class SensorSampleTests
{
    public static TheoryData<ChipKind> Chips => new() { ChipKind.Enc28j60, ChipKind.W5500, ChipKind.W5500Sockets };

    [Theory]
    [MemberData(nameof(Chips))]
    public void The_sensor_serves_its_reading_and_pushes_datagrams_on_every_board(ChipKind chip)
    {
        var bench = new VirtualBench(chip);
        bench.Settings.Sessions = 2;
        var sensor = SensorBoard.Create(bench.Model.Bus, bench.Clock, bench.Settings, VirtualBench.ClientIp, 5000, 1000);
        Assert.NotNull(sensor);
        Assert.Equal(chip == ChipKind.W5500Sockets, sensor.Network.Stack is null);
        Assert.Equal(SocketResult.Success, bench.Client.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp));
        Assert.Equal(SocketResult.Success, bench.Client.Bind(udp, IPv4Address.Any, 5000));

        string response = bench.Get("/", sensor.Poll);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.Contains("Content-Type: application/json", response);
        Assert.Matches("\\{\"sensor\":\"temperature\",\"celsius\":(18|19|2[0-4])\\.\\d\\d,\"uptimeMs\":\\d+,\"sequence\":\\d+\\}\n$", response);
        Assert.StartsWith("HTTP/1.1 404", bench.Get("/missing", sensor.Poll));

        var pushes = new List<string>();
        var datagram = new byte[512];
        bench.Run(5_500, sensor.Poll, () =>
        {
            while (bench.Client.ReceiveFrom(udp, datagram, 0, datagram.Length, out int length, out SocketEndpoint from) == SocketResult.Success)
            {
                Assert.Equal(VirtualBench.BoardIp, from.Address);
                Assert.Equal(SensorApp.PushSourcePort, from.Port);
                pushes.Add(Encoding.ASCII.GetString(datagram, 0, length));
            }

            return false;
        });
        Assert.InRange(pushes.Count, 5, 7); // one a second (the first may have gone out while the ARP for the client was answered)
        Assert.All(pushes, p => Assert.Matches("^\\{\"sensor\":\"temperature\",\"celsius\":\\d+\\.\\d\\d,", p));
        Assert.True(sensor.Sensor.Requests >= 2);
    }

    /// <summary>
    /// The sample allocates nothing once started: measured on IoTStack over a cable that allocates nothing itself (the chip
    /// models and the virtual switch are desktop code that does), with HTTP requests and pushes going on.
    /// </summary>
    [Fact]
    public void The_sensor_allocates_nothing_once_started()
    {
        var clock = new VirtualClock(1_000);
        var clientDevice = new CrossoverDevice(new MacAddress(0x02, 0, 0, 0, 0, 0x01));
        var boardDevice = new CrossoverDevice(new MacAddress(0x02, 0, 0, 0, 0, 0x02)) { Peer = clientDevice };
        clientDevice.Peer = boardDevice;
        var client = new NetStack(new NetStackOptions(), clientDevice, clock);
        var board = new NetStack(new NetStackOptions(), boardDevice, clock);
        client.Configure(VirtualBench.ClientIp, IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        board.Configure(VirtualBench.BoardIp, IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
        var sensor = new SensorApp(board, clock, 2, VirtualBench.ClientIp, 5000, 500);
        Assert.True(sensor.Start());
        client.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp);
        client.Bind(udp, IPv4Address.Any, 5000);
        byte[] request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: board\r\n\r\n");
        var buffer = new byte[2048];
        long allocated = 0;
        int responses = 0;
        for (int round = 0; round < 40; round++)
        {
            client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
            client.Connect(socket, VirtualBench.BoardIp, 80);
            bool sent = false;
            for (int ms = 0; ms < 250; ms++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                board.Poll();
                sensor.Poll();
                long after = GC.GetAllocatedBytesForCurrentThread();
                if (round >= 5)
                {
                    allocated += after - before; // the first rounds warm every path up (ARP, first connection, first push)
                }

                client.Poll();
                if (!sent && client.SendSome(socket, request, 0, request.Length, out int n) == SocketResult.Success && n > 0)
                {
                    sent = true;
                }

                while (client.Receive(socket, buffer, 0, buffer.Length, out int received) == SocketResult.Success && received > 0)
                {
                    responses++;
                }

                while (client.ReceiveFrom(udp, buffer, 0, buffer.Length, out _, out uint _, out int _) == SocketResult.Success)
                {
                }

                clock.Advance(1);
            }

            client.Close(socket);
        }

        Assert.True(sensor.Requests >= 35, $"{sensor.Requests} requests answered");
        Assert.True(sensor.Pushes >= 19, $"{sensor.Pushes} pushes");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_sensor_sleeps_until_its_next_push()
    {
        var bench = new VirtualBench(ChipKind.Enc28j60);
        var sensor = SensorBoard.Create(bench.Model.Bus, bench.Clock, bench.Settings, VirtualBench.ClientIp, 5000, 2000)!;
        bench.Run(100, sensor.Poll);
        Assert.InRange(sensor.Sensor.PollDelay(), 1800, 2000);
        Assert.InRange(sensor.PollDelay(), 0, 250); // the driver's link check caps the network's
    }
}

/// <summary>BoardNetwork: the composition any application takes, and the demo firmware as one such application.</summary>
public class BoardNetworkTests
{
    public static TheoryData<ChipKind> Chips => new() { ChipKind.Enc28j60, ChipKind.W5500, ChipKind.W5500Sockets };

    [Fact]
    public void The_boards_assembly_does_not_reference_the_firmware()
    {
        var names = typeof(BoardNetwork).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("IoTStack.Firmware", names);
        Assert.Contains("IoTStack.Drivers", names);
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public void The_demo_firmware_runs_on_every_board_through_the_board_network(ChipKind chip)
    {
        var bench = new VirtualBench(chip);
        var board = Firmware.FirmwareBoard.Create(chip, bench.Model.Bus, bench.Settings.Mac, bench.Clock, bench.Settings)!;
        Assert.True(board.Start());
        Assert.Same(board.Network.Engine, board.Engine);
        Assert.Equal(chip == ChipKind.W5500Sockets, board.Stack is null);
        string stats = bench.Get("/stats", board.Poll);
        Assert.StartsWith("HTTP/1.1 200 OK", stats);
        Assert.Contains("\"address\":\"192.0.2.2\"", stats);
        if (board.Network.Interface is { } net)
        {
            // The wall clock comes from the interface, whichever engine: set it as SNTP would and /stats shows it.
            Assert.Contains("\"time\":null", stats);
            net.SetWallClock(1_800_000_000_000);
            Assert.Contains("\"time\":\"2027-01-15T08:00:", bench.Get("/stats", board.Poll));
        }
    }

    [Fact]
    public void Services_run_on_the_W5500s_own_sockets_through_its_network_interface()
    {
        var bench = new VirtualBench(ChipKind.W5500Sockets);
        bench.Settings.HostName = "board";
        var network = BoardNetwork.Create(ChipKind.W5500Sockets, bench.Model.Bus, bench.Settings.Mac, bench.Clock, bench.Settings)!;
        Assert.Same(network.Engine, network.Interface);
        Assert.NotNull(network.Services);
        Assert.NotNull(network.Services!.Mdns);
    }

    [Fact]
    public void A_chip_that_does_not_answer_gives_no_network()
    {
        var clock = new VirtualClock(0);
        Assert.Null(BoardNetwork.Create(ChipKind.Enc28j60, new SilentBus(), new BoardSettings().Mac, clock, new BoardSettings()));
    }

    private sealed class SilentBus : Drivers.ISpiBus
    {
        public void Transfer(byte[] header, int headerOffset, int headerLength, byte[] data, int dataOffset, int dataLength, Drivers.SpiDataDirection direction)
        {
            if (direction == Drivers.SpiDataDirection.Read && data is not null)
            {
                Array.Clear(data, dataOffset, dataLength);
            }
        }
    }

    [Fact]
    public void Chip_names_are_parsed_in_one_place_and_round_trip()
    {
        foreach (ChipKind chip in ChipNames.All)
        {
            Assert.True(ChipNames.TryParse(ChipNames.NameOf(chip), out ChipKind parsed));
            Assert.Equal(chip, parsed);
        }

        Assert.False(ChipNames.TryParse("ENC28J60", out _));
        Assert.Equal("unknown chip 'enc424j600' (one of enc28j60, w5500, w5500-sockets)", Assert.Throws<ArgumentException>(() => ChipNames.Parse("enc424j600")).Message);
    }
}

/// <summary>The one command line the emulator and the Linux board share.</summary>
public class BoardCommandLineTests
{
    private static BoardCommandLine Parse(params string[] args) => BoardCommandLine.Parse(args, p => p is null ? new BoardSettings() : BoardProfiles.ShippedSettings(p));

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void The_services_options_are_taken_on_every_chip(string chip)
    {
        var line = Parse("--chip", chip, "--dhcp", "--hostname", "board", "--dns", "192.0.2.1", "--ntp", "192.0.2.1");
        Assert.Equal(ChipNames.Parse(chip), line.Settings.Chip);
        Assert.True(line.Settings.WantsServices);
        var bench = new VirtualBench(line.Settings.Chip);
        var network = BoardNetwork.Create(line.Settings.Chip, bench.Model.Bus, line.Settings.Mac, bench.Clock, line.Settings)!;
        Assert.NotNull(network.Services!.Dhcp);
        Assert.NotNull(network.Services.Mdns);
    }

    [Fact]
    public void Every_board_option_lands_in_the_settings()
    {
        var line = Parse("--chip", "w5500", "--ip", "10.1.2.3/16", "--gateway", "10.1.0.1", "--dns", "10.1.0.2", "--ntp", "10.1.0.3", "--hostname", "probe-1",
            "--mac", "02:11:22:33:44:55", "--sessions", "5", "--rx-buffer", "1024", "--tx-buffer", "2048", "--spi-hz", "8000000", "--duration", "2.5", "--dhcp");
        BoardSettings s = line.Settings;
        Assert.Equal(ChipKind.W5500, s.Chip);
        Assert.Equal(new IPv4Address(10, 1, 2, 3), s.Address);
        Assert.Equal(16, line.PrefixLength);
        Assert.Equal(new IPv4Address(10, 1, 0, 1), s.Gateway);
        Assert.Equal(new IPv4Address(10, 1, 0, 2), s.Dns);
        Assert.Equal(new IPv4Address(10, 1, 0, 3), s.Ntp);
        Assert.Equal("probe-1", s.HostName);
        Assert.Equal("02:11:22:33:44:55", s.Mac.ToString().ToLowerInvariant());
        Assert.True(line.MacGiven);
        Assert.Equal(5, s.Sessions);
        Assert.Equal(1024, s.TcpReceiveBufferSize);
        Assert.Equal(2048, s.TcpTransmitBufferSize);
        Assert.Equal(8_000_000, s.BusClockHz);
        Assert.Equal(2.5, line.DurationSeconds);
        Assert.True(s.Dhcp);
    }

    [Fact]
    public void A_board_starts_from_its_profile_wherever_it_stands_and_the_other_options_change_it()
    {
        var line = Parse("--sessions", "2", "--board", "rpi-enc28j60", "--chip", "w5500");
        Assert.Equal("rpi-enc28j60", line.Profile!.Name);
        Assert.Equal(ChipKind.W5500, line.Settings.Chip);
        Assert.Equal(2, line.Settings.Sessions);
        Assert.True(line.Settings.Dhcp); // the profile's shipped settings
        Assert.Equal(BoardProfiles.RaspberryPiEnc28j60.ClockHz, line.Settings.BusClockHz);
    }

    [Theory]
    [InlineData("bad address '192.0.2.2/31' (want A.B.C.D/N, N from 1 to 30)", "--ip", "192.0.2.2/31")]
    [InlineData("bad address '192.0.2.2/0' (want A.B.C.D/N, N from 1 to 30)", "--ip", "192.0.2.2/0")]
    [InlineData("unknown chip 'w5100' (one of enc28j60, w5500, w5500-sockets)", "--chip", "w5100")]
    [InlineData("--sessions needs a value", "--sessions")]
    [InlineData("--duration wants a number of seconds, not 'soon'", "--duration", "soon")]
    [InlineData("unknown argument: --tap (try --help)", "--tap", "tap0")]
    public void Mistakes_are_one_line_messages(string message, params string[] args)
    {
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => Parse(args)).Message);
    }

    [Fact]
    public void The_shared_help_is_whole_lines_a_program_can_print_between_its_own()
    {
        Assert.EndsWith("this text\n", BoardCommandLine.OptionsHelp);
        Assert.All(BoardCommandLine.OptionsHelp.TrimEnd('\n').Split('\n'), line => Assert.StartsWith("  ", line));
        foreach (var option in new[] { "--board", "--chip", "--ip", "--gateway", "--dhcp", "--hostname", "--dns", "--ntp", "--mac", "--sessions", "--rx-buffer", "--tx-buffer", "--spi-hz", "--duration" })
        {
            Assert.Contains(option + " ", BoardCommandLine.OptionsHelp);
        }
    }

    [Fact]
    public void A_program_lists_only_the_boards_it_runs()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            BoardCommandLine.Parse(["--board", "esp32-devkitc-w5500"], _ => new BoardSettings(), p => p.Name.StartsWith("rpi-", StringComparison.Ordinal)));
        Assert.Equal("unknown board 'esp32-devkitc-w5500' (one of rpi-enc28j60, rpi-w5500)", error.Message);
    }
}
