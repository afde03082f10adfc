namespace IoTStack.Crypto
{
    /// <summary>
    /// An authenticated cipher with associated data (RFC 5116): AES-GCM (NIST SP 800-38D) or ChaCha20-Poly1305
    /// (RFC 8439), as TLS 1.3 (RFC 8446 section 5.2) and TLS 1.2 (RFC 5288, RFC 7905) protect records with it. The key
    /// schedule is expanded once per <see cref="SetKey"/> into state taken at construction; nothing allocates after it.
    /// </summary>
    public interface IAead
    {
        /// <summary>Key length in bytes (16 or 32).</summary>
        int KeySize { get; }

        /// <summary>Nonce length in bytes (12 for both ciphers, RFC 5116 section 3.1).</summary>
        int NonceSize { get; }

        /// <summary>Authentication tag length in bytes (16).</summary>
        int TagSize { get; }

        /// <summary>Sets the key (<see cref="KeySize"/> bytes at <paramref name="offset"/>).</summary>
        void SetKey(byte[] key, int offset);

        /// <summary>
        /// Encrypts <paramref name="length"/> bytes of <paramref name="plaintext"/> and writes the ciphertext followed by
        /// the tag (<paramref name="length"/> + <see cref="TagSize"/> bytes) at <paramref name="output"/>[<paramref name="outputOffset"/>].
        /// The output may be the plaintext's own buffer at the same offset (in place).
        /// </summary>
        void Seal(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
            byte[] plaintext, int offset, int length, byte[] output, int outputOffset);

        /// <summary>
        /// Checks the tag at the end of <paramref name="length"/> bytes of <paramref name="ciphertext"/> (tag included) and,
        /// only when it matches, writes the <paramref name="length"/> - <see cref="TagSize"/> plaintext bytes at
        /// <paramref name="output"/>[<paramref name="outputOffset"/>] (in place allowed). False for a wrong tag or a
        /// length shorter than the tag; the tag is compared in constant time.
        /// </summary>
        bool Open(byte[] nonce, int nonceOffset, byte[] associatedData, int associatedOffset, int associatedLength,
            byte[] ciphertext, int offset, int length, byte[] output, int outputOffset);
    }
}
