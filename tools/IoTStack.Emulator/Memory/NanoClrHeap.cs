using System.Reflection;
using System.Runtime.CompilerServices;

namespace IoTStack.Emulator.Memory;

/// <summary>
/// How many bytes of nanoCLR's managed heap an object graph takes, by nanoCLR's own layout rules, measured on
/// the desktop by reflection: each object is visited once (reference identity), instance fields of reference
/// type are followed, and every struct value stored in a field or an array element counts as the separate
/// object nanoCLR makes of it. Statics of whole assemblies can be added (<see cref="IncludeStatics"/>), and
/// objects that are not on the device (a chip model standing in for the SPI bus, test code's closures) are
/// reported in <see cref="HeapMeasurement.Skipped"/>, never silently dropped.
/// </summary>
/// <remarks>
/// Every rule comes from nanoframework/nf-interpreter (main at a3e8139, July 2026) and nanoframework/metadata-processor
/// (main at 4541b46), which writes the type tables nanoCLR reads:
/// <list type="bullet">
/// <item>A heap block is 12 bytes on a 32-bit target: a 4-byte id (data type, flags, size in blocks) and 8 bytes
/// of data (src/CLR/Include/nanoCLR_Runtime__HeapBlock.h, CLR_RT_HeapBlock; src/CLR/Include/nanoCLR_Runtime.h
/// asserts sizeof(CLR_RT_HeapBlock) == 12). Every allocation is a whole number of blocks
/// (CONVERTFROMSIZETOHEAPBLOCKS, src/HAL/Include/nanoHAL_Types.h) and the id lives in the first block, so the heap
/// adds nothing per allocation beyond that rounding (CLR_RT_HeapCluster::ExtractBlocks,
/// src/CLR/Core/CLR_RT_HeapCluster.cpp).</item>
/// <item>A class instance is 1 + m_totalFields blocks, m_totalFields counting the instance fields of the class and
/// of every base class, one block each whatever the field's type (CLR_RT_ExecutionEngine::NewObject,
/// src/CLR/Core/Execution.cpp; CLR_RT_Assembly::Resolve_Link, src/CLR/Core/TypeSystem.cpp). Constants are not
/// fields there (metadata-processor nanoTypeDefinitionTable.cs drops fields with HasConstant).</item>
/// <item>A field of a struct type (not an enum, not a built-in primitive) is initialised with a new object of that
/// struct, 1 + its fields blocks, and so on for its own struct fields (CLR_RT_ExecutionEngine::InitializeReference,
/// Execution.cpp). An enum field is its underlying primitive in the field's block (metadata-processor
/// nanoSignaturesTable.cs WriteDataTypeForTypeDef gives an enum its underlying type). DateTime and TimeSpan are
/// built-in 8-byte types held in the block itself.</item>
/// <item>An array is sizeof(CLR_RT_HeapBlock_Array) = 20 bytes of header (a block, the length, four bytes of
/// element type, size and reference flag) plus length x element size, rounded up to whole blocks
/// (CLR_RT_ExecutionEngine::ExtractHeapBlocksForArray, Execution.cpp). Element sizes come from
/// c_CLR_RT_DataTypeLookup (src/CLR/Core/TypeSystemLookup.cpp): bool, sbyte, byte 1; char, short, ushort 2; int,
/// uint, float 4; long, ulong, double 8; everything else - string, object, class, array, struct, DateTime,
/// TimeSpan - a whole 12-byte block per element. An enum array uses its underlying type's size.</item>
/// <item>Each element of a struct array is a separate object of its own, allocated when the array is created
/// (CLR_RT_HeapBlock_Array::ClearElements, src/CLR/Core/CLR_RT_HeapBlock_Array.cpp: fAllocate).</item>
/// <item>A string is a header block plus its UTF-8 bytes and a terminating zero, rounded up to blocks, when built at
/// run time; a literal (ldstr) is the header block alone, pointing at the text in the assembly
/// (CLR_RT_HeapBlock_String::CreateInstance, src/CLR/Core/CLR_RT_HeapBlock_String.cpp; CEE_LDSTR in
/// src/CLR/Core/Interpreter.cpp). On the desktop a string that is itself the interned instance is taken for a
/// literal (CoreCLR interns every ldstr literal).</item>
/// <item>A boxed primitive or enum is two blocks (CLR_RT_HeapBlock::PerformBoxing, src/CLR/Core/CLR_RT_HeapBlock.cpp,
/// c_OptimizedValueType); a boxed struct is a clone of the struct's object.</item>
/// <item>A delegate is sizeof(CLR_RT_HeapBlock_Delegate) = 32 bytes, 3 blocks, on a target built without
/// NANOCLR_DELEGATE_PRESERVE_STACK and app domains as the ESP32 is (src/CLR/Core/CLR_RT_HeapBlock_Delegate.cpp,
/// src/CLR/Include/nanoCLR_PlatformDef.h); a multicast delegate adds a list of 24 bytes plus a block per delegate
/// (src/CLR/Core/CLR_RT_HeapBlock_Delegate_List.cpp).</item>
/// <item>A class with a finalizer gets a CLR_RT_HeapBlock_Finalizer of 20 bytes, 2 blocks, with each instance
/// (NewObject, Execution.cpp; src/CLR/Core/CLR_RT_HeapBlock_Finalizer.cpp).</item>
/// <item>Each assembly keeps one block per static field (constants excluded) in its own heap allocation
/// (CLR_RT_Assembly::CreateInstance, TypeSystem.cpp: offsets.iStaticFields), initialised like an instance field,
/// so a static struct field has its separate object too (CLR_RT_Assembly::Resolve_AllocateStaticFields). nanoCLR
/// runs every static constructor at start (CLR_RT_ExecutionEngine::SpawnStaticConstructor, Execution.cpp), so the
/// walker runs them too before reading static fields.</item>
/// </list>
/// What is not counted: the assemblies' own tables, threads and their stack frames (a running method's locals and
/// evaluation stack live in heap blocks too), garbage not yet collected, and anything allocated only while running
/// (a struct local is a new object on every call, DESIGN.md rule 2).
/// </remarks>
public sealed class NanoClrHeap
{
    /// <summary>sizeof(CLR_RT_HeapBlock) on a 32-bit target.</summary>
    public const int BlockSize = 12;

