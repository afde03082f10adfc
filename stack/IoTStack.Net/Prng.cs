namespace IoTStack.Net
{
    /// <summary>
    /// xorshift32 (Marsaglia 2003): cheap, allocation-free randomness for port choice and identifiers.
    /// Not a cryptographic generator; TCP's initial sequence numbers get their own keyed hash (RFC 6528).
    /// </summary>
    public sealed class Prng
    {
        private uint _state;

        public Prng(uint seed)
        {
            _state = seed == 0 ? 0x9E3779B9 : seed;
        }

        public uint Next()
        {
            uint x = _state;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            _state = x;
            return x;
        }
    }
}
