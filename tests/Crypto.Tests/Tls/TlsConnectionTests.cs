using System.Text;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tls;

namespace IoTStack.Crypto.Tests.Tls;

/// <summary>TlsConnection: the client over a socket engine, with the socket-shaped calls the MQTT client will make.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsConnectionTests
{
    private static TlsConnection NewConnection(MemoryPipe toServer, MemoryPipe fromServer, VirtualClock clock, out PipeSocketEngine sockets)
    {
        sockets = new PipeSocketEngine(toServer, fromServer);
        var client = new TlsClient(new TlsClientOptions { HostName = TestCertificates.HostName }, new SeededEntropy(11),
            [new EcdhP256KeyExchange()], new PinnedCertificateAuthenticator(TestCertificates.EcdsaP256));
        return new TlsConnection(sockets, clock, client);
    }

    private static SocketResult PollUntil(TlsConnection connection, Func<SocketResult> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        SocketResult result;
        while ((result = call()) == SocketResult.WouldBlock && DateTime.UtcNow < deadline)
        {
            connection.Poll();
        }

        return result;
    }

    [Fact]
    public void Connect_send_receive_and_close_carry_plaintext_over_the_socket()
    {
        using var server = new SslStreamServer(TestCertificates.EcdsaP256);
        var connection = NewConnection(server.ToServer, server.FromServer, new VirtualClock(0), out var sockets);

        Assert.Equal(SocketResult.Success, PollUntil(connection, () => connection.Connect(0x0A000001, 8883)));
        Assert.True(connection.IsConnected);
        byte[] hello = Encoding.ASCII.GetBytes("hello over TLS");
        Assert.Equal(SocketResult.Success, connection.Send(hello, 0, hello.Length, out int sent));
        Assert.Equal(hello.Length, sent);
        byte[] echo = new byte[64];
        int received = 0;
        Assert.Equal(SocketResult.Success, PollUntil(connection, () => connection.Receive(echo, 0, echo.Length, out received)));
        Assert.Equal(hello, echo[..received]);

        Assert.Equal(SocketResult.Success, connection.Close());
        Assert.Equal(1, sockets.SocketsClosed);
        Assert.False(connection.IsConnected);
    }

    [Fact]
    public void A_handshake_that_does_not_finish_in_time_times_out()
    {
        var clock = new VirtualClock(0);
        var connection = NewConnection(new MemoryPipe(), new MemoryPipe(), clock, out var sockets); // a server that never answers
        connection.HandshakeTimeoutMs = 5000;

        Assert.Equal(SocketResult.WouldBlock, connection.Connect(0x0A000001, 8883));
        clock.Advance(5000);
        connection.Poll();

        Assert.Equal(SocketResult.TimedOut, connection.Connect(0x0A000001, 8883));
        Assert.Equal(TlsError.Timeout, connection.Client.LastError);
        Assert.Equal(1, sockets.SocketsClosed);
        Assert.Equal(SocketResult.Success, connection.Close());
        Assert.Equal(SocketResult.WouldBlock, connection.Connect(0x0A000001, 8883)); // a new attempt after Close
    }
}
