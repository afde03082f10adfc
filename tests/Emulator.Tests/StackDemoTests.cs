namespace IoTStack.Emulator.Tests;

public class StackDemoTests
{
    [Fact]
    public void The_run_commands_demo_succeeds_at_every_step()
    {
        var output = new StringWriter();
        Assert.True(new StackDemo(capture: null).Run(output), output.ToString());
        Assert.DoesNotContain("FAIL", output.ToString());
        Assert.Contains("UDP echo on port 7: 'hello, board'", output.ToString());
    }
}
