using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Mqtt;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.X509;
using IoTStack.Net.Wire;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>
/// TlsSocketEngine: TLS behind the socket calls, with the device's own crypto (X25519, X.509 chain and signature checks)
/// against SslStream (OpenSSL) in memory, and the MQTT client running over it unchanged.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsSocketEngineTests
{
    private const uint Broker = 0x0A000001;
    private const int TlsPort = 8883;

    private static TlsSocketEngine NewEngine(SslStreamServer server, X509Certificate2 anchor, out TcpPipeEngine tcp, out NetStack net)
    {
        net = new NetStack(new NetStackOptions(), new LoopbackDevice(new MacAddress(2, 0, 0, 0, 0, 2), 4), new SystemClock());
        net.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()); // as SNTP sets it: the certificate's validity is checked
        var verifier = new SignatureVerifier();
        var validator = new CertificateValidator(verifier, 4, 2);
        byte[] der = anchor.RawData;
        Assert.Equal(CertificateError.None, validator.AddTrustAnchor(der, 0, der.Length));
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(29),
            [new X25519KeyExchange()], new CertificateAuthenticator(validator, verifier, net));
        tcp = new TcpPipeEngine(server.ToServer, server.FromServer);
        return new TlsSocketEngine(tcp, net.Clock, client);
    }

    private static SocketResult PollUntil(TlsSocketEngine engine, Func<SocketResult> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        SocketResult result;
        while ((result = call()) == SocketResult.WouldBlock && DateTime.UtcNow < deadline)
        {
            engine.Poll();
        }

        return result;
    }

    private static int OpenAndConnect(TlsSocketEngine engine)
    {
        Assert.Equal(SocketResult.Success, engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        Assert.Equal(SocketResult.WouldBlock, engine.Connect(socket, new IPv4Address(Broker), TlsPort));
        Assert.Equal(SocketResult.Success, PollUntil(engine, () => engine.Connect(socket, new IPv4Address(Broker), TlsPort)));
        return socket;
    }

    /// <summary>
    /// Sends all of <paramref name="data"/> through SendSome and reads back as many bytes, in whatever pieces flow;
    /// <paramref name="partialSends"/> counts the SendSome calls that took some but not all of what they were offered.
    /// </summary>
    private static byte[] Echo(TlsSocketEngine engine, int socket, byte[] data, out int partialSends)
    {
        partialSends = 0;
        byte[] received = new byte[data.Length];
        int written = 0;
        int read = 0;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (read < received.Length && DateTime.UtcNow < deadline)
        {
            int offered = data.Length - written;
            SocketResult sendResult = engine.SendSome(socket, data, written, offered, out int sent);
            Assert.True(sendResult is SocketResult.Success or SocketResult.WouldBlock, sendResult.ToString());
            written += sent;
            partialSends += sent > 0 && sent < offered ? 1 : 0;
            SocketResult receiveResult = engine.Receive(socket, received, read, received.Length - read, out int got);
            Assert.True(receiveResult is SocketResult.Success or SocketResult.WouldBlock, receiveResult.ToString());
            read += got;
            engine.Poll();
        }

        Assert.Equal(data.Length, written);
        return received;
    }

    [Fact]
    public void Connect_handshakes_and_data_flows_both_ways_through_SendSome_and_Receive()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var engine = NewEngine(server, TestCertificates.EcdsaP256, out var tcp, out _);

        int socket = OpenAndConnect(engine);

        Assert.Equal(tcp.Socket, socket);
        Assert.Equal(SocketResult.Success, engine.Connect(socket, new IPv4Address(Broker), TlsPort));
        Assert.Equal(TlsClientState.Connected, engine.Client.State);
        Assert.Equal(0x001D, engine.Client.NamedGroup);
        Assert.Equal(SocketEvents.Writable, engine.PollSocket(socket));
        byte[] one = [0x42];
        Assert.Equal(one, Echo(engine, socket, one, out _));
        byte[] data = Enumerable.Range(0, 10 * 1024).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(data, Echo(engine, socket, data, out int partialSends));
        Assert.True(partialSends > 0, "10 KB is more than the TLS send path holds: SendSome takes part of it, as TCP does");
    }

    [Fact]
    public async Task Close_sends_close_notify_and_then_closes_the_tcp_socket()
    {
        var closeNotify = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, session: async ssl =>
        {
            byte[] buffer = new byte[64];
            closeNotify.SetResult(await ssl.ReadAsync(buffer) == 0); // the pipe stays open: only close_notify ends the stream
        });
        var engine = NewEngine(server, TestCertificates.EcdsaP256, out var tcp, out _);
        tcp.ForwardFin = false;
        int socket = OpenAndConnect(engine);

        Assert.Equal(SocketResult.Success, engine.Close(socket));

        Assert.True(await closeNotify.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, tcp.SocketsClosed);
        Assert.Equal(SocketEvents.Invalid, tcp.PollSocket(socket));
        Assert.Equal(SocketResult.Success, engine.Open(SocketKind.Stream, IpProtocol.Tcp, out _)); // the one TLS socket is free again
    }

    [Fact]
    public void A_refused_certificate_fails_Connect_and_gives_no_data()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var engine = NewEngine(server, TestCertificates.Rsa2048, out var tcp, out _); // trusts another certificate
        Assert.Equal(SocketResult.Success, engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));

        SocketResult result = PollUntil(engine, () => engine.Connect(socket, new IPv4Address(Broker), TlsPort));

        Assert.Equal(SocketResult.ConnectionAborted, result);
        Assert.Equal(TlsError.CertificateRejected, engine.Client.LastError);
        Assert.Equal(TlsAlert.BadCertificate, engine.Client.AlertSent);
        Assert.Equal(1, tcp.SocketsClosed);
        Assert.Equal(SocketEvents.Readable | SocketEvents.HangUp | SocketEvents.Error, engine.PollSocket(socket));
        byte[] buffer = new byte[16];
        Assert.Equal(SocketResult.ConnectionAborted, engine.Receive(socket, buffer, 0, buffer.Length, out int received));
        Assert.Equal(0, received);
        Assert.Equal(SocketResult.NotConnected, engine.SendSome(socket, buffer, 0, buffer.Length, out int sent));
        Assert.Equal(0, sent);
        Assert.Equal(SocketResult.Success, engine.Close(socket));
    }

    [Fact]
    public void One_tls_socket_at_a_time_and_other_descriptors_go_to_the_inner_engine()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var engine = NewEngine(server, TestCertificates.EcdsaP256, out var tcp, out _);
        Assert.Equal(SocketResult.Success, engine.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));

        Assert.Equal(SocketResult.TooManyOpenSockets, engine.Open(SocketKind.Stream, IpProtocol.Tcp, out _));
        Assert.Equal(SocketResult.OperationNotSupported, engine.Bind(socket, new IPv4Address(0), 8883));
        Assert.Equal(SocketResult.OperationNotSupported, engine.Listen(socket, 1));
        Assert.Equal(SocketResult.OperationNotSupported, engine.SendTo(socket, [1], 0, 1, 0x0A000002u, 53, out _));
        Assert.Equal(SocketResult.OperationNotSupported, engine.Shutdown(socket, ShutdownDirection.Send));
        Assert.Equal(SocketResult.Success, engine.Open(SocketKind.Datagram, IpProtocol.Udp, out int udp));
        Assert.Equal(TcpPipeEngine.Datagram, udp);
        Assert.Equal(SocketResult.Success, engine.Bind(udp, new IPv4Address(0), 53));
        Assert.Equal(SocketResult.Success, engine.SendTo(udp, [1], 0, 1, 0x0A000002u, 53, out _));
        Assert.Equal(2, tcp.DatagramCalls);
        Assert.Equal(SocketResult.Success, engine.Close(socket));
        Assert.Equal(1, tcp.SocketsClosed); // closed before connecting: nothing to say, the TCP socket goes at once
    }

    [Fact]
    public async Task The_mqtt_client_runs_over_tls_unchanged()
    {
        var published = new TaskCompletionSource<(int Type, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = new SslStreamServer(TestCertificates.EcdsaP256, session: async ssl =>
        {
            var connect = await ReadMqttPacket(ssl);
            Assert.Equal(0x10, connect.Type);
            await ssl.WriteAsync(new byte[] { 0x20, 0x02, 0x00, 0x00 }); // CONNACK, accepted (3.1.1 section 3.2)
            published.SetResult(await ReadMqttPacket(ssl));
        });
        var engine = NewEngine(server, TestCertificates.EcdsaP256, out _, out var net);
        var mqtt = new MqttClient(engine, net, new MqttClientOptions { Version = 4, BrokerAddress = Broker, BrokerPort = TlsPort, ClientId = "tls-test" });

        mqtt.Start();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!mqtt.IsConnected && DateTime.UtcNow < deadline)
        {
            engine.Poll();
            mqtt.Poll();
        }

        Assert.True(mqtt.IsConnected, $"{mqtt.State} {mqtt.LastError}, TLS {engine.Client.State} {engine.Client.LastError}");
        byte[] payload = Encoding.ASCII.GetBytes("21.5");
        Assert.Equal(MqttResult.Success, mqtt.Publish(Encoding.ASCII.GetBytes("board/temperature"), payload, 0, payload.Length, 0, false));
        while (!published.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            engine.Poll();
            mqtt.Poll();
        }

        Assert.True(published.Task.IsCompletedSuccessfully, "the broker got no PUBLISH");
        var (type, body) = await published.Task;
        Assert.Equal(0x30, type); // PUBLISH, QoS 0, no DUP or RETAIN
        byte[] expected = [0x00, 0x11, .. "board/temperature"u8.ToArray(), .. payload]; // topic length, topic, payload
        Assert.Equal(expected, body);
        mqtt.Disconnect();
    }

    /// <summary>One MQTT packet: the fixed header's first byte and the body its Remaining Length gives (3.1.1 section 2.2).</summary>
    private static async Task<(int Type, byte[] Body)> ReadMqttPacket(SslStream ssl)
    {
        byte[] one = new byte[1];
        await ssl.ReadExactlyAsync(one);
        int type = one[0];
        int length = 0;
        for (int shift = 0; ; shift += 7)
        {
            await ssl.ReadExactlyAsync(one);
            length |= (one[0] & 0x7F) << shift;
            if ((one[0] & 0x80) == 0)
            {
                break;
            }
        }

        byte[] body = new byte[length];
        await ssl.ReadExactlyAsync(body);
        return (type, body);
    }
}

