using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// The TLS 1.3 key schedule (RFC 8446 section 7.1) for the SHA-256 suites, without PSK: Early Secret from zeros,
    /// Handshake Secret from the (EC)DHE secret, Master Secret; the traffic secrets derived from transcript hashes, the
    /// Finished MAC (section 4.4.4), traffic keys and IVs (section 7.3) and KeyUpdate's next secret (section 7.2). Every
    /// secret lives in arrays taken at construction.
    /// </summary>
    internal sealed class TlsKeySchedule
    {
        // HkdfLabel.label values, "tls13 " included (section 7.1).
        private static readonly byte[] Derived = Label("derived");
        private static readonly byte[] ClientHandshakeTraffic = Label("c hs traffic");
        private static readonly byte[] ServerHandshakeTraffic = Label("s hs traffic");
        private static readonly byte[] ClientApplicationTraffic = Label("c ap traffic");
        private static readonly byte[] ServerApplicationTraffic = Label("s ap traffic");
        private static readonly byte[] FinishedLabel = Label("finished");
        private static readonly byte[] KeyLabel = Label("key");
        private static readonly byte[] IvLabel = Label("iv");
        private static readonly byte[] TrafficUpdate = Label("traffic upd");

        private readonly Hkdf _hkdf;
        private readonly int _hashSize;
        private readonly byte[] _secret;
        private readonly byte[] _derived;
        private readonly byte[] _zeros;
        private readonly byte[] _emptyHash;
        private readonly byte[] _scratch;
        private readonly byte[] _info;

        /// <summary>The client's current traffic secret (handshake, then application: section 7.1).</summary>
        internal readonly byte[] ClientSecret;

        /// <summary>The server's current traffic secret.</summary>
        internal readonly byte[] ServerSecret;

        internal TlsKeySchedule(Hkdf hkdf, IHash hash)
        {
            _hkdf = hkdf;
            _hashSize = hash.HashSize;
            _secret = new byte[_hashSize];
            _derived = new byte[_hashSize];
            _zeros = new byte[_hashSize];
            _emptyHash = new byte[_hashSize];
            _scratch = new byte[_hashSize];
            _info = new byte[2 + 1 + 255 + 1 + _hashSize];
            ClientSecret = new byte[_hashSize];
            ServerSecret = new byte[_hashSize];
            hash.Reset();
            hash.Finish(_emptyHash, 0);
        }

        internal int HashSize
        {
            get { return _hashSize; }
        }

        /// <summary>Early Secret = HKDF-Extract(0, 0) without a PSK, then its "derived" secret, the next salt.</summary>
        internal void Start()
        {
            _hkdf.Extract(_zeros, 0, _hashSize, _zeros, 0, _hashSize, _secret, 0);
            DeriveSecret(_secret, Derived, _emptyHash, _derived);
        }

        /// <summary>
        /// Handshake Secret from the (EC)DHE secret, the handshake traffic secrets from Transcript-Hash(ClientHello..ServerHello),
        /// and the Master Secret, which needs nothing more.
        /// </summary>
        internal void Handshake(byte[] shared, int offset, int length, byte[] transcriptHash)
        {
            _hkdf.Extract(_derived, 0, _hashSize, shared, offset, length, _secret, 0);
            DeriveSecret(_secret, ClientHandshakeTraffic, transcriptHash, ClientSecret);
            DeriveSecret(_secret, ServerHandshakeTraffic, transcriptHash, ServerSecret);
            DeriveSecret(_secret, Derived, _emptyHash, _derived);
            _hkdf.Extract(_derived, 0, _hashSize, _zeros, 0, _hashSize, _secret, 0);
        }

        /// <summary>The application traffic secrets from Transcript-Hash(ClientHello..server Finished).</summary>
        internal void Application(byte[] transcriptHash)
        {
            DeriveSecret(_secret, ClientApplicationTraffic, transcriptHash, ClientSecret);
            DeriveSecret(_secret, ServerApplicationTraffic, transcriptHash, ServerSecret);
        }

        /// <summary>verify_data = HMAC(finished_key, transcript hash) (section 4.4.4), as HKDF-Extract with the key as salt.</summary>
        internal void FinishedMac(byte[] baseKey, byte[] transcriptHash, byte[] output, int offset)
        {
            ExpandLabel(baseKey, FinishedLabel, transcriptHash, 0, _scratch, 0, _hashSize);
            _hkdf.Extract(_scratch, 0, _hashSize, transcriptHash, 0, _hashSize, output, offset);
        }

        /// <summary>[sender]_write_key and [sender]_write_iv from a traffic secret (section 7.3).</summary>
        internal void TrafficKeys(byte[] secret, byte[] key, int keyLength, byte[] iv, int ivLength)
        {
            ExpandLabel(secret, KeyLabel, _emptyHash, 0, key, 0, keyLength);
            ExpandLabel(secret, IvLabel, _emptyHash, 0, iv, 0, ivLength);
        }

        /// <summary>application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length) (section 7.2).</summary>
        internal void NextTrafficSecret(byte[] secret)
        {
            ExpandLabel(secret, TrafficUpdate, _emptyHash, 0, _scratch, 0, _hashSize);
            System.Array.Copy(_scratch, 0, secret, 0, _hashSize);
        }

        /// <summary>Derive-Secret(Secret, Label, Messages) with the messages' hash already taken.</summary>
        private void DeriveSecret(byte[] secret, byte[] label, byte[] hash, byte[] output)
        {
            ExpandLabel(secret, label, hash, _hashSize, output, 0, _hashSize);
        }

        /// <summary>HKDF-Expand-Label(Secret, Label, Context, Length): the HkdfLabel structure as info (section 7.1).</summary>
        private void ExpandLabel(byte[] secret, byte[] label, byte[] context, int contextLength, byte[] output, int offset, int length)
        {
            byte[] info = _info;
            info[0] = (byte)(length >> 8);
            info[1] = (byte)length;
            info[2] = (byte)label.Length;
            System.Array.Copy(label, 0, info, 3, label.Length);
            int at = 3 + label.Length;
            info[at++] = (byte)contextLength;
            System.Array.Copy(context, 0, info, at, contextLength);
            _hkdf.Expand(secret, 0, _hashSize, info, 0, at + contextLength, output, offset, length);
        }

        private static byte[] Label(string label)
        {
            const string Prefix = "tls13 ";
            byte[] bytes = new byte[Prefix.Length + label.Length];
            for (int i = 0; i < Prefix.Length; i++)
            {
                bytes[i] = (byte)Prefix[i];
            }

            for (int i = 0; i < label.Length; i++)
            {
                bytes[Prefix.Length + i] = (byte)label[i];
            }

            return bytes;
        }
    }
}
