using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using IoTStack.Crypto;
using IoTStack.Emulator.Tap;
using IoTStack.Hil.Tests;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.Http;
using IoTStack.Net.Tls.X509;
using IoTStack.Net.Wire;

namespace IoTStack.Interop.Tests;

/// <summary>
/// A board for the TLS interop tests: IoTStack's stack on a TAP device in a namespace of the test's own (Linux at
/// 192.0.2.1, the board at 192.0.2.2, as in <see cref="LinuxPeer"/>), run on the test's thread rather than a service
/// thread, so a test drives the stack and an <see cref="HttpsGet"/> in one loop. Its wall clock is set from the host's,
/// as SNTP would. A test PKI is made once with the openssl CLI in a directory of the fixture's own, which is also the
/// directory <c>openssl s_server -WWW</c> serves from. The namespace, the TAP device and the directory go on dispose.
/// </summary>
public sealed class TlsBoard : NamespaceHost, IDisposable
{
    public const string HostName = "server.test";
    public const int Port = 4433;
    public static readonly uint ServerAddress = new IPv4Address(192, 0, 2, 1).Value;

    private static int _instances;
    private readonly TapDevice _tap = null!;

    public TlsBoard()
        : base($"iotstack-{Environment.ProcessId}-{100 + Interlocked.Increment(ref _instances)}")
    {
        string tap = $"iot{Environment.ProcessId % 100000}t{_instances}";
        Directory = System.IO.Directory.CreateTempSubdirectory("iotstack-tls-").FullName;
        Check(Shell.Run("ip", "netns", "add", Namespace));
        try
        {
            _tap = new TapDevice(tap, new MacAddress(0x02, 0x00, 0x00, 0x00, 0x00, 0x02));
            Check(Shell.Run("ip", "link", "set", tap, "netns", Namespace));
            Check(InNamespace("ip", "link", "set", "lo", "up"));
            Check(InNamespace("ip", "addr", "add", "192.0.2.1/24", "dev", tap));
            Check(InNamespace("ip", "link", "set", tap, "up"));
            Interface = tap;
            Stack = new NetStack(new NetStackOptions { TcpConnections = 16, TcpListeners = 1, UdpSockets = 2, ReceiveBufferSize = 16384, TransmitBufferSize = 4096 }, _tap, new SystemClock());
            Stack.Configure(new IPv4Address(192, 0, 2, 2), IPv4Address.MaskFromPrefixLength(24), IPv4Address.Any);
            Stack.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            MakePki();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override string Interface { get; } = "";

    public override string? Failure => null;

    public NetStack Stack { get; } = null!;

    /// <summary>The PKI and the files s_server serves.</summary>
    public string Directory { get; }

    public byte[] SmallFile { get; private set; } = [];

    public byte[] LargeFile { get; private set; } = [];

    public void Dispose()
    {
        _tap?.Dispose();
        Shell.Run("ip", "netns", "del", Namespace);
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// A root CA and a second one nobody trusts (ECDSA P-256); an intermediate CA (pathlen 0); leaves for server.test
    /// with ECDSA P-256 and P-384 and RSA-2048 and RSA-4096 keys, one under the intermediate; and the bad ones: another
    /// name, the untrusted issuer, a flipped signature byte, and validity in the past and in the future (openssl ca sets
    /// any dates; x509 -req only counts days from now). Two more roots, RSA-2048 and ECDSA P-384, sign leaves with
    /// PKCS#1 v1.5, RSASSA-PSS and ecdsa-with-SHA384, for the chain's own signature kinds.
    /// </summary>
    private void MakePki()
    {
        const string script = """
            set -e
            ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:$1 -out $2 2>/dev/null; }
            rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$1 -out $2 2>/dev/null; }
            leaf_ext() { printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' "$1" > $2; }
            root() {
              openssl req -new -x509 -key $1.key -subj "/CN=IoTStack Test $1 CA" -days 30 $2 \
                -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out $1.pem
            }
            ec P-256 root.key; root root -sha256
            ec P-256 stranger.key; root stranger -sha256
            rsa 2048 rsa-root.key; root rsa-root -sha256
            ec P-384 p384-root.key; root p384-root -sha384
            ec P-256 inter.key
            openssl req -new -key inter.key -subj "/CN=IoTStack Test Intermediate CA" -out inter.csr
            printf 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > inter.ext
            openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 2 -days 30 -sha256 -extfile inter.ext -out inter.pem 2>/dev/null
            leaf() {
              case $2 in p256) ec P-256 $1.key;; p384) ec P-384 $1.key;; rsa*) rsa ${2#rsa} $1.key;; esac
              openssl req -new -key $1.key -subj "/CN=$4" -out $1.csr
              leaf_ext $4 $1.ext
              openssl x509 -req -in $1.csr -CA $3.pem -CAkey $3.key -set_serial 0x$(openssl rand -hex 8) -days 30 -extfile $1.ext -out $1.pem \
                ${5:--sha256} "${@:6}" 2>/dev/null
            }
            leaf ecdsa-p256 p256 root server.test
            leaf ecdsa-p384 p384 root server.test
            leaf rsa-2048 rsa2048 root server.test
            leaf rsa-4096 rsa4096 root server.test
            leaf chained p256 inter server.test
            leaf wrong-name p256 root other.test
            leaf unknown-issuer p256 stranger server.test
            leaf corrupted p256 root server.test
            leaf by-rsa-pkcs1 p256 rsa-root server.test
            leaf by-rsa-pss p256 rsa-root server.test -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
            leaf by-p384-sha384 p256 p384-root server.test -sha384
            openssl x509 -in corrupted.pem -outform DER -out corrupted.der
            python3 -c "d=bytearray(open('corrupted.der','rb').read()); d[-1]^=1; open('corrupted.der','wb').write(d)"
            openssl x509 -inform DER -in corrupted.der -out corrupted.pem
            mkdir -p ca.db; : > ca.db/index.txt; echo 1000 > ca.db/serial
            printf '[ca]\ndefault_ca=test\n[test]\ndatabase=ca.db/index.txt\nnew_certs_dir=ca.db\nserial=ca.db/serial\ndefault_md=sha256\npolicy=any\nunique_subject=no\n[any]\ncommonName=supplied\n' > ca.cnf
            dated() {
              ec P-256 $1.key
              openssl req -new -key $1.key -subj "/CN=server.test" -out $1.csr
              leaf_ext server.test $1.ext
              openssl ca -batch -config ca.cnf -cert root.pem -keyfile root.key -in $1.csr -out $1.pem -startdate $2 -enddate $3 -extfile $1.ext -notext 2>/dev/null
            }
            dated expired 20200101000000Z 20210101000000Z
            dated not-yet-valid 20990101000000Z 20991231000000Z
            """;
        File.WriteAllText(Path.Combine(Directory, "pki.sh"), script);
        var start = new ProcessStartInfo("bash", ["pki.sh"]) { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(120_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException("making the test PKI failed: " + error);
        }

        var random = new Random(18);
        SmallFile = new byte[4321];
        LargeFile = new byte[1 << 20];
        random.NextBytes(SmallFile);
        random.NextBytes(LargeFile);
        File.WriteAllBytes(Path.Combine(Directory, "small.bin"), SmallFile);
        File.WriteAllBytes(Path.Combine(Directory, "large.bin"), LargeFile);
    }

    /// <summary>The DER of a certificate the PKI made (PEM file name without extension).</summary>
    public byte[] Der(string name) => ReadPem(Path.Combine(Directory, name + ".pem"));

    private static byte[] ReadPem(string path)
    {
        string pem = File.ReadAllText(path);
        int begin = pem.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) + 27;
        int end = pem.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal);
        return Convert.FromBase64String(pem[begin..end]);
    }

    /// <summary>The board's client: the device's own crypto and certificate validation with the test roots as the anchors.</summary>
    public (HttpsGet Get, CertificateAuthenticator Authenticator) NewGet(ITlsKeyExchange[] groups, IHttpsBodyReceiver? receiver = null,
        int minimumVersion = 0x0303, int maximumVersion = 0x0304, int recordSize = 4096)
    {
        var verifier = new SignatureVerifier();
        var validator = new CertificateValidator(verifier, 4, 3);
        foreach (var name in new[] { "root", "rsa-root", "p384-root" })
        {
            byte[] root = Der(name);
            if (validator.AddTrustAnchor(root, 0, root.Length) != CertificateError.None)
            {
                throw new InvalidOperationException($"the test root {name} does not parse");
            }
        }

        var authenticator = new CertificateAuthenticator(validator, verifier, Stack);
        var client = new TlsClient(new TlsClientOptions { HostName = HostName, MinimumVersion = minimumVersion, MaximumVersion = maximumVersion, RecordSize = recordSize },
            new SystemEntropy(), groups, authenticator);
        var connection = new TlsConnection(Stack, Stack.Clock, client);
        return (new HttpsGet(connection, Stack.Clock, receiver, 2048), authenticator);
    }

    /// <summary>
    /// Polls the stack and the GET until it ended (or <paramref name="timeoutMs"/>), sleeping on the TAP device when
    /// nothing moved; <paramref name="watch"/> runs on every turn. Returns the milliseconds from start to the end of the
    /// handshake (-1 when it did not end).
    /// </summary>
    public double Run(HttpsGet get, int timeoutMs, Action? watch = null)
    {
        var clock = Stopwatch.StartNew();
        double handshake = -1;
        while (get.IsBusy && clock.ElapsedMilliseconds < timeoutMs)
        {
            bool worked = Stack.Poll();
            worked |= get.Poll();
            if (handshake < 0 && get.State != HttpsGetState.Connecting)
            {
                handshake = clock.Elapsed.TotalMilliseconds;
            }

            watch?.Invoke();
            if (!worked)
            {
                _tap.WaitForFrame(Math.Max(0, Math.Min(2, Math.Min(Stack.PollDelay(), get.PollDelay()))));
            }
        }

        // close_notify and the FIN leave before the next test reuses the stack.
        var closing = Stopwatch.StartNew();
        while (get.Connection.IsConnected || closing.ElapsedMilliseconds < 50)
        {
            if (!(Stack.Poll() | get.Poll()))
            {
                _tap.WaitForFrame(1);
            }

            if (closing.ElapsedMilliseconds > 5000)
            {
                break;
            }
        }

        return handshake;
    }

    /// <summary>
    /// openssl s_server inside the namespace, serving from the PKI directory; returns once it listens (it prints ACCEPT).
    /// The caller disposes it, which kills it by PID.
    /// </summary>
    public ServerProcess StartServer(params string[] arguments) =>
        StartInNamespace(["openssl", "s_server", "-accept", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments]);

    /// <summary>A server program inside the namespace, in the PKI directory; returns once it printed ACCEPT.</summary>
    public ServerProcess StartInNamespace(string[] command)
    {
        var start = new ProcessStartInfo("ip") { WorkingDirectory = Directory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", Namespace }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException(command[0] + " did not start"));
        if (!server.WaitFor("ACCEPT", 10_000))
        {
            string output = server.Output;
            server.Dispose();
            throw new InvalidOperationException(command[0] + " did not listen: " + output);
        }

        return server;
    }

    private sealed class SystemEntropy : IEntropySource
    {
        public void Fill(byte[] buffer, int offset, int count) => RandomNumberGenerator.Fill(buffer.AsSpan(offset, count));
    }
}

/// <summary>A running server (openssl s_server, python3): its output collected as it comes, killed by PID on dispose.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    public ServerProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line != null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>Waits until <paramref name="text"/> appeared in the output.</summary>
    public bool WaitFor(string text, int timeoutMs)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (clock.ElapsedMilliseconds > timeoutMs || Process.HasExited)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(5);
        }

        return true;
    }

    /// <summary>Writes to the server's standard input (s_server's interactive commands, or data for the client).</summary>
    public void Type(string text)
    {
        Process.StandardInput.Write(text);
        Process.StandardInput.Flush();
    }

    public void Kill()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill();
                Process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }
}
