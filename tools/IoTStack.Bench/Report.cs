using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTStack.Bench;

/// <summary>One measured figure, beside its reference and target when it has them.</summary>
public sealed record Figure(string Name, double Value, string Unit)
{
    public double? Reference { get; init; }
    public string? ReferenceName { get; init; }
    public string? Target { get; init; }
    public bool? Met { get; init; }
    public string? Note { get; init; }

    /// <summary>Value over reference, when there is one.</summary>
    public double? Ratio => Reference is > 0 ? Value / Reference : null;
}

public sealed record Section(string Number, string Title, string Method)
{
    public List<Figure> Figures { get; } = new();
    public List<string> Plots { get; } = new();
    public List<string> Notes { get; } = new();
}

/// <summary>The bench's report: the machine, the commit and every figure, as Markdown and JSON.</summary>
public sealed class Report
{
    public string Date { get; } = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'");
    public string Commit { get; init; } = "";
    public string Machine { get; init; } = "";
    public List<Section> Sections { get; } = new();

    public Section Add(string number, string title, string method)
    {
        var section = new Section(number, title, method);
        Sections.Add(section);
        return section;
    }

    public void Write(string directory)
    {
        var options = new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        File.WriteAllText(Path.Combine(directory, "report.json"), JsonSerializer.Serialize(this, options));
        File.WriteAllText(Path.Combine(directory, "report.md"), Markdown());
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# IoTStack bench report").AppendLine();
        md.AppendLine($"{Date}, commit `{Commit}`, {Machine}.").AppendLine();
        md.AppendLine("Figures, not tests: rerun with `sudo dotnet run -c Release --project tools/IoTStack.Bench`. Targets are issue 9's; a missed one says by how much and why.").AppendLine();
        foreach (var section in Sections.Where(s => s.Figures.Count > 0 || s.Notes.Count > 0))
        {
            md.AppendLine($"## {section.Number}. {section.Title}").AppendLine();
            md.AppendLine(section.Method).AppendLine();
            md.AppendLine("| Figure | Value | Reference | Ratio | Target | Met |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var f in section.Figures)
            {
                string reference = f.Reference is { } r ? $"{Format(r)} {f.Unit} ({f.ReferenceName})" : "";
                string ratio = f.Ratio is { } q ? q.ToString("0.###") : "";
                string met = f.Met is null ? "" : f.Met.Value ? "yes" : "**no**";
                md.AppendLine($"| {f.Name}{(f.Note is null ? "" : $" ({f.Note})")} | {Format(f.Value)} {f.Unit} | {reference} | {ratio} | {f.Target} | {met} |");
            }

            md.AppendLine();
            foreach (var note in section.Notes)
            {
                md.AppendLine(note).AppendLine();
            }

            foreach (var plot in section.Plots)
            {
                md.AppendLine($"![{section.Title}]({plot})").AppendLine();
            }
        }

        return md.ToString();
    }

    private static string Format(double value) =>
        value >= 1000 ? value.ToString("N0") : value >= 10 ? value.ToString("0.#") : value.ToString("0.####");
}
