using CsCheck;
using IoTStack.Net.Wire;
using PacketDotNet;

namespace IoTStack.Wire.Tests;

/// <summary>Random headers and random bytes (CsCheck; a failure prints the seed that reproduces it).</summary>
public class PropertyTests
{
    private static readonly Gen<IPv4Address> Address = Gen.UInt.Select(v => new IPv4Address(v));

    [Fact]
    public void Checksum_of_data_with_its_checksum_stored_verifies()
    {
        Gen.Byte.Array[2, 1600].Sample(data =>
        {
            data[0] = data[1] = 0;
            NetworkOrder.WriteUInt16(data, 0, InternetChecksum.Compute(data, 0, data.Length));
            return InternetChecksum.Compute(data, 0, data.Length) == 0;
        }, iter: 500);
    }

    [Fact]
    public void Ipv4_headers_round_trip_and_agree_with_packetdotnet()
    {
        var gen = Gen.Select(Address, Address, Gen.Byte, Gen.UShort, Gen.Byte, Gen.Int[0, 10], Gen.Int[0, 200])
            .Select(Gen.Bool, Gen.Bool, Gen.Int[0, 0x1FFF - 30], (h, df, mf, fragmentUnits) => (h, df, mf, fragmentUnits));
        gen.Sample(t =>
        {
            var ((source, destination, tos, id, ttl, optionWords, payload), df, mf, fragmentUnits) = t;
            int headerLength = 20 + optionWords * 4;
            var buffer = new byte[headerLength + payload];
            var ip = Ipv4Packet.Init(buffer, 0, headerLength);
            for (int i = 20; i < headerLength; i++)
            {
                buffer[i] = OptionIterator.NoOperation;
            }

            ip.TotalLength = buffer.Length;
            ip.DifferentiatedServices = tos;
            ip.Identification = id;
            ip.DontFragment = df;
            ip.MoreFragments = mf;
            ip.FragmentOffset = fragmentUnits * 8;
            ip.TimeToLive = ttl;
            ip.Protocol = (IpProtocol)253;
            ip.Source = source;
            ip.Destination = destination;
            ip.FillChecksum();

            Assert.Equal(WireError.None, Ipv4Packet.TryParse(buffer, 0, buffer.Length, out var parsed));
            Assert.Equal((tos, id, df, mf, fragmentUnits * 8, ttl, source, destination, headerLength, payload),
                (parsed.DifferentiatedServices, parsed.Identification, parsed.DontFragment, parsed.MoreFragments, parsed.FragmentOffset, parsed.TimeToLive, parsed.Source, parsed.Destination, parsed.HeaderLength, parsed.PayloadLength));

            var theirs = new IPv4Packet(new PacketDotNet.Utils.ByteArraySegment(buffer));
            Assert.True(theirs.ValidIPChecksum);
            Assert.Equal(id, theirs.Id);
            Assert.Equal(ttl, theirs.TimeToLive);
            Assert.Equal(headerLength, theirs.HeaderLength * 4);
            Assert.Equal(fragmentUnits, theirs.FragmentOffset);
            Assert.Equal(source.ToString(), theirs.SourceAddress.ToString());
        }, iter: 300);
    }

