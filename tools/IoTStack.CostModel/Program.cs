using System.Text.Json;
using IoTStack.CostModel;

// dotnet run -c Release --project tools/IoTStack.CostModel [-- --json path]: the board paths on each chip,
// counted as nanoCLR would execute them, as a Markdown table; the figures in full as JSON.
string json = args.Length == 2 && args[0] == "--json" ? args[1] : Path.Combine("artifacts", "costmodel", "costmodel.json");
var results = CostModel.Measure();
if (!OperatingSystem.IsWindows())
{
    results = [.. results, .. CostModel.MeasureTls()]; // issue 18: handshakes and records, chip "tls"
}

Console.Write(Report.Markdown(results));
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(json))!);
File.WriteAllText(json, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"\nJSON: {json}");
