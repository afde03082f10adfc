using IoTStack.Net;

namespace IoTStack.Stack.Tests;

public class CounterTests
{
    [Fact]
    public void Every_counter_has_its_own_name()
    {
        // The names are a plain array (nanoFramework's Enum.ToString cannot be relied on): keep it in step with the enum.
        for (var counter = (Counter)0; counter < Counter.Count; counter++)
        {
            Assert.Equal(counter.ToString(), NetCounters.NameOf(counter));
        }

        foreach (var layer in Enum.GetValues<ProtocolLayer>())
        {
            Assert.Equal(layer.ToString(), NetCounters.NameOf(layer));
        }

        Assert.Equal(NetCounters.LayerCount, Enum.GetValues<ProtocolLayer>().Length);
        Assert.Equal(NetCounters.ReasonCount, Enum.GetValues<IoTStack.Net.Wire.WireError>().Length);
        foreach (var reason in Enum.GetValues<IoTStack.Net.Wire.WireError>())
        {
            Assert.Equal(reason.ToString(), NetCounters.NameOf(reason));
        }
    }
}
