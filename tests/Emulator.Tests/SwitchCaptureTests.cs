using IoTStack.Emulator.Network;
using IoTStack.Emulator.Pcap;
using IoTStack.Net;
using IoTStack.Net.Ip;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Emulator.Tests;

public sealed class SwitchCaptureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotstack-switch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Tshark_reads_a_capture_of_two_stacks_talking_with_good_checksums()
    {
        var clock = new VirtualClock(1_000);
        var wire = new VirtualSwitch(clock);
        string path = Path.Combine(_directory, "switch.pcap");
        using (var capture = PcapWriter.Create(path))
        {
            wire.Capture = capture;
            var options = new NetStackOptions { PingMaxDataLength = 3000 };
            var a = new NetStack(options, wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 1)), clock);
            var b = new NetStack(options, wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 2)), clock);
            var mask = IPv4Address.MaskFromPrefixLength(24);
            a.Configure(new IPv4Address(192, 0, 2, 1), mask, IPv4Address.Any);
            b.Configure(new IPv4Address(192, 0, 2, 2), mask, IPv4Address.Any);
            a.StartPing(new IPv4Address(192, 0, 2, 2), 3000, 1000, out _);
            a.Open(SocketKind.Datagram, IpProtocol.Udp, out int socket);
            a.SendTo(socket, "hello"u8.ToArray(), 0, 5, new IPv4Address(192, 0, 2, 2), 9, out _);
            for (int i = 0; i < 50; i++)
            {
                while (a.Poll() | b.Poll())
                {
                }

                clock.Advance(1);
            }

            Assert.True(a.Counters[Counter.PingRepliesReceived] == 1);
        }

        var rows = Tshark.Fields(path, "frame.number", "_ws.malformed", "_ws.expert.severity", "ip.checksum.status", "udp.checksum.status", "icmp.checksum.status", "ip.flags.mf", "icmp.type");
        Assert.True(rows.Length >= 10, $"only {rows.Length} frames captured");
        Assert.All(rows, row =>
        {
            Assert.Equal("", row[1]);
            Assert.DoesNotContain("0", row[3..6].SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)));
            Assert.All(row[2].Split(',', StringSplitOptions.RemoveEmptyEntries), s => Assert.True(int.Parse(s) < 0x00600000, $"expert {s} in frame {row[0]}"));
        });
        Assert.Contains(rows, r => r[7] == "0");      // echo reply, reassembled by tshark
        Assert.Contains(rows, r => r[7] == "3,3" || r[7] == "3"); // port unreachable (tshark also names the quoted type)
    }
}
