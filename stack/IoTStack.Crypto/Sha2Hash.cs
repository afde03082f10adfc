using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// What SHA-256 and the SHA-512 family share (FIPS 180-4): the block buffer that gathers a message into whole blocks,
    /// compressing whole blocks straight from the caller's array, and the padding of section 5.1 (a 1 bit, zeros, and the
    /// message length in bits, big-endian, in the block's last 8 bytes for 64-byte blocks, 16 for 128-byte ones). Each
    /// hash brings its state, its compression and its output.
    /// </summary>
    public abstract class Sha2Hash : IHash
    {
        private readonly byte[] block;
        private readonly int blockSize;
        private int blockLength;
        private ulong messageLength;

        internal Sha2Hash(int blockSize)
        {
            this.blockSize = blockSize;
            block = new byte[blockSize];
        }

        /// <inheritdoc />
        public abstract int HashSize { get; }

        /// <inheritdoc />
        public int BlockSize => blockSize;

        /// <summary>Bytes hashed since the last Reset (restored with a snapshot).</summary>
        internal ulong MessageLength => messageLength;

        /// <inheritdoc />
        public abstract void Reset();

        /// <inheritdoc />
        public void Update(byte[] data, int offset, int count)
        {
            messageLength += (ulong)count;
            if (blockLength > 0)
            {
                int take = blockSize - blockLength;
                if (take > count)
                {
                    take = count;
                }

                Array.Copy(data, offset, block, blockLength, take);
                blockLength += take;
                offset += take;
                count -= take;
                if (blockLength < blockSize)
                {
                    return;
                }

                Compress(block, 0);
                blockLength = 0;
            }

            while (count >= blockSize)
            {
                Compress(data, offset);
                offset += blockSize;
                count -= blockSize;
            }

            if (count > 0)
            {
                Array.Copy(data, offset, block, 0, count);
                blockLength = count;
            }
        }

        /// <inheritdoc />
        public void Finish(byte[] output, int offset)
        {
            // FIPS 180-4 sections 5.1.1 and 5.1.2: the length field is 64 bits for 64-byte blocks, 128 bits for 128-byte ones.
            int lengthField = blockSize >> 3;
            block[blockLength++] = 0x80;
            if (blockLength > blockSize - lengthField)
            {
                Array.Clear(block, blockLength, blockSize - blockLength);
                Compress(block, 0);
                blockLength = 0;
            }

            Array.Clear(block, blockLength, blockSize - 8 - blockLength);
            ulong bitLength = messageLength << 3;
            ulong bitLengthHigh = messageLength >> 61;
            for (int i = 0; i < 8; i++)
            {
                block[blockSize - 1 - i] = (byte)(bitLength >> (8 * i));
            }

            if (lengthField == 16)
            {
                for (int i = 0; i < 8; i++)
                {
                    block[blockSize - 9 - i] = (byte)(bitLengthHigh >> (8 * i));
                }
            }

            Compress(block, 0);
            WriteHash(output, offset);
            Reset();
        }

        /// <summary>Starts a new message: no bytes buffered or counted (the hash's Reset sets its state).</summary>
        internal void ClearMessage()
        {
            blockLength = 0;
            messageLength = 0;
        }

        /// <summary>A snapshot's length restored; a snapshot is taken on a block boundary, so nothing is buffered.</summary>
        internal void RestoreMessageLength(ulong length)
        {
            messageLength = length;
            blockLength = 0;
        }

        /// <summary>One block of <see cref="BlockSize"/> bytes at <paramref name="offset"/> into the state.</summary>
        internal abstract void Compress(byte[] data, int offset);

        /// <summary>The final state as the <see cref="HashSize"/>-byte hash, big-endian.</summary>
        internal abstract void WriteHash(byte[] output, int offset);
    }
}