    /// <summary>sizeof(CLR_RT_HeapBlock_Array): a block, m_numOfElements, and four one-byte fields.</summary>
    public const int ArrayHeaderSize = 20;

    /// <summary>A boxed primitive or enum: the object header block and the value's block.</summary>
    public const int BoxedPrimitiveSize = 2 * BlockSize;

    /// <summary>CLR_RT_HeapBlock_Delegate: a node block, type and method indexes (4 each), the target's block; 32 bytes.</summary>
    public const int DelegateSize = 3 * BlockSize;

    /// <summary>CLR_RT_HeapBlock_Delegate_List without its entries: a node block and three 4-byte fields.</summary>
    public const int DelegateListHeaderSize = 24;

    /// <summary>CLR_RT_HeapBlock_Finalizer: a node block, the object pointer and a method index; 20 bytes.</summary>
    public const int FinalizerSize = 2 * BlockSize;

    private readonly List<Assembly> _statics = new();
    private readonly List<Assembly> _device = new();
    private readonly HashSet<object> _excluded = new(ReferenceEqualityComparer.Instance);
    private readonly List<Type> _excludedTypes = new();

    /// <summary>
    /// The heap the graphs reachable from <paramref name="roots"/> take, every object counted once. An array of a
    /// reference type passed alone binds as the roots themselves (C# params); pass <c>(object)array</c> to measure it.
    /// </summary>
    public static HeapMeasurement Measure(params object[] roots) => new NanoClrHeap().Of(roots);

    /// <summary>
    /// Also count the static fields of every type in <paramref name="assemblies"/>: a block each, and the graphs
    /// they reach. Static constructors are run first, as nanoCLR runs them all at start.
    /// </summary>
    public NanoClrHeap IncludeStatics(params Assembly[] assemblies)
    {
        _statics.AddRange(assemblies);
        return this;
    }

