namespace IoTStack.Net.Wire
{
    /// <summary>
    /// IGMP messages (IP protocol 2) read and written in place, by static accessors over a byte[] and the message's
    /// offset (no view object, no struct): the membership query of IGMPv1/v2 (8 bytes, RFC 2236 section 2) and IGMPv3
    /// (12 bytes and its sources, RFC 3376 section 4.1), the v1/v2 report and leave (RFC 2236 section 2), and the IGMPv3
    /// report with its group records (RFC 3376 section 4.2).
    /// </summary>
    public static class IgmpMessage
    {
        /// <summary>The fixed part of every message, and the whole of a v1/v2 one.</summary>
        public const int HeaderLength = 8;

        /// <summary>An IGMPv3 query without sources (RFC 3376 section 4.1).</summary>
        public const int V3QueryLength = 12;

        /// <summary>An IGMPv3 group record without sources or auxiliary data (RFC 3376 section 4.2.4).</summary>
        public const int GroupRecordLength = 8;

        public const byte TypeMembershipQuery = 0x11;
        public const byte TypeV1Report = 0x12;
        public const byte TypeV2Report = 0x16;
        public const byte TypeLeaveGroup = 0x17;
        public const byte TypeV3Report = 0x22;

        // Group record types (RFC 3376 section 4.2.12).
        public const byte ModeIsInclude = 1;
        public const byte ModeIsExclude = 2;
        public const byte ChangeToIncludeMode = 3;
        public const byte ChangeToExcludeMode = 4;
        public const byte AllowNewSources = 5;
        public const byte BlockOldSources = 6;

        /// <summary>224.0.0.1, all systems: where general queries go; never reported (RFC 2236 section 6).</summary>
        public const uint AllSystems = 0xE0000001;

        /// <summary>224.0.0.2, all routers: where an IGMPv2 Leave Group goes (RFC 2236 section 3).</summary>
        public const uint AllRouters = 0xE0000002;

        /// <summary>224.0.0.22, all IGMPv3-capable routers: where IGMPv3 reports go (RFC 3376 section 4.2.14).</summary>
        public const uint AllV3Routers = 0xE0000016;

        /// <summary>
        /// Checks a message of <paramref name="length"/> bytes (the IPv4 payload): at least 8 bytes, the checksum over all
        /// of them (RFC 3376 section 4.1.2), a query 8 bytes or at least 12 with every source it counts (9 to 11 bytes is
        /// no query of any version, section 7.1), and a v3 report holding every group record it counts.
        /// </summary>
        public static WireError Validate(byte[] buffer, int offset, int length)
        {
            if (!NetworkOrder.InBuffer(buffer, offset, length))
            {
                return WireError.OutOfBuffer;
            }

            if (length < HeaderLength)
            {
                return WireError.Truncated;
            }

            if (InternetChecksum.Compute(buffer, offset, length) != 0)
            {
                return WireError.BadChecksum;
            }

            byte type = buffer[offset];
            if (type == TypeMembershipQuery && length > HeaderLength
                && (length < V3QueryLength || V3QueryLength + 4 * NetworkOrder.ReadUInt16(buffer, offset + 10) > length))
            {
                return WireError.Truncated;
            }

            if (type == TypeV3Report)
            {
                int at = offset + HeaderLength;
                int end = offset + length;
                for (int i = NetworkOrder.ReadUInt16(buffer, offset + 6); i > 0; i--)
                {
                    if (end - at < GroupRecordLength)
                    {
                        return WireError.Truncated;
                    }

                    at += RecordLength(buffer, at);
                    if (at > end)
                    {
                        return WireError.Truncated;
                    }
                }
            }

            return WireError.None;
        }

        public static byte Type(byte[] buffer, int offset)
        {
            return buffer[offset];
        }

        /// <summary>Max Resp Code (v3) or Max Response Time in tenths of a second (v2); 0 in a v1 query and in reports.</summary>
        public static byte MaxResponseCode(byte[] buffer, int offset)
        {
            return buffer[offset + 1];
        }

        /// <summary>The group of a query (0 in a general query), v1/v2 report or leave, as <see cref="IPv4Address.Value"/>.</summary>
        public static uint Group(byte[] buffer, int offset)
        {
            return NetworkOrder.ReadUInt32(buffer, offset + 4);
        }

        /// <summary>
        /// The longest a host may wait before it answers a query of <paramref name="length"/> bytes, in milliseconds: 10 s
        /// for an IGMPv1 query (its field is 0, RFC 2236 section 4), the field in tenths of a second for IGMPv2, and the
        /// decoded Max Resp Code for IGMPv3 (RFC 3376 section 4.1.1).
        /// </summary>
        public static int MaxResponseTimeMs(byte[] buffer, int offset, int length)
        {
            int code = buffer[offset + 1];
            if (length == HeaderLength)
            {
                return code == 0 ? 10000 : code * 100;
            }

            return DecodeFloatingCode(code) * 100;
        }

        /// <summary>
        /// An IGMPv3 Max Resp Code or QQIC (RFC 3376 sections 4.1.1 and 4.1.7): below 128 the value itself, else a floating
        /// point number 1|exp(3)|mant(4) worth (mant | 0x10) &lt;&lt; (exp + 3).
        /// </summary>
        public static int DecodeFloatingCode(int code)
        {
            return code < 128 ? code : ((code & 0x0F) | 0x10) << (((code >> 4) & 0x07) + 3);
        }

        /// <summary>The code that stands for <paramref name="value"/> (rounded down to what the format holds, at most 31,744).</summary>
        public static int EncodeFloatingCode(int value)
        {
            if (value < 128)
            {
                return value < 0 ? 0 : value;
            }

            int exponent = 0;
            while (exponent < 7 && value >= (0x20 << (exponent + 3)))
            {
                exponent++;
            }

            int mantissa = (value >> (exponent + 3)) - 0x10;
            return 0x80 | (exponent << 4) | (mantissa > 0x0F ? 0x0F : mantissa);
        }

