using System.Buffers.Binary;

namespace IoTStack.Emulator.Pcap;

/// <summary>
/// Writes the classic libpcap format (https://www.tcpdump.org/manpages/pcap-savefile.5.txt, and
/// draft-ietf-opsawg-pcap): a 24-byte file header with magic 0xA1B2C3D4 (microsecond timestamps),
/// version 2.4 and LINKTYPE_ETHERNET, then a 16-byte record header before each frame.
/// Wireshark and tshark read it; fields are written little-endian and the magic tells readers so.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    public const uint MagicMicroseconds = 0xA1B2C3D4;
    public const ushort VersionMajor = 2;
    public const ushort VersionMinor = 4;
    public const uint LinkTypeEthernet = 1;
    public const int SnapLength = 65535;
    public const int FileHeaderLength = 24;
    public const int RecordHeaderLength = 16;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _header = new byte[FileHeaderLength];

    public PcapWriter(Stream stream, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        var header = _header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(header, MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        _stream.Write(header);
    }

    /// <summary>Creates (or truncates) a capture file.</summary>
    public static PcapWriter Create(string path) => new(File.Create(path));

    /// <summary>Frames written so far.</summary>
    public long FrameCount { get; private set; }

    /// <summary>Appends one Ethernet frame (without FCS) stamped <paramref name="timestampMicroseconds"/> after the Unix epoch.</summary>
    public void WriteFrame(ReadOnlySpan<byte> frame, long timestampMicroseconds)
    {
        int captured = Math.Min(frame.Length, SnapLength);
        Span<byte> record = stackalloc byte[RecordHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(timestampMicroseconds / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(timestampMicroseconds % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
        _stream.Write(record);
        _stream.Write(frame[..captured]);
        FrameCount++;
    }

    public void WriteFrame(byte[] buffer, int offset, int length, long timestampMicroseconds)
        => WriteFrame(buffer.AsSpan(offset, length), timestampMicroseconds);

    public void Flush() => _stream.Flush();

    public void Dispose()
    {
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
