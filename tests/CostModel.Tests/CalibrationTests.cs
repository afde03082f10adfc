using IoTStack.CostModel.Probe;
using Mono.Cecil;
using Xunit.Abstractions;

namespace IoTStack.CostModel.Tests;

public class CalibrationTests(ITestOutputHelper output)
{
    private static readonly string Self = typeof(Calibration).Assembly.Location;

    [Fact]
    public void A_loop_counts_the_il_worked_out_by_hand()
    {
        CostSnapshot cost = CostModel.Count(Self, typeof(Calibration).FullName!, nameof(Calibration.SumOfTen));
        Dump(nameof(Calibration.SumOfTen), nameof(Calibration.Sum));
        Assert.Equal(4 + 12 + 15 * 10, cost.Il);
        Assert.Equal(1, cost.OwnCalls);
        Assert.Equal(0, cost.LibraryCalls);
        Assert.Equal(0, cost.Allocations);
        MethodCost sum = Assert.Single(cost.TopMethods, m => m.Method.Contains(".Sum(", StringComparison.Ordinal));
        Assert.Equal(12 + 15 * 10, sum.Il);
        Assert.Equal(1, sum.Calls);
    }

    [Fact]
    public void Allocations_follow_nanoclr_rules_for_struct_locals_loads_box_and_newarr()
    {
        CostSnapshot cost = CostModel.Count(Self, typeof(Calibration).FullName!, nameof(Calibration.Allocating));
        Dump(nameof(Calibration.Allocating), "Second");
        // Allocating: the Pair local at entry, box, newarr, ldloc of the Pair; Second: ldarg of the Pair.
        Assert.Equal(5, cost.Allocations);
        Assert.Equal(1, cost.OwnCalls); // Second
        Assert.Equal(1, cost.LibraryCalls); // object.GetHashCode
        Assert.Equal(IlCount(nameof(Calibration.Allocating)) + IlCount("Second"), cost.Il);
    }

    [Fact]
    public void Primitives_enums_and_time_values_are_not_structs_on_nanoclr()
    {
        using var module = ModuleDefinition.ReadModule(typeof(Calibration).Assembly.Location);
        TypeReference Import(Type type) => module.ImportReference(type);
        Assert.False(Instrumenter.IsStruct(Import(typeof(int))));
        Assert.False(Instrumenter.IsStruct(Import(typeof(DayOfWeek))));
        Assert.False(Instrumenter.IsStruct(Import(typeof(TimeSpan))));
        Assert.False(Instrumenter.IsStruct(Import(typeof(DateTime))));
        Assert.False(Instrumenter.IsStruct(Import(typeof(string))));
        Assert.True(Instrumenter.IsStruct(Import(typeof(Calibration.Pair))));
        Assert.True(Instrumenter.IsStruct(Import(typeof(Net.Wire.IPv4Address))));
    }

    private static int IlCount(string method)
    {
        using var module = ModuleDefinition.ReadModule(Self);
        return module.GetType(typeof(Calibration).FullName).Methods.Single(m => m.Name == method).Body.Instructions.Count;
    }

    private void Dump(params string[] methods)
    {
        using var module = ModuleDefinition.ReadModule(Self);
        foreach (string name in methods)
        {
            MethodDefinition method = module.GetType(typeof(Calibration).FullName).Methods.Single(m => m.Name == name);
            output.WriteLine(name + ":");
            foreach (var instruction in method.Body.Instructions)
            {
                output.WriteLine("  " + instruction);
            }
        }
    }
}
