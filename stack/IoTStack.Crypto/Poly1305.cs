namespace IoTStack.Crypto
{
    /// <summary>
    /// The Poly1305 one-time authenticator (RFC 8439 section 2.5): the accumulator and the clamped r held as five
    /// 26-bit limbs in uint fields, so each 16-byte block is 25 32x32-to-64-bit products and a carry chain (no big
    /// integers, no arrays in the arithmetic). Per instance: one 16-byte partial block buffer.
    /// </summary>
    public sealed class Poly1305
    {
        private const uint LimbMask = 0x3FFFFFF;

        private readonly byte[] buffer = new byte[16];
        private int bufferLength;
        private uint r0, r1, r2, r3, r4;
        private uint h0, h1, h2, h3, h4;
        private uint pad0, pad1, pad2, pad3;

        /// <summary>Starts a tag under the 32-byte one-time key (r, then s) at <paramref name="offset"/>.</summary>
        public void Start(byte[] key, int offset)
        {
            uint t0 = ReadLittleEndian(key, offset);
            uint t1 = ReadLittleEndian(key, offset + 4);
            uint t2 = ReadLittleEndian(key, offset + 8);
            uint t3 = ReadLittleEndian(key, offset + 12);

            // RFC 8439 section 2.5.1's clamp (r &= 0x0ffffffc0ffffffc0ffffffc0fffffff) folded into the limb masks.
            r0 = t0 & 0x3FFFFFF;
            r1 = (t0 >> 26 | t1 << 6) & 0x3FFFF03;
            r2 = (t1 >> 20 | t2 << 12) & 0x3FFC0FF;
            r3 = (t2 >> 14 | t3 << 18) & 0x3F03FFF;
            r4 = t3 >> 8 & 0x00FFFFF;
            pad0 = ReadLittleEndian(key, offset + 16);
            pad1 = ReadLittleEndian(key, offset + 20);
            pad2 = ReadLittleEndian(key, offset + 24);
            pad3 = ReadLittleEndian(key, offset + 28);
            h0 = 0;
            h1 = 0;
            h2 = 0;
            h3 = 0;
            h4 = 0;
            bufferLength = 0;
        }

        /// <summary>Adds <paramref name="count"/> bytes of the message.</summary>
        public void Update(byte[] data, int offset, int count)
        {
            if (bufferLength > 0)
            {
                while (bufferLength < 16 && count > 0)
                {
                    buffer[bufferLength++] = data[offset++];
                    count--;
                }

                if (bufferLength < 16)
                {
                    return;
                }

                Blocks(buffer, 0, 16, 1 << 24);
                bufferLength = 0;
            }

            int whole = count & ~15;
            if (whole > 0)
            {
                Blocks(data, offset, whole, 1 << 24);
                offset += whole;
                count -= whole;
            }

            while (count > 0)
            {
                buffer[bufferLength++] = data[offset++];
                count--;
            }
        }

        /// <summary>
        /// Completes a partial block with zero bytes, as the AEAD construction pads the associated data and the
        /// ciphertext (RFC 8439 section 2.8).
        /// </summary>
        public void PadToBlock()
        {
            if (bufferLength > 0)
            {
                while (bufferLength < 16)
                {
                    buffer[bufferLength++] = 0;
                }

                Blocks(buffer, 0, 16, 1 << 24);
                bufferLength = 0;
            }
        }

        /// <summary>Writes the 16-byte tag at <paramref name="offset"/>.</summary>
        public void Finish(byte[] tag, int offset)
        {
            if (bufferLength > 0)
            {
                // RFC 8439 section 2.5.1: a short last block gets its 0x01 byte inside the 16, not at bit 128.
                buffer[bufferLength++] = 1;
                while (bufferLength < 16)
                {
                    buffer[bufferLength++] = 0;
                }

                Blocks(buffer, 0, 16, 0);
                bufferLength = 0;
            }

            // Carry fully, then subtract p = 2^130 - 5 once if h >= p (selected by mask: no branch on secret data).
            uint c;
            uint a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
            c = a1 >> 26; a1 &= LimbMask; a2 += c;
            c = a2 >> 26; a2 &= LimbMask; a3 += c;
            c = a3 >> 26; a3 &= LimbMask; a4 += c;
            c = a4 >> 26; a4 &= LimbMask; a0 += c * 5;
            c = a0 >> 26; a0 &= LimbMask; a1 += c;

            uint g0 = a0 + 5; c = g0 >> 26; g0 &= LimbMask;
            uint g1 = a1 + c; c = g1 >> 26; g1 &= LimbMask;
            uint g2 = a2 + c; c = g2 >> 26; g2 &= LimbMask;
            uint g3 = a3 + c; c = g3 >> 26; g3 &= LimbMask;
            uint g4 = a4 + c - (1u << 26);
            uint useG = (g4 >> 31) - 1;
            uint useH = ~useG;
            a0 = (a0 & useH) | (g0 & useG);
            a1 = (a1 & useH) | (g1 & useG);
            a2 = (a2 & useH) | (g2 & useG);
            a3 = (a3 & useH) | (g3 & useG);
            a4 = (a4 & useH) | (g4 & useG);

            // tag = (h + s) mod 2^128, little-endian.
            ulong f = (ulong)(a0 | a1 << 26) + pad0;
            WriteLittleEndian(tag, offset, (uint)f);
            f = (ulong)(a1 >> 6 | a2 << 20) + pad1 + (f >> 32);
            WriteLittleEndian(tag, offset + 4, (uint)f);
            f = (ulong)(a2 >> 12 | a3 << 14) + pad2 + (f >> 32);
            WriteLittleEndian(tag, offset + 8, (uint)f);
            f = (ulong)(a3 >> 18 | a4 << 8) + pad3 + (f >> 32);
            WriteLittleEndian(tag, offset + 12, (uint)f);
        }

        private static uint ReadLittleEndian(byte[] data, int offset)
        {
            return data[offset] | (uint)data[offset + 1] << 8 | (uint)data[offset + 2] << 16 | (uint)data[offset + 3] << 24;
        }

        private static void WriteLittleEndian(byte[] data, int offset, uint value)
        {
            data[offset] = (byte)value;
            data[offset + 1] = (byte)(value >> 8);
            data[offset + 2] = (byte)(value >> 16);
            data[offset + 3] = (byte)(value >> 24);
        }

        // h = (h + block + hibit * 2^128) * r mod 2^130 - 5, for count / 16 whole blocks (RFC 8439 section 2.5.1).
        // 2^130 = 5 (mod p), so a product limb that would land at 2^130 and above wraps around times 5 (the s limbs).
        private void Blocks(byte[] data, int offset, int count, uint hibit)
        {
            ulong m0 = r0, m1 = r1, m2 = r2, m3 = r3, m4 = r4;
            ulong s1 = m1 * 5, s2 = m2 * 5, s3 = m3 * 5, s4 = m4 * 5;
            uint a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
            int end = offset + count;
            while (offset < end)
            {
                uint t0 = ReadLittleEndian(data, offset);
                uint t1 = ReadLittleEndian(data, offset + 4);
                uint t2 = ReadLittleEndian(data, offset + 8);
                uint t3 = ReadLittleEndian(data, offset + 12);
                offset += 16;
                a0 += t0 & LimbMask;
                a1 += (t0 >> 26 | t1 << 6) & LimbMask;
                a2 += (t1 >> 20 | t2 << 12) & LimbMask;
                a3 += (t2 >> 14 | t3 << 18) & LimbMask;
                a4 += t3 >> 8 | hibit;

                ulong d0 = a0 * m0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
                ulong d1 = a0 * m1 + a1 * m0 + a2 * s4 + a3 * s3 + a4 * s2;
                ulong d2 = a0 * m2 + a1 * m1 + a2 * m0 + a3 * s4 + a4 * s3;
                ulong d3 = a0 * m3 + a1 * m2 + a2 * m1 + a3 * m0 + a4 * s4;
                ulong d4 = a0 * m4 + a1 * m3 + a2 * m2 + a3 * m1 + a4 * m0;

                ulong carry = d0 >> 26; a0 = (uint)d0 & LimbMask;
                d1 += carry; carry = d1 >> 26; a1 = (uint)d1 & LimbMask;
                d2 += carry; carry = d2 >> 26; a2 = (uint)d2 & LimbMask;
                d3 += carry; carry = d3 >> 26; a3 = (uint)d3 & LimbMask;
                d4 += carry; carry = d4 >> 26; a4 = (uint)d4 & LimbMask;
                a0 += (uint)carry * 5;
                a1 += a0 >> 26;
                a0 &= LimbMask;
            }

            h0 = a0;
            h1 = a1;
            h2 = a2;
            h3 = a3;
            h4 = a4;
        }
    }
}
