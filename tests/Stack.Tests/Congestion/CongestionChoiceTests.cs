using System.Reflection;
using IoTStack.Net;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tcp;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Congestion;

/// <summary>
/// The congestion control is chosen per stream socket (SocketOption.CongestionControl, Linux's TCP_CONGESTION), with
/// NetStackOptions.TcpCongestionControl as the default, and the connection a socket makes runs the algorithm chosen.
/// </summary>
public sealed class CongestionChoiceTests
{
    private static NetStack Stack(NetStackOptions? options = null) => new TestNetwork().Add(2, options);

    private static int OpenStream(NetStack stack)
    {
        Assert.Equal(SocketResult.Success, stack.Open(SocketKind.Stream, IpProtocol.Tcp, out int socket));
        return socket;
    }

    private static int Read(NetStack stack, int socket)
    {
        Assert.Equal(SocketResult.Success, stack.GetOption(socket, SocketOption.CongestionControl, out int value));
        return value;
    }

    /// <summary>The connection behind a socket; the socket table is private to NetStack, so this one step uses reflection.</summary>
    private static TcpConnection Connection(NetStack stack, int socket)
    {
        FieldInfo field = typeof(NetStack).GetField("_sockets", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("NetStack._sockets was renamed: update this test");
        var table = (SocketTable)field.GetValue(stack)!;
        return table.Resolve(socket).Tcp;
    }

    [Fact]
    public void The_default_is_cubic_as_on_linux()
    {
        Assert.Equal(TcpCongestionAlgorithm.Cubic, new NetStackOptions().TcpCongestionControl);
        var stack = Stack();
        Assert.Equal((int)TcpCongestionAlgorithm.Cubic, Read(stack, OpenStream(stack)));
    }

    [Fact]
    public void The_stack_option_sets_the_default_of_new_sockets()
    {
        var stack = Stack(new NetStackOptions { TcpCongestionControl = TcpCongestionAlgorithm.NewReno });
        Assert.Equal((int)TcpCongestionAlgorithm.NewReno, Read(stack, OpenStream(stack)));
    }

    [Fact]
    public void Each_socket_keeps_its_own_choice()
    {
        var stack = Stack();
        int a = OpenStream(stack);
        int b = OpenStream(stack);
        Assert.Equal(SocketResult.Success, stack.SetOption(a, SocketOption.CongestionControl, (int)TcpCongestionAlgorithm.NewReno));
        Assert.Equal((int)TcpCongestionAlgorithm.NewReno, Read(stack, a));
        Assert.Equal((int)TcpCongestionAlgorithm.Cubic, Read(stack, b));
        Assert.Equal(SocketResult.Success, stack.SetOption(a, SocketOption.CongestionControl, (int)TcpCongestionAlgorithm.Cubic));
        Assert.Equal((int)TcpCongestionAlgorithm.Cubic, Read(stack, a));
    }

    [Fact]
    public void A_closed_and_reopened_socket_starts_from_the_default_again()
    {
        var stack = Stack(new NetStackOptions { TcpConnections = 1 });
        int a = OpenStream(stack);
        stack.SetOption(a, SocketOption.CongestionControl, (int)TcpCongestionAlgorithm.NewReno);
        Assert.Equal(SocketResult.Success, stack.Close(a));
        int b = OpenStream(stack);
        Assert.Equal((int)TcpCongestionAlgorithm.Cubic, Read(stack, b));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(99)]
    [InlineData(int.MinValue)]
    public void An_unknown_algorithm_is_invalid_and_changes_nothing(int value)
    {
        var stack = Stack();
        int socket = OpenStream(stack);
        stack.SetOption(socket, SocketOption.CongestionControl, (int)TcpCongestionAlgorithm.NewReno);
        Assert.Equal(SocketResult.InvalidArgument, stack.SetOption(socket, SocketOption.CongestionControl, value));
        Assert.Equal((int)TcpCongestionAlgorithm.NewReno, Read(stack, socket));
    }

    [Theory]
    [InlineData(SocketKind.Datagram, IpProtocol.Udp)]
    [InlineData(SocketKind.Raw, IpProtocol.Icmp)]
    public void Only_stream_sockets_have_it(SocketKind kind, IpProtocol protocol)
    {
        var stack = Stack();
        Assert.Equal(SocketResult.Success, stack.Open(kind, protocol, out int socket));
        Assert.Equal(SocketResult.ProtocolOption, stack.SetOption(socket, SocketOption.CongestionControl, (int)TcpCongestionAlgorithm.NewReno));
        Assert.Equal(SocketResult.ProtocolOption, stack.GetOption(socket, SocketOption.CongestionControl, out int value));
        Assert.Equal(0, value);
    }

    [Theory]
    [InlineData(TcpCongestionAlgorithm.NewReno)]
    [InlineData(TcpCongestionAlgorithm.Cubic)]
    public void The_connection_a_socket_makes_runs_the_algorithm_chosen(TcpCongestionAlgorithm chosen)
    {
        var network = new TestNetwork();
        var options = new NetStackOptions { TcpCongestionControl = chosen == TcpCongestionAlgorithm.Cubic ? TcpCongestionAlgorithm.NewReno : TcpCongestionAlgorithm.Cubic };
        NetStack client = network.Add(1, options);
        NetStack server = network.Add(2);
        int listener = TcpHarness.Listen(server, 80);

        int socket = OpenStream(client);
        Assert.Equal(SocketResult.Success, client.SetOption(socket, SocketOption.CongestionControl, (int)chosen));
        Assert.Equal(SocketResult.WouldBlock, client.Connect(socket, TestNetwork.Ip(2), 80));
        Assert.True(network.RunUntil(() => client.PollSocket(socket).HasFlag(SocketEvents.Writable), 10_000), "client never connected");

        CongestionControl expected = chosen == TcpCongestionAlgorithm.NewReno ? NewReno.Instance : Cubic.Instance;
        Assert.Same(expected, Connection(client, socket).Algorithm);

        // Changing it on a connected socket does not switch the running connection (the next one it makes).
        int other = (int)(chosen == TcpCongestionAlgorithm.NewReno ? TcpCongestionAlgorithm.Cubic : TcpCongestionAlgorithm.NewReno);
        Assert.Equal(SocketResult.Success, client.SetOption(socket, SocketOption.CongestionControl, other));
        Assert.Same(expected, Connection(client, socket).Algorithm);
        Assert.Equal(other, Read(client, socket));
    }

    [Fact]
    public void A_connection_accepted_with_the_stack_default_runs_the_default()
    {
        var network = new TestNetwork();
        NetStack client = network.Add(1);
        NetStack server = network.Add(2, new NetStackOptions { TcpCongestionControl = TcpCongestionAlgorithm.NewReno });
        int listener = TcpHarness.Listen(server, 80);
        var (_, accepted) = TcpHarness.Connect(network, client, server, listener, TestNetwork.Ip(2), 80);
        Assert.Same(NewReno.Instance, Connection(server, accepted).Algorithm);
        Assert.Equal((int)TcpCongestionAlgorithm.NewReno, Read(server, accepted));
    }

    [Fact]
    public void A_connection_accepted_on_a_listener_set_to_newreno_runs_newreno()
    {
        // As Linux's children inherit TCP_CONGESTION, and as the other stream options pass from listener to connection.
        var network = new TestNetwork();
        NetStack client = network.Add(1);
        NetStack server = network.Add(2);
        int listener = TcpHarness.Listen(server, 80);
        Assert.Equal(SocketResult.Success, server.SetOption(listener, SocketOption.CongestionControl, (int)TcpCongestionAlgorithm.NewReno));
        var (_, accepted) = TcpHarness.Connect(network, client, server, listener, TestNetwork.Ip(2), 80);
        Assert.Equal(SocketResult.Success, server.GetOption(accepted, SocketOption.CongestionControl, out int value));
        Assert.Equal((int)TcpCongestionAlgorithm.NewReno, value);
    }
}
