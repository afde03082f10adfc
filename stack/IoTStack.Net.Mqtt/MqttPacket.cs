namespace IoTStack.Net.Mqtt
{
    /// <summary>
    /// A view over one MQTT control packet in a byte[] (like the header views of IoTStack.Net.Wire): <see cref="Parse"/>
    /// checks it and fills the fields in place, nothing is copied or allocated, and a client keeps one and re-points it
    /// for every packet (DESIGN.md rule 2). Fields are offsets into <see cref="Buffer"/>. Both versions: 4 is MQTT 3.1.1,
    /// 5 is MQTT 5.0 (its properties are read for what a client uses and checked for the rest).
    /// </summary>
    public sealed class MqttPacket
    {
        /// <summary>The largest remaining length four bytes encode (3.1.1 section 2.2.3).</summary>
        public const int MaximumRemainingLength = 268435455;

        private int _at;
        private int _end;

        public byte[] Buffer;
        public int Offset;
        public MqttPacketType Type;
        public int Flags;
        public int HeaderLength;
        public int RemainingLength;

        /// <summary>Fixed header plus remaining length: the bytes this packet takes.</summary>
        public int TotalLength;

        public int Version;
        public int PacketId;
        public int Qos;
        public bool Retain;
        public bool Duplicate;
        public int TopicOffset;
        public int TopicLength;
        public int PayloadOffset;
        public int PayloadLength;

        /// <summary>CONNACK's return code (3.1.1) or a 5.0 reason code (CONNACK, PUBACK..PUBCOMP, DISCONNECT); 0 is success.</summary>
        public int ReasonCode;

        public bool SessionPresent;

        /// <summary>SUBACK/UNSUBACK (5.0) return codes, one byte per filter, and CONNECT/SUBSCRIBE/UNSUBSCRIBE's filter list.</summary>
        public int ListOffset;
        public int ListLength;

        // 5.0 properties (5.0 section 2.2.2.2); -1 when absent.
        public int TopicAlias;
        public int ReceiveMaximum;
        public long MaximumPacketSize;
        public int TopicAliasMaximum;
        public long SessionExpiry;
        public int ServerKeepAlive;
        public int MaximumQos;

        // CONNECT (what a broker reads; the test broker and fuzzing use it).
        public int ProtocolLevel;
        public int ConnectFlags;
        public int KeepAlive;
        public int ClientIdOffset;
        public int ClientIdLength;
        public int WillTopicOffset;
        public int WillTopicLength;
        public int WillPayloadOffset;
        public int WillPayloadLength;
        public int UserNameOffset;
        public int UserNameLength;
        public int PasswordOffset;
        public int PasswordLength;

        /// <summary>
        /// Checks the packet at <paramref name="offset"/> (of which <paramref name="count"/> bytes are there) and fills the
        /// fields. Incomplete when more bytes are needed; TooLarge as soon as the fixed header says it would not fit
        /// <paramref name="maximumSize"/> bytes, so a reader does not wait for bytes it cannot hold.
        /// </summary>
        public MqttError Parse(byte[] buffer, int offset, int count, int version, int maximumSize)
        {
            Buffer = buffer;
            Offset = offset;
            Version = version;
            TotalLength = 0;
            if (buffer == null || offset < 0 || count < 0 || offset > buffer.Length - count)
            {
                return MqttError.BadLength;
            }

            if (count < 1)
            {
                return MqttError.Incomplete;
            }

            int first = buffer[offset];
            Type = (MqttPacketType)(first >> 4);
            Flags = first & 0x0F;
            MqttError error = CheckFlags();
            if (error != MqttError.None)
            {
                return error;
            }

            // Remaining length: a variable byte integer of at most 4 bytes (3.1.1 section 2.2.3, 5.0 section 1.5.5),
            // minimally encoded (5.0 section 1.5.5 requires it; 3.1.1 brokers write it so too).
            int value = 0;
            int shift = 0;
            int index = 1;
            while (true)
            {
                if (index > 4)
                {
                    return MqttError.BadRemainingLength;
                }

                if (index >= count)
                {
                    return MqttError.Incomplete;
                }

                int b = buffer[offset + index];
                value |= (b & 0x7F) << shift;
                index++;
                if ((b & 0x80) == 0)
                {
                    if (b == 0 && index > 2)
                    {
                        return MqttError.BadRemainingLength;
                    }

                    break;
                }

                shift += 7;
            }

            HeaderLength = index;
            RemainingLength = value;
            if (value > maximumSize - index)
            {
                return MqttError.TooLarge;
            }

            TotalLength = index + value;
            if (count < TotalLength)
            {
                return MqttError.Incomplete;
            }

            _at = offset + index;
            _end = offset + TotalLength;
            Clear();
            return ParseBody();
        }

        private void Clear()
        {
            PacketId = 0;
            Qos = 0;
            Retain = false;
            Duplicate = false;
            TopicOffset = 0;
            TopicLength = 0;
            PayloadOffset = 0;
            PayloadLength = 0;
            ReasonCode = 0;
            SessionPresent = false;
            ListOffset = 0;
            ListLength = 0;
            TopicAlias = -1;
            ReceiveMaximum = -1;
            MaximumPacketSize = -1;
            TopicAliasMaximum = -1;
            SessionExpiry = -1;
            ServerKeepAlive = -1;
            MaximumQos = -1;
        }

        /// <summary>The fixed-header flags each type must carry (3.1.1 section 2.2.2, 5.0 section 2.1.3).</summary>
        private MqttError CheckFlags()
        {
            switch (Type)
            {
                case MqttPacketType.Reserved:
                    return MqttError.UnknownType;
                case MqttPacketType.Auth:
                    if (Version < 5)
                    {
                        return MqttError.UnknownType;
                    }

                    return Flags == 0 ? MqttError.None : MqttError.BadFlags;
                case MqttPacketType.Publish:
                    Qos = (Flags >> 1) & 3;
                    return Qos == 3 ? MqttError.BadQos : MqttError.None;
                case MqttPacketType.PubRel:
                case MqttPacketType.Subscribe:
                case MqttPacketType.Unsubscribe:
                    return Flags == 2 ? MqttError.None : MqttError.BadFlags;
                default:
                    return Flags == 0 ? MqttError.None : MqttError.BadFlags;
            }
        }

        private MqttError ParseBody()
        {
            switch (Type)
            {
                case MqttPacketType.Connect:
                    return ParseConnect();
                case MqttPacketType.ConnAck:
                    return ParseConnAck();
                case MqttPacketType.Publish:
                    return ParsePublish();
                case MqttPacketType.PubAck:
                case MqttPacketType.PubRec:
                case MqttPacketType.PubRel:
                case MqttPacketType.PubComp:
                    return ParseAck();
                case MqttPacketType.Subscribe:
                case MqttPacketType.Unsubscribe:
                    return ParseSubscribe();
                case MqttPacketType.SubAck:
                case MqttPacketType.UnsubAck:
                    return ParseSubAck();
                case MqttPacketType.PingReq:
                case MqttPacketType.PingResp:
                    return RemainingLength == 0 ? MqttError.None : MqttError.BadLength;
                case MqttPacketType.Disconnect:
                case MqttPacketType.Auth:
                    return ParseDisconnect();
            }

            return MqttError.UnknownType;
        }

        private MqttError ParseConnAck()
        {
            // 3.1.1 section 3.2: acknowledge flags (bit 0 session present, the rest 0) and return code; 5.0 section 3.2 adds properties.
            if (Version < 5 ? RemainingLength != 2 : RemainingLength < 2)
            {
                return MqttError.BadLength;
            }

            int flags = Buffer[_at];
            if ((flags & 0xFE) != 0)
            {
                return MqttError.BadFlags;
            }

            SessionPresent = flags == 1;
            ReasonCode = Buffer[_at + 1];
            _at += 2;
            if (Version >= 5)
            {
                if (_at == _end)
                {
                    return MqttError.None; // no property length: as if 0
                }

                return ReadProperties();
            }

            return MqttError.None;
        }

        private MqttError ParsePublish()
        {
            // 3.1.1 section 3.3: topic name, packet identifier when QoS > 0, payload; 5.0 section 3.3 adds properties.
            Retain = (Flags & 1) != 0;
            Duplicate = (Flags & 8) != 0;
            Qos = (Flags >> 1) & 3;
            if (Qos == 0 && Duplicate)
            {
                return MqttError.BadFlags; // 3.1.1 section 3.3.1.1: DUP must be 0 for QoS 0
            }

            MqttError error = ReadString(out TopicOffset, out TopicLength);
            if (error != MqttError.None)
            {
                return error;
            }

            if (!MqttTopic.IsValidName(Buffer, TopicOffset, TopicLength, Version >= 5))
            {
                return MqttError.BadTopic;
            }

            if (Qos > 0)
            {
                error = ReadPacketId();
                if (error != MqttError.None)
                {
                    return error;
                }
            }

            if (Version >= 5)
            {
                error = ReadProperties();
                if (error != MqttError.None)
                {
                    return error;
                }

                if (TopicLength == 0 && TopicAlias < 0)
                {
                    return MqttError.BadTopic; // 5.0 section 3.3.2.1: an empty name needs an alias
                }
            }

            PayloadOffset = _at;
            PayloadLength = _end - _at;
            return MqttError.None;
        }

        private MqttError ParseAck()
        {
            // 3.1.1 sections 3.4-3.7: exactly a packet identifier; 5.0 sections 3.4-3.7: optionally a reason code and properties.
            if (Version < 5 ? RemainingLength != 2 : RemainingLength < 2)
            {
                return MqttError.BadLength;
            }

            MqttError error = ReadPacketId();
            if (error != MqttError.None || _at == _end)
            {
                return error;
            }

            ReasonCode = Buffer[_at];
            _at++;
            if (_at == _end)
            {
                return MqttError.None;
            }

            return ReadProperties();
        }

        private MqttError ParseSubAck()
        {
            // 3.1.1 sections 3.9, 3.11: packet identifier, then (SUBACK) one return code per filter: 0, 1, 2 or 0x80.
            // 5.0 sections 3.9, 3.11: properties, then one reason code per filter for both.
            MqttError error = ReadPacketId();
            if (error != MqttError.None)
            {
                return error;
            }

            if (Version >= 5)
            {
                error = ReadProperties();
                if (error != MqttError.None)
                {
                    return error;
                }
            }
            else if (Type == MqttPacketType.UnsubAck)
            {
                return _at == _end ? MqttError.None : MqttError.BadLength;
            }

            ListOffset = _at;
            ListLength = _end - _at;
            if (ListLength == 0)
            {
                return MqttError.BadLength;
            }

            if (Version < 5)
            {
                for (int i = ListOffset; i < _end; i++)
                {
                    int code = Buffer[i];
                    if (code > 2 && code != 0x80)
                    {
                        return MqttError.BadProperty;
                    }
                }
            }

            return MqttError.None;
        }

        private MqttError ParseSubscribe()
        {
            // 3.1.1 sections 3.8, 3.10: packet identifier, then filters (with a QoS byte each for SUBSCRIBE); 5.0 adds properties.
            MqttError error = ReadPacketId();
            if (error == MqttError.None && Version >= 5)
            {
                error = ReadProperties();
            }

            if (error != MqttError.None)
            {
                return error;
            }

            ListOffset = _at;
            ListLength = _end - _at;
            if (ListLength == 0)
            {
                return MqttError.BadLength; // 3.1.1 section 3.8.3: at least one filter
            }

            while (_at < _end)
            {
                int offset;
                int length;
                error = ReadString(out offset, out length);
                if (error != MqttError.None)
                {
                    return error;
                }

                if (!MqttTopic.IsValidFilter(Buffer, offset, length))
                {
                    return MqttError.BadTopic;
                }

                if (Type == MqttPacketType.Subscribe)
                {
                    if (_at >= _end)
                    {
                        return MqttError.BadLength;
                    }

                    int options = Buffer[_at];
                    _at++;
                    if ((options & 3) == 3 || (options & (Version >= 5 ? 0xC0 : 0xFC)) != 0)
                    {
                        return MqttError.BadQos;
                    }
                }
            }

            return MqttError.None;
        }

        private MqttError ParseDisconnect()
        {
            // 3.1.1 section 3.14: no body; 5.0 sections 3.14, 3.15: optional reason code and properties.
            if (Version < 5)
            {
                return RemainingLength == 0 ? MqttError.None : MqttError.BadLength;
            }

            if (_at == _end)
            {
                return MqttError.None;
            }

            ReasonCode = Buffer[_at];
            _at++;
            return _at == _end ? MqttError.None : ReadProperties();
        }

        private MqttError ParseConnect()
        {
            // 3.1.1 section 3.1 / 5.0 section 3.1: "MQTT", level, flags, keep alive, [properties], payload.
            int offset;
            int length;
            MqttError error = ReadString(out offset, out length);
            if (error != MqttError.None)
            {
                return error;
            }

            if (length != 4 || Buffer[offset] != (byte)'M' || Buffer[offset + 1] != (byte)'Q' || Buffer[offset + 2] != (byte)'T' || Buffer[offset + 3] != (byte)'T')
            {
                return MqttError.UnexpectedPacket;
            }

            if (_end - _at < 4)
            {
                return MqttError.BadLength;
            }

            ProtocolLevel = Buffer[_at];
            ConnectFlags = Buffer[_at + 1];
            KeepAlive = (Buffer[_at + 2] << 8) | Buffer[_at + 3];
            _at += 4;
            int flags = ConnectFlags;
            bool will = (flags & 0x04) != 0;
            int willQos = (flags >> 3) & 3;
            if ((flags & 1) != 0 || willQos == 3 || (!will && (flags & 0x38) != 0) || ((flags & 0x80) == 0 && (flags & 0x40) != 0 && ProtocolLevel < 5))
            {
                return MqttError.BadFlags; // 3.1.1 section 3.1.2.3: reserved bit 0; will QoS/retain only with a will; password needs a user
            }

            int saved = Version;
            Version = ProtocolLevel >= 5 ? 5 : 4;
            if (Version >= 5)
            {
                error = ReadProperties();
            }

            if (error == MqttError.None)
            {
                error = ReadString(out ClientIdOffset, out ClientIdLength);
            }

            WillTopicLength = 0;
            WillPayloadLength = 0;
            UserNameLength = 0;
            PasswordLength = 0;
            if (error == MqttError.None && will)
            {
                if (Version >= 5)
                {
                    long expiry = SessionExpiry;
                    error = ReadProperties();
                    SessionExpiry = expiry;
                }

                if (error == MqttError.None)
                {
                    error = ReadString(out WillTopicOffset, out WillTopicLength);
                }

                if (error == MqttError.None && !MqttTopic.IsValidName(Buffer, WillTopicOffset, WillTopicLength, false))
                {
                    error = MqttError.BadTopic;
                }

                if (error == MqttError.None)
                {
                    error = ReadBinary(out WillPayloadOffset, out WillPayloadLength);
                }
            }

            if (error == MqttError.None && (flags & 0x80) != 0)
            {
                error = ReadString(out UserNameOffset, out UserNameLength);
            }

            if (error == MqttError.None && (flags & 0x40) != 0)
            {
                error = ReadBinary(out PasswordOffset, out PasswordLength);
            }

            if (error == MqttError.None && _at != _end)
            {
                error = MqttError.BadLength;
            }

            Version = saved;
            return error;
        }

        private MqttError ReadPacketId()
        {
            if (_end - _at < 2)
            {
                return MqttError.BadLength;
            }

            PacketId = (Buffer[_at] << 8) | Buffer[_at + 1];
            _at += 2;
            return PacketId == 0 ? MqttError.BadPacketId : MqttError.None;
        }

        private MqttError ReadBinary(out int offset, out int length)
        {
            offset = 0;
            length = 0;
            if (_end - _at < 2)
            {
                return MqttError.BadLength;
            }

            length = (Buffer[_at] << 8) | Buffer[_at + 1];
            offset = _at + 2;
            if (length > _end - offset)
            {
                return MqttError.BadLength;
            }

            _at = offset + length;
            return MqttError.None;
        }

        /// <summary>A UTF-8 encoded string: two-byte length, then well-formed UTF-8 without U+0000 (3.1.1 section 1.5.3).</summary>
        private MqttError ReadString(out int offset, out int length)
        {
            MqttError error = ReadBinary(out offset, out length);
            if (error == MqttError.None && !MqttTopic.IsValidUtf8(Buffer, offset, length))
            {
                return MqttError.BadUtf8;
            }

            return error;
        }

        /// <summary>Reads a variable byte integer at the cursor (5.0 section 1.5.5); -1 when malformed or cut short.</summary>
        private int ReadVariable()
        {
            int value = 0;
            int shift = 0;
            for (int i = 0; i < 4; i++)
            {
                if (_at >= _end)
                {
                    return -1;
                }

                int b = Buffer[_at];
                _at++;
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return b == 0 && i > 0 ? -1 : value;
                }

                shift += 7;
            }

            return -1;
        }

        /// <summary>
        /// The property length and properties at the cursor (5.0 section 2.2.2): each identifier known, its value inside
        /// the packet, strings valid UTF-8; what a client acts on is kept in the fields.
        /// </summary>
        private MqttError ReadProperties()
        {
            int length = ReadVariable();
            if (length < 0 || length > _end - _at)
            {
                return MqttError.BadLength;
            }

            int end = _at + length;
            int savedEnd = _end;
            _end = end;
            MqttError error = MqttError.None;
            while (_at < end && error == MqttError.None)
            {
                int id = ReadVariable();
                int offset;
                int size;
                switch (id)
                {
                    case 0x01: // payload format indicator
                    case 0x17: // request problem information
                    case 0x19: // request response information
                    case 0x24: // maximum QoS
                    case 0x25: // retain available
                    case 0x28: // wildcard subscription available
                    case 0x29: // subscription identifiers available
                    case 0x2A: // shared subscription available
                        if (_at >= end)
                        {
                            error = MqttError.BadLength;
                            break;
                        }

                        if (id == 0x24)
                        {
                            MaximumQos = Buffer[_at];
                        }

                        _at++;
                        break;
                    case 0x13: // server keep alive
                    case 0x21: // receive maximum
                    case 0x22: // topic alias maximum
                    case 0x23: // topic alias
                        if (end - _at < 2)
                        {
                            error = MqttError.BadLength;
                            break;
                        }

                        int value16 = (Buffer[_at] << 8) | Buffer[_at + 1];
                        _at += 2;
                        if (id == 0x13)
                        {
                            ServerKeepAlive = value16;
                        }
                        else if (id == 0x21)
                        {
                            if (value16 == 0)
                            {
                                error = MqttError.BadProperty; // 5.0 section 3.2.2.3.3: receive maximum 0 is a protocol error
                            }

                            ReceiveMaximum = value16;
                        }
                        else if (id == 0x22)
                        {
                            TopicAliasMaximum = value16;
                        }
                        else
                        {
                            if (value16 == 0 || TopicAlias >= 0)
                            {
                                error = MqttError.BadTopicAlias;
                            }

                            TopicAlias = value16;
                        }

                        break;
                    case 0x02: // message expiry interval
                    case 0x11: // session expiry interval
                    case 0x18: // will delay interval
                    case 0x27: // maximum packet size
                        if (end - _at < 4)
                        {
                            error = MqttError.BadLength;
                            break;
                        }

                        long value32 = ((long)Buffer[_at] << 24) | ((long)Buffer[_at + 1] << 16) | ((long)Buffer[_at + 2] << 8) | Buffer[_at + 3];
                        _at += 4;
                        if (id == 0x11)
                        {
                            SessionExpiry = value32;
                        }
                        else if (id == 0x27)
                        {
                            if (value32 == 0)
                            {
                                error = MqttError.BadProperty;
                            }

                            MaximumPacketSize = value32;
                        }

                        break;
                    case 0x0B: // subscription identifier
                        if (ReadVariable() <= 0)
                        {
                            error = MqttError.BadProperty;
                        }

                        break;
                    case 0x03: // content type
                    case 0x08: // response topic
                    case 0x12: // assigned client identifier
                    case 0x15: // authentication method
                    case 0x1A: // response information
                    case 0x1C: // server reference
                    case 0x1F: // reason string
                        error = ReadString(out offset, out size);
                        break;
                    case 0x09: // correlation data
                    case 0x16: // authentication data
                        error = ReadBinary(out offset, out size);
                        break;
                    case 0x26: // user property: a string pair
                        error = ReadString(out offset, out size);
                        if (error == MqttError.None)
                        {
                            error = ReadString(out offset, out size);
                        }

                        break;
                    default:
                        error = MqttError.BadProperty;
                        break;
                }
            }

            _end = savedEnd;
            return error;
        }
    }
}
