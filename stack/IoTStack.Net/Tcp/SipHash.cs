namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// The SipHash-2-4 construction (Aumasson and Bernstein, 2012: two compression rounds per word, four
    /// finalisation rounds) over a connection's 4-tuple packed into two 64-bit words: the keyed
    /// pseudo-random function F that RFC 6528 section 3 asks for in initial sequence numbers. The packing
    /// is ours, so outputs differ from SipHash's byte-string test vectors; the keyed mixing is the same.
    /// </summary>
    internal static class SipHash
    {
        internal static ulong FourTuple(ulong key0, ulong key1, uint localAddress, int localPort, uint remoteAddress, int remotePort)
        {
            return Hash(key0, key1, localAddress, localPort, remoteAddress, remotePort, false, 0);
        }

        /// <summary>The same over a third word: the 4-tuple and 56 bits of <paramref name="data"/> (a SYN cookie's inputs).</summary>
        internal static ulong FourTupleWith(ulong key0, ulong key1, uint localAddress, int localPort, uint remoteAddress, int remotePort, ulong data)
        {
            return Hash(key0, key1, localAddress, localPort, remoteAddress, remotePort, true, data);
        }

        private static ulong Hash(ulong key0, ulong key1, uint localAddress, int localPort, uint remoteAddress, int remotePort, bool withData, ulong data)
        {
            ulong v0 = key0 ^ 0x736f6d6570736575UL;
            ulong v1 = key1 ^ 0x646f72616e646f6dUL;
            ulong v2 = key0 ^ 0x6c7967656e657261UL;
            ulong v3 = key1 ^ 0x7465646279746573UL;
            ulong m0 = ((ulong)localAddress << 32) | remoteAddress;
            ulong ports = ((ulong)(uint)localPort << 16) | (uint)remotePort;
            Absorb(ref v0, ref v1, ref v2, ref v3, m0);
            if (withData)
            {
                // The last word carries the message length in its top byte, as SipHash's does: 12 bytes, or 19 with data.
                Absorb(ref v0, ref v1, ref v2, ref v3, ports);
                Absorb(ref v0, ref v1, ref v2, ref v3, ((ulong)19 << 56) | (data & 0x00FFFFFFFFFFFFFFUL));
            }
            else
            {
                Absorb(ref v0, ref v1, ref v2, ref v3, ((ulong)12 << 56) | ports);
            }

            v2 ^= 0xFF;
            for (int i = 0; i < 4; i++)
            {
                Round(ref v0, ref v1, ref v2, ref v3);
            }

            return v0 ^ v1 ^ v2 ^ v3;
        }

        private static void Absorb(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ulong m)
        {
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
        {
            v0 += v1;
            v1 = Rotate(v1, 13);
            v1 ^= v0;
            v0 = Rotate(v0, 32);
            v2 += v3;
            v3 = Rotate(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Rotate(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Rotate(v1, 17);
            v1 ^= v2;
            v2 = Rotate(v2, 32);
        }

        private static ulong Rotate(ulong value, int bits)
        {
            return (value << bits) | (value >> (64 - bits));
        }
    }
}
