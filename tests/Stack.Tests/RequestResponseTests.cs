using IoTStack.Emulator.Network;
using IoTStack.Firmware;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;
using Xunit.Abstractions;

namespace IoTStack.Stack.Tests;

/// <summary>
/// Request and response on a keep-alive connection against a client that delays its ACKs the way Linux does (only
/// more than one full-sized segment unacknowledged is acknowledged at once, otherwise after 40 ms): no response may
/// wait on that delayed ACK (issue 15). Virtual time, 1 ms a step, so a stall shows as 40 ms a request.
/// </summary>
public class RequestResponseTests(ITestOutputHelper output)
{
    private readonly VirtualClock _clock = new(1_000);
    private readonly byte[] _buffer = new byte[8192];

    [Theory]
    [InlineData("/bytes?n=100", 100, 2048)]
    [InlineData("/bytes?n=2000", 2000, 2048)]
    [InlineData("/bytes?n=5000", 5000, 2048)]
    [InlineData("/bytes?n=5000", 5000, 1024)]
    [InlineData("/", 0, 2048)]
    [InlineData("/stats", 0, 1024)]
    public void Keep_alive_requests_never_wait_for_the_clients_delayed_ack(string path, int length, int transmitBuffer)
    {
        var clientDevice = new CrossoverDevice(TestNetwork.Mac(1));
        var boardDevice = new CrossoverDevice(TestNetwork.Mac(2)) { Peer = clientDevice };
        clientDevice.Peer = boardDevice;
        var client = new NetStack(new NetStackOptions { ReceiveBufferSize = 65535 }, clientDevice, _clock);
        var board = new NetStack(new NetStackOptions { TcpConnections = 4, TcpListeners = 4, ReceiveBufferSize = transmitBuffer, TransmitBufferSize = transmitBuffer }, boardDevice, _clock);
        client.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        board.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        var firmware = new Firmware.Firmware(board, board, _clock, new FirmwareSettings { Sessions = 2, PageBufferSize = 1024, OutputBufferSize = 512 });
        Assert.True(firmware.Start(4));
        void Step()
        {
            for (int round = 0; round < 50 && (firmware.Poll() | client.Poll()); round++)
            {
            }

            _clock.Advance(1);
        }

        client.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
        client.Connect(socket, TestNetwork.Ip(2), 80);
        for (int i = 0; i < 50 && client.Connect(socket, TestNetwork.Ip(2), 80) != SocketResult.IsConnected; i++)
        {
            Step();
        }

        var request = System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: b\r\n\r\n");
        const int requests = 20;
        long started = _clock.NowMilliseconds;
        for (int r = 0; r < requests; r++)
        {
            Assert.Equal(SocketResult.Success, client.SendSome(socket, request, 0, request.Length, out int sent));
            Assert.Equal(request.Length, sent);
            var response = new List<byte>();
            for (int ms = 0; ms < 2_000 && !Complete(response, length); ms++)
            {
                Step();
                while (client.Receive(socket, _buffer, 0, _buffer.Length, out int n) == SocketResult.Success && n > 0)
                {
                    response.AddRange(_buffer.AsSpan(0, n).ToArray());
                }
            }

            Assert.True(Complete(response, length), $"request {r}: {response.Count} bytes, incomplete");
        }

        double perRequest = (_clock.NowMilliseconds - started) / (double)requests;
        output.WriteLine($"GET {path} with {transmitBuffer}-byte rings: {perRequest:0.0} virtual ms a request, "
            + $"{board.Counters[Counter.TcpSegmentsSent]} segments sent by the board");
        Assert.True(perRequest < 5, $"{perRequest:0.0} ms a request: a response waited on the delayed ACK");
    }

    /// <summary>A whole response: the body's length after the head, or a chunked body's last chunk.</summary>
    private static bool Complete(List<byte> response, int length)
    {
        var text = System.Text.Encoding.ASCII.GetString(response.ToArray());
        int head = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (head < 0)
        {
            return false;
        }

        return text.Contains("Transfer-Encoding: chunked") ? text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) : text.Length - head - 4 >= length;
    }
}
