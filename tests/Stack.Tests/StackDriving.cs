using IoTStack.Net;
using IoTStack.Net.Link;

namespace IoTStack.Stack.Tests;

/// <summary>Driving one stack the way a board's loop does, for the harnesses that talk to a stack frame by frame.</summary>
public static class StackDriving
{
    /// <summary>Polls until the stack has nothing more to do (at most 1,000 rounds).</summary>
    public static void PollAll(NetStack stack)
    {
        for (int i = 0; i < 1000 && stack.Poll(); i++)
        {
        }
    }

    /// <summary>Moves the clock <paramref name="milliseconds"/> on, polling at every deadline the stack names on the way.</summary>
    public static void Advance(NetStack stack, VirtualClock clock, long milliseconds)
    {
        PollAll(stack);
        while (milliseconds > 0)
        {
            long step = Math.Min(milliseconds, Math.Max(1, stack.PollDelay()));
            clock.Advance(step);
            milliseconds -= step;
            PollAll(stack);
        }
    }
}
