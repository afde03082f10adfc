using System;

namespace IoTStack.Crypto
{
    /// <summary>
    /// HKDF (RFC 5869) over its own <see cref="Hmac"/>, as TLS 1.3's key schedule (RFC 8446 section 7.1) uses it.
    /// Per instance: the HMAC's arrays, one HashSize block for T(i) and a HashSize run of zeros for an absent salt.
    /// </summary>
    public sealed class Hkdf
    {
        private readonly Hmac hmac;
        private readonly byte[] zeroSalt;
        private readonly byte[] block;
        private readonly byte[] counter = new byte[1];

        /// <summary>Creates HKDF over <paramref name="hash"/>, which it uses exclusively from now on.</summary>
        public Hkdf(IHash hash)
        {
            hmac = new Hmac(hash);
            zeroSalt = new byte[hash.HashSize];
            block = new byte[hash.HashSize];
        }

        /// <summary>The pseudorandom key length in bytes (the hash's digest length).</summary>
        public int HashSize => block.Length;

        /// <summary>
        /// HKDF-Extract (RFC 5869 section 2.2): writes PRK = HMAC(salt, IKM), <see cref="HashSize"/> bytes, at
        /// <paramref name="prkOffset"/>. A salt of length 0 stands for HashSize zero bytes.
        /// </summary>
        public void Extract(byte[] salt, int saltOffset, int saltLength, byte[] inputKey, int inputOffset, int inputLength,
            byte[] prk, int prkOffset)
        {
            if (saltLength == 0)
            {
                hmac.Start(zeroSalt, 0, zeroSalt.Length);
            }
            else
            {
                hmac.Start(salt, saltOffset, saltLength);
            }

            hmac.Update(inputKey, inputOffset, inputLength);
            hmac.Finish(prk, prkOffset);
        }

        /// <summary>
        /// HKDF-Expand (RFC 5869 section 2.3): writes <paramref name="length"/> bytes of OKM, T(1) | T(2) | ... with
        /// T(i) = HMAC(PRK, T(i-1) | info | i), at <paramref name="outputOffset"/>. The output may overlap neither PRK
        /// nor info. At most 255 * HashSize bytes.
        /// </summary>
        public void Expand(byte[] prk, int prkOffset, int prkLength, byte[] info, int infoOffset, int infoLength,
            byte[] output, int outputOffset, int length)
        {
            int hashSize = block.Length;
            if (length < 0 || length > 255 * hashSize)
            {
                throw new ArgumentOutOfRangeException(nameof(length));
            }

            hmac.Start(prk, prkOffset, prkLength);
            int done = 0;
            for (int i = 1; done < length; i++)
            {
                if (i > 1)
                {
                    hmac.Restart();
                    hmac.Update(block, 0, hashSize);
                }

                hmac.Update(info, infoOffset, infoLength);
                counter[0] = (byte)i;
                hmac.Update(counter, 0, 1);
                hmac.Finish(block, 0);
                int take = length - done < hashSize ? length - done : hashSize;
                Array.Copy(block, 0, output, outputOffset + done, take);
                done += take;
            }

            Array.Clear(block, 0, hashSize);
        }
    }
}
