namespace IoTStack.Crypto
{
    /// <summary>
    /// An incremental hash function (SHA-256, SHA-384, ...) over caller-owned buffers. Implementations take their
    /// state once, in the constructor, and never allocate after it (DESIGN.md rule 2), so one instance is reused for
    /// every message: <see cref="Reset"/>, any number of <see cref="Update"/> calls, then <see cref="Finish"/>.
    /// </summary>
    public interface IHash
    {
        /// <summary>The digest length in bytes (32 for SHA-256, 48 for SHA-384).</summary>
        int HashSize { get; }

        /// <summary>The compression function's block length in bytes (64 for SHA-256, 128 for SHA-384); HMAC needs it.</summary>
        int BlockSize { get; }

        /// <summary>Starts a new message.</summary>
        void Reset();

        /// <summary>Adds <paramref name="count"/> bytes of the message.</summary>
        void Update(byte[] data, int offset, int count);

        /// <summary>Writes the digest of the message so far to <paramref name="output"/> and starts a new message.</summary>
        void Finish(byte[] output, int offset);
    }
}
