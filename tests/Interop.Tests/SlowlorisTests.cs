using System.Net;
using System.Net.Sockets;
using System.Text;
using IoTStack.Hil.Tests;
using Xunit.Abstractions;

namespace IoTStack.Interop.Tests;

/// <summary>
/// Issue 16, as an attacker would try it: slowloris. Forty connections to the board's HTTP port each send a request
/// head that never ends, a header line every couple of seconds, and reconnect (one attempt a round) when the board
/// drops them, the way the slowloris tool keeps its sockets. All the while a real client asks for /stats; on every
/// board it must be served, and afterwards the board must take echo and HTTP connections as before.
/// </summary>
public sealed class SlowlorisTests(ITestOutputHelper log)
{
    private const string Board = "192.0.2.2";
    private const int Attackers = 40;
    private const int RoundMs = 2_000;

    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public async Task Forty_trickling_heads_leave_the_board_serving_a_real_client(string chip)
    {
        using var board = new EmulatorProcess(chip);
        using var stop = new CancellationTokenSource();
        var sockets = new Socket?[Attackers];
        int connects = 0, refused = 0, dropped = 0, maximumHeld = 0;

        // The attack: bounded by the test's own clock (stop) and by the rounds it runs.
        var attack = Task.Run(async () =>
        {
            for (int round = 0; round < 30 && !stop.IsCancellationRequested; round++)
            {
                int held = 0;
                var opening = new List<Task>();
                for (int i = 0; i < Attackers; i++)
                {
                    var socket = sockets[i];
                    if (socket is not null)
                    {
                        try
                        {
                            socket.Send(Encoding.ASCII.GetBytes($"X-Wait-{round}: {i}\r\n"));
                            if (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
                            {
                                throw new SocketException((int)SocketError.ConnectionReset); // the board closed it
                            }

                            held++;
                            continue;
                        }
                        catch (SocketException)
                        {
                            socket.Dispose();
                            sockets[i] = null;
                            Interlocked.Increment(ref dropped);
                        }
                    }

                    int slot = i;
                    opening.Add(Task.Run(async () =>
                    {
                        var fresh = board.OpenSocket(SocketType.Stream, ProtocolType.Tcp);
                        try
                        {
                            using var timeout = new CancellationTokenSource(RoundMs);
                            await fresh.ConnectAsync(new IPEndPoint(IPAddress.Parse(Board), 80), timeout.Token);
                            fresh.Send(Encoding.ASCII.GetBytes($"GET /stats HTTP/1.1\r\nHost: {Board}\r\n"));
                            sockets[slot] = fresh;
                            Interlocked.Increment(ref connects);
                        }
                        catch (Exception error) when (error is SocketException or OperationCanceledException)
                        {
                            fresh.Dispose();
                            Interlocked.Increment(ref refused);
                        }
                    }));
                }

                await Task.WhenAll(opening);
                maximumHeld = Math.Max(maximumHeld, held);
                await Task.Delay(RoundMs, stop.Token).ContinueWith(_ => { });
            }
        });

        try
        {
            // Let the attack fill the board, then ask as a real client would: 10 s a request, a refused connection tried again
            // (the W5500 chip answers a SYN with RST while none of its sockets is in LISTEN on the port; IoTStack drops it
            // and the client's own SYN retransmission comes back).
            await Task.Delay(3 * RoundMs);
            var failures = new List<string>();
            for (int request = 0; request < 10; request++)
            {
                var result = await Task.Run(() => board.Curl("-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total} %{num_retries}", "--max-time", "10",
                    "--retry", "20", "--retry-connrefused", "--retry-delay", "0", "--retry-max-time", "10", $"http://{Board}/stats"));
                log.WriteLine($"{chip}: real client {request}: exit {result.ExitCode}, {result.Output}");
                if (result.ExitCode != 0 || !result.Output.StartsWith("200"))
                {
                    failures.Add($"request {request}: exit {result.ExitCode} {result.Output}");
                }

                await Task.Delay(500);
            }

            log.WriteLine($"{chip}: attackers connected {connects} times, refused or timed out {refused}, dropped by the board {dropped}, held at most {maximumHeld} at once");
            Assert.True(failures.Count == 0, $"{chip}: the real client was not served while the attack ran: {string.Join("; ", failures)}\n{board.Output}");
            Assert.True(connects >= 12, $"{chip}: the attack never got going ({connects} connections)");
        }
        finally
        {
            stop.Cancel();
            await attack;
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }

        // After the attack: the board's services take connections again (echo and HTTP).
        var echo = board.InNamespace(null, null, 30_000, "sh", "-c", $"printf after | nc -N -w 10 {Board} 7");
        Assert.True(echo.ExitCode == 0 && echo.Output == "after", $"{chip}: no echo after the attack: {echo}\n{board.Output}");
        Assert.True(board.Curl("--fail", "--max-time", "10", "-o", "/dev/null", $"http://{Board}/").ExitCode == 0, $"{chip}: no page after the attack\n{board.Output}");
        Assert.Null(board.Failure);
        Assert.Equal(0, board.Stop());
    }
}
