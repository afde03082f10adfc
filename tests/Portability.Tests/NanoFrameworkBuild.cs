using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using System.Text;

namespace IoTStack.Portability.Tests;

/// <summary>The two configurations nanoFramework's project system builds a class library in.</summary>
public enum NanoConfiguration
{
    /// <summary>DEBUG;TRACE (and NANOFRAMEWORK_1_0), not optimised: the IL keeps its nops and extra locals.</summary>
    Debug,

    /// <summary>TRACE (and NANOFRAMEWORK_1_0), optimised.</summary>
    Release,
}

/// <summary>A compiled image, or the diagnostics that stopped it.</summary>
public sealed record NanoBuildResult(byte[]? Image, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Success => Image is not null;

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}

/// <summary>
/// Compiles C# the way a nanoFramework class library project (.nfproj) does, against nanoFramework's own mscorlib,
/// so the byte code of Debug and Release builds can be measured without nanoFramework's Visual Studio extension:
/// C# 9, the configuration's symbols, optimisation on in Release only, debug information in both.
/// </summary>
public static class NanoFrameworkBuild
{
    /// <summary>nanoFramework.CoreLibrary's mscorlib.dll, copied beside the tests.</summary>
    public static string Mscorlib { get; } = Path.Combine(AppContext.BaseDirectory, "nanoFramework", "mscorlib.dll");

    /// <summary>The language version nanoFramework's project system compiles with.</summary>
    public const LanguageVersion Language = LanguageVersion.CSharp9;

    public static string[] Symbols(NanoConfiguration configuration) => configuration == NanoConfiguration.Debug
        ? ["DEBUG", "TRACE", "NANOFRAMEWORK_1_0"]
        : ["TRACE", "NANOFRAMEWORK_1_0"];

    /// <summary>Every .cs file under <paramref name="directory"/>, as an SDK project globs them (obj/ and bin/ left out).</summary>
    public static IReadOnlyList<string> SourcesUnder(string directory)
    {
        string root = Path.GetFullPath(directory);
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path =>
            {
                string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
                return !relative.StartsWith("obj/", StringComparison.Ordinal) && !relative.StartsWith("bin/", StringComparison.Ordinal);
            })
            .OrderBy(path => path, StringComparer.Ordinal)
            .ToList();
    }

    public static NanoBuildResult CompileFiles(string assemblyName, IEnumerable<string> sourcePaths, NanoConfiguration configuration, params MetadataReference[] references)
    {
        var parse = ParseOptions(configuration);
        var trees = sourcePaths.Select(path => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(path), Encoding.UTF8), parse, path)).ToList();
        return Compile(assemblyName, trees, configuration, references);
    }

    public static NanoBuildResult CompileSource(string assemblyName, string source, NanoConfiguration configuration, params MetadataReference[] references)
    {
        return Compile(assemblyName, [CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), ParseOptions(configuration))], configuration, references);
    }

    public static CSharpParseOptions ParseOptions(NanoConfiguration configuration) =>
        new(Language, DocumentationMode.None, SourceCodeKind.Regular, Symbols(configuration));

    private static NanoBuildResult Compile(string assemblyName, IReadOnlyList<SyntaxTree> trees, NanoConfiguration configuration, MetadataReference[] references)
    {
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: configuration == NanoConfiguration.Debug ? OptimizationLevel.Debug : OptimizationLevel.Release,
            deterministic: true);
        var compilation = CSharpCompilation.Create(assemblyName, trees, [MetadataReference.CreateFromFile(Mscorlib), .. references], options);
        using var image = new MemoryStream();
        using var pdb = new MemoryStream();
        var result = compilation.Emit(image, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        return new NanoBuildResult(result.Success ? image.ToArray() : null, result.Diagnostics);
    }
}
