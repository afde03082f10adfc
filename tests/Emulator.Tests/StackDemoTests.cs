namespace IoTStack.Emulator.Tests;

public class StackDemoTests
{
    [Theory]
    [InlineData("enc28j60")]
    [InlineData("w5500")]
    [InlineData("w5500-sockets")]
    public void The_run_commands_demo_succeeds_at_every_step_on_every_chip(string chip)
    {
        var output = new StringWriter();
        Assert.True(new StackDemo(capture: null, chip).Run(output), output.ToString());
        string text = output.ToString();
        Assert.DoesNotContain("FAIL", text);
        Assert.Contains("UDP echo on port 7: 'hello, board'", text);
        Assert.Contains("HTTP GET /bytes?n=200000: 200, 200000 bytes, pattern exact", text);
        Assert.Contains("TCP echo on port 7, 20,000 bytes: 20000 bytes back", text);
    }
}
