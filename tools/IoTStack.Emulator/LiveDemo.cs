using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace IoTStack.Emulator;

/// <summary>
/// The default demo on a terminal: the steps, the board's socket table and its counters redrawn as virtual
/// time runs (paced so the eye can follow), with Spectre.Console. Redirected output gets the plain run.
/// </summary>
public static class LiveDemo
{
    /// <summary>Wall-clock pause per virtual millisecond and after each step, so sockets can be seen changing state.</summary>
    private const int TickPauseMs = 4;
    private const int StepPauseMs = 250;

    public static bool Run(StackDemo demo, IAnsiConsole console)
    {
        var steps = new List<DemoStep>();
        bool ok = false;
        var sinceRender = Stopwatch.StartNew();
        console.Live(Render(demo, steps)).AutoClear(false).Start(live =>
        {
            demo.StepDone += step =>
            {
                steps.Add(step);
                live.UpdateTarget(Render(demo, steps));
                Thread.Sleep(StepPauseMs);
            };
            demo.Tick = () =>
            {
                Thread.Sleep(TickPauseMs);
                if (sinceRender.ElapsedMilliseconds >= 50)
                {
                    live.UpdateTarget(Render(demo, steps));
                    sinceRender.Restart();
                }
            };
            ok = demo.RunSteps();
            demo.Tick = null;
            live.UpdateTarget(Render(demo, steps));
        });
        return ok;
    }

    private static IRenderable Render(StackDemo demo, List<DemoStep> steps)
    {
        var stepTable = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(demo.Headline)).AddColumn("").AddColumn("step").AddColumn("result");
        foreach (var step in steps)
        {
            stepTable.AddRow(step.Worked ? "[green]ok[/]" : "[red]FAIL[/]", Markup.Escape(step.What), Markup.Escape(step.Detail));
        }

        var sockets = new Table().Border(TableBorder.Simple).Title(demo.Board.Stack is null ? "board sockets (W5500 hardware, Sn_SR)" : "board sockets");
        foreach (var column in BoardView.SocketColumns)
        {
            sockets.AddColumn(column);
        }

        foreach (var row in BoardView.Sockets(demo.Board))
        {
            sockets.AddRow(row.Select(Markup.Escape).ToArray());
        }

        const int pairs = 2; // name and value, twice a row: fits an 80-column terminal
        var counters = new Grid();
        for (int i = 0; i < pairs; i++)
        {
            counters.AddColumn().AddColumn(new GridColumn().RightAligned());
        }

        var values = BoardView.Counters(demo.Board);
        for (int i = 0; i < values.Count; i += pairs)
        {
            var cells = new List<string>();
            for (int j = i; j < i + pairs; j++)
            {
                cells.Add(j < values.Count ? "[grey]" + values[j].Name + "[/]" : "");
                cells.Add(j < values.Count ? values[j].Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "");
            }

            counters.AddRow(cells.ToArray());
        }

        string footer = $"virtual time {demo.Clock.NowMilliseconds} ms   wire {demo.Wire.FramesForwarded} frames   {BoardView.Bus(demo.Board, demo.BusHz)}";
        return new Rows(stepTable, sockets, new Panel(counters).Header("board counters").Border(BoxBorder.Rounded), new Markup("[grey]" + Markup.Escape(footer) + "[/]"));
    }
}
