using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IoTStack.Portability.Tests;

public class GateTests
{
    private static readonly string Mscorlib = Path.Combine(AppContext.BaseDirectory, "nanoFramework", "mscorlib.dll");

    private static bool IsOwn(string name) => name.StartsWith("IoTStack.", StringComparison.Ordinal);

    /// <summary>Every assembly the gate builds, in both configurations.</summary>
    public static TheoryData<string, string> GateAssemblies()
    {
        var data = new TheoryData<string, string>();
        foreach (string configuration in NanoGate.Configurations)
        {
            foreach (string name in NanoGate.Assemblies)
            {
                data.Add(configuration, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GateAssemblies))]
    public void Gate_assembly_holds_nothing_the_nanoFramework_runtime_cannot_load(string configuration, string assembly)
    {
        string path = NanoGate.PathOf(configuration, assembly);
        var violations = NanoFrameworkPortability.Check(path, IsOwn);
        Assert.True(violations.Count == 0, "not loadable on nanoFramework 1.x:\n" + string.Join("\n", violations));
    }

    [Theory]
    [MemberData(nameof(GateAssemblies))]
    public void Gate_assembly_references_only_nanoFrameworks_mscorlib_and_the_layers_below_it(string configuration, string assembly)
    {
        using var pe = new PEReader(File.OpenRead(NanoGate.PathOf(configuration, assembly)));
        var reader = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var references = reader.AssemblyReferences.Select(h => reader.GetAssemblyReference(h)).ToList();
        var mscorlib = Assert.Single(references, r => reader.GetString(r.Name) == "mscorlib");
        Assert.Equal(1, mscorlib.Version.Major); // nanoFramework's mscorlib is 1.x; .NET's is 4.0
        var own = references.Select(r => reader.GetString(r.Name)).Where(n => n != "mscorlib").ToList();
        var undeclared = own.Except(NanoGate.References(assembly)).ToList();
        Assert.True(undeclared.Count == 0, $"{assembly} references what its project does not: {string.Join(", ", undeclared)}");
    }

    private static HashSet<string> TypeNames(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(NanoGate.PathOf("Release", assembly)));
        var reader = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return reader.TypeDefinitions.Select(h => reader.GetString(reader.GetTypeDefinition(h).Name)).ToHashSet();
    }

    [Fact]
    public void The_wire_formats_sit_below_the_core_stack_and_the_services_apart_from_it()
    {
        var wire = TypeNames("IoTStack.Net.Wire");
        var core = TypeNames("IoTStack.Net");
        Assert.Contains("TcpSegment", wire);
        Assert.Contains("InternetChecksum", wire);
        Assert.DoesNotContain("TcpSegment", core);
        Assert.Contains("NetStack", core);
        Assert.DoesNotContain("DhcpClient", core);
    }

    [Theory]
    [InlineData("IoTStack.Net.Wire", "stack/IoTStack.Net.Wire/IoTStack.Net.Wire.nfproj")]
    [InlineData("IoTStack.Net", "stack/IoTStack.Net/IoTStack.Net.nfproj")]
    [InlineData("IoTStack.Net.Services", "stack/IoTStack.Net.Services/IoTStack.Net.Services.nfproj")]
    [InlineData("IoTStack.Drivers", "drivers/IoTStack.Drivers/IoTStack.Drivers.nfproj")]
    [InlineData("IoTStack.Firmware", "firmware/IoTStack.Firmware/IoTStack.Firmware.nfproj")]
    [InlineData("IoTStack.Boards", "boards/IoTStack.Boards/IoTStack.Boards.nfproj")]
    [InlineData("IoTStack.Firmware.Esp32", "firmware/IoTStack.Firmware.Esp32/IoTStack.Firmware.Esp32.nfproj")]
    [InlineData("IoTStack.Samples.Sensor", "samples/IoTStack.Samples.Sensor/IoTStack.Samples.Sensor.nfproj")]
    [InlineData("IoTStack.Net.Mqtt", "stack/IoTStack.Net.Mqtt/IoTStack.Net.Mqtt.nfproj")]
    [InlineData("IoTStack.Crypto", "stack/IoTStack.Crypto/IoTStack.Crypto.nfproj")]
    [InlineData("IoTStack.Crypto.PublicKey", "stack/IoTStack.Crypto.PublicKey/IoTStack.Crypto.PublicKey.nfproj")]
    [InlineData("IoTStack.Net.Tls", "stack/IoTStack.Net.Tls/IoTStack.Net.Tls.nfproj")]
    [InlineData("IoTStack.Firmware.Tls", "firmware/IoTStack.Firmware.Tls/IoTStack.Firmware.Tls.nfproj")]
    public void Each_nanoFramework_project_references_the_projects_its_gate_assembly_references(string assembly, string nfproj)
    {
        var project = System.Xml.Linq.XDocument.Load(Path.Combine(NanoGate.RepositoryRoot, nfproj));
        var referenced = project.Descendants().Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/'))).OrderBy(n => n).ToList();
        var expected = NanoGate.References(assembly).Where(n => n != "IoTStack.NanoGate.DeviceApiShapes").OrderBy(n => n).ToList();
        Assert.Equal(expected, referenced);
        string assemblyName = project.Descendants().Single(e => e.Name.LocalName == "AssemblyName").Value;
        Assert.Equal(assembly, assemblyName);
    }