        /// <summary>IGMPv3 query: the S flag, "suppress router-side processing" (RFC 3376 section 4.1.5).</summary>
        public static bool SuppressRouterProcessing(byte[] buffer, int offset)
        {
            return (buffer[offset + 8] & 0x08) != 0;
        }

        /// <summary>IGMPv3 query: the Querier's Robustness Variable, 0 when above 7 (RFC 3376 section 4.1.6).</summary>
        public static int QuerierRobustness(byte[] buffer, int offset)
        {
            return buffer[offset + 8] & 0x07;
        }

        /// <summary>IGMPv3 query: the Querier's Query Interval in seconds, decoded from QQIC (RFC 3376 section 4.1.7).</summary>
        public static int QueryIntervalSeconds(byte[] buffer, int offset)
        {
            return DecodeFloatingCode(buffer[offset + 9]);
        }

        /// <summary>IGMPv3 query: how many source addresses follow (RFC 3376 section 4.1.8).</summary>
        public static int SourceCount(byte[] buffer, int offset)
        {
            return NetworkOrder.ReadUInt16(buffer, offset + 10);
        }

        /// <summary>IGMPv3 query: source <paramref name="index"/>.</summary>
        public static uint Source(byte[] buffer, int offset, int index)
        {
            return NetworkOrder.ReadUInt32(buffer, offset + V3QueryLength + 4 * index);
        }

        /// <summary>IGMPv3 report: how many group records follow the 8-byte header (RFC 3376 section 4.2.2).</summary>
        public static int GroupRecordCount(byte[] buffer, int offset)
        {
            return NetworkOrder.ReadUInt16(buffer, offset + 6);
        }

        /// <summary>The bytes of the group record at <paramref name="record"/>: 8, 4 per source and its auxiliary words (RFC 3376 section 4.2.4).</summary>
        public static int RecordLength(byte[] buffer, int record)
        {
            return GroupRecordLength + 4 * (NetworkOrder.ReadUInt16(buffer, record + 2) + buffer[record + 1]);
        }

        public static byte RecordType(byte[] buffer, int record)
        {
            return buffer[record];
        }

        /// <summary>Aux Data Len, in 32-bit words.</summary>
        public static int RecordAuxiliaryWords(byte[] buffer, int record)
        {
            return buffer[record + 1];
        }

        public static int RecordSourceCount(byte[] buffer, int record)
        {
            return NetworkOrder.ReadUInt16(buffer, record + 2);
        }

        public static uint RecordGroup(byte[] buffer, int record)
        {
            return NetworkOrder.ReadUInt32(buffer, record + 4);
        }

        public static uint RecordSource(byte[] buffer, int record, int index)
        {
            return NetworkOrder.ReadUInt32(buffer, record + GroupRecordLength + 4 * index);
        }

        /// <summary>Writes an 8-byte v1/v2 message (query, report, leave) with its checksum and returns its length.</summary>
        public static int Write(byte[] buffer, int offset, byte type, int maxResponseCode, uint group)
        {
            buffer[offset] = type;
            buffer[offset + 1] = (byte)maxResponseCode;
            NetworkOrder.WriteUInt32(buffer, offset + 4, group);
            FillChecksum(buffer, offset, HeaderLength);
            return HeaderLength;
        }

        /// <summary>
        /// Writes an IGMPv3 query without sources (checksum zero): a group and source query adds them with
        /// <see cref="NetworkOrder.WriteUInt32"/> and its count at offset 10, then <see cref="FillChecksum"/>.
        /// </summary>
        public static int WriteV3Query(byte[] buffer, int offset, int maxResponseCode, uint group, bool suppress, int robustness, int queryIntervalCode)
        {
            buffer[offset] = TypeMembershipQuery;
            buffer[offset + 1] = (byte)maxResponseCode;
            NetworkOrder.WriteUInt16(buffer, offset + 2, 0);
            NetworkOrder.WriteUInt32(buffer, offset + 4, group);
            buffer[offset + 8] = (byte)((suppress ? 0x08 : 0) | (robustness & 0x07));
            buffer[offset + 9] = (byte)queryIntervalCode;
            NetworkOrder.WriteUInt16(buffer, offset + 10, 0);
            return V3QueryLength;
        }

        /// <summary>Writes an IGMPv3 report's header for <paramref name="records"/> group records (checksum zero); the records follow.</summary>
        public static int WriteV3ReportHeader(byte[] buffer, int offset, int records)
        {
            NetworkOrder.WriteUInt32(buffer, offset, (uint)TypeV3Report << 24);
            NetworkOrder.WriteUInt32(buffer, offset + 4, (uint)records);
            return HeaderLength;
        }

        /// <summary>Writes a group record without sources or auxiliary data (the only kind RFC 5790's lightweight hosts send) and returns its length.</summary>
        public static int WriteGroupRecord(byte[] buffer, int offset, byte recordType, uint group)
        {
            NetworkOrder.WriteUInt32(buffer, offset, (uint)recordType << 24);
            NetworkOrder.WriteUInt32(buffer, offset + 4, group);
            return GroupRecordLength;
        }

        /// <summary>Computes and stores the checksum over a whole message of <paramref name="length"/> bytes.</summary>
        public static void FillChecksum(byte[] buffer, int offset, int length)
        {
            NetworkOrder.WriteUInt16(buffer, offset + 2, 0);
            NetworkOrder.WriteUInt16(buffer, offset + 2, InternetChecksum.Compute(buffer, offset, length));
        }
    }
}
