using IoTStack.CostModel.Probe;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace IoTStack.CostModel;

/// <summary>
/// Rewrites copies of assemblies so every basic block reports its precomputed nanoCLR cost to
/// <see cref="CostProbe.Block"/> and every method its entry to <see cref="CostProbe.Enter"/>. A block's cost:
/// its IL instructions (nanoCLR interprets each at about the same price), its calls into the instrumented
/// assemblies and into the base library, and what allocates on nanoCLR: newobj, newarr, box, and every load of a
/// struct value (ldarg, ldloc, ldfld, ldsfld, ldelem, ldobj, unbox.any of a value type that is not a primitive,
/// an enum, DateTime or TimeSpan: Interpreter.cpp, Execute_LoadAndPromote clones it). A method's entry allocates
/// its struct locals (Execution.cpp, InitializeLocals).
/// </summary>
public sealed class Instrumenter
{
    private readonly HashSet<string> _own;
    private readonly DefaultAssemblyResolver _resolver = new();
    private readonly List<BlockCost> _blocks = [];
    private readonly List<string> _methods = [];
    private readonly List<int> _entryAllocations = [];

    /// <param name="own">Simple names of the assemblies counted as our own code (calls into them are own calls).</param>
    /// <param name="searchDirectories">Where referenced assemblies are found (the build's output directory).</param>
    public Instrumenter(IEnumerable<string> own, params string[] searchDirectories)
    {
        _own = new HashSet<string>(own, StringComparer.Ordinal);
        foreach (string directory in searchDirectories.Append(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory()))
        {
            _resolver.AddSearchDirectory(directory);
        }
    }

    public BlockCost[] Blocks => [.. _blocks];

    public string[] Methods => [.. _methods];

    public int[] EntryAllocations => [.. _entryAllocations];

    /// <summary>The rewritten image of the assembly at <paramref name="path"/>.</summary>
    public byte[] Instrument(string path)
    {
        using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { AssemblyResolver = _resolver, ReadSymbols = false });
        var probeAssembly = new AssemblyNameReference(typeof(CostProbe).Assembly.GetName().Name, typeof(CostProbe).Assembly.GetName().Version);
        module.AssemblyReferences.Add(probeAssembly);
        var probeType = new TypeReference(typeof(CostProbe).Namespace, nameof(CostProbe), module, probeAssembly);
        MethodReference block = ProbeMethod(module, probeType, nameof(CostProbe.Block));
        MethodReference enter = ProbeMethod(module, probeType, nameof(CostProbe.Enter));
        foreach (TypeDefinition type in AllTypes(module.Types))
        {
            foreach (MethodDefinition method in type.Methods.Where(m => m.HasBody))
            {
                Rewrite(method, block, enter);
            }
        }

