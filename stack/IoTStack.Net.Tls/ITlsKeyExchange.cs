using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// One (EC)DHE group a <see cref="TlsClient"/> offers in supported_groups and key_share (RFC 8446 section 4.2.7,
    /// 4.2.8): X25519 (RFC 7748) or secp256r1 on the board, any implementation in tests. The private key lives inside
    /// the implementation, taken at its construction; a new one per <see cref="GenerateKeyShare"/> (section 4.2.8: never reused).
    /// </summary>
    public interface ITlsKeyExchange
    {
        /// <summary>The NamedGroup code point: 0x001D x25519, 0x0017 secp256r1 (section 4.2.7).</summary>
        int NamedGroup { get; }

        /// <summary>Bytes of KeyShareEntry.key_exchange: 32 for x25519, 65 (04 || X || Y) for secp256r1 (section 4.2.8.2).</summary>
        int KeyShareLength { get; }

        /// <summary>Bytes of the shared secret: 32 for both groups (the X coordinate for secp256r1, section 7.4.2).</summary>
        int SharedSecretLength { get; }

        /// <summary>Draws a fresh private key from <paramref name="entropy"/> and writes its public share (<see cref="KeyShareLength"/> bytes).</summary>
        void GenerateKeyShare(IEntropySource entropy, byte[] share, int offset);

        /// <summary>
        /// The shared secret with the server's <paramref name="length"/>-byte share, written at <paramref name="sharedOffset"/>;
        /// false for a share that is not a valid point (or, for x25519, a result of all zeros, RFC 7748 section 6.1).
        /// </summary>
        bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset);
    }
}
