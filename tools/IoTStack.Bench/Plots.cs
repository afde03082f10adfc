namespace IoTStack.Bench;

/// <summary>A bar chart per scenario, as PNG (ScottPlot).</summary>
public static class Plots
{
    public static string Bars(string directory, string file, string title, string unit, IReadOnlyList<(string Label, double Value)> bars, double? line = null, string? lineLabel = null)
    {
        var plot = new ScottPlot.Plot();
        var values = bars.Select(b => double.IsFinite(b.Value) ? b.Value : 0).ToArray();
        plot.Add.Bars(values);
        var positions = Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, bars.Select(b => b.Label).ToArray());
        if (line is { } y)
        {
            var hline = plot.Add.HorizontalLine(y);
            hline.LegendText = lineLabel ?? "";
            plot.ShowLegend();
        }

        plot.Title(title);
        plot.YLabel(unit);
        plot.Axes.Margins(bottom: 0);
        plot.SavePng(Path.Combine(directory, file), 900, 450);
        return file;
    }
}
