using IoTStack.Emulator.Network;
using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Stack.Tests.Services;

/// <summary>
/// Two stacks on a cable that allocates nothing (the virtual switch copies frames), for measuring what a
/// service allocates: only the board's own calls are counted, never the test double's on the other end.
/// </summary>
public sealed class CrossoverRig
{
    public CrossoverRig(bool configureBoard = true)
    {
        var peerDevice = new CrossoverDevice(TestNetwork.Mac(1));
        var boardDevice = new CrossoverDevice(TestNetwork.Mac(2)) { Peer = peerDevice };
        peerDevice.Peer = boardDevice;
        Peer = new NetStack(new NetStackOptions(), peerDevice, Clock);
        Board = new NetStack(new NetStackOptions(), boardDevice, Clock);
        Peer.Configure(TestNetwork.Ip(1), TestNetwork.Mask, IPv4Address.Any);
        if (configureBoard)
        {
            Board.Configure(TestNetwork.Ip(2), TestNetwork.Mask, IPv4Address.Any);
        }
    }

    public VirtualClock Clock { get; } = new(1_000);

    public NetStack Peer { get; }

    public NetStack Board { get; }

    /// <summary>Runs <paramref name="milliseconds"/> of virtual time; returns the bytes the board's side allocated.</summary>
    public long Run(int milliseconds, Func<bool> boardService, Func<bool> peerService)
    {
        long allocated = 0;
        for (int ms = 0; ms < milliseconds; ms++)
        {
            Clock.Advance(1);
            for (int round = 0; round < 100; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                bool worked = Board.Poll() | boardService();
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                worked |= Peer.Poll() | peerService();
                if (!worked)
                {
                    break;
                }
            }
        }

        return allocated;
    }

    /// <summary>
    /// A peer asks the mDNS group <paramref name="query"/> from UDP 40000 every millisecond (a legacy querier, answered by
    /// unicast) while the board runs <paramref name="boardService"/>: 100 ms to settle, then 2,000 counted. Returns the
    /// answers in those 2,000 ms and the bytes the board's side allocated meanwhile.
    /// </summary>
    public (int Answers, long Allocated) AskEveryMillisecond(byte[] query, Func<bool> boardService)
    {
        int socket = TestNetwork.OpenUdp(Peer, 40000);
        var reply = new byte[1500];
        int answers = 0;
        bool Ask()
        {
            Peer.SendTo(socket, query, 0, query.Length, IoTStack.Net.Services.MdnsResponder.Group, IoTStack.Net.Services.MdnsResponder.Port, out _);
            answers += Peer.ReceiveFrom(socket, reply, 0, reply.Length, out _, out _) == IoTStack.Net.Sockets.SocketResult.Success ? 1 : 0;
            return false;
        }

        Run(100, boardService, Ask);
        answers = 0;
        long allocated = Run(2_000, boardService, Ask);
        return (answers, allocated);
    }
}
