namespace IoTStack.Crypto
{
    /// <summary>
    /// Saves and restores a hash's chaining state at a block boundary, so <see cref="Hmac"/> absorbs the padded key
    /// blocks once per key (RFC 2104 section 4, "precomputations") instead of once per MAC.
    /// </summary>
    internal interface IHashSnapshot
    {
        /// <summary>The number of ulong words <see cref="SaveState"/> writes.</summary>
        int SnapshotSize { get; }

        /// <summary>Writes the chaining state and message length; only valid when a whole number of blocks was hashed.</summary>
        void SaveState(ulong[] snapshot);

        /// <summary>Continues the message from a state <see cref="SaveState"/> wrote.</summary>
        void RestoreState(ulong[] snapshot);
    }
}
