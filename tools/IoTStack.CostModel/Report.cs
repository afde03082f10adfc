using IoTStack.Boards;
using System.Globalization;
using System.Text;
using IoTStack.CostModel.Probe;

namespace IoTStack.CostModel;

/// <summary>The figures as Markdown, with issue 15's targets beside them (shown, not enforced).</summary>
public static class Report
{
    /// <summary>Issue 15's target for a path on a chip: "IL/byte ≤ 6", "IL/packet ≤ 2,500", ...; empty if none.</summary>
    public static string Target(PathCost path) => path.Path switch
    {
        var p when p.StartsWith("TCP bulk", StringComparison.Ordinal) => path.Chip == ChipNames.W5500Sockets ? "≤ 1 IL/byte" : "≤ 6 IL/byte",
        var p when p.StartsWith("UDP", StringComparison.Ordinal) => "≤ 2,500 IL/packet",
        var p when p.StartsWith("ICMP", StringComparison.Ordinal) => "≤ 2,000 IL/packet",
        var p when p.StartsWith("Idle", StringComparison.Ordinal) => "≤ 600 IL/poll",
        _ => "",
    };

    /// <summary>Whether the path meets its target (IL and zero allocations per packet); null when it has none.</summary>
    public static bool? MeetsTarget(PathCost path)
    {
        bool allocationFree = path.Cost.Allocations == 0;
        return Target(path) switch
        {
            "≤ 1 IL/byte" => allocationFree && path.IlPerByte <= 1,
            "≤ 6 IL/byte" => allocationFree && path.IlPerByte <= 6,
            "≤ 2,500 IL/packet" => allocationFree && path.IlPerPacket <= 2500,
            "≤ 2,000 IL/packet" => allocationFree && path.IlPerPacket <= 2000,
            "≤ 600 IL/poll" => allocationFree && path.IlPerPacket <= 600,
            _ => null,
        };
    }

    public static string Markdown(IEnumerable<PathCost> paths, int topChip = -1)
    {
        var list = paths.ToList();
        var text = new StringBuilder();
        text.AppendLine("| Chip | Path | Packets | Payload bytes | IL/packet | IL/byte | Own calls/packet | BCL calls/packet | nanoCLR allocations/packet | Target (issue 15) | Met |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (PathCost path in list)
        {
            bool? met = MeetsTarget(path);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {path.Chip} | {path.Path} | {path.Packets:N0} | {path.PayloadBytes:N0} | {path.IlPerPacket:N0} | {(path.PayloadBytes == 0 ? "—" : path.IlPerByte.ToString("N2", CultureInfo.InvariantCulture))} | {path.OwnCallsPerPacket:N1} | {path.LibraryCallsPerPacket:N1} | {path.AllocationsPerPacket:N2} | {Target(path)} | {(met is null ? "" : met.Value ? "yes" : "no")} |"));
        }

        foreach (PathCost path in list)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Costliest methods, {path.Chip}, {path.Path} (own IL, per packet):");
            text.AppendLine();
            text.AppendLine("| Method | IL/packet | Calls/packet |");
            text.AppendLine("|---|---:|---:|");
            foreach (MethodCost method in path.Cost.TopMethods)
            {
                double per = Math.Max(1, path.Packets);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {method.Method} | {method.Il / per:N1} | {method.Calls / per:N2} |"));
            }

            if (path.Cost.TopAllocators.Length == 0)
            {
                continue;
            }

            // Where issue 15's "nothing allocates on the device" has to look first.
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Most allocating on nanoCLR, {path.Chip}, {path.Path} (newobj, newarr, box, struct locals and loads, per packet):");
            text.AppendLine();
            text.AppendLine("| Method | Allocations/packet | Calls/packet |");
            text.AppendLine("|---|---:|---:|");
            foreach (MethodCost method in path.Cost.TopAllocators)
            {
                double per = Math.Max(1, path.Packets);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {method.Method} | {method.Allocations / per:N2} | {method.Calls / per:N2} |"));
            }
        }

        return text.ToString();
    }
}
