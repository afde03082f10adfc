namespace IoTStack.Net.Tls
{
    /// <summary>
    /// Writes big-endian integers and length-prefixed vectors (RFC 8446 section 3) into a caller's buffer up to a limit;
    /// writing past it sets <see cref="Overflow"/> and writes nothing more, so a message is built first and checked once.
    /// </summary>
    internal sealed class TlsWriter
    {
        internal byte[] Buffer;
        internal int Position;
        internal int Limit;
        internal bool Overflow;

        internal void Attach(byte[] buffer, int offset, int limit)
        {
            Buffer = buffer;
            Position = offset;
            Limit = limit;
            Overflow = false;
        }

        private bool Room(int count)
        {
            if (Overflow || Limit - Position < count)
            {
                Overflow = true;
                return false;
            }

            return true;
        }

        internal void Uint8(int value)
        {
            if (Room(1))
            {
                Buffer[Position++] = (byte)value;
            }
        }

        internal void Uint16(int value)
        {
            if (Room(2))
            {
                Buffer[Position] = (byte)(value >> 8);
                Buffer[Position + 1] = (byte)value;
                Position += 2;
            }
        }

        internal void Uint24(int value)
        {
            if (Room(3))
            {
                Buffer[Position] = (byte)(value >> 16);
                Buffer[Position + 1] = (byte)(value >> 8);
                Buffer[Position + 2] = (byte)value;
                Position += 3;
            }
        }

        internal void Bytes(byte[] source, int offset, int count)
        {
            if (Room(count))
            {
                System.Array.Copy(source, offset, Buffer, Position, count);
                Position += count;
            }
        }

        /// <summary>Leaves <paramref name="count"/> bytes for the caller to fill and returns where they start.</summary>
        internal int Reserve(int count)
        {
            int at = Position;
            if (Room(count))
            {
                Position += count;
            }

            return at;
        }

        /// <summary>Reserves a vector's length prefix of <paramref name="lengthBytes"/> bytes; <see cref="EndVector"/> fills it in.</summary>
        internal int BeginVector(int lengthBytes)
        {
            int mark = Position;
            if (Room(lengthBytes))
            {
                Position += lengthBytes;
            }

            return mark;
        }

        internal void EndVector(int mark, int lengthBytes)
        {
            if (Overflow)
            {
                return;
            }

            int length = Position - mark - lengthBytes;
            for (int i = lengthBytes - 1; i >= 0; i--)
            {
                Buffer[mark + i] = (byte)length;
                length >>= 8;
            }
        }
    }
}
