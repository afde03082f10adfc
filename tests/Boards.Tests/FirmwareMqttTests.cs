using IoTStack.Boards.CommandLine;
using IoTStack.Net.Mqtt;
using IoTStack.Stack.Tests.Mqtt;

namespace IoTStack.Boards.Tests;

/// <summary>
/// The demo firmware's MQTT side on every board (issue 17 item 4), in virtual time: a broker double on the bench's client
/// stack at 192.0.2.1, the board started with --mqtt and --mqtt-prefix as the emulator takes them.
/// </summary>
public class FirmwareMqttTests
{
    public static TheoryData<ChipKind> Chips => new(ChipKind.Enc28j60, ChipKind.W5500, ChipKind.W5500Sockets);

    [Fact]
    public void The_command_line_takes_a_broker_port_and_prefix_and_counts_the_connection()
    {
        var line = BoardCommandLine.Parse(["--mqtt", "192.0.2.1:8883", "--mqtt-prefix", "lab/board7"], _ => new BoardSettings());
        Assert.Equal("192.0.2.1", line.Settings.MqttBroker.ToString());
        Assert.Equal(8883, line.Settings.MqttPort);
        Assert.Equal("lab/board7", line.Settings.MqttPrefix);
        Assert.Equal(1, line.Settings.MqttConnections);
        Assert.Equal(line.Settings.Sessions + line.Settings.SpareConnections + 1, line.Settings.StackOptions().TcpConnections);
        Assert.Equal(1883, BoardCommandLine.Parse(["--mqtt", "192.0.2.1"], _ => new BoardSettings()).Settings.MqttPort);
        Assert.Equal(0, new BoardSettings().MqttConnections);
        Assert.Equal(30, line.Settings.MqttKeepAliveSeconds);
        Assert.Null(line.Settings.MqttBrokerName);

        var named = BoardCommandLine.Parse(["--mqtt", "broker.lab-1.test:1884", "--dns", "192.0.2.1", "--mqtt-keep-alive", "5"], _ => new BoardSettings()).Settings;
        Assert.Equal("broker.lab-1.test", named.MqttBrokerName);
        Assert.True(named.MqttBroker.IsAny);
        Assert.Equal(1884, named.MqttPort);
        Assert.Equal(5, named.MqttKeepAliveSeconds);
        Assert.Equal(1, named.MqttConnections);
        Assert.Equal("broker.local", BoardCommandLine.Parse(["--mqtt", "broker.local", "--hostname", "board"], _ => new BoardSettings()).Settings.MqttBrokerName);
        Assert.Equal("broker", BoardCommandLine.Parse(["--mqtt", "broker", "--dhcp"], _ => new BoardSettings()).Settings.MqttBrokerName);

        foreach (var bad in new[]
        {
            new[] { "--mqtt", "broker" }, ["--mqtt", "broker.local"], ["--mqtt", "bad_name", "--dhcp"], ["--mqtt", "a..b", "--dhcp"], ["--mqtt", "192.0.2.1:0"],
            ["--mqtt", "0.0.0.0"], ["--mqtt-prefix", "a/#"], ["--mqtt-prefix", "a/"], ["--mqtt-keep-alive", "0"],
        })
        {
            Assert.Throws<ArgumentException>(() => BoardCommandLine.Parse(bad, _ => new BoardSettings()));
        }
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public void The_board_publishes_its_status_and_echoes_at_every_qos(ChipKind chip)
    {
        var bench = new VirtualBench(chip);
        bench.Settings.MqttBroker = VirtualBench.ClientIp;
        bench.Settings.MqttPrefix = "dev";
        var broker = new TestBroker(bench.Client);
        var board = Firmware.FirmwareBoard.Create(chip, bench.Model.Bus, bench.Settings.Mac, bench.Clock, bench.Settings)!;
        Assert.NotNull(board.Mqtt);
        Assert.True(board.Start());
        bool Poll() => board.Poll() | broker.Poll();
        bench.Run(5_000, Poll, () => board.Mqtt!.Client.IsSubscribed("dev/echo"u8.ToArray()) && broker.Received.Any(r => r.Topic == "dev/status"));
        Assert.True(board.Mqtt!.Client.IsConnected, "connected: " + board.Mqtt.Client.LastError);
        Assert.False(broker.LastClean); // a persistent session, so QoS 1/2 echoes survive a broker restart
        Assert.Equal("dev/status", broker.LastWillTopic);
        var status = broker.Received.First(r => r.Topic == "dev/status");
        Assert.StartsWith("{\"requests\":", status.Payload);
        Assert.True(status.Retain);

        for (int qos = 0; qos <= 2; qos++)
        {
            broker.Publish("dev/echo", "echo at " + qos, qos);
        }

        bench.Run(2_000, Poll, () => broker.Received.Count(r => r.Topic == "dev/echo/reply") == 3);
        var replies = broker.Received.Where(r => r.Topic == "dev/echo/reply").Select(r => (r.Payload, r.Qos)).ToList();
        Assert.Equal([("echo at 0", 0), ("echo at 1", 1), ("echo at 2", 2)], replies);
        Assert.Equal(3, board.Mqtt.Echoes);

        int before = broker.Received.Count(r => r.Topic == "dev/status");
        bench.Run(10_100, Poll);
        Assert.InRange(broker.Received.Count(r => r.Topic == "dev/status") - before, 2, 3); // every 5 s
    }

    public static TheoryData<ChipKind, int> ChipsAndQos()
    {
        var data = new TheoryData<ChipKind, int>();
        foreach (var chip in new[] { ChipKind.Enc28j60, ChipKind.W5500, ChipKind.W5500Sockets })
        {
            data.Add(chip, 1);
            data.Add(chip, 2);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ChipsAndQos))]
    public void A_broker_over_its_receive_maximum_costs_no_echo(ChipKind chip, int qos)
    {
        // A broker that keeps hundreds of QoS 1 messages in flight to the board whatever Receive Maximum it announced (the
        // double has no in-flight limit; Mosquitto 2.0.11 keeps to it): every echo still comes back, once, in order.
        var bench = new VirtualBench(chip);
        bench.Settings.MqttBroker = VirtualBench.ClientIp;
        var broker = new TestBroker(bench.Client);
        var board = Firmware.FirmwareBoard.Create(chip, bench.Model.Bus, bench.Settings.Mac, bench.Clock, bench.Settings)!;
        Assert.True(board.Start());
        bool Poll() => board.Poll() | broker.Poll();
        var client = board.Mqtt!.Client;
        bench.Run(5_000, Poll, () => client.IsSubscribed("board/echo"u8.ToArray()));
        for (int i = 0; i < 400; i++)
        {
            broker.Publish("board/echo", "m" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), qos);
        }

        bench.Run(60_000, Poll, () => broker.Received.Count(r => r.Topic == "board/echo/reply") >= 400 && client.InFlightCount == 0);
        var replies = broker.Received.Where(r => r.Topic == "board/echo/reply").Select(r => r.Payload).ToList();
        Assert.Equal(Enumerable.Range(0, 400).Select(i => "m" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)), replies);
        Assert.Equal(0, board.Mqtt.EchoesRefused);
        Assert.True(client.Connections == 1, $"{client.Connections} connections, last error {client.LastError}");
    }
}
