using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// Transcript-Hash (RFC 8446 section 4.4.1) at the points the client needs it: after ServerHello (handshake
    /// secrets), Certificate (CertificateVerify's content), CertificateVerify (the server's Finished), server Finished
    /// (application secrets, the client's Finished) and, after a CertificateRequest, the client's Certificate. An
    /// <see cref="IHash"/> cannot be read and continued, so each point has its own instance fed every message up to it:
    /// <see cref="Take"/> finishes the next one and the rest go on. More hashing than one running hash, no transcript copy.
    /// </summary>
    internal sealed class TlsTranscript
    {
        /// <summary>The points a full handshake takes; one more after a HelloRetryRequest's Hash(ClientHello1) is restarted away.</summary>
        internal const int Points = 5;

        private readonly IHash[] _hashes;
        private int _next;

        internal TlsTranscript(IHash[] hashes)
        {
            _hashes = hashes;
        }

        internal int HashSize
        {
            get { return _hashes[0].HashSize; }
        }

        internal void Restart()
        {
            for (int i = 0; i < _hashes.Length; i++)
            {
                _hashes[i].Reset();
            }

            _next = 0;
        }

        internal void Update(byte[] message, int offset, int count)
        {
            for (int i = _next; i < _hashes.Length; i++)
            {
                _hashes[i].Update(message, offset, count);
            }
        }

        /// <summary>Writes the hash of every message so far; false when the handshake asked for more points than there are.</summary>
        internal bool Take(byte[] output, int offset)
        {
            if (_next == _hashes.Length)
            {
                return false;
            }

            _hashes[_next++].Finish(output, offset);
            return true;
        }
    }
}