    /// <summary>
    /// Only classes (and delegates' methods) from these assemblies exist on the device; an object of any other
    /// assembly's class is skipped and reported. Without this, every assembly but the desktop framework counts.
    /// </summary>
    public NanoClrHeap OnDevice(params Assembly[] assemblies)
    {
        _device.AddRange(assemblies);
        return this;
    }

    /// <summary>The boundary: these objects are not on the device (a chip model for the SPI bus); skipped and reported.</summary>
    public NanoClrHeap Exclude(params object[] objects)
    {
        foreach (object o in objects)
        {
            _excluded.Add(o);
        }

        return this;
    }

    /// <summary>Objects of these types (or derived from them) are not on the device; skipped and reported.</summary>
    public NanoClrHeap ExcludeTypes(params Type[] types)
    {
        _excludedTypes.AddRange(types);
        return this;
    }

    /// <summary>Walks the graphs from <paramref name="roots"/> and, when asked, the statics.</summary>
    public HeapMeasurement Of(params object[] roots)
    {
        var walk = new Walk(this);
        for (int i = 0; i < roots.Length; i++)
        {
            walk.Push(roots[i], $"root {i}");
        }

        walk.Drain();
        foreach (Assembly assembly in _statics)
        {
            walk.Statics(assembly);
        }

        walk.Drain();
        return walk.Result();
    }

    /// <summary>A class instance: a header block and a block per instance field, base classes' included.</summary>
    public static int ClassInstanceSize(Type type) => (1 + InstanceFields(type).Length) * BlockSize;

    /// <summary>The object a struct value becomes in a field, an array element or a box.</summary>
    public static int StructSize(Type type) => (1 + InstanceFields(type).Length) * BlockSize;

    /// <summary>An array's own allocation (header and element storage, whole blocks), not its elements' objects.</summary>
    public static int ArraySize(Type elementType, int length) => Blocks(ArrayHeaderSize + (long)length * ElementSize(elementType));

    /// <summary>A string built at run time (UTF-8 and a zero after the header), or a literal's header alone.</summary>
    public static int StringSize(string text, bool literal) =>
        literal ? BlockSize : Blocks(BlockSize + (long)System.Text.Encoding.UTF8.GetByteCount(text) + 1);

    /// <summary>c_CLR_RT_DataTypeLookup's m_sizeInBytes for an array element of this type.</summary>
    public static int ElementSize(Type type)
    {
        if (type.IsEnum)
        {
            type = Enum.GetUnderlyingType(type);
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean or TypeCode.SByte or TypeCode.Byte => 1,
            TypeCode.Char or TypeCode.Int16 or TypeCode.UInt16 => 2,
            TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Single => 4,
            TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Double => 8,
            _ => BlockSize,
        };
    }

    private static int Blocks(long bytes) => checked((int)((bytes + BlockSize - 1) / BlockSize * BlockSize));

    /// <summary>Held in the field's (or element's) own block: primitives, enums, DateTime, TimeSpan, pointers.</summary>
    private static bool IsDirect(Type type) =>
        type.IsPrimitive || type.IsEnum || type.IsPointer || type == typeof(DateTime) || type == typeof(TimeSpan);

    private static bool IsStruct(Type type) => type.IsValueType && !IsDirect(type);

    private static readonly Dictionary<Type, FieldInfo[]> FieldCache = new();

