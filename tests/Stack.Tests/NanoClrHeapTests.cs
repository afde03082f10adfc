using IoTStack.Boards;
using IoTStack.Emulator.Memory;
using IoTStack.Net;
using Xunit.Abstractions;

namespace IoTStack.Stack.Tests;

/// <summary>
/// The nanoCLR heap walker on objects whose size is known from nf-interpreter's layout rules (12-byte blocks, a
/// block per field, 20-byte array headers, a separate object per struct value), and the shipped ESP32 image.
/// </summary>
public class NanoClrHeapTests(ITestOutputHelper output)
{
#pragma warning disable CS0649 // shapes to measure: their fields are never assigned
    private sealed class ThreeInts
    {
        public int A = 1;
        public int B = 2;
        public int C = 3;
    }

    private struct Pair
    {
        public int X;
        public int Y;
    }

    private struct Outer
    {
        public Pair Inner;
    }

    private sealed class WithStruct
    {
        public int Id;
        public Pair Point;
    }

    private sealed class WithNestedStruct
    {
        public Outer Value;
    }

    private class Base
    {
        public long First;
    }

    private sealed class Derived : Base
    {
        public byte Second;
        public const int Constant = 5; // no field on nanoCLR
    }

    private sealed class Node
    {
        public Node? Next;
        public byte[]? Payload;
    }

    private sealed class Holder
    {
        public object? Boxed;
        public string? Text;
        public Action? Callback;
    }

    private enum Small : byte
    {
        A,
    }
#pragma warning restore CS0649

    [Fact]
    public void Class_with_three_int_fields_takes_four_blocks()
    {
        Assert.Equal(48, NanoClrHeap.Measure(new ThreeInts()).TotalBytes);
    }

    [Fact]
    public void Inherited_fields_count_and_constants_do_not()
    {
        Assert.Equal(36, NanoClrHeap.Measure(new Derived()).TotalBytes); // header, First, Second
    }

    [Fact]
    public void Byte_array_is_header_and_bytes_rounded_up_to_blocks()
    {
        Assert.Equal(120, NanoClrHeap.Measure(new byte[100]).TotalBytes); // 20 + 100 = 120
        Assert.Equal(24, NanoClrHeap.Measure(new byte[4]).TotalBytes); // 20 + 4 = 24
        Assert.Equal(36, NanoClrHeap.Measure(new byte[5]).TotalBytes); // 20 + 5 = 25, three blocks
        Assert.Equal(24, NanoClrHeap.Measure(Array.Empty<byte>()).TotalBytes); // the 20-byte header alone
    }

    [Fact]
    public void Array_elements_take_their_primitive_size_or_a_whole_block()
    {
        Assert.Equal(60, NanoClrHeap.Measure(new int[10]).TotalBytes); // 20 + 40
        Assert.Equal(36, NanoClrHeap.Measure(new ushort[5]).TotalBytes); // 20 + 10 = 30
        Assert.Equal(36, NanoClrHeap.Measure(new long[2]).TotalBytes); // 20 + 16
        Assert.Equal(24, NanoClrHeap.Measure(new Small[3]).TotalBytes); // a byte enum: 20 + 3
        Assert.Equal(60, NanoClrHeap.Measure((object)new object[3]).TotalBytes); // 20 + 3 x 12 = 56
        Assert.Equal(60, NanoClrHeap.Measure(new DateTime[3]).TotalBytes); // a built-in 8-byte type, still a block each
    }

    [Fact]
    public void Reference_array_counts_its_elements_objects()
    {
        var array = new ThreeInts[] { new(), new() };
        var measured = NanoClrHeap.Measure((object)array); // alone, a ThreeInts[] would bind as the roots
        Assert.Equal(48 + 2 * 48, measured.TotalBytes); // 20 + 24 = 44 -> 48; two objects of 48
    }

    [Fact]
    public void Struct_array_elements_are_separate_objects()
    {
        var measured = NanoClrHeap.Measure(new Pair[2]);
        Assert.Equal(48 + 2 * 36, measured.TotalBytes); // 20 + 2 blocks = 44 -> 48; each Pair 1 + 2 blocks
        Assert.Equal(new HeapEntry("NanoClrHeapTests+Pair (struct)", 2, 72), measured.For("NanoClrHeapTests+Pair (struct)"));
    }

    [Fact]
    public void Struct_field_is_a_separate_object()
    {
        Assert.Equal(36 + 36, NanoClrHeap.Measure(new WithStruct()).TotalBytes); // 1 + 2 fields; the Pair 1 + 2
        Assert.Equal(24 + 24 + 36, NanoClrHeap.Measure(new WithNestedStruct()).TotalBytes); // class, Outer, its Pair
    }

    [Fact]
    public void Shared_references_count_once()
    {
        var shared = new byte[100];
        var a = new Node { Payload = shared };
        var b = new Node { Payload = shared, Next = a };
        Assert.Equal(36 + 36 + 120, NanoClrHeap.Measure(a, b).TotalBytes);
        Assert.Equal(36 + 36 + 120, NanoClrHeap.Measure(b).TotalBytes);
    }

    [Fact]
    public void Cycles_end()
    {
        var a = new Node();
        var b = new Node { Next = a };
        a.Next = b;
        Assert.Equal(72, NanoClrHeap.Measure(a).TotalBytes);
    }

