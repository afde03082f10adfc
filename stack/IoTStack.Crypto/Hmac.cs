using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// HMAC (RFC 2104) over any <see cref="IHash"/>. <see cref="Start"/> derives the inner and outer padded keys once
    /// and, for this assembly's hashes, absorbs each into a saved hash state (RFC 2104 section 4), so every MAC under
    /// the same key (<see cref="Restart"/>) costs only the message and two final compressions. Per instance: two
    /// BlockSize pad blocks, one HashSize digest, and two 9-word state snapshots.
    /// </summary>
    public sealed class Hmac
    {
        private const byte InnerPad = 0x36;
        private const byte OuterPad = 0x5C;

        private readonly IHash hash;
        private readonly IHashSnapshot snapshot;
        private readonly byte[] innerPadded;
        private readonly byte[] outerPadded;
        private readonly byte[] innerDigest;
        private readonly ulong[] innerState;
        private readonly ulong[] outerState;

        /// <summary>Creates an HMAC over <paramref name="hash"/>, which it uses exclusively from now on.</summary>
        public Hmac(IHash hash)
        {
            this.hash = hash;
            innerPadded = new byte[hash.BlockSize];
            outerPadded = new byte[hash.BlockSize];
            innerDigest = new byte[hash.HashSize];
            snapshot = hash as IHashSnapshot;
            if (snapshot != null)
            {
                innerState = new ulong[snapshot.SnapshotSize];
                outerState = new ulong[snapshot.SnapshotSize];
            }
        }

        /// <summary>The MAC length in bytes (the hash's digest length).</summary>
        public int HashSize => innerDigest.Length;

        /// <summary>
        /// Begins a MAC under <paramref name="length"/> bytes of key at <paramref name="offset"/>; a key longer than the
        /// hash's block is hashed first (RFC 2104 section 2).
        /// </summary>
        public void Start(byte[] key, int offset, int length)
        {
            int blockSize = innerPadded.Length;
            Array.Clear(innerPadded, 0, blockSize);
            if (length > blockSize)
            {
                hash.Reset();
                hash.Update(key, offset, length);
                hash.Finish(innerPadded, 0);
            }
            else
            {
                Array.Copy(key, offset, innerPadded, 0, length);
            }

            for (int i = 0; i < blockSize; i++)
            {
                byte k = innerPadded[i];
                innerPadded[i] = (byte)(k ^ InnerPad);
                outerPadded[i] = (byte)(k ^ OuterPad);
            }

            if (snapshot != null)
            {
                hash.Reset();
                hash.Update(outerPadded, 0, blockSize);
                snapshot.SaveState(outerState);
                hash.Reset();
                hash.Update(innerPadded, 0, blockSize);
                snapshot.SaveState(innerState);
            }
            else
            {
                Restart();
            }
        }

        /// <summary>Begins a new MAC under the key of the last <see cref="Start"/>.</summary>
        public void Restart()
        {
            if (snapshot != null)
            {
                snapshot.RestoreState(innerState);
            }
            else
            {
                hash.Reset();
                hash.Update(innerPadded, 0, innerPadded.Length);
            }
        }

        /// <summary>Adds <paramref name="count"/> bytes of the message.</summary>
        public void Update(byte[] data, int offset, int count)
        {
            hash.Update(data, offset, count);
        }

        /// <summary>
        /// Writes the MAC (<see cref="HashSize"/> bytes) at <paramref name="offset"/>; then <see cref="Restart"/> or
        /// <see cref="Start"/> begins the next one.
        /// </summary>
        public void Finish(byte[] output, int offset)
        {
            hash.Finish(innerDigest, 0);
            if (snapshot != null)
            {
                snapshot.RestoreState(outerState);
            }
            else
            {
                hash.Update(outerPadded, 0, outerPadded.Length);
            }

            hash.Update(innerDigest, 0, innerDigest.Length);
            hash.Finish(output, offset);
        }
    }
}
