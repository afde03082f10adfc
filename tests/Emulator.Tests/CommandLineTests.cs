using System.Diagnostics;

namespace IoTStack.Emulator.Tests;

/// <summary>The emulator as a program: what it says and returns for the mistakes users make.</summary>
public class CommandLineTests
{
    private static (int Exit, string Output, string Error) Emulator(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IoTStack.Emulator.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the emulator did not stop: " + string.Join(' ', arguments));
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    [Theory]
    [InlineData("unknown chip 'enc424j600'", "--chip", "enc424j600")]
    [InlineData("bad address '192.0.2.300/24'", "--ip", "192.0.2.300/24")]
    [InlineData("bad address '192.0.2.2/33'", "--ip", "192.0.2.2/33")]
    [InlineData("bad MAC", "--mac", "01:00:5e:00:00:01")]
    [InlineData("Sessions", "--sessions", "0")]
    [InlineData("--rx-buffer wants a whole number", "--rx-buffer", "lots")]
    [InlineData("--loss wants a probability", "--loss", "1.5")]
    [InlineData("--spi-hz wants at least 1000 Hz", "--spi-hz", "10")]
    [InlineData("--tap needs a value", "--tap")]
    [InlineData("bad host name '-board'", "--hostname", "-board")]
    [InlineData("bad DNS server '192.0.2'", "--dns", "192.0.2")]
    [InlineData("unknown argument: --tpa", "--tpa", "tap0")]
    public void A_bad_option_is_one_line_on_stderr_and_exit_code_2(string message, params string[] arguments)
    {
        var (exit, output, error) = Emulator(arguments);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_tap_name_linux_cannot_take_is_one_line_and_exit_code_1()
    {
        var (exit, _, error) = Emulator("--tap", "a-name-far-too-long-for-linux", "--duration", "1");
        Assert.Equal(1, exit);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains("TAP interface name", error);
    }

    [Fact]
    public void Help_lists_every_option()
    {
        var (exit, output, _) = Emulator("--help");
        Assert.Equal(0, exit);
        foreach (var option in new[] { "--tap", "--chip", "--ip", "--gateway", "--mac", "--board", "--sessions", "--rx-buffer", "--tx-buffer", "--loss", "--duplicate", "--reorder", "--corrupt", "--delay", "--seed", "--duration", "--pcap", "--spi-hz", "--dhcp", "--hostname", "--dns", "--ntp" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public void The_default_run_exits_0_and_writes_a_capture_tshark_reads()
    {
        string pcap = Path.Combine(Path.GetTempPath(), $"iotstack-demo-{Environment.ProcessId}.pcap");
        try
        {
            var (exit, output, error) = Emulator("--chip", "w5500", "--pcap", pcap);
            Assert.True(exit == 0, output + error);
            Assert.Contains("wrote ", output);
            var rows = Tshark.Fields(pcap, "frame.number", "_ws.malformed");
            Assert.True(rows.Length > 100, $"{rows.Length} frames");
            Assert.All(rows, row => Assert.True(row.Length < 2 || row[1] == "", "malformed frame " + row[0]));
        }
        finally
        {
            File.Delete(pcap);
        }
    }
}