    [Fact]
    public void Strings_boxes_and_delegates_take_their_nanoclr_sizes()
    {
        string built = new string('x', 20); // 12 + 20 + 1 = 33 -> 36
        Assert.Equal(36, NanoClrHeap.Measure(built).TotalBytes);
        Assert.Equal(12, NanoClrHeap.Measure("a literal stays in the assembly").TotalBytes);
        Assert.Equal(48 + 24, NanoClrHeap.Measure(new Holder { Boxed = 5 }).TotalBytes);
        Assert.Equal(48 + 36, NanoClrHeap.Measure(new Holder { Boxed = new Pair() }).TotalBytes);

        var holder = new Holder();
        holder.Callback = () => holder.Text = "x"; // a closure over holder: the delegate and its display class
        var measured = NanoClrHeap.Measure(holder);
        Assert.Equal(48 + 36 + 24, measured.TotalBytes);
    }

    [Fact]
    public void Multicast_delegate_is_a_list_and_its_delegates()
    {
        var holder = new Holder();
        Action first = () => holder.Text = "a"; // both lambdas close over holder: one display class of one field
        Action second = () => holder.Text = "b";
        holder.Callback = first + second;
        Assert.Equal(48 + 48 + 2 * 36 + 24, NanoClrHeap.Measure(holder).TotalBytes); // list: 24 + 2 blocks
    }

    [Fact]
    public void Arrays_and_structs_are_listed_by_the_field_holding_them()
    {
        var measured = NanoClrHeap.Measure(new Node { Payload = new byte[100] }, new WithStruct());
        Assert.Equal(new HeapEntry("byte[] in NanoClrHeapTests+Node.Payload", 1, 120), measured.ByField[0]);
        Assert.Equal(new HeapEntry("NanoClrHeapTests+Pair (struct) in NanoClrHeapTests+WithStruct.Point", 1, 36), measured.ByField[1]);
    }

    [Fact]
    public void Objects_not_on_the_device_are_reported_not_counted()
    {
        var model = new ThreeInts();
        var holder = new Holder { Boxed = model };
        holder.Callback = () => holder.Text = "x";
        var measured = new NanoClrHeap()
            .OnDevice(typeof(NetStack).Assembly)
            .Exclude(model)
            .Of(new object[] { new byte[4], holder });
        Assert.Equal(24, measured.TotalBytes); // the array only: Holder is test code
        Assert.Contains(measured.Skipped, s => s.Name == "NanoClrHeapTests+Holder" && s.Reason.Contains("not on the device"));

        var boundary = new NanoClrHeap().Exclude(model).Of(holder);
        Assert.Contains(boundary.Skipped, s => s.Name == "NanoClrHeapTests+ThreeInts" && s.FirstReachedFrom == "NanoClrHeapTests+Holder.Boxed");
        Assert.Equal(48 + 36 + 24, boundary.TotalBytes);
    }

    [Fact]
    public void Statics_take_a_block_each_and_what_they_reach()
    {
        var measured = new NanoClrHeap().IncludeStatics(typeof(StaticsSample).Assembly).Of();
        Assert.True(measured.StaticSlotBytes >= 2 * NanoClrHeap.BlockSize); // StaticsSample's two fields at least
        Assert.Equal(0, measured.StaticSlotBytes % NanoClrHeap.BlockSize);
        Assert.True(measured.TotalBytes >= measured.StaticSlotBytes + 120); // and the 100-byte table they reach
        output.WriteLine(measured.Format(15));
        var stack = new NanoClrHeap().IncludeStatics(BoardHeap.PortableAssemblies).Of();
        output.WriteLine($"the portable assemblies' statics: {stack.StaticSlotBytes} bytes of slots, {stack.TotalBytes} in all");
    }

    [Fact]
    public void Shipped_esp32_image_on_nanoclr_heap()
    {
        // Calibrated on the commit before issue 14's budget (nanoCLR as a 32-bit host: 172,392 bytes kept after start,
        // 768 bytes per TcpConnection of 63 fields; the walker gave 171,948 and 768). A control block is still
        // one block per field plus the header; there are now the settings' sessions + 2 of them, not one per slot.
        BoardHeapReport report = BoardHeap.ShippedEsp32();
        output.WriteLine(report.Format(30));
        HeapEntry tcp = report.Runtime.For("TcpConnection");
        output.WriteLine($"TcpConnection: {tcp.Count} x {tcp.Bytes / tcp.Count} bytes");
        var settings = BoardProfiles.ShippedSettings(BoardProfiles.Esp32DevKitCW5500);
        Assert.Equal(settings.Sessions + settings.SpareConnections, tcp.Count);
        int fields = typeof(NetStack).Assembly.GetType("IoTStack.Net.Tcp.TcpConnection")!
            .GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic).Length;
        Assert.Equal((1 + fields) * 12, tcp.Bytes / tcp.Count);
        Assert.DoesNotContain(report.Runtime.Skipped, s => !s.Reason.StartsWith("excluded", StringComparison.Ordinal));
    }
}

/// <summary>Two static fields and the table one of them holds, for the statics test.</summary>
internal static class StaticsSample
{
    public static readonly byte[] Table = new byte[100];
    public static int Counter = 1;
}