    private static FieldInfo[] InstanceFields(Type type)
    {
        lock (FieldCache)
        {
            if (!FieldCache.TryGetValue(type, out FieldInfo[]? fields))
            {
                var list = new List<FieldInfo>();
                for (Type? t = type; t != null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
                {
                    list.AddRange(t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
                }

                fields = list.ToArray();
                FieldCache[type] = fields;
            }

            return fields;
        }
    }

    private static bool IsFramework(Assembly assembly)
    {
        string name = assembly.GetName().Name ?? "";
        return assembly == typeof(object).Assembly || name == "System" || name == "netstandard" || name == "mscorlib"
            || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal);
    }

    /// <summary>How a type reads in a breakdown: C# keywords for primitives, nested types with '+', no namespace.</summary>
    public static string NameOf(Type type)
    {
        if (type.IsArray)
        {
            return NameOf(type.GetElementType()!) + (type.GetArrayRank() == 1 ? "[]" : $"[{new string(',', type.GetArrayRank() - 1)}]");
        }

        string? keyword = Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "bool",
            TypeCode.Byte => "byte",
            TypeCode.SByte => "sbyte",
            TypeCode.Char => "char",
            TypeCode.Int16 => "short",
            TypeCode.UInt16 => "ushort",
            TypeCode.Int32 => "int",
            TypeCode.UInt32 => "uint",
            TypeCode.Int64 => "long",
            TypeCode.UInt64 => "ulong",
            TypeCode.Single => "float",
            TypeCode.Double => "double",
            TypeCode.String => "string",
            _ => null,
        };
        if (keyword != null && !type.IsEnum)
        {
            return keyword;
        }

        if (type == typeof(object))
        {
            return "object";
        }

        string full = type.FullName ?? type.Name;
        return type.Namespace is { Length: > 0 } ns && full.StartsWith(ns + ".", StringComparison.Ordinal) ? full[(ns.Length + 1)..] : full;
    }

    /// <summary>One walk: the objects seen, the tallies, the work list.</summary>
    private sealed class Walk
    {
        private readonly NanoClrHeap _heap;
        private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);
        private readonly Stack<(object Value, string Via)> _pending = new();
        private readonly Dictionary<string, HeapEntry> _tally = new();
        private readonly Dictionary<string, HeapEntry> _holders = new();
        private readonly Dictionary<(string, string), SkippedEntry> _skipped = new();
        private readonly SortedSet<string> _notes = new(StringComparer.Ordinal);
        private long _staticBytes;

        public Walk(NanoClrHeap heap)
        {
            _heap = heap;
        }

        public void Push(object? value, string via)
        {
            if (value != null)
            {
                _pending.Push((value, via));
            }
        }

        public void Drain()
        {
            while (_pending.Count > 0)
            {
                (object value, string via) = _pending.Pop();
                Visit(value, via);
            }
        }

        public void Statics(Assembly assembly)
        {
            foreach (Type type in assembly.GetTypes())
            {
                if (type.ContainsGenericParameters)
                {
                    _notes.Add($"{NameOf(type)}: generic type definition, statics not read (nanoCLR has no generics)");
                    continue;
                }

                FieldInfo[] fields = type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
                if (fields.Length == 0)
                {
                    continue;
                }

                RuntimeHelpers.RunClassConstructor(type.TypeHandle);
                foreach (FieldInfo field in fields)
                {
                    if (field.IsLiteral)
                    {
                        continue; // a constant: no field on nanoCLR
                    }

                    Add("static field slots", BlockSize);
                    _staticBytes += BlockSize;
                    FieldValue(field, null, $"static {NameOf(type)}.{field.Name}");
                }
            }
        }

        public HeapMeasurement Result()
        {
            var entries = _tally.Values.OrderByDescending(e => e.Bytes).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
            var skipped = _skipped.Values.OrderBy(e => e.Reason, StringComparer.Ordinal).ThenByDescending(e => e.Count).ToList();
            var holders = _holders.Values.OrderByDescending(e => e.Bytes).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
            return new HeapMeasurement(entries.Sum(e => e.Bytes), _staticBytes, entries, holders, skipped, _notes.ToList());
        }

        private void Add(string name, long bytes) => Tally(_tally, name, bytes);

        private static void Tally(Dictionary<string, HeapEntry> tally, string name, long bytes)
        {
            tally.TryGetValue(name, out HeapEntry? entry);
            tally[name] = new HeapEntry(name, (entry?.Count ?? 0) + 1, (entry?.Bytes ?? 0) + bytes);
        }

        private void Skip(object value, string reason, string via)
        {
            var key = (NameOf(value.GetType()), reason);
            _skipped.TryGetValue(key, out SkippedEntry? entry);
            _skipped[key] = new SkippedEntry(key.Item1, reason, (entry?.Count ?? 0) + 1, entry?.FirstReachedFrom ?? via);
        }

        private bool OnDevice(Type type) =>
            _heap._device.Count == 0 ? !IsFramework(type.Assembly) : _heap._device.Contains(type.Assembly);

