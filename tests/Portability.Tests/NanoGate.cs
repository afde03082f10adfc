using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace IoTStack.Portability.Tests;

/// <summary>Where the gate's assemblies are (tools/NanoGate builds them into artifacts/nanogate/CONFIGURATION/).</summary>
public static class NanoGate
{
    /// <summary>The two ways nanoFramework's project system builds an .nfproj.</summary>
    public static readonly string[] Configurations = ["Debug", "Release"];

    /// <summary>The device assemblies, one per layer (DESIGN.md rule 7), and the stand-in for the device API.</summary>
    public static readonly string[] Assemblies =
    [
        "IoTStack.Net.Wire", "IoTStack.Net", "IoTStack.Net.Services", "IoTStack.Drivers", "IoTStack.Firmware", "IoTStack.Boards",
        "IoTStack.Firmware.Esp32", "IoTStack.Samples.Sensor", "IoTStack.Net.Mqtt", "IoTStack.NanoGate.DeviceApiShapes",
        "IoTStack.Crypto", "IoTStack.Crypto.PublicKey", "IoTStack.Net.Tls", "IoTStack.Firmware.Tls",
    ];

    public static string RepositoryRoot { get; } = FindRoot();

    public static string PathOf(string configuration, string assembly)
    {
        string path = Path.Combine(RepositoryRoot, "artifacts", "nanogate", configuration, assembly + ".dll");
        Assert.True(File.Exists(path), $"the gate did not build {path}");
        return path;
    }

    /// <summary>The IoTStack assemblies a gate assembly's project (and its .nfproj) references; its metadata may use fewer.</summary>
    public static IReadOnlyList<string> References(string assembly) => assembly switch
    {
        "IoTStack.Net.Wire" => [],
        "IoTStack.Net" => ["IoTStack.Net.Wire"],
        "IoTStack.Net.Services" => ["IoTStack.Net", "IoTStack.Net.Wire"],
        "IoTStack.Drivers" => ["IoTStack.Net", "IoTStack.Net.Wire"],
        "IoTStack.Firmware" => ["IoTStack.Net", "IoTStack.Net.Wire", "IoTStack.Net.Services", "IoTStack.Net.Mqtt", "IoTStack.Drivers", "IoTStack.Boards"],
        "IoTStack.Boards" => ["IoTStack.Net", "IoTStack.Net.Wire", "IoTStack.Net.Services", "IoTStack.Drivers"],
        "IoTStack.Firmware.Esp32" => ["IoTStack.Net", "IoTStack.Net.Wire", "IoTStack.Net.Services", "IoTStack.Net.Mqtt", "IoTStack.Drivers", "IoTStack.Firmware", "IoTStack.Boards", "IoTStack.NanoGate.DeviceApiShapes",
            "IoTStack.Firmware.Tls", "IoTStack.Crypto", "IoTStack.Crypto.PublicKey", "IoTStack.Net.Tls"],
        "IoTStack.Samples.Sensor" => ["IoTStack.Net", "IoTStack.Net.Wire", "IoTStack.Net.Services", "IoTStack.Drivers", "IoTStack.Boards"],
        "IoTStack.Net.Mqtt" => ["IoTStack.Net", "IoTStack.Net.Wire"],
        "IoTStack.NanoGate.DeviceApiShapes" => [],
        "IoTStack.Crypto" => [],
        "IoTStack.Crypto.PublicKey" => ["IoTStack.Crypto"],
        "IoTStack.Net.Tls" => ["IoTStack.Net", "IoTStack.Net.Wire", "IoTStack.Crypto", "IoTStack.Crypto.PublicKey"],
        "IoTStack.Firmware.Tls" => ["IoTStack.Net", "IoTStack.Net.Wire", "IoTStack.Crypto", "IoTStack.Net.Tls", "IoTStack.Boards", "IoTStack.Firmware"],
        _ => throw new ArgumentException(assembly),
    };

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IoTStack.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("IoTStack.sln not found above " + AppContext.BaseDirectory);
    }
}
