using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// The TLS 1.2 pseudorandom function (RFC 5246 section 5): PRF(secret, label, seed) = P_hash(secret, label | seed),
    /// P_hash = HMAC(secret, A(1) | label | seed) | HMAC(secret, A(2) | label | seed) | ..., A(0) = label | seed,
    /// A(i) = HMAC(secret, A(i-1)). Per instance: the HMAC's arrays and two HashSize blocks.
    /// </summary>
    public sealed class Tls12Prf
    {
        private readonly Hmac hmac;
        private readonly byte[] a;
        private readonly byte[] block;

        /// <summary>Creates the PRF over <paramref name="hash"/> (SHA-256, or SHA-384 for the suites that name it).</summary>
        public Tls12Prf(IHash hash)
        {
            hmac = new Hmac(hash);
            a = new byte[hash.HashSize];
            block = new byte[hash.HashSize];
        }

        /// <summary>
        /// Writes <paramref name="length"/> bytes of PRF(secret, label, seed) at <paramref name="output"/>[<paramref name="oo"/>];
        /// the label is the ASCII bytes the caller passes ("master secret", "key expansion", ...). The output may
        /// overlap none of the inputs.
        /// </summary>
        public void Derive(byte[] secret, int so, int sl, byte[] label, int lo, int ll, byte[] seed, int seo, int sel,
            byte[] output, int oo, int length)
        {
            int hashSize = a.Length;
            hmac.Start(secret, so, sl);

            // A(1) = HMAC(secret, label | seed).
            hmac.Update(label, lo, ll);
            hmac.Update(seed, seo, sel);
            hmac.Finish(a, 0);
            int done = 0;
            while (true)
            {
                hmac.Restart();
                hmac.Update(a, 0, hashSize);
                hmac.Update(label, lo, ll);
                hmac.Update(seed, seo, sel);
                hmac.Finish(block, 0);
                int take = length - done < hashSize ? length - done : hashSize;
                Array.Copy(block, 0, output, oo + done, take);
                done += take;
                if (done >= length)
                {
                    break;
                }

                // A(i+1) = HMAC(secret, A(i)).
                hmac.Restart();
                hmac.Update(a, 0, hashSize);
                hmac.Finish(a, 0);
            }

            Array.Clear(a, 0, hashSize);
            Array.Clear(block, 0, hashSize);
        }
    }
}
