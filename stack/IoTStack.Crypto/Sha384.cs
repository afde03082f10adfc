namespace IoTStack.Crypto
{
    /// <summary>
    /// SHA-384 (FIPS 180-4 section 6.5): SHA-512's compression from its own initial hash value, the first 48 bytes
    /// of the final state output.
    /// </summary>
    public sealed class Sha384 : Sha512Family
    {
        // FIPS 180-4 section 5.3.4.
        private static readonly ulong[] InitialHash =
        {
            0xCBBB9D5DC1059ED8UL, 0x629A292A367CD507UL, 0x9159015A3070DD17UL, 0x152FECD8F70E5939UL,
            0x67332667FFC00B31UL, 0x8EB44A8768581511UL, 0xDB0C2E0D64F98FA7UL, 0x47B5481DBEFA4FA4UL,
        };

        /// <summary>Creates the hash, ready for a first message.</summary>
        public Sha384()
            : base(InitialHash, 48)
        {
        }
    }
}