/// <summary>
/// Like <see cref="PipeSocketEngine"/>: one TCP connection to a server behind two pipes, up on the third Connect (so the
/// TLS engine's first Connect surely says WouldBlock), but with
/// a descriptor that changes per Open, datagram calls on another descriptor counted, sends of at most 1,500 bytes a call
/// (partial, as TCP's), and a switch to keep the FIN back (so only close_notify can end the server's stream).
/// </summary>
internal sealed class TcpPipeEngine(MemoryPipe toServer, MemoryPipe fromServer) : ISocketEngine
{
    public const int Datagram = 9;
    private const int Segment = 1500;
    private bool _open;
    private int _connects;
    private int _generation;

    public int Socket => 0x100 | _generation;

    public int SocketsClosed { get; private set; }

    public int DatagramCalls { get; private set; }

    public bool ForwardFin { get; set; } = true;

    public bool Poll() => false;

    public int PollDelay() => 1000;

    public SocketResult Open(SocketKind type, IpProtocol protocol, out int socket)
    {
        if (type == SocketKind.Datagram)
        {
            socket = Datagram;
            return SocketResult.Success;
        }

        _generation++;
        _open = true;
        _connects = 0;
        socket = Socket;
        return SocketResult.Success;
    }

    public SocketResult Connect(int socket, IPv4Address address, int port)
    {
        if (socket != Socket || !_open)
        {
            return SocketResult.NotSocket;
        }

        _connects++;
        if (_connects > 3)
        {
            return SocketResult.IsConnected;
        }

        return _connects == 3 ? SocketResult.Success : SocketResult.WouldBlock;
    }

