namespace IoTStack.Crypto
{
    /// <summary>SHA-512 (FIPS 180-4 section 6.4): the 64-bit compression of <see cref="Sha512Family"/>, all 64 bytes output.</summary>
    public sealed class Sha512 : Sha512Family
    {
        // FIPS 180-4 section 5.3.5.
        private static readonly ulong[] InitialHash =
        {
            0x6A09E667F3BCC908UL, 0xBB67AE8584CAA73BUL, 0x3C6EF372FE94F82BUL, 0xA54FF53A5F1D36F1UL,
            0x510E527FADE682D1UL, 0x9B05688C2B3E6C1FUL, 0x1F83D9ABFB41BD6BUL, 0x5BE0CD19137E2179UL,
        };

        /// <summary>Creates the hash, ready for a first message.</summary>
        public Sha512()
            : base(InitialHash, 64)
        {
        }
    }
}
