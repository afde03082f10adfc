using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// One direction of record protection (RFC 8446 section 5.2, 5.3): the AEAD keyed from a traffic secret, its
    /// write_iv and the 64-bit sequence number that makes each record's nonce. Records are sealed and opened in place,
    /// the 5-byte header being the additional data.
    /// </summary>
    internal sealed class TlsRecordCipher
    {
        private readonly byte[] _key = new byte[32];
        private readonly byte[] _iv = new byte[12];
        private readonly byte[] _nonce = new byte[12];
        private IAead _aead;
        private long _sequence;

        internal bool Active
        {
            get { return _aead != null; }
        }

        internal int TagSize
        {
            get { return _aead.TagSize; }
        }

        /// <summary>Keys the direction from <paramref name="secret"/> (section 7.3) and starts its sequence at 0 (section 5.3).</summary>
        internal void SetKey(IAead aead, TlsKeySchedule schedule, byte[] secret)
        {
            schedule.TrafficKeys(secret, _key, aead.KeySize, _iv, aead.NonceSize);
            aead.SetKey(_key, 0);
            System.Array.Clear(_key, 0, _key.Length);
            _aead = aead;
            _sequence = 0;
        }

        internal void Clear()
        {
            _aead = null;
            _sequence = 0;
        }

        /// <summary>
        /// Protects the TLSInnerPlaintext of <paramref name="innerLength"/> bytes (content, type, no padding) that follows
        /// the header at <paramref name="record"/>: writes the header (opaque_type application_data, 0x0303, length) and
        /// the ciphertext and tag. Returns the record's whole length.
        /// </summary>
        internal int Seal(byte[] buffer, int record, int innerLength)
        {
            int length = innerLength + _aead.TagSize;
            buffer[record] = TlsContentType.ApplicationData;
            buffer[record + 1] = 3;
            buffer[record + 2] = 3;
            buffer[record + 3] = (byte)(length >> 8);
            buffer[record + 4] = (byte)length;
            Nonce();
            int body = record + TlsContentType.HeaderLength;
            _aead.Seal(_nonce, 0, buffer, record, TlsContentType.HeaderLength, buffer, body, innerLength, buffer, body);
            return TlsContentType.HeaderLength + length;
        }

        /// <summary>Authenticates and decrypts the record's <paramref name="length"/> body bytes in place; false for bad_record_mac.</summary>
        internal bool Open(byte[] buffer, int record, int length)
        {
            Nonce();
            int body = record + TlsContentType.HeaderLength;
            return _aead.Open(_nonce, 0, buffer, record, TlsContentType.HeaderLength, buffer, body, length, buffer, body);
        }

        /// <summary>The per-record nonce: the sequence number, big-endian and left-padded to the IV's length, XOR write_iv.</summary>
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
