using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace IoTStack.Portability.Tests;

public class ByteCodeBudgetTests
{
    private static readonly string NanoFrameworkDirectory = Path.Combine(AppContext.BaseDirectory, "nanoFramework");

    [Fact]
    public void Model_gives_every_mscorlib_method_the_size_and_counts_the_real_metadata_processor_wrote()
    {
        var real = ProcessedAssembly.Read(Path.Combine(NanoFrameworkDirectory, "mscorlib.pe"), Path.Combine(NanoFrameworkDirectory, "mscorlib.pdbx"));
        var model = ByteCodeBudget.Measure(Path.Combine(NanoFrameworkDirectory, "mscorlib.dll"));
        var modelByToken = model.Methods.ToDictionary(m => m.Token);

        var mismatches = new List<string>();
        foreach (var (token, written) in real.Methods)
        {
            var measured = modelByToken[token];
            if (measured.Bytes != written.Bytes || measured.Arguments != written.Arguments
                || measured.Locals != written.Locals || measured.EvalStack != written.EvalStack)
            {
                mismatches.Add($"{measured.Name}: model {measured.Bytes} bytes/{measured.Arguments} args/{measured.Locals} locals/{measured.EvalStack} stack,"
                    + $" processor {written.Bytes}/{written.Arguments}/{written.Locals}/{written.EvalStack}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Equal(real.ByteCodeTableSize, real.Methods.Sum(m => modelByToken[m.Token].Bytes));
    }

    /// <summary>A class of <paramref name="methods"/> methods of 300 statements each (about 3,000 bytes of byte code apiece).</summary>
    private static string LongMethods(string className, int methods)
    {
        var source = new StringBuilder($"public static class {className} {{\n");
        for (int method = 0; method < methods; method++)
        {
            source.Append($"  public static int Step{method}(int[] a) {{ int s = 0;\n");
            for (int statement = 0; statement < 300; statement++)
            {
                source.Append($"    s += a[{statement % 7}] * {statement + 1000};\n");
            }

            source.Append("    return s; }\n");
        }

        return source.Append('}').ToString();
    }

    [Fact]
    public void An_assembly_past_the_budget_fails_and_names_its_largest_methods()
    {
        // 20 methods of 300 statements each: about 3,000 bytes of byte code apiece.
        var report = Measure(LongMethods("Oversized", 20), NanoConfiguration.Release);

        Assert.InRange(report.TotalBytes, ByteCodeBudget.Budget, ByteCodeBudget.TableLimit - 1);
        var violation = Assert.Single(ByteCodeBudget.Check(report));
        Assert.Equal(ByteCodeBudget.BudgetRule, violation.Rule);
        Assert.Contains("Oversized.Step", violation.Where);
    }

    [Fact]
    public void An_assembly_past_the_16_bit_table_fails_both_limits()
    {
        var report = Measure(LongMethods("Huge", 25), NanoConfiguration.Release);

        Assert.True(report.TotalBytes >= ByteCodeBudget.TableLimit, $"only {report.TotalBytes} bytes");
        var rules = ByteCodeBudget.Check(report).Select(v => v.Rule).ToList();
        Assert.Equal([ByteCodeBudget.BudgetRule, ByteCodeBudget.TableRule], rules);
    }

    [Fact]
    public void A_type_with_256_instance_fields_and_a_method_with_256_locals_fail_the_one_byte_counts()
    {
        var fields = string.Join("\n", Enumerable.Range(0, 256).Select(i => $"  public int F{i};"));
        var locals = string.Join("\n", Enumerable.Range(0, 256).Select(i => $"    int l{i} = a[{i}] + {i};"));
        var sum = string.Join(" + ", Enumerable.Range(0, 256).Select(i => $"l{i}"));
        string source = $"public class Wide {{\n{fields}\n}}\npublic static class Deep {{\n  public static int Sum(int[] a) {{\n{locals}\n    return {sum};\n  }}\n}}";

        var report = Measure(source, NanoConfiguration.Debug);
        var violations = ByteCodeBudget.Check(report);

        Assert.Contains(violations, v => v.Rule == ByteCodeBudget.InstanceFieldsRule && v.Where.StartsWith("Wide: 256", StringComparison.Ordinal));
        // A Debug build adds a local for the return value.
        Assert.Contains(violations, v => v.Rule == ByteCodeBudget.LocalsRule && v.Where.StartsWith("Deep.Sum(int[]): 257", StringComparison.Ordinal));
        Assert.DoesNotContain(violations, v => v.Rule == ByteCodeBudget.BudgetRule);
    }

    [Fact]
    public void Static_fields_arguments_and_evaluation_stack_are_one_byte_counts_too()
    {
        var statics = string.Join("\n", Enumerable.Range(0, 255).Select(i => $"  public static int S{i};"));
        var parameters = string.Join(", ", Enumerable.Range(0, 255).Select(i => $"int p{i}"));
        var deepCall = string.Join(", ", Enumerable.Range(0, 260).Select(i => $"a[{i}]"));
        string source = $"public class Globals {{\n{statics}\n}}\n"
            + $"public class Many {{ public int Take({parameters}) {{ return p0; }} }}\n"
            + $"public static class Stack {{ static int Use(params int[] v) {{ return v.Length; }} public static int Call(int[] a) {{ return Use(new int[] {{ {deepCall} }}) + Wide(a); }}\n"
            + $"  static int Wide(int[] a) {{ return Sink({deepCall}); }} static int Sink({string.Join(", ", Enumerable.Range(0, 260).Select(i => $"int x{i}"))}) {{ return x0; }} }}";

        var report = Measure(source, NanoConfiguration.Release);
        var violations = ByteCodeBudget.Check(report);

        Assert.Contains(violations, v => v.Rule == ByteCodeBudget.StaticFieldsRule && v.Where.StartsWith("Globals: 255", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Rule == ByteCodeBudget.ArgumentsRule && v.Where.StartsWith("Many.Take(", StringComparison.Ordinal) && v.Where.EndsWith(": 256 (one byte holds 255)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Rule == ByteCodeBudget.EvalStackRule && v.Where.StartsWith("Stack.Wide(int[]): ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_small_clean_assembly_passes_and_its_line_shows_the_headroom()
    {
        string source = "namespace Small { public sealed class Checksum { private int _sum;"
            + " public void Add(byte[] data, int offset, int count) { for (int i = offset; i < offset + count; i++) { _sum += data[i]; } }"
            + " public int Finish() { try { return _sum & 0xFFFF; } finally { _sum = 0; } } } }";

        var report = Measure(source, NanoConfiguration.Release);

        Assert.Empty(ByteCodeBudget.Check(report));
        string line = ByteCodeBudget.FormatLine(report, "Release", largest: 2);
        int under = ByteCodeBudget.Budget - report.TotalBytes;
        Assert.StartsWith($"IoTStack.Planted Release: {report.TotalBytes} bytes of byte code, {under.ToString("N0", CultureInfo.InvariantCulture)} under the 56,000 budget", line);
        Assert.Contains("largest: Small.Checksum.Finish() ", line);
    }

    [Fact]
    public void Tokens_shrink_to_two_bytes_and_exception_clauses_follow_the_body()
    {
        // Release IL: ldarg.0 (1) callvirt (1+4) pop (1) leave.s (1+1) pop (1) leave.s (1+1) ldc.i4.1 (1) ret (1) = 14 bytes,
        // one catch clause: the token shrinks by 2 and the clause adds 12 + 1 count byte.
        string source = "public static class Guard { public static int Touch(object o) { try { o.GetHashCode(); } catch (System.Exception) { } return 1; } }";

        var method = Assert.Single(Measure(source, NanoConfiguration.Release).Methods, m => m.Name.StartsWith("Guard.Touch", StringComparison.Ordinal));

        Assert.Equal(14, method.ILBytes);
        Assert.Equal(14 - 2 + 12 + 1, method.Bytes);
        Assert.Equal(1, method.ExceptionClauses);
    }

    [Fact]
    public void Debug_builds_define_DEBUG_and_keep_their_nops_and_release_builds_do_not()
    {
        string source = "public static class Trace { public static int Level(int a) { int b = a * 2;\n#if DEBUG\n b += 1;\n#endif\n return b; } }";

        var debug = Assert.Single(Measure(source, NanoConfiguration.Debug).Methods, m => m.Name.StartsWith("Trace.Level", StringComparison.Ordinal));
        var release = Assert.Single(Measure(source, NanoConfiguration.Release).Methods, m => m.Name.StartsWith("Trace.Level", StringComparison.Ordinal));

        // Release: ldarg.0 ldc.i4.2 mul ret. Debug: the DEBUG line, a nop per brace, locals kept and a return-value local.
        Assert.Equal(4, release.Bytes);
        Assert.True(debug.Bytes > release.Bytes + 4, $"Debug {debug.Bytes} bytes, Release {release.Bytes}");
        Assert.True(debug.Locals > release.Locals);
    }

    [Fact]
    public void Source_is_compiled_as_CSharp_9_like_nanoFrameworks_project_system_does()
    {
        var build = NanoFrameworkBuild.CompileSource("IoTStack.Planted", "namespace Newer;\npublic class C { }", NanoConfiguration.Release);

        Assert.False(build.Success);
        Assert.Contains(build.Errors, e => e.Id == "CS8773"); // file-scoped namespaces are C# 10
    }

    [Fact]
    public void An_over_budget_line_says_by_how_much()
    {
        var report = new ByteCodeReport("IoTStack.Big", 60_000, [new MethodByteCode("Big.Run()", 60_000, 70_000, 1, 0, 2, 0, 0, 0x06000001)], []);

        Assert.Equal(
            "IoTStack.Big Debug: 60,000 bytes of byte code, 4,000 over the 56,000 budget, 5,535 under 65,535; largest: Big.Run() 60,000",
            ByteCodeBudget.FormatLine(report, "Debug"));
    }

    private static ByteCodeReport Measure(string source, NanoConfiguration configuration)
    {
        var build = NanoFrameworkBuild.CompileSource("IoTStack.Planted", source, configuration);
        Assert.True(build.Success, "planted source did not compile:\n" + string.Join("\n", build.Errors));
        return ByteCodeBudget.Measure(build.Image!);
    }

    /// <summary>
    /// The method records and byte code table of a .pe the MetadataProcessor wrote. Layout from nf-interpreter
    /// src/CLR/Include/nanoCLR_Types.h: CLR_RECORD_ASSEMBLY (startOfTables at byte 40, paddingOfTables at 108,
    /// TBL_MethodDef = 6, TBL_ByteCode = 13) and CLR_RECORD_METHODDEF (16 bytes: name, RVA, flags, retVal, numArgs,
    /// numLocals, lengthEvalStack, locals, sig); a method's byte code runs to the next method with a body, or the
    /// table's end (TypeSystem.cpp, CLR_RT_Assembly::FindMethodBoundaries).
    /// </summary>
    private sealed record ProcessedAssembly(int ByteCodeTableSize, IReadOnlyList<(int Token, WrittenMethod Method)> Methods)
    {
        public static ProcessedAssembly Read(string pePath, string pdbxPath)
        {
            byte[] pe = File.ReadAllBytes(pePath);
            int TableStart(int table) => (int)BinaryPrimitives.ReadUInt32LittleEndian(pe.AsSpan(40 + 4 * table));
            int TableSize(int table) => TableStart(table + 1) - TableStart(table) - pe[108 + table];
            const int MethodDef = 6, ByteCode = 13, RecordSize = 16;

            int methodCount = TableSize(MethodDef) / RecordSize;
            var records = Enumerable.Range(0, methodCount).Select(i => pe.AsSpan(TableStart(MethodDef) + i * RecordSize, RecordSize).ToArray()).ToList();
            var rvas = records.Select(r => (int)BinaryPrimitives.ReadUInt16LittleEndian(r.AsSpan(2))).ToList();

            var written = new List<(int, WrittenMethod)>();
            foreach (var method in XDocument.Load(pdbxPath).Descendants("Method"))
            {
                var token = method.Element("Token")!;
                int clr = Convert.ToInt32(token.Element("CLR")!.Value, 16);
                int index = Convert.ToInt32(token.Element("nanoCLR")!.Value, 16) & 0xFFFFFF;
                int bytes = 0;
                if (rvas[index] != 0xFFFF)
                {
                    int end = rvas.Skip(index + 1).Where(rva => rva != 0xFFFF).DefaultIfEmpty(TableSize(ByteCode)).First();
                    bytes = end - rvas[index];
                }

                var record = records[index];
                written.Add((clr, new WrittenMethod(bytes, record[9], record[10], record[11])));
            }

            return new ProcessedAssembly(TableSize(ByteCode), written);
        }
    }

    private sealed record WrittenMethod(int Bytes, int Arguments, int Locals, int EvalStack);
}

/// <summary>
/// Every assembly the device loads, as the gate built it both ways nanoFramework builds an .nfproj: within the
/// byte-code budget (85% of nanoCLR's 16-bit limit) and every one-byte count under 255 (issue 14).
/// </summary>
public class DeviceAssemblyBudgetTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(GateTests.GateAssemblies), MemberType = typeof(GateTests))]
    public void Every_device_assembly_stays_within_the_byte_code_budget(string configuration, string assembly)
    {
        var report = ByteCodeBudget.Measure(NanoGate.PathOf(configuration, assembly));
        output.WriteLine(ByteCodeBudget.FormatLine(report, configuration));
        var violations = ByteCodeBudget.Check(report);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void The_gate_builds_debug_and_release_as_two_different_builds()
    {
        // Debug is unoptimised (nops, locals kept): a folder holding the other configuration's copy would measure the wrong build.
        int debug = ByteCodeBudget.Measure(NanoGate.PathOf("Debug", "IoTStack.Net")).TotalBytes;
        int release = ByteCodeBudget.Measure(NanoGate.PathOf("Release", "IoTStack.Net")).TotalBytes;
        output.WriteLine($"IoTStack.Net: Debug {debug:N0}, Release {release:N0} bytes of byte code");
        Assert.True(debug > release * 1.1, $"Debug {debug} and Release {release}: not two builds");
    }
}
