namespace IoTStack.Net.Tcp
{
    /// <summary>Sequence number arithmetic modulo 2^32 (RFC 9293 section 3.4; RFC 1982).</summary>
    internal static class Sequence
    {
        internal static bool Lt(uint a, uint b)
        {
            return (int)(a - b) < 0;
        }

        internal static bool Le(uint a, uint b)
        {
            return (int)(a - b) <= 0;
        }

        internal static bool Gt(uint a, uint b)
        {
            return (int)(a - b) > 0;
        }

        internal static bool Ge(uint a, uint b)
        {
            return (int)(a - b) >= 0;
        }

        /// <summary>a &lt;= x &lt; b, modulo 2^32.</summary>
        internal static bool InRange(uint x, uint a, uint b)
        {
            return x - a < b - a;
        }
    }
}
