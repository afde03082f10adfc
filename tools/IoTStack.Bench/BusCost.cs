using IoTStack.Boards;
using IoTStack.Emulator;
using IoTStack.Emulator.Chips;
using IoTStack.Emulator.Network;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Bench;

/// <summary>Figure 3: what a full-size frame costs on the SPI bus, from the models' bus meter, and the ceiling that sets.</summary>
public static class BusCost
{
    public sealed record Cost(string Chip, double ReceiveBytesPerFrameByte, double SendBytesPerFrameByte);

    public static IEnumerable<Cost> Measure(int frames)
    {
        foreach (var chip in new[] { ChipNames.Enc28j60, ChipNames.W5500 })
        {
            var clock = new VirtualClock(0);
            var wire = new VirtualSwitch(clock);
            var boardMac = new MacAddress(2, 0, 0, 0, 0, 2);
            var peer = wire.AddPort(new MacAddress(2, 0, 0, 0, 0, 1));
            var model = ChipModel.Create(chip, wire.AddPort(boardMac), clock);
            var driver = BoardNetwork.StartFrameDriver(ChipNames.Parse(chip), model.Bus, boardMac, clock)
                ?? throw new InvalidOperationException($"the {chip} model did not come up");

            var frame = new byte[1514];
            new Random(1).NextBytes(frame);
            EthernetFrame.WriteHeader(frame, 0, boardMac, new MacAddress(2, 0, 0, 0, 0, 1), 0x88B5);
            var buffer = new byte[1518];
            long before = model.BytesClocked;
            int received = 0;
            for (int i = 0; i < frames; i++)
            {
                peer.Transmit(frame, 0, frame.Length);
                clock.Advance(1);
                while (driver.Receive(buffer, 0, buffer.Length) > 0)
                {
                    received++;
                }
            }

            while (driver.Receive(buffer, 0, buffer.Length) > 0)
            {
                received++;
            }

            double receive = (model.BytesClocked - before) / (double)(received * 1514L);
            EthernetFrame.WriteHeader(frame, 0, new MacAddress(2, 0, 0, 0, 0, 1), boardMac, 0x88B5);
            before = model.BytesClocked;
            int sent = 0;
            for (int i = 0; i < frames; i++)
            {
                if (driver.Transmit(frame, 0, frame.Length))
                {
                    sent++;
                }

                clock.Advance(1);
                while (peer.Receive(buffer, 0, buffer.Length) > 0)
                {
                }
            }

            yield return new Cost(chip, receive, (model.BytesClocked - before) / (double)(sent * 1514L));
        }
    }
}
