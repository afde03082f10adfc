namespace IoTStack.CostModel.Probe;

/// <summary>What one basic block costs on nanoCLR each time it runs, worked out once by the instrumenter.</summary>
public readonly record struct BlockCost(int Method, int Il, int OwnCalls, int LibraryCalls, int Allocations);

/// <summary>
/// The counters the instrumented assemblies call at the start of every basic block and at every method entry.
/// Counting is off unless board-side code runs (<see cref="Counting"/>, set by the scenarios around the board's own
/// calls and cleared around the chip model's side of the SPI bus), so the peer stack on the same wire, the chip
/// models and the W5500 model's internal engine (instances of the same instrumented types) are not counted.
/// </summary>
public static class CostProbe
{
    private static BlockCost[] _blocks = [];
    private static string[] _methods = [];
    private static int[] _entryAllocations = [];
    private static long[] _methodIl = [];
    private static long[] _methodEntries = [];
    private static long[] _methodAllocations = [];

    // Undo log since the last Mark: the methods touched and what they had then.
    private static int[] _touchedEpoch = [];
    private static long[] _savedIl = [];
    private static long[] _savedEntries = [];
    private static long[] _savedAllocations = [];
    private static readonly List<int> Touched = [];
    private static int _epoch = 1;
    private static long _markIl, _markOwn, _markLibrary, _markAllocations;

    /// <summary>True while board-side code runs.</summary>
    public static bool Counting;

    public static long Il;
    public static long OwnCalls;
    public static long LibraryCalls;
    public static long Allocations;

    /// <summary>
    /// The instrumenter's tables: one row per block id; per method id its name and the struct locals nanoCLR
    /// allocates at its entry (Execution.cpp, InitializeLocals).
    /// </summary>
    public static void Register(BlockCost[] blocks, string[] methods, int[] entryAllocations)
    {
        _blocks = blocks;
        _methods = methods;
        _entryAllocations = entryAllocations;
        _methodIl = new long[methods.Length];
        _methodEntries = new long[methods.Length];
        _methodAllocations = new long[methods.Length];
        _touchedEpoch = new int[methods.Length];
        _savedIl = new long[methods.Length];
        _savedEntries = new long[methods.Length];
        _savedAllocations = new long[methods.Length];
        Reset();
    }

    public static IReadOnlyList<string> Methods => _methods;

    /// <summary>Called (ldc.i4 id; call) at the start of each basic block of the instrumented code.</summary>
    public static void Block(int id)
    {
        if (!Counting)
        {
            return;
        }

        ref readonly BlockCost block = ref _blocks[id];
        Il += block.Il;
        OwnCalls += block.OwnCalls;
        LibraryCalls += block.LibraryCalls;
        Allocations += block.Allocations;
        Touch(block.Method);
        _methodIl[block.Method] += block.Il;
        _methodAllocations[block.Method] += block.Allocations;
    }

    /// <summary>Called once at the entry of method <paramref name="method"/>, before its first block.</summary>
    public static void Enter(int method)
    {
        if (!Counting)
        {
            return;
        }

        Touch(method);
        _methodEntries[method]++;
        Allocations += _entryAllocations[method];
        _methodAllocations[method] += _entryAllocations[method];
    }

    /// <summary>A call into the base library made by code the model does not instrument (the board's SPI transfer).</summary>
    public static void LibraryCall()
    {
        if (Counting)
        {
            LibraryCalls++;
        }
    }

    /// <summary>Remembers the counts now, so <see cref="Rollback"/> can forget what runs after (an idle poll).</summary>
    public static void Mark()
    {
        _epoch++;
        Touched.Clear();
        (_markIl, _markOwn, _markLibrary, _markAllocations) = (Il, OwnCalls, LibraryCalls, Allocations);
    }

    /// <summary>Back to the counts of the last <see cref="Mark"/>.</summary>
    public static void Rollback()
    {
        foreach (int method in Touched)
        {
            _methodIl[method] = _savedIl[method];
            _methodEntries[method] = _savedEntries[method];
            _methodAllocations[method] = _savedAllocations[method];
        }

        (Il, OwnCalls, LibraryCalls, Allocations) = (_markIl, _markOwn, _markLibrary, _markAllocations);
        Mark();
    }

    public static void Reset()
    {
        Counting = false;
        Il = OwnCalls = LibraryCalls = Allocations = 0;
        Array.Clear(_methodIl);
        Array.Clear(_methodEntries);
        Array.Clear(_methodAllocations);
        Mark();
    }

    /// <summary>Totals so far, the <paramref name="top"/> methods by IL executed and the <paramref name="top"/> that allocate most on nanoCLR.</summary>
    public static CostSnapshot Snapshot(int top)
    {
        var methods = Enumerable.Range(0, _methods.Length)
            .Where(i => _methodIl[i] > 0)
            .OrderByDescending(i => _methodIl[i]).ThenBy(i => _methods[i], StringComparer.Ordinal)
            .Take(top)
            .Select(i => new MethodCost(_methods[i], _methodIl[i], _methodEntries[i], _methodAllocations[i]))
            .ToArray();
        var allocators = Enumerable.Range(0, _methods.Length)
            .Where(i => _methodAllocations[i] > 0)
            .OrderByDescending(i => _methodAllocations[i]).ThenBy(i => _methods[i], StringComparer.Ordinal)
            .Take(top)
            .Select(i => new MethodCost(_methods[i], _methodIl[i], _methodEntries[i], _methodAllocations[i]))
            .ToArray();
        return new CostSnapshot(Il, OwnCalls, LibraryCalls, Allocations, methods, allocators);
    }

    private static void Touch(int method)
    {
        if (_touchedEpoch[method] != _epoch)
        {
            _touchedEpoch[method] = _epoch;
            _savedIl[method] = _methodIl[method];
            _savedEntries[method] = _methodEntries[method];
            _savedAllocations[method] = _methodAllocations[method];
            Touched.Add(method);
        }
    }
}

/// <summary>IL executed by one method (its own instructions, not its callees'), how often it was entered, and what it allocated on nanoCLR.</summary>
public sealed record MethodCost(string Method, long Il, long Calls, long Allocations);

/// <summary>Counted totals over a stretch of board-side execution, the costliest methods and the most allocating ones.</summary>
public sealed record CostSnapshot(long Il, long OwnCalls, long LibraryCalls, long Allocations, MethodCost[] TopMethods, MethodCost[] TopAllocators);

/// <summary>One path measured on one chip: what the board side executed for <see cref="Packets"/> packets.</summary>
public sealed record PathCost(string Chip, string Path, long Packets, long PayloadBytes, CostSnapshot Cost)
{
    public double IlPerPacket => Packets == 0 ? 0 : (double)Cost.Il / Packets;

    public double IlPerByte => PayloadBytes == 0 ? 0 : (double)Cost.Il / PayloadBytes;

    public double OwnCallsPerPacket => Packets == 0 ? 0 : (double)Cost.OwnCalls / Packets;

    public double LibraryCallsPerPacket => Packets == 0 ? 0 : (double)Cost.LibraryCalls / Packets;

    public double AllocationsPerPacket => Packets == 0 ? 0 : (double)Cost.Allocations / Packets;
}
