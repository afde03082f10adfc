namespace IoTStack.Net.Mqtt
{
    /// <summary>
    /// Writes MQTT control packets into a byte[] from <see cref="Position"/> up to <see cref="Limit"/>. Each Write returns
    /// false, writing nothing, when the packet does not fit; otherwise it advances Position past it. One writer is kept and
    /// re-pointed with <see cref="Attach"/> (DESIGN.md rule 2). Version 4 is MQTT 3.1.1, 5 is MQTT 5.0.
    /// </summary>
    public sealed class MqttWriter
    {
        public byte[] Buffer;
        public int Position;
        public int Limit;
        public int Version = 4;

        public void Attach(byte[] buffer, int position, int limit, int version)
        {
            Buffer = buffer;
            Position = position;
            Limit = limit;
            Version = version;
        }

        /// <summary>Bytes a variable byte integer takes (3.1.1 section 2.2.3, 5.0 section 1.5.5).</summary>
        public static int VariableSize(int value)
        {
            return value < 128 ? 1 : (value < 16384 ? 2 : (value < 2097152 ? 3 : 4));
        }

        /// <summary>Bytes a packet with this remaining length takes on the wire.</summary>
        public static int PacketSize(int remainingLength)
        {
            return 1 + VariableSize(remainingLength) + remainingLength;
        }

        /// <summary>Bytes a PUBLISH takes (for checking it against the maximum packet size before writing).</summary>
        public static int PublishSize(int version, int topicLength, int payloadLength, int qos, int topicAlias)
        {
            return PacketSize(PublishRemaining(version, topicLength, payloadLength, qos, topicAlias));
        }

        private static int PublishRemaining(int version, int topicLength, int payloadLength, int qos, int topicAlias)
        {
            int properties = topicAlias > 0 ? 3 : 0;
            return 2 + topicLength + (qos > 0 ? 2 : 0) + (version >= 5 ? 1 + properties : 0) + payloadLength;
        }

        /// <summary>3.1.1 section 3.1, 5.0 section 3.1. Properties (5.0) are written only when not 0 (their defaults).</summary>
        public bool WriteConnect(bool cleanSession, int keepAliveSeconds, byte[] clientId, byte[] willTopic, byte[] willPayload,
            int willQos, bool willRetain, byte[] userName, byte[] password, long sessionExpiry, int receiveMaximum,
            int maximumPacketSize, int topicAliasMaximum)
        {
            int properties = 0;
            if (Version >= 5)
            {
                properties += sessionExpiry > 0 ? 5 : 0;
                properties += receiveMaximum > 0 && receiveMaximum < 65535 ? 3 : 0;
                properties += maximumPacketSize > 0 ? 5 : 0;
                properties += topicAliasMaximum > 0 ? 3 : 0;
            }

            int remaining = 10 + (Version >= 5 ? VariableSize(properties) + properties : 0) + 2 + Length(clientId);
            if (willTopic != null)
            {
                remaining += (Version >= 5 ? 1 : 0) + 2 + willTopic.Length + 2 + Length(willPayload);
            }

            if (userName != null)
            {
                remaining += 2 + userName.Length;
            }

            if (password != null)
            {
                remaining += 2 + password.Length;
            }

            if (!Begin((int)MqttPacketType.Connect << 4, remaining))
            {
                return false;
            }

            Put(0);
            Put(4);
            Put('M');
            Put('Q');
            Put('T');
            Put('T');
            Put(Version >= 5 ? 5 : 4);
            int flags = (cleanSession ? 0x02 : 0) | (userName != null ? 0x80 : 0) | (password != null ? 0x40 : 0);
            if (willTopic != null)
            {
                flags |= 0x04 | ((willQos & 3) << 3) | (willRetain ? 0x20 : 0);
            }

            Put(flags);
            Put16(keepAliveSeconds);
            if (Version >= 5)
            {
                PutVariable(properties);
                if (sessionExpiry > 0)
                {
                    Put(0x11);
                    Put32(sessionExpiry);
                }

                if (receiveMaximum > 0 && receiveMaximum < 65535)
                {
                    Put(0x21);
                    Put16(receiveMaximum);
                }

                if (maximumPacketSize > 0)
                {
                    Put(0x27);
                    Put32(maximumPacketSize);
                }

                if (topicAliasMaximum > 0)
                {
                    Put(0x22);
                    Put16(topicAliasMaximum);
                }
            }

            PutBinary(clientId, 0, Length(clientId));
            if (willTopic != null)
            {
                if (Version >= 5)
                {
                    Put(0); // will properties
                }

                PutBinary(willTopic, 0, willTopic.Length);
                PutBinary(willPayload, 0, Length(willPayload));
            }

            if (userName != null)
            {
                PutBinary(userName, 0, userName.Length);
            }

            if (password != null)
            {
                PutBinary(password, 0, password.Length);
            }

            return true;
        }

        /// <summary>
        /// 3.1.1 section 3.3, 5.0 section 3.3. <paramref name="topicAlias"/> (5.0) is written when above 0; with
        /// <paramref name="topicLength"/> 0 the alias alone names the topic.
        /// </summary>
        public bool WritePublish(byte[] topic, int topicOffset, int topicLength, byte[] payload, int payloadOffset, int payloadLength,
            int qos, bool retain, bool duplicate, int packetId, int topicAlias)
        {
            int remaining = PublishRemaining(Version, topicLength, payloadLength, qos, Version >= 5 ? topicAlias : 0);
            int first = ((int)MqttPacketType.Publish << 4) | (duplicate && qos > 0 ? 8 : 0) | ((qos & 3) << 1) | (retain ? 1 : 0);
            if (!Begin(first, remaining))
            {
                return false;
            }

            PutBinary(topic, topicOffset, topicLength);
            if (qos > 0)
            {
                Put16(packetId);
            }

            if (Version >= 5)
            {
                if (topicAlias > 0)
                {
                    Put(3);
                    Put(0x23);
                    Put16(topicAlias);
                }
                else
                {
                    Put(0);
                }
            }

            if (payloadLength > 0)
            {
                System.Array.Copy(payload, payloadOffset, Buffer, Position, payloadLength);
                Position += payloadLength;
            }

            return true;
        }

        /// <summary>
        /// PUBACK, PUBREC, PUBREL or PUBCOMP (3.1.1 sections 3.4-3.7); in 5.0 the reason code is written only when not
        /// 0, as 5.0 section 3.4.2.1 allows.
        /// </summary>
        public bool WriteAck(MqttPacketType type, int packetId, int reasonCode)
        {
            bool withReason = Version >= 5 && reasonCode != 0;
            if (!Begin(((int)type << 4) | (type == MqttPacketType.PubRel ? 2 : 0), withReason ? 3 : 2))
            {
                return false;
            }

            Put16(packetId);
            if (withReason)
            {
                Put(reasonCode);
            }

            return true;
        }

        /// <summary>SUBSCRIBE with one filter (3.1.1 section 3.8, 5.0 section 3.8: options byte with the QoS in bits 0-1).</summary>
        public bool WriteSubscribe(int packetId, byte[] filter, int filterOffset, int filterLength, int qos)
        {
            return WriteFilterPacket(MqttPacketType.Subscribe, packetId, filter, filterOffset, filterLength, qos);
        }

        /// <summary>UNSUBSCRIBE with one filter (3.1.1 section 3.10, 5.0 section 3.10).</summary>
        public bool WriteUnsubscribe(int packetId, byte[] filter, int filterOffset, int filterLength)
        {
            return WriteFilterPacket(MqttPacketType.Unsubscribe, packetId, filter, filterOffset, filterLength, -1);
        }

        private bool WriteFilterPacket(MqttPacketType type, int packetId, byte[] filter, int filterOffset, int filterLength, int qos)
        {
            int remaining = 2 + (Version >= 5 ? 1 : 0) + 2 + filterLength + (qos >= 0 ? 1 : 0);
            if (!Begin(((int)type << 4) | 2, remaining))
            {
                return false;
            }

            Put16(packetId);
            if (Version >= 5)
            {
                Put(0);
            }

            PutBinary(filter, filterOffset, filterLength);
            if (qos >= 0)
            {
                Put(qos & 3);
            }

            return true;
        }

        /// <summary>PINGREQ, PINGRESP, or a DISCONNECT with reason 0 (3.1.1 sections 3.12-3.14, 5.0 section 3.14.2.1).</summary>
        public bool WriteEmpty(MqttPacketType type)
        {
            return Begin((int)type << 4, 0);
        }

        /// <summary>CONNACK (3.1.1 section 3.2, 5.0 section 3.2), for brokers and test doubles; 5.0 properties only when above 0.</summary>
        public bool WriteConnAck(bool sessionPresent, int returnCode, int receiveMaximum, int topicAliasMaximum)
        {
            int properties = Version >= 5 ? (receiveMaximum > 0 ? 3 : 0) + (topicAliasMaximum > 0 ? 3 : 0) : 0;
            if (!Begin((int)MqttPacketType.ConnAck << 4, 2 + (Version >= 5 ? 1 + properties : 0)))
            {
                return false;
            }

            Put(sessionPresent ? 1 : 0);
            Put(returnCode);
            if (Version >= 5)
            {
                Put(properties);
                if (receiveMaximum > 0)
                {
                    Put(0x21);
                    Put16(receiveMaximum);
                }

                if (topicAliasMaximum > 0)
                {
                    Put(0x22);
                    Put16(topicAliasMaximum);
                }
            }

            return true;
        }

        /// <summary>SUBACK or UNSUBACK for one filter (3.1.1 sections 3.9, 3.11; 5.0 sections 3.9, 3.11), for brokers and test doubles.</summary>
        public bool WriteSubAck(MqttPacketType type, int packetId, int code)
        {
            bool withCode = type == MqttPacketType.SubAck || Version >= 5;
            if (!Begin((int)type << 4, 2 + (Version >= 5 ? 1 : 0) + (withCode ? 1 : 0)))
            {
                return false;
            }

            Put16(packetId);
            if (Version >= 5)
            {
                Put(0);
            }

            if (withCode)
            {
                Put(code);
            }

            return true;
        }

        private static int Length(byte[] bytes)
        {
            return bytes == null ? 0 : bytes.Length;
        }

        private bool Begin(int first, int remaining)
        {
            if (remaining > MqttPacket.MaximumRemainingLength || Buffer == null || PacketSize(remaining) > Limit - Position)
            {
                return false;
            }

            Put(first);
            PutVariable(remaining);
            return true;
        }

        private void Put(int value)
        {
            Buffer[Position] = (byte)value;
            Position++;
        }

        private void Put16(int value)
        {
            Buffer[Position] = (byte)(value >> 8);
            Buffer[Position + 1] = (byte)value;
            Position += 2;
        }

        private void Put32(long value)
        {
            Buffer[Position] = (byte)(value >> 24);
            Buffer[Position + 1] = (byte)(value >> 16);
            Buffer[Position + 2] = (byte)(value >> 8);
            Buffer[Position + 3] = (byte)value;
            Position += 4;
        }

        private void PutVariable(int value)
        {
            do
            {
                int b = value & 0x7F;
                value >>= 7;
                Put(value > 0 ? b | 0x80 : b);
            }
            while (value > 0);
        }

        private void PutBinary(byte[] bytes, int offset, int length)
        {
            Put16(length);
            if (length > 0)
            {
                System.Array.Copy(bytes, offset, Buffer, Position, length);
                Position += length;
            }
        }
    }
}
