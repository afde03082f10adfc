namespace IoTStack.Emulator.Tests;

public class StackDemoTests
{
    [Theory]
    [InlineData(Boards.ChipKind.Enc28j60)]
    [InlineData(Boards.ChipKind.W5500)]
    [InlineData(Boards.ChipKind.W5500Sockets)]
    public void The_run_commands_demo_succeeds_at_every_step_on_every_chip(Boards.ChipKind chip)
    {
        var output = new StringWriter();
        Assert.True(new StackDemo(capture: null, chip).Run(output), output.ToString());
        string text = output.ToString();
        Assert.DoesNotContain("FAIL", text);
        Assert.Contains("UDP echo on port 7: 'hello, board'", text);
        Assert.Contains("HTTP GET /bytes?n=200000: 200, 200000 bytes, pattern exact", text);
        Assert.Contains("TCP echo on port 7, 20,000 bytes: 20000 bytes back", text);
        Assert.Matches(@"bus: SPI [\d,]+ transactions, [\d,]+ bytes = [\d,]+ ms of bus time at (20|80) MHz", text);
    }

    [Fact]
    public void The_live_view_draws_the_steps_the_socket_table_and_the_counters()
    {
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.No,
            Interactive = Spectre.Console.InteractionSupport.Yes,
            Out = new Spectre.Console.AnsiConsoleOutput(output),
        });
        Assert.True(LiveDemo.Run(new StackDemo(capture: null, Boards.ChipKind.Enc28j60, spiHz: 8_000_000), console), output.ToString());
        string text = output.ToString();
        Assert.Contains("HTTP GET /bytes?n=200000", text);
        Assert.Contains("board sockets", text);
        Assert.Contains("TcpPassiveOpens", text);
        Assert.Contains("at 8 MHz", text);
    }
}
