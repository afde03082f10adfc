using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace IoTStack.Portability.Tests;

/// <summary>
/// Issue 16: application code uses System.Net.Sockets (a Linux board, a test talking to the board) and IoTStack in the
/// same file, so no IoTStack type may share a name with one of System.Net or System.Net.Sockets (CS0104 otherwise).
/// </summary>
public class SystemNetNamesTests
{
    private const string BothTogether = """
        using System.Net;
        using System.Net.Sockets;
        using IoTStack.Net;
        using IoTStack.Net.Sockets;
        using IoTStack.Net.Wire;

        public static class Both
        {
            public static int Use(ISocketEngine engine, Socket linux)
            {
                SocketResult result = engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket);
                engine.Shutdown(socket, ShutdownDirection.Both);
                engine.GetRemoteAddress(socket, out SocketEndpoint remote);
                SocketEvents events = engine.PollSocket(socket);
                engine.SetOption(socket, SocketOption.NoDelay, 1);
                linux.Shutdown(SocketShutdown.Both);
                SocketError linuxError = SocketError.Success;
                SocketType linuxType = SocketType.Stream;
                SocketAddress linuxAddress = new SocketAddress(AddressFamily.InterNetwork);
                IPAddress any = IPAddress.Any;
                return (int)result + (int)events + remote.Port + (int)linuxError + (int)linuxType + linuxAddress.Size + any.GetAddressBytes().Length;
            }

            public static int UseSockets(NetHost host, Socket linux)
            {
                IPollable pollable = host.Engine;
                using NetSocket socket = new NetSocket(host, SocketKind.Stream, IpProtocol.Tcp) { ReceiveTimeout = 100 };
                try
                {
                    socket.Connect(IPv4Address.Loopback, 7);
                    bool ready = socket.Poll(1000, SocketPollMode.Read) && linux.Poll(1000, SelectMode.SelectRead);
                    SocketEndpoint local = socket.LocalEndPoint;
                    return socket.Send(new byte[1], 0, 1) + local.Port + (ready ? 1 : 0) + pollable.PollDelay();
                }
                catch (NetSocketException e) when (e.ErrorCode == (int)SocketError.TimedOut)
                {
                    return 0;
                }
                catch (SocketException e)
                {
                    return e.ErrorCode;
                }
            }
        }
        """;

    [Fact]
    public void Code_using_system_net_sockets_and_iotstack_together_compiles_without_an_alias()
    {
        string stack = Path.Combine(NanoGate.RepositoryRoot, "stack", "IoTStack.Net", "bin", "Release", "net10.0", "IoTStack.Net.dll");
        string wire = Path.Combine(NanoGate.RepositoryRoot, "stack", "IoTStack.Net.Wire", "bin", "Release", "net10.0", "IoTStack.Net.Wire.dll");
        Assert.True(File.Exists(stack), $"build the solution in Release first: {stack} is missing");
        Assert.True(File.Exists(wire), $"build the solution in Release first: {wire} is missing");
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll" or "Microsoft.Win32.Primitives.dll")
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Both", [CSharpSyntaxTree.ParseText(BothTogether)],
            [.. framework, MetadataReference.CreateFromFile(stack), MetadataReference.CreateFromFile(wire)], new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors));
    }
}
