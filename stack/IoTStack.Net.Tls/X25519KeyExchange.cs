using IoTStack.Crypto;
using IoTStack.Crypto.PublicKey;

namespace IoTStack.Net.Tls
{
    /// <summary>x25519 (RFC 8446 section 4.2.8.2, RFC 7748 section 6.1) over the device's <see cref="X25519"/>: a fresh private key from the entropy source for every share.</summary>
    public sealed class X25519KeyExchange : ITlsKeyExchange
    {
        private readonly X25519 _x25519 = new X25519();
        private readonly byte[] _private = new byte[32];

        public int NamedGroup
        {
            get { return 0x001D; }
        }

        public int KeyShareLength
        {
            get { return 32; }
        }

        public int SharedSecretLength
        {
            get { return 32; }
        }

        public void GenerateKeyShare(IEntropySource entropy, byte[] share, int offset)
        {
            entropy.Fill(_private, 0, 32);
            _x25519.ComputePublicKey(_private, 0, share, offset);
        }

        public bool ComputeSharedSecret(byte[] peerShare, int offset, int length, byte[] shared, int sharedOffset)
        {
            return length == 32 && _x25519.ComputeSharedSecret(_private, 0, peerShare, offset, shared, sharedOffset);
        }
    }
}
