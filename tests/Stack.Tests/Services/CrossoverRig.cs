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
}
