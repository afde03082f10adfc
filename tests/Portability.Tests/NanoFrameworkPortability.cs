using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace IoTStack.Portability.Tests;

/// <summary>One thing in an assembly that the nanoFramework 1.x runtime cannot load.</summary>
public sealed record Violation(string Rule, string Where)
{
    public override string ToString() => $"{Rule}: {Where}";
}

/// <summary>
/// Reads an assembly's metadata and IL for what compiles against nanoFramework's mscorlib but which the
/// nanoFramework 1.x runtime (and its metadata processor) cannot load: generic type or method definitions
/// and instantiations, pointer and function-pointer types, stackalloc (the localloc opcode), and references
/// to assemblies other than mscorlib and our own.
/// </summary>
public static class NanoFrameworkPortability
{
    public const string GenericDefinition = "generic-definition";
    public const string GenericInstantiation = "generic-instantiation";
    public const string Pointer = "pointer";
    public const string Stackalloc = "stackalloc";
    public const string ForeignReference = "assembly-reference";

    public static IReadOnlyList<Violation> Check(string path, Func<string, bool> isOwnAssembly)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return Check(pe, isOwnAssembly);
    }

    public static IReadOnlyList<Violation> Check(PEReader pe, Func<string, bool> isOwnAssembly)
    {
        var reader = pe.GetMetadataReader();
        var found = new List<Violation>();
        CheckReferences(reader, isOwnAssembly, found);
        CheckGenericTables(reader, found);
        CheckSignatures(pe, reader, found);
        return found;
    }

    private static void CheckReferences(MetadataReader reader, Func<string, bool> isOwnAssembly, List<Violation> found)
    {
        foreach (var handle in reader.AssemblyReferences)
        {
            string name = reader.GetString(reader.GetAssemblyReference(handle).Name);
            if (name != "mscorlib" && !isOwnAssembly(name))
            {
                found.Add(new Violation(ForeignReference, name));
            }
        }
    }

    private static void CheckGenericTables(MetadataReader reader, List<Violation> found)
    {
        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            if (type.GetGenericParameters().Count > 0)
            {
                found.Add(new Violation(GenericDefinition, TypeName(reader, handle)));
            }

            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                if (method.GetGenericParameters().Count > 0)
                {
                    found.Add(new Violation(GenericDefinition, $"{TypeName(reader, handle)}.{reader.GetString(method.Name)}"));
                }
            }
        }

        for (int row = 1; row <= reader.GetTableRowCount(TableIndex.MethodSpec); row++)
        {
            var spec = reader.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(row));
            found.Add(new Violation(GenericInstantiation, $"method instantiation of {MemberName(reader, spec.Method)}"));
        }
    }

    private static void CheckSignatures(PEReader pe, MetadataReader reader, List<Violation> found)
    {
        var provider = new ShapeProvider();
        for (int row = 1; row <= reader.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            var handle = MetadataTokens.TypeSpecificationHandle(row);
            Report(provider, reader.GetTypeSpecification(handle).DecodeSignature(provider, null), "type specification", found);
        }

        foreach (var memberHandle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(memberHandle);
            string where = MemberName(reader, memberHandle);
            string shape = member.GetKind() == MemberReferenceKind.Field
                ? member.DecodeFieldSignature(provider, null)
                : string.Join(",", member.DecodeMethodSignature(provider, null).ParameterTypes);
            Report(provider, shape, where, found);
        }

        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(typeHandle);
            string typeName = TypeName(reader, typeHandle);
            foreach (var fieldHandle in type.GetFields())
            {
                var field = reader.GetFieldDefinition(fieldHandle);
                Report(provider, field.DecodeSignature(provider, null), $"{typeName}.{reader.GetString(field.Name)}", found);
            }

            foreach (var methodHandle in type.GetMethods())
            {
                CheckMethod(pe, reader, provider, methodHandle, typeName, found);
            }
        }
    }

    private static void CheckMethod(PEReader pe, MetadataReader reader, ShapeProvider provider, MethodDefinitionHandle handle, string typeName, List<Violation> found)
    {
        var method = reader.GetMethodDefinition(handle);
        string where = $"{typeName}.{reader.GetString(method.Name)}";
        var signature = method.DecodeSignature(provider, null);
        Report(provider, signature.ReturnType + "(" + string.Join(",", signature.ParameterTypes) + ")", where, found);
        if (method.RelativeVirtualAddress == 0)
        {
            return;
        }

        var body = pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            var locals = reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
            Report(provider, string.Join(",", locals), where + " (locals)", found);
        }

        if (ILWalker.Contains(body.GetILBytes() ?? [], ILOpCode.Localloc))
        {
            found.Add(new Violation(Stackalloc, where));
        }
    }

    private static void Report(ShapeProvider provider, string shape, string where, List<Violation> found)
    {
        if (provider.SawPointer)
        {
            found.Add(new Violation(Pointer, $"{where}: {shape}"));
        }

        if (provider.SawGenericInstance || provider.SawGenericParameter)
        {
            found.Add(new Violation(GenericInstantiation, $"{where}: {shape}"));
        }

        provider.Reset();
    }

    private static string TypeName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static string MemberName(MetadataReader reader, EntityHandle handle)
    {
        return handle.Kind switch
        {
            HandleKind.MethodDefinition => reader.GetString(reader.GetMethodDefinition((MethodDefinitionHandle)handle).Name),
            HandleKind.MemberReference => reader.GetString(reader.GetMemberReference((MemberReferenceHandle)handle).Name),
            _ => handle.Kind.ToString(),
        };
    }

    /// <summary>Decodes signatures to text and remembers whether a pointer or generic shape was seen.</summary>
    private sealed class ShapeProvider : ISignatureTypeProvider<string, object?>
    {
        public bool SawPointer { get; private set; }
        public bool SawGenericInstance { get; private set; }
        public bool SawGenericParameter { get; private set; }

        public void Reset() => SawPointer = SawGenericInstance = SawGenericParameter = false;

        public string GetPointerType(string elementType) { SawPointer = true; return elementType + "*"; }
        public string GetFunctionPointerType(MethodSignature<string> signature) { SawPointer = true; return "delegate*"; }
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) { SawGenericInstance = true; return $"{genericType}<{string.Join(",", typeArguments)}>"; }
        public string GetGenericTypeParameter(object? context, int index) { SawGenericParameter = true; return "!" + index; }
        public string GetGenericMethodParameter(object? context, int index) { SawGenericParameter = true; return "!!" + index; }
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPinnedType(string elementType) { SawPointer = true; return elementType + " pinned"; }
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) => reader.GetTypeSpecification(handle).DecodeSignature(this, context);
    }
}

/// <summary>Walks ECMA-335 IL one instruction at a time, using the operand sizes System.Reflection.Emit knows.</summary>
public static class ILWalker
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    public static bool Contains(byte[] il, ILOpCode wanted)
    {
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            if (value == (short)wanted)
            {
                return true;
            }

            i += OperandSize(Operands[value], il, i);
        }

        return false;
    }

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