        using var image = new MemoryStream();
        module.Write(image);
        return image.ToArray();
    }

    /// <summary>A method's name as the reports show it: type, name and parameter types.</summary>
    public static string NameOf(MethodDefinition method) =>
        $"{method.DeclaringType.FullName}.{method.Name}({string.Join(", ", method.Parameters.Select(p => p.ParameterType.Name))})";

    private static MethodReference ProbeMethod(ModuleDefinition module, TypeReference probeType, string name)
    {
        var method = new MethodReference(name, module.TypeSystem.Void, probeType);
        method.Parameters.Add(new ParameterDefinition(module.TypeSystem.Int32));
        return method;
    }

    private static IEnumerable<TypeDefinition> AllTypes(IEnumerable<TypeDefinition> types)
    {
        foreach (TypeDefinition type in types)
        {
            yield return type;
            foreach (TypeDefinition nested in AllTypes(type.NestedTypes))
            {
                yield return nested;
            }
        }
    }

    private void Rewrite(MethodDefinition method, MethodReference block, MethodReference enter)
    {
        MethodBody body = method.Body;
        int methodId = _methods.Count;
        _methods.Add(NameOf(method));
        _entryAllocations.Add(body.Variables.Count(v => IsStruct(v.VariableType)));

        var instructions = body.Instructions.ToList();
        var leaders = Leaders(body);
        var blockStarts = instructions.Select((instruction, index) => (instruction, index)).Where(x => leaders.Contains(x.instruction)).Select(x => x.index).ToList();
        var costs = new List<(Instruction Leader, int Id)>();
        for (int b = 0; b < blockStarts.Count; b++)
        {
            int end = b + 1 < blockStarts.Count ? blockStarts[b + 1] : instructions.Count;
            int own = 0, library = 0, allocations = 0;
            for (int i = blockStarts[b]; i < end; i++)
            {
                Cost(method, instructions[i], ref own, ref library, ref allocations);
            }

            costs.Add((instructions[blockStarts[b]], _blocks.Count));
            _blocks.Add(new BlockCost(methodId, end - blockStarts[b], own, library, allocations));
        }

        body.SimplifyMacros();
        ILProcessor il = body.GetILProcessor();
        foreach ((Instruction leader, int id) in costs)
        {
            // The leader keeps its identity (branches, switch tables and handler bounds point at it) and becomes
            // the probe; the original instruction moves behind the call.
            var original = Instruction.Create(OpCodes.Nop);
            original.OpCode = leader.OpCode;
            original.Operand = leader.Operand;
            leader.OpCode = OpCodes.Ldc_I4;
            leader.Operand = id;
            il.InsertAfter(leader, original);
            il.InsertAfter(leader, il.Create(OpCodes.Call, block));
        }

        Instruction first = body.Instructions[0];
        il.InsertBefore(first, il.Create(OpCodes.Ldc_I4, methodId));
        il.InsertBefore(first, il.Create(OpCodes.Call, enter));
        body.OptimizeMacros();
    }

    /// <summary>First instructions of the basic blocks: entry, branch targets, after a branch, handler bounds.</summary>
    private static HashSet<Instruction> Leaders(MethodBody body)
    {
        var leaders = new HashSet<Instruction> { body.Instructions[0] };
        foreach (Instruction instruction in body.Instructions)
        {
            switch (instruction.Operand)
            {
                case Instruction target:
                    leaders.Add(target);
                    break;
                case Instruction[] targets:
                    leaders.UnionWith(targets);
                    break;
            }

            FlowControl flow = instruction.OpCode.FlowControl;
            if (instruction.Next != null && (flow is FlowControl.Branch or FlowControl.Cond_Branch or FlowControl.Return or FlowControl.Throw
                || instruction.OpCode.Code is Code.Endfinally or Code.Endfilter or Code.Leave or Code.Leave_S))
            {
                leaders.Add(instruction.Next);
            }
        }

        foreach (ExceptionHandler handler in body.ExceptionHandlers)
        {
            leaders.Add(handler.TryStart);
            leaders.Add(handler.HandlerStart);
            if (handler.FilterStart != null)
            {
                leaders.Add(handler.FilterStart);
            }

            if (handler.TryEnd != null)
            {
                leaders.Add(handler.TryEnd);
            }

            if (handler.HandlerEnd != null)
            {
                leaders.Add(handler.HandlerEnd);
            }
        }

        return leaders;
    }

    private void Cost(MethodDefinition method, Instruction instruction, ref int own, ref int library, ref int allocations)
    {
        switch (instruction.OpCode.Code)
        {
            case Code.Call or Code.Callvirt:
                Called((MethodReference)instruction.Operand, ref own, ref library);
                break;
            case Code.Newobj:
                Called((MethodReference)instruction.Operand, ref own, ref library);
                allocations++;
                break;
            case Code.Newarr or Code.Box:
                allocations++;
                break;
            default:
                if (IsStruct(LoadedType(method, instruction)))
                {
                    allocations++;
                }

                break;
        }
    }

    private void Called(MethodReference callee, ref int own, ref int library)
    {
        if (_own.Contains(AssemblyOf(callee.DeclaringType)))
        {
            own++;
        }
        else
        {
            library++;
        }
    }

    private static string AssemblyOf(TypeReference type) => type.Scope switch
    {
        ModuleDefinition module => module.Assembly.Name.Name,
        AssemblyNameReference reference => reference.Name,
        _ => "",
    };

    /// <summary>The type of the value a load pushes, for the loads nanoCLR promotes (and so clones); else null.</summary>
    private static TypeReference? LoadedType(MethodDefinition method, Instruction instruction)
    {
        MethodBody body = method.Body;
        switch (instruction.OpCode.Code)
        {
            case Code.Ldloc_0: return body.Variables[0].VariableType;
            case Code.Ldloc_1: return body.Variables[1].VariableType;
            case Code.Ldloc_2: return body.Variables[2].VariableType;
            case Code.Ldloc_3: return body.Variables[3].VariableType;
            case Code.Ldloc or Code.Ldloc_S: return ((VariableDefinition)instruction.Operand).VariableType;
            case Code.Ldarg_0: return Argument(method, 0);
            case Code.Ldarg_1: return Argument(method, 1);
            case Code.Ldarg_2: return Argument(method, 2);
            case Code.Ldarg_3: return Argument(method, 3);
            case Code.Ldarg or Code.Ldarg_S: return ((ParameterDefinition)instruction.Operand).ParameterType;
            case Code.Ldfld or Code.Ldsfld: return ((FieldReference)instruction.Operand).FieldType;
            case Code.Ldelem_Any or Code.Ldobj or Code.Unbox_Any: return (TypeReference)instruction.Operand;
            default: return null;
        }
    }

    private static TypeReference? Argument(MethodDefinition method, int index)
    {
        if (method.HasThis)
        {
            if (index == 0)
            {
                return null; // this: a reference, or a managed pointer in a struct's method
            }

            index--;
        }

        return method.Parameters[index].ParameterType;
    }

    /// <summary>
    /// A value type nanoCLR keeps as a separate object: not a primitive, an enum, DateTime or TimeSpan (those have
    /// their own data types in a heap block).
    /// </summary>
    public static bool IsStruct(TypeReference? type)
    {
        if (type is null || type.IsByReference || type.IsPointer || type.IsArray || type.IsGenericParameter || type.IsPrimitive)
        {
            return false;
        }

        if (type.FullName is "System.DateTime" or "System.TimeSpan" or "System.Void" or "System.TypedReference")
        {
            return false;
        }

        TypeDefinition? definition;
        try
        {
            definition = type.Resolve();
        }
        catch (AssemblyResolutionException)
        {
            definition = null;
        }

        return definition is null ? type.IsValueType : definition.IsValueType && !definition.IsEnum;
    }
}
