namespace IoTStack.Net.Tls
{
    /// <summary>
    /// A bounds-checked cursor over a message in a caller's buffer (RFC 8446 section 3: big-endian integers and
    /// length-prefixed vectors). A read past <see cref="End"/> sets <see cref="Failed"/> and returns 0 instead of reading:
    /// the caller checks once, after a group of reads, and answers decode_error. One instance is reused for every message.
    /// </summary>
    internal sealed class TlsReader
    {
        internal byte[] Buffer;
        internal int Position;
        internal int End;
        internal bool Failed;

        internal void Attach(byte[] buffer, int offset, int end)
        {
            Buffer = buffer;
            Position = offset;
            End = end;
            Failed = false;
        }

        internal bool Take(int count)
        {
            if (count < 0 || End - Position < count)
            {
                Failed = true;
                Position = End;
                return false;
            }

            Position += count;
            return true;
        }

        internal int Uint8()
        {
            return Take(1) ? Buffer[Position - 1] : 0;
        }

        internal int Uint16()
        {
            return Take(2) ? (Buffer[Position - 2] << 8) | Buffer[Position - 1] : 0;
        }

        internal int Uint24()
        {
            return Take(3) ? (Buffer[Position - 3] << 16) | (Buffer[Position - 2] << 8) | Buffer[Position - 1] : 0;
        }

        /// <summary>
        /// Reads a vector's length prefix (1, 2 or 3 bytes) and returns where the vector ends: the caller reads its body up
        /// to that point. A length past <see cref="End"/> fails and returns <see cref="End"/>.
        /// </summary>
        internal int Vector(int lengthBytes)
        {
            int length = lengthBytes == 1 ? Uint8() : (lengthBytes == 2 ? Uint16() : Uint24());
            if (Failed || End - Position < length)
            {
                Failed = true;
                Position = End;
                return End;
            }

            return Position + length;
        }
    }
}
