namespace IoTStack.CostModel.Tests;

/// <summary>Methods whose cost is counted by hand from their IL (listed beside each) to check the instrumenter.</summary>
public static class Calibration
{
    private static readonly int[] Ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    public static int Result;

    /// <summary>ldsfld, call Sum, stsfld, ret: 4 IL and one own call, plus Sum over ten elements.</summary>
    public static void SumOfTen() => Result = Sum(Ten);

    /// <summary>
    /// ldc.i4.0 stloc.0 ldc.i4.0 stloc.1 br (5); per element ldloc.0 ldarg.0 ldloc.1 ldelem.i4 add stloc.0 ldloc.1
    /// ldc.i4.1 add stloc.1 (10); per test ldloc.1 ldarg.0 ldlen conv.i4 blt (5, one more than the elements);
    /// ldloc.0 ret (2): 12 + 15 n.
    /// </summary>
    public static int Sum(int[] values)
    {
        int sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    public struct Pair
    {
        public int A;
        public int B;
    }

    /// <summary>
    /// A struct local (allocated at entry), a box, a newarr, a struct passed by value (the ldloc clones it), an own
    /// call and a base-library call; Second loads its struct argument again (ldarg clones it).
    /// </summary>
    public static void Allocating()
    {
        Pair pair;
        pair.A = 1;
        pair.B = 2;
        object boxed = 5;
        int[] array = new int[3];
        Result = Second(pair) + array.Length + boxed.GetHashCode();
    }

    private static int Second(Pair pair) => pair.B;
}
