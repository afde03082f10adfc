using System.Reflection;
using System.Runtime.Loader;
using IoTStack.CostModel.Probe;

namespace IoTStack.CostModel;

/// <summary>
/// A load context where the instrumented copies replace the device assemblies, and everything that uses them
/// (the emulator's chip models, the scenarios in this assembly) is loaded again beside them; the probe stays
/// in the default context, so the host reads what the copies count.
/// </summary>
public sealed class InstrumentedContext : AssemblyLoadContext
{
    private readonly string _directory;
    private readonly IReadOnlyDictionary<string, byte[]> _instrumented;

    public InstrumentedContext(string directory, IReadOnlyDictionary<string, byte[]> instrumented)
        : base("IoTStack cost model", isCollectible: true)
    {
        _directory = directory;
        _instrumented = instrumented;
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is null || name.Name == typeof(CostProbe).Assembly.GetName().Name)
        {
            return null;
        }

        if (_instrumented.TryGetValue(name.Name, out byte[]? image))
        {
            return LoadFromStream(new MemoryStream(image));
        }

        string path = Path.Combine(_directory, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
