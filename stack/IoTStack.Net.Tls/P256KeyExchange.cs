using IoTStack.Crypto;
using IoTStack.Crypto.PublicKey;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// secp256r1 (RFC 8446 section 4.2.8.2: the uncompressed point 04 || X || Y; the shared secret is X, section 7.4.2)
    /// over the device's <see cref="P256"/>, with a fresh private key for every share.
    /// </summary>
    public sealed class P256KeyExchange : ITlsKeyExchange
    {
        private readonly P256 _p256 = new P256();
        private readonly byte[] _private = new byte[32];

        public int NamedGroup
        {
            get { return 0x0017; }
        }

        public int KeyShareLength
        {
            get { return 65; }
        }

        public int SharedSecretLength
        {
            get { return 32; }
        }

        public void GenerateKeyShare(IEntropySource entropy, byte[] share, int offset)
        {
            // A scalar of 0 or at least the group order is refused: draw again (FIPS 186-4 B.4.2, rejection sampling).
            do
            {
                entropy.Fill(_private, 0, 32);
            }
            while (!_p256.ComputePublicKey(_private, 0, share, offset));
        }

        public bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset)
        {
            return _p256.ComputeSharedSecret(_private, 0, peerShare, offset, length, shared, sharedOffset);
        }
    }
}