    [Fact]
    public void Tcp_segments_with_random_option_sets_round_trip()
    {
        var gen = Gen.Select(Gen.UInt, Gen.UInt, Gen.Byte, Gen.UShort, Gen.Bool, Gen.Bool, Gen.Bool)
            .Select(Gen.UShort, Gen.Byte[0, 14], Gen.UInt, Gen.Int[0, 3], Gen.Byte.Array[0, 300],
                (h, mss, scale, tsval, sackBlocks, payload) => (h, mss, scale, tsval, sackBlocks, payload));
        gen.Sample(t =>
        {
            var ((seq, ack, flags, window, withMss, withScale, withTimestamps), mss, scale, tsval, sackBlocks, payload) = t;
            var buffer = new byte[20 + 60 + payload.Length];
            var writer = new TcpOptionWriter(buffer, 40);
            if (withMss) writer.WriteMaximumSegmentSize(mss);
            if (withScale) writer.WriteWindowScale(scale);
            if (withTimestamps) writer.WriteTimestamps(tsval, ~tsval);
            var edges = new uint[] { seq, seq + 10, seq + 20, seq + 30, seq + 40, seq + 50 };
            bool sackWritten = sackBlocks > 0 && writer.WriteSack(edges, sackBlocks);
            int optionsLength = writer.Finish();
            int length = TcpSegment.WriteHeader(buffer, 20, 1234, 80, seq, ack, (TcpFlags)flags, window, optionsLength);
            payload.CopyTo(buffer, 20 + length);
            length += payload.Length;
            TcpSegment.FillChecksum(buffer, 20, length, Frames.PeerIp, Frames.BoardIp);

            Assert.Equal(WireError.None, TcpSegment.TryParse(buffer, 20, length, Frames.PeerIp, Frames.BoardIp, out var tcp));
            Assert.Equal((seq, ack, (TcpFlags)flags, window, payload.Length), (tcp.SequenceNumber, tcp.AcknowledgmentNumber, tcp.Flags, tcp.Window, tcp.PayloadLength));
            var options = tcp.ReadOptions();
            Assert.Equal(withMss, options.HasMaximumSegmentSize);
            if (withMss) Assert.Equal(mss, options.MaximumSegmentSize);
            Assert.Equal(withScale, options.HasWindowScale);
            if (withScale) Assert.Equal(scale, options.WindowScale);
            Assert.Equal(withTimestamps, options.HasTimestamps);
            if (withTimestamps) Assert.Equal((tsval, ~tsval), (options.TimestampValue, options.TimestampEchoReply));
            Assert.Equal(sackWritten ? sackBlocks : 0, options.SackBlockCount);
            for (int i = 0; i < options.SackBlockCount; i++)
            {
                options.GetSackBlock(i, out uint left, out uint right);
                Assert.Equal((edges[2 * i], edges[2 * i + 1]), (left, right));
            }

            var ip = new byte[20 + length];
            Array.Copy(buffer, 0, ip, 0, ip.Length);
            Ipv4Packet.WriteHeader(ip, 0, Frames.PeerIp, Frames.BoardIp, IpProtocol.Tcp, length, 1, 64, true);
            var theirs = new IPv4Packet(new PacketDotNet.Utils.ByteArraySegment(ip)).Extract<TcpPacket>();
            Assert.True(theirs.ValidTcpChecksum);
            Assert.Equal(seq, theirs.SequenceNumber);
        }, iter: 300);
    }

    [Fact]
    public void Parsers_never_throw_on_random_bytes()
    {
        Gen.Select(Gen.Byte.Array[0, 1600], Gen.Int[0, 64]).Sample((bytes, cut) =>
        {
            int offset = Math.Min(cut, bytes.Length);
            int length = bytes.Length - offset;
            EthernetFrame.TryParse(bytes, offset, length, out _);
            Net.Wire.ArpPacket.TryParse(bytes, offset, length, out _);
            if (Ipv4Packet.TryParse(bytes, offset, length, out var ip) == WireError.None)
            {
                _ = (ip.PayloadLength, ip.Source, ip.FragmentOffset);
            }

            Icmpv4Message.TryParse(bytes, offset, length, out _);
            UdpDatagram.TryParse(bytes, offset, length, Frames.PeerIp, Frames.BoardIp, out _);
            if (TcpSegment.TryParse(bytes, offset, length, Frames.PeerIp, Frames.BoardIp, out var tcp) == WireError.None)
            {
                var options = tcp.ReadOptions();
                for (int i = 0; i < options.SackBlockCount; i++)
                {
                    options.GetSackBlock(i, out _, out _);
                }
            }

            var iterator = new OptionIterator(bytes, offset, Math.Min(length, 40));
            while (iterator.Next())
            {
                Assert.InRange(iterator.DataOffset + iterator.DataLength, 0, offset + Math.Min(length, 40));
            }
        }, iter: 5000);
    }

    [Fact]
    public void Option_lists_of_random_bytes_validate_exactly_when_every_option_fits()
    {
        Gen.Byte.Array[0, 40].Sample(area =>
        {
            var expected = WireError.None;
            int i = 0;
            while (i < area.Length && area[i] != 0)
            {
                if (area[i] == 1) { i++; continue; }
                if (i + 1 >= area.Length) { expected = WireError.OptionOverrun; break; }
                if (area[i + 1] < 2) { expected = WireError.BadOptionLength; break; }
                if (i + area[i + 1] > area.Length) { expected = WireError.OptionOverrun; break; }
                i += area[i + 1];
            }

            return OptionIterator.Validate(area, 0, area.Length) == expected;
        }, iter: 3000);
    }
}
