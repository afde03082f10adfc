using IoTStack.Boards;
using System.Reflection;
using IoTStack.CostModel.Probe;

namespace IoTStack.CostModel;

/// <summary>
/// The interpreter's cost model (issue 15): instruments the device assemblies once per process, then runs the
/// board paths (<see cref="Scenarios"/>) in a fresh <see cref="InstrumentedContext"/> each time.
/// </summary>
public static class CostModel
{
    /// <summary>The device assemblies, counted as our own code: what an image deploys.</summary>
    public static readonly string[] DeviceAssemblies = ["IoTStack.Net.Wire", "IoTStack.Net", "IoTStack.Net.Services", "IoTStack.Net.Mqtt", "IoTStack.Drivers", "IoTStack.Firmware", "IoTStack.Boards",
        "IoTStack.Net.Tls", "IoTStack.Crypto", "IoTStack.Crypto.PublicKey"];

    /// <summary>The chips measured, as the emulator names them.</summary>
    public static readonly string[] Chips = [ChipNames.Enc28j60, ChipNames.W5500, ChipNames.W5500Sockets];

    private static readonly Lock Gate = new();
    private static Dictionary<string, byte[]>? _images;

    private static string Directory => Path.GetDirectoryName(typeof(CostModel).Assembly.Location)!;

    /// <summary>Every path on every chip, counted on the board side only.</summary>
    public static PathCost[] Measure(int top = 10) => Measure(Chips, top);

    public static PathCost[] Measure(string[] chips, int top)
    {
        lock (Gate)
        {
            _images ??= InstrumentDeviceAssemblies();
            var context = new InstrumentedContext(Directory, _images);
            try
            {
                Assembly self = context.LoadFromAssemblyPath(typeof(CostModel).Assembly.Location);
                MethodInfo run = self.GetType(typeof(Scenarios).FullName!)!.GetMethod(nameof(Scenarios.RunAll))!;
                return (PathCost[])run.Invoke(null, [chips, top])!;
            }
            finally
            {
                context.Unload();
            }
        }
    }

    /// <summary>
    /// Issue 18's TLS paths (<see cref="TlsScenarios"/>): the server flights are recorded once per process here, outside
    /// the instrumented copies, so every measurement of a process replays the same bytes and counts the same.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static PathCost[] MeasureTls(int top = 10)
    {
        lock (Gate)
        {
            var flights = TlsFlights.Value;
            _images ??= InstrumentDeviceAssemblies();
            var context = new InstrumentedContext(Directory, _images);
            try
            {
                Assembly self = context.LoadFromAssemblyPath(typeof(CostModel).Assembly.Location);
                MethodInfo run = self.GetType(typeof(TlsScenarios).FullName!)!.GetMethod(nameof(TlsScenarios.RunAll))!;
                int[][] cases = [.. flights.Select(f => new[] { f.Flight.Case.Group, (int)f.Flight.Case.Signature, (int)f.Flight.Case.Aead, f.Flight.Case.Version, f.Handshake ? 1 : 0, f.Records ? 1 : 0 })];
                byte[][] anchors = [.. flights.Select(f => f.Flight.Anchor)];
                byte[][] bytes = [.. flights.Select(f => f.Flight.ServerBytes)];
                var paths = (PathCost[])run.Invoke(null, [cases, anchors, bytes, TlsHarness.HarnessPki.Now, TlsHarness.DeviceClient.DefaultSeed, top])!;
                MethodInfo pieces = self.GetType(typeof(TlsScenarios).FullName!)!.GetMethod(nameof(TlsScenarios.Pieces))!;
                var s = TlsSignatures.Value;
                return [.. paths, .. (PathCost[])pieces.Invoke(null, [s.Content, s.EcdsaKey, s.EcdsaSignature, s.RsaKey, s.RsaSignature, top])!];
            }
            finally
            {
                context.Unload();
            }
        }
    }

    /// <summary>A CertificateVerify-sized content signed once per process by .NET with an ECDSA P-256 and an RSA-2048 key (PSS).</summary>
    private static readonly Lazy<(byte[] Content, byte[] EcdsaKey, byte[] EcdsaSignature, byte[] RsaKey, byte[] RsaSignature)> TlsSignatures = new(() =>
    {
        byte[] content = new byte[130];
        new Random(18).NextBytes(content);
        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var point = ecdsa.ExportParameters(false).Q;
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        return (content, [0x04, .. point.X!, .. point.Y!],
            ecdsa.SignData(content, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence),
            rsa.ExportRSAPublicKey(),
            rsa.SignData(content, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pss));
    });

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static readonly Lazy<(TlsHarness.ServerFlight Flight, bool Handshake, bool Records)[]> TlsFlights = new(() =>
        [.. TlsHarness.TlsCase.Handshakes.Union(TlsHarness.TlsCase.Records).Select(c =>
            (TlsHarness.ServerFlight.Record(c), TlsHarness.TlsCase.Handshakes.Contains(c), TlsHarness.TlsCase.Records.Contains(c)))]);

    /// <summary>
    /// Runs <paramref name="method"/> (static, no arguments) of a copy of <paramref name="assemblyPath"/> instrumented
    /// as own code with counting on: the calibration the tests count by hand. It runs once uncounted first, so type
    /// initialisers are not in the count.
    /// </summary>
    public static CostSnapshot Count(string assemblyPath, string typeName, string method, int top = 10)
    {
        lock (Gate)
        {
            string name = Path.GetFileNameWithoutExtension(assemblyPath);
            var instrumenter = new Instrumenter([name], Path.GetDirectoryName(assemblyPath)!);
            var images = new Dictionary<string, byte[]> { [name] = instrumenter.Instrument(assemblyPath) };
            CostProbe.Register(instrumenter.Blocks, instrumenter.Methods, instrumenter.EntryAllocations);
            var context = new InstrumentedContext(Path.GetDirectoryName(assemblyPath)!, images);
            try
            {
                MethodInfo target = context.LoadFromAssemblyName(new AssemblyName(name)).GetType(typeName)!.GetMethod(method)!;
                target.Invoke(null, null);
                CostProbe.Reset();
                CostProbe.Counting = true;
                target.Invoke(null, null);
                CostProbe.Counting = false;
                return CostProbe.Snapshot(top);
            }
            finally
            {
                _images = null; // the probe's tables now describe this assembly
                context.Unload();
            }
        }
    }

    private static Dictionary<string, byte[]> InstrumentDeviceAssemblies()
    {
        var instrumenter = new Instrumenter(DeviceAssemblies, Directory);
        var images = DeviceAssemblies.ToDictionary(name => name, name => instrumenter.Instrument(Path.Combine(Directory, name + ".dll")));
        CostProbe.Register(instrumenter.Blocks, instrumenter.Methods, instrumenter.EntryAllocations);
        return images;
    }
}