        private void Visit(object value, string via)
        {
            if (!_seen.Add(value))
            {
                return;
            }

            Type type = value.GetType();
            if (_heap._excluded.Contains(value) || _heap._excludedTypes.Any(t => t.IsAssignableFrom(type)))
            {
                Skip(value, "excluded: not on the device", via);
                return;
            }

            switch (value)
            {
                case string text:
                    Add("string", StringSize(text, ReferenceEquals(string.IsInterned(text), text)));
                    return;
                case Array array:
                    VisitArray(array, via);
                    return;
                case Delegate callback:
                    VisitDelegate(callback, via);
                    return;
            }

            if (type.IsValueType)
            {
                if (IsDirect(type))
                {
                    Add($"boxed {NameOf(type)}", BoxedPrimitiveSize);
                }
                else
                {
                    StructObject(type, value, via);
                }

                return;
            }

            if (type == typeof(object))
            {
                Add("object", BlockSize);
                return;
            }

            if (IsFramework(type.Assembly))
            {
                Skip(value, "framework class: nanoFramework's layout differs, not modelled", via);
                return;
            }

            if (!OnDevice(type))
            {
                Skip(value, "class from an assembly not on the device", via);
                return;
            }

            VisitClass(value, type);
        }

        private void VisitClass(object value, Type type)
        {
            for (Type? b = type.BaseType; b != null && b != typeof(object); b = b.BaseType)
            {
                if (IsFramework(b.Assembly))
                {
                    _notes.Add($"{NameOf(type)} derives from {NameOf(b)}: the desktop framework's fields are counted for it");
                    break;
                }
            }

            string name = NameOf(type);
            Add(name, ClassInstanceSize(type));
            MethodInfo? finalizer = type.GetMethod("Finalize", BindingFlags.Instance | BindingFlags.NonPublic);
            if (finalizer != null && finalizer.DeclaringType != typeof(object))
            {
                Add("finalizer records", FinalizerSize);
            }

            foreach (FieldInfo field in InstanceFields(type))
            {
                FieldValue(field, value, name + "." + field.Name);
            }
        }

        /// <summary>A field's block is counted with its owner; a struct in it is its own object; a reference is followed.</summary>
        private void FieldValue(FieldInfo field, object? owner, string via)
        {
            Type type = field.FieldType;
            if (IsDirect(type))
            {
                return;
            }

            object? value = field.GetValue(owner);
            if (IsStruct(type))
            {
                StructObject(type, value!, via);
            }
            else
            {
                Push(value, via);
            }
        }

        /// <summary>A struct value where nanoCLR holds it: its own object, 1 + fields blocks, nested structs likewise.</summary>
        private void StructObject(Type type, object boxed, string via)
        {
            string name = NameOf(type) + " (struct)";
            Add(name, StructSize(type));
            Tally(_holders, $"{name} in {via}", StructSize(type));
            foreach (FieldInfo field in InstanceFields(type))
            {
                FieldValue(field, boxed, $"{via}.{field.Name}");
            }
        }

        private void VisitArray(Array array, string via)
        {
            Type element = array.GetType().GetElementType()!;
            if (array.Rank != 1 || array.GetLowerBound(0) != 0)
            {
                Skip(array, "multi-dimensional array: nanoCLR has only single-dimension arrays", via);
                return;
            }

            int size = ArraySize(element, array.Length);
            Add(NameOf(array.GetType()), size);
            Tally(_holders, $"{NameOf(array.GetType())} in {via}", size);
            if (IsDirect(element))
            {
                return;
            }

            string elementVia = via + "[]";
            for (int i = 0; i < array.Length; i++)
            {
                object? item = array.GetValue(i);
                if (IsStruct(element))
                {
                    StructObject(element, item!, elementVia);
                }
                else
                {
                    Push(item, elementVia);
                }
            }
        }