    [Fact]
    public void A_clean_portable_snippet_passes()
    {
        var violations = CompileAndCheck("public struct Clean { public byte[] Buffer; public int Sum(int[] a) { int s = 0; foreach (int x in a) s += x; return s; } }");
        Assert.Empty(violations);
    }

    [Fact]
    public void Generics_span_stream_hashtable_async_and_linq_do_not_compile_against_nanoFrameworks_mscorlib()
    {
        var diagnostics = Compile("public class C { System.Collections.Generic.List<int> l; System.Span<byte> s; System.IO.Stream t; System.Collections.Hashtable h; }"
            + " public class D { public async System.Threading.Tasks.Task Wait() { } public object Q(int[] a) { return System.Linq.Enumerable.Count(a); } }", out _);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.GetMessage()).ToList();
        Assert.Contains(errors, e => e.Contains("'Generic'"));
        Assert.Contains(errors, e => e.Contains("'Span<>'"));
        Assert.Contains(errors, e => e.Contains("'Stream'"));
        Assert.Contains(errors, e => e.Contains("'Tasks'"));
        Assert.Contains(errors, e => e.Contains("'Linq'"));
        Assert.Contains(errors, e => e.Contains("'Hashtable'"));
    }

    [Theory]
    [InlineData("public class Box<T> { public T Value; }", NanoFrameworkPortability.GenericDefinition)]
    [InlineData("public class C { public static T Id<T>(T x) { return x; } }", NanoFrameworkPortability.GenericDefinition)]
    [InlineData("public class Box<T> { public T Value; } public class User { public Box<int> Held; }", NanoFrameworkPortability.GenericInstantiation)]
    [InlineData("public class C { public static T Id<T>(T x) { return x; } public int Use() { return Id(3); } }", NanoFrameworkPortability.GenericInstantiation)]
    [InlineData("public unsafe struct C { public byte* Raw; }", NanoFrameworkPortability.Pointer)]
    [InlineData("public unsafe class C { public int Peek(int* p) { return *p; } }", NanoFrameworkPortability.Pointer)]
    [InlineData("public unsafe class C { public int Sum() { int* s = stackalloc int[4]; return s[0]; } }", NanoFrameworkPortability.Stackalloc)]
    [InlineData("public unsafe class C { public delegate*<int, int> F; }", NanoFrameworkPortability.Pointer)]
    public void Planted_code_the_runtime_cannot_load_is_caught(string source, string rule)
    {
        var violations = CompileAndCheck(source);
        Assert.Contains(violations, v => v.Rule == rule);
    }

    [Fact]
    public void A_reference_to_a_foreign_assembly_is_caught()
    {
        var foreign = CSharpCompilation.Create("Foreign", [CSharpSyntaxTree.ParseText("public class Helper { public static int One() { return 1; } }")],
            [MetadataReference.CreateFromFile(Mscorlib)], new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var foreignImage = new MemoryStream();
        Assert.True(foreign.Emit(foreignImage).Success);
        var violations = CompileAndCheck("public class C { public int Two() { return Helper.One() + 1; } }", MetadataReference.CreateFromImage(foreignImage.ToArray()));
        Assert.Contains(violations, v => v.Rule == NanoFrameworkPortability.ForeignReference && v.Where == "Foreign");
    }

    private static IReadOnlyList<Violation> CompileAndCheck(string source, params MetadataReference[] extra)
    {
        var diagnostics = Compile(source, out var image, extra);
        Assert.True(image is not null, "planted snippet did not compile:\n" + string.Join("\n", diagnostics));
        using var pe = new PEReader(new MemoryStream(image!));
        return NanoFrameworkPortability.Check(pe, IsOwn);
    }

    private static IReadOnlyList<Diagnostic> Compile(string source, out byte[]? image, params MetadataReference[] extra)
    {
        var compilation = CSharpCompilation.Create(
            "IoTStack.Planted",
            [CSharpSyntaxTree.ParseText(source)],
            [MetadataReference.CreateFromFile(Mscorlib), .. extra],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        image = result.Success ? output.ToArray() : null;
        return result.Diagnostics;
    }
}