    public SocketResult SendSome(int socket, byte[] buffer, int offset, int count, out int sent)
    {
        sent = Math.Min(count, Segment);
        toServer.Write(buffer.AsSpan(offset, sent));
        return SocketResult.Success;
    }

    public SocketResult Receive(int socket, byte[] buffer, int offset, int count, out int received)
    {
        received = fromServer.Read(buffer.AsSpan(offset, count), 1);
        return received > 0 || fromServer.Completed ? SocketResult.Success : SocketResult.WouldBlock;
    }

    public SocketResult Close(int socket)
    {
        _open = false;
        SocketsClosed++;
        if (ForwardFin)
        {
            toServer.Complete();
        }

        return SocketResult.Success;
    }

    public SocketResult SetOption(int socket, SocketOption option, int value) => SocketResult.Success;

    public SocketEvents PollSocket(int socket) => _open && socket == Socket ? SocketEvents.Writable : SocketEvents.Invalid;

    public SocketResult Bind(int socket, IPv4Address address, int port) => CountDatagramCall(socket);

    public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, uint address, int port, out int sent)
    {
        sent = count;
        return CountDatagramCall(socket);
    }

    private SocketResult CountDatagramCall(int socket)
    {
        Assert.Equal(Datagram, socket);
        DatagramCalls++;
        return SocketResult.Success;
    }

    public SocketResult Listen(int socket, int backlog) => throw new NotSupportedException();

    public SocketResult Accept(int socket, out int connection) => throw new NotSupportedException();

    public SocketResult SendTo(int socket, byte[] buffer, int offset, int count, IPv4Address address, int port, out int sent) =>
        throw new NotSupportedException();

    public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out SocketEndpoint remote) =>
        throw new NotSupportedException();

    public SocketResult ReceiveFrom(int socket, byte[] buffer, int offset, int count, out int received, out uint address, out int port) =>
        throw new NotSupportedException();

    public SocketResult Shutdown(int socket, ShutdownDirection how) => throw new NotSupportedException();

    public SocketResult GetOption(int socket, SocketOption option, out int value) => throw new NotSupportedException();

    public SocketResult GetLocalAddress(int socket, out SocketEndpoint address) => throw new NotSupportedException();

    public SocketResult GetRemoteAddress(int socket, out SocketEndpoint address) => throw new NotSupportedException();
}