        private void VisitDelegate(Delegate callback, string via)
        {
            Delegate[] list = callback.GetInvocationList();
            if (list.Any(d => !OnDevice(d.Method.DeclaringType ?? typeof(object))))
            {
                Skip(callback, "delegate to a method not on the device", via);
                return;
            }

            if (list.Length > 1)
            {
                Add("delegate lists", Blocks(DelegateListHeaderSize + (long)list.Length * BlockSize));
            }

            foreach (Delegate single in list)
            {
                if (list.Length > 1 && !_seen.Add(single))
                {
                    continue;
                }

                Add($"delegate {NameOf(single.GetType())}", DelegateSize);
                Push(single.Target, $"{via} (delegate target)");
            }
        }
    }
}

/// <summary>What a walk found: the total, the part that is static field slots, and where the bytes went.</summary>
public sealed class HeapMeasurement
{
    public HeapMeasurement(long totalBytes, long staticSlotBytes, IReadOnlyList<HeapEntry> byType, IReadOnlyList<HeapEntry> byField, IReadOnlyList<SkippedEntry> skipped, IReadOnlyList<string> notes)
    {
        TotalBytes = totalBytes;
        StaticSlotBytes = staticSlotBytes;
        ByType = byType;
        ByField = byField;
        Skipped = skipped;
        Notes = notes;
    }

    /// <summary>Heap bytes on nanoCLR (32-bit) for everything counted.</summary>
    public long TotalBytes { get; }

    /// <summary>Of <see cref="TotalBytes"/>, the assemblies' static field blocks themselves (not what they reach).</summary>
    public long StaticSlotBytes { get; }

    /// <summary>Count and bytes per type, largest first. Struct values read "Name (struct)", arrays "element[]".</summary>
    public IReadOnlyList<HeapEntry> ByType { get; }

    /// <summary>
    /// Arrays (their own allocation, not the objects they hold) and struct objects by the field holding them,
    /// largest first: "byte[] in ByteRing._data", "byte[] in ArpQueue._frames[]" (the elements of the array in
    /// that field), "IPv4Address (struct) in ArpEntry.Address".
    /// </summary>
    public IReadOnlyList<HeapEntry> ByField { get; }

    /// <summary>Objects not counted and not followed, with why and where one was first reached from.</summary>
    public IReadOnlyList<SkippedEntry> Skipped { get; }

    /// <summary>Approximations the walk made (a class deriving from a framework class, a generic type's statics).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The entry called <paramref name="name"/> (see <see cref="NanoClrHeap.NameOf"/>), or an empty one.</summary>
    public HeapEntry For(string name) => ByType.FirstOrDefault(e => e.Name == name) ?? new HeapEntry(name, 0, 0);

    /// <summary>The total, the top <paramref name="top"/> types and array- or struct-holding fields (the rest summed), and what was skipped.</summary>
    public string Format(int top = 20)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"{TotalBytes,9:N0} bytes on nanoCLR's heap ({StaticSlotBytes:N0} of them static field slots)");
        Table(text, ByType, top, "types");
        text.AppendLine("  arrays and structs by the field holding them:");
        Table(text, ByField, top, "fields");

        foreach (SkippedEntry skipped in Skipped)
        {
            text.AppendLine($"  skipped {skipped.Count} x {skipped.Name}: {skipped.Reason} (first from {skipped.FirstReachedFrom})");
        }

        foreach (string note in Notes)
        {
            text.AppendLine($"  note: {note}");
        }

        return text.ToString();
    }

    private static void Table(System.Text.StringBuilder text, IReadOnlyList<HeapEntry> entries, int top, string others)
    {
        foreach (HeapEntry entry in entries.Take(top))
        {
            text.AppendLine($"{entry.Bytes,9:N0}  {entry.Count,6:N0} x  {entry.Name}");
        }

        if (entries.Count > top)
        {
            var rest = entries.Skip(top).ToList();
            text.AppendLine($"{rest.Sum(e => e.Bytes),9:N0}  {rest.Sum(e => e.Count),6:N0} x  ({rest.Count} other {others})");
        }
    }
}

/// <summary>Objects of one type (or kind: "string", "byte[]", "IPv4Address (struct)", "static field slots").</summary>
public sealed record HeapEntry(string Name, int Count, long Bytes);

/// <summary>Objects left out of the total, why, and the field one was first reached through.</summary>
public sealed record SkippedEntry(string Name, string Reason, int Count, string FirstReachedFrom);
