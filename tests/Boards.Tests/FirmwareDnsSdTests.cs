using System.Text;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Boards.Tests;

/// <summary>The demo firmware's DNS-SD registration (issue 20) on every board, asked over mDNS from the bench's client stack, in virtual time.</summary>
public class FirmwareDnsSdTests
{
    public static TheoryData<ChipKind> Chips => new(ChipKind.Enc28j60, ChipKind.W5500, ChipKind.W5500Sockets);

    private static byte[] Name(string name) =>
        [.. name.Split('.').SelectMany(label => new[] { (byte)label.Length }.Concat(Encoding.ASCII.GetBytes(label))), 0];

    private static byte[] Strings(params string[] strings) =>
        [.. strings.SelectMany(text => new[] { (byte)text.Length }.Concat(Encoding.ASCII.GetBytes(text)))];

    /// <summary>The board's answer to an ANY question (unicast response wanted) for its status page's instance name.</summary>
    private static byte[] Resolve(VirtualBench bench, Firmware.FirmwareBoard board)
    {
        Assert.Equal(SocketResult.Success, bench.Client.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket));
        Assert.Equal(SocketResult.Success, bench.Client.Bind(socket, IPv4Address.Any, MdnsResponder.Port));
        byte[] query = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, .. Name("iotboard._http._tcp.local"), 0, 255, 0x80, 1];
        bench.Client.SendTo(socket, query, 0, query.Length, MdnsResponder.Group, MdnsResponder.Port, out _);
        var reply = new byte[1500];
        int length = 0;
        bench.Run(1_000, board.Poll, () => bench.Client.ReceiveFrom(socket, reply, 0, reply.Length, out length, out _) == SocketResult.Success);
        Assert.True(length > 0, "no answer");
        return reply[..length];
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public void The_status_page_is_registered_on_port_80_with_its_path_and_the_mqtt_broker(ChipKind chip)
    {
        var bench = new VirtualBench(chip);
        bench.Settings.HostName = "iotboard";
        bench.Settings.MqttBroker = VirtualBench.ClientIp;
        var board = Firmware.FirmwareBoard.Create(chip, bench.Model.Bus, bench.Settings.Mac, bench.Clock, bench.Settings)!;
        Assert.True(board.Start());
        bench.Run(5_000, board.Poll, () => board.Services.Mdns.State == MdnsState.Ready);
        Assert.Equal(MdnsState.Ready, board.Services.Mdns.State);
        var reply = Resolve(bench, board);
        byte[] srv = [0, 33, 0x80, 1, 0, 0, 0, 120, 0, 6 + 16, 0, 0, 0, 0, 0, 80, .. Name("iotboard.local")];
        byte[] txt = Strings("path=/", "mqtt=192.0.2.1:1883");
        Assert.True(reply.AsSpan().IndexOf(srv) > 0, Convert.ToHexString(reply)); // RFC 2782: priority 0, weight 0, port 80, the board's name
        Assert.True(reply.AsSpan().IndexOf((byte[])[0, 16, 0x80, 1, 0, 0, 0x11, 0x94, 0, (byte)txt.Length, .. txt]) > 0, Convert.ToHexString(reply)); // 4500 s
    }

    [Fact]
    public void Without_mqtt_the_txt_record_holds_the_path_alone()
    {
        var bench = new VirtualBench(ChipKind.Enc28j60);
        bench.Settings.HostName = "iotboard";
        var board = Firmware.FirmwareBoard.Create(ChipKind.Enc28j60, bench.Model.Bus, bench.Settings.Mac, bench.Clock, bench.Settings)!;
        Assert.True(board.Start());
        bench.Run(5_000, board.Poll, () => board.Services.Mdns.State == MdnsState.Ready);
        byte[] txt = Strings("path=/");
        var reply = Resolve(bench, board);
        Assert.True(reply.AsSpan().IndexOf((byte[])[0, 16, 0x80, 1, 0, 0, 0x11, 0x94, 0, (byte)txt.Length, .. txt]) > 0, Convert.ToHexString(reply));
    }
}
