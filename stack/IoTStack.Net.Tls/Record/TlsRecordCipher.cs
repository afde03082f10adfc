using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// One direction of record protection: TLS 1.3's (RFC 8446 section 5.2, 5.3: the AEAD keyed from a traffic secret,
    /// TLSInnerPlaintext, the header as additional data) or TLS 1.2's AEAD records (RFC 5246 section 6.2.3.3: the
    /// additional data seq_num + type + version + length; AES-GCM with an 8-byte explicit nonce, RFC 5288 section 3;
    /// ChaCha20-Poly1305 with the write IV XOR the sequence number, RFC 7905 section 2). Records are sealed and opened in place.
    /// </summary>
    internal sealed class TlsRecordCipher
    {
        private readonly byte[] _key = new byte[32];
        private readonly byte[] _iv = new byte[12];
        private readonly byte[] _nonce = new byte[12];
        private readonly byte[] _additional = new byte[13];
        private IAead _aead;
        private long _sequence;
        private bool _tls12;
        private int _explicitNonce;

        internal bool Active
        {
            get { return _aead != null; }
        }

        internal int TagSize
        {
            get { return _aead.TagSize; }
        }

        /// <summary>Where a record's content starts, from its header: after the explicit nonce of a TLS 1.2 AES-GCM record.</summary>
        internal int ContentOffset
        {
            get { return TlsContentType.HeaderLength + _explicitNonce; }
        }

        /// <summary>Bytes after the content: the tag, and TLS 1.3's inner content type; 0 while unprotected.</summary>
        internal int Trailer
        {
            get { return _aead == null ? 0 : _aead.TagSize + (_tls12 ? 0 : 1); }
        }

        /// <summary>Keys the direction from a TLS 1.3 <paramref name="secret"/> (section 7.3) and starts its sequence at 0 (section 5.3).</summary>
        internal void SetKey(IAead aead, TlsKeySchedule schedule, byte[] secret)
        {
            schedule.TrafficKeys(secret, _key, aead.KeySize, _iv, aead.NonceSize);
            aead.SetKey(_key, 0);
            System.Array.Clear(_key, 0, _key.Length);
            _aead = aead;
            _sequence = 0;
            _tls12 = false;
            _explicitNonce = 0;
        }

        /// <summary>
        /// Keys the direction for TLS 1.2 from the key block (RFC 5246 section 6.3): the write key and the write IV of
        /// <paramref name="ivLength"/> bytes, 4 (AES-GCM's salt, the rest of the nonce travels in the record) or 12.
        /// </summary>
        internal void SetKey12(IAead aead, byte[] keyBlock, int keyOffset, int ivOffset, int ivLength)
        {
            aead.SetKey(keyBlock, keyOffset);
            System.Array.Clear(_iv, 0, _iv.Length);
            System.Array.Copy(keyBlock, ivOffset, _iv, 0, ivLength);
            _aead = aead;
            _sequence = 0;
            _tls12 = true;
            _explicitNonce = aead.NonceSize - ivLength;
        }

        internal void Clear()
        {
            _aead = null;
            _sequence = 0;
            _tls12 = false;
            _explicitNonce = 0;
        }

        /// <summary>
        /// Protects the <paramref name="length"/> content bytes of <paramref name="type"/> that sit at
        /// <see cref="ContentOffset"/> from <paramref name="record"/>: writes the header, the explicit nonce, the
        /// ciphertext and tag (TLS 1.3: the inner type first, the header saying application_data). Returns the record's length.
        /// </summary>
        internal int Seal(byte[] buffer, int record, int type, int length)
        {
            int body = record + TlsContentType.HeaderLength;
            int tag = _aead.TagSize;
            if (!_tls12)
            {
                buffer[body + length] = (byte)type;
                WriteHeader(buffer, record, TlsContentType.ApplicationData, length + 1 + tag);
                Nonce();
                _aead.Seal(_nonce, 0, buffer, record, TlsContentType.HeaderLength, buffer, body, length + 1, buffer, body);
                return TlsContentType.HeaderLength + length + 1 + tag;
            }

            int recordLength = _explicitNonce + length + tag;
            WriteHeader(buffer, record, type, recordLength);
            Additional(type, length);
            Nonce();
            // RFC 5288 section 3: the explicit part of the GCM nonce is the sequence number, so it never repeats under a key.
            System.Array.Copy(_nonce, 12 - _explicitNonce, buffer, body, _explicitNonce);
            int content = body + _explicitNonce;
            _aead.Seal(_nonce, 0, _additional, 0, 13, buffer, content, length, buffer, content);
            return TlsContentType.HeaderLength + recordLength;
        }

        /// <summary>
        /// Authenticates and decrypts the record's <paramref name="length"/> body bytes in place; returns the plaintext's
        /// length (at <see cref="ContentOffset"/>; TLS 1.3's still ending in the inner type and padding), -1 for bad_record_mac.
        /// </summary>
        internal int Open(byte[] buffer, int record, int length)
        {
            int body = record + TlsContentType.HeaderLength;
            int plain = length - _explicitNonce - _aead.TagSize;
            if (plain < 0)
            {
                return -1;
            }

            if (!_tls12)
            {
                Nonce();
                return _aead.Open(_nonce, 0, buffer, record, TlsContentType.HeaderLength, buffer, body, length, buffer, body) ? plain : -1;
            }

            Additional(buffer[record], plain);
            Nonce();
            System.Array.Copy(buffer, body, _nonce, 12 - _explicitNonce, _explicitNonce);
            int content = body + _explicitNonce;
            return _aead.Open(_nonce, 0, _additional, 0, 13, buffer, content, length - _explicitNonce, buffer, content) ? plain : -1;
        }

        /// <summary>RFC 5246 section 6.2.3.3: seq_num + TLSCompressed.type + version + length, the plaintext's length.</summary>
        private void Additional(int type, int length)
        {
            long sequence = _sequence;
            for (int i = 7; i >= 0; i--)
            {
                _additional[i] = (byte)sequence;
                sequence >>= 8;
            }

            _additional[8] = (byte)type;
            _additional[9] = 3;
            _additional[10] = 3;
            _additional[11] = (byte)(length >> 8);
            _additional[12] = (byte)length;
        }

        private static void WriteHeader(byte[] buffer, int record, int type, int length)
        {
            buffer[record] = (byte)type;
            buffer[record + 1] = 3;
            buffer[record + 2] = 3;
            buffer[record + 3] = (byte)(length >> 8);
            buffer[record + 4] = (byte)length;
        }

        /// <summary>
        /// The per-record nonce: the sequence number, big-endian and left-padded to the IV's length, XOR the write IV
        /// (RFC 8446 section 5.3, RFC 7905 section 2); for TLS 1.2 AES-GCM the IV's last 8 bytes are zero, so this is
        /// salt + sequence number.
        /// </summary>
        private void Nonce()
        {
            int n = _iv.Length;
            long sequence = _sequence++;
            for (int i = n - 1; i >= 0; i--)
            {
                int pad = 0;
                if (i >= n - 8)
                {
                    pad = (int)(sequence & 0xFF);
                    sequence >>= 8;
                }

                _nonce[i] = (byte)(_iv[i] ^ pad);
            }
        }
    }
}
