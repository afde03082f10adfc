using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// The client's own certificate when the server asks (RFC 8446 sections 4.4.2 and 4.4.3; RFC 5246 sections 7.4.6 and
    /// 7.4.8), and the handshake messages the client sends, split into records no longer than the server takes.
    /// </summary>
    public sealed partial class TlsClient
    {
        // RFC 8446 section 4.4.3: the context string of the client's CertificateVerify.
        private static readonly byte[] ClientCertificateVerifyContext = Ascii("TLS 1.3, client CertificateVerify");

        private readonly ITlsClientCredential _credential;
        private readonly IHash _signatureHash;
        private readonly int _flightSize;
        private bool _useCredential;

        /// <summary>
        /// Reads a supported_signature_algorithms list ending at <paramref name="end"/> (RFC 8446 section 4.2.3, RFC 5246
        /// section 7.4.4): whether it holds the credential's scheme. An empty or odd list fails the reader.
        /// </summary>
        private bool SchemeListed(int end)
        {
            TlsReader r = _reader;
            if (end == r.Position || ((end - r.Position) & 1) != 0)
            {
                r.Failed = true;
            }

            bool listed = false;
            while (!r.Failed && r.Position < end)
            {
                int scheme = r.Uint16();
                listed |= _credential != null && scheme == _credential.SignatureScheme;
            }

            return listed && _credential.CertificateCount > 0;
        }

        /// <summary>
        /// The client's Certificate: TLS 1.3's with the request's context and an empty extensions block per entry, TLS 1.2's
        /// bare list; the credential's chain, or none (RFC 8446 section 4.4.2, RFC 5246 section 7.4.6).
        /// </summary>
        private bool WriteClientCertificate()
        {
            int body = _outEnd + _write.ContentOffset;
            TlsWriter w = _writer;
            w.Attach(_out, body, _out.Length);
            w.Uint8(TlsHandshakeType.Certificate);
            int length = w.BeginVector(3);
            if (!_tls12)
            {
                w.Uint8(_requestContextLength);
                w.Bytes(_requestContext, 0, _requestContextLength);
            }

            int list = w.BeginVector(3);
            int count = _useCredential ? _credential.CertificateCount : 0;
            for (int i = 0; i < count; i++)
            {
                byte[] certificate;
                int offset;
                int certificateLength;
                _credential.GetCertificate(i, out certificate, out offset, out certificateLength);
                w.Uint24(certificateLength);
                w.Bytes(certificate, offset, certificateLength);
                if (!_tls12)
                {
                    w.Uint16(0);
                }
            }

            w.EndVector(list, 3);
            w.EndVector(length, 3);
            if (w.Overflow)
            {
                Fail(TlsError.OutputFull, TlsAlert.InternalError);
                return false;
            }

            _transcript.Update(_out, body, w.Position - body);
            ClientCertificateSent = count > 0;
            return EmitHandshake(w.Position - body);
        }

        /// <summary>
        /// RFC 8446 section 4.4.3's signed content into <see cref="_signedContent"/>: 64 spaces, <paramref name="context"/>
        /// (the server's or the client's context string), a zero byte, then the transcript hash so far. Returns its length.
        /// </summary>
        private int SignedContent(byte[] context)
        {
            byte[] content = _signedContent;
            for (int i = 0; i < 64; i++)
            {
                content[i] = 0x20;
            }

            System.Array.Copy(context, 0, content, 64, context.Length);
            int at = 64 + context.Length;
            content[at++] = 0;
            _transcript.Take(content, at);
            return at + _transcript.HashSize;
        }

        /// <summary>
        /// RFC 8446 section 4.4.3: the credential signs SHA-256 of 64 spaces, the client context string, a zero byte and
        /// Transcript-Hash(ClientHello .. client Certificate).
        /// </summary>
        private bool WriteClientCertificateVerify13()
        {
            int at = SignedContent(ClientCertificateVerifyContext);
            _signatureHash.Reset();
            _signatureHash.Update(_signedContent, 0, at);
            _signatureHash.Finish(_finishedHash, 0);
            return WriteCertificateVerify(_finishedHash);
        }

        /// <summary>
        /// CertificateVerify: the credential's scheme and its signature of <paramref name="digest"/> (RFC 8446 section 4.4.3;
        /// RFC 5246 section 7.4.8, a DigitallySigned whose hash is the handshake messages' SHA-256).
        /// </summary>
        private bool WriteCertificateVerify(byte[] digest)
        {
            int body = _outEnd + _write.ContentOffset;
            if (_out.Length - body < 8 + _credential.MaximumSignatureLength)
            {
                Fail(TlsError.OutputFull, TlsAlert.InternalError);
                return false;
            }

            int signatureLength = _credential.SignDigest(digest, 0, 32, _out, body + 8);
            if (signatureLength <= 0 || signatureLength > _credential.MaximumSignatureLength)
            {
                Fail(TlsError.SigningFailed, TlsAlert.InternalError);
                return false;
            }

            int scheme = _credential.SignatureScheme;
            _out[body] = TlsHandshakeType.CertificateVerify;
            _out[body + 1] = 0;
            _out[body + 2] = (byte)((signatureLength + 4) >> 8);
            _out[body + 3] = (byte)(signatureLength + 4);
            _out[body + 4] = (byte)(scheme >> 8);
            _out[body + 5] = (byte)scheme;
            _out[body + 6] = (byte)(signatureLength >> 8);
            _out[body + 7] = (byte)signatureLength;
            _transcript.Update(_out, body, 8 + signatureLength);
            return EmitHandshake(8 + signatureLength);
        }

        /// <summary>
        /// Queues the <paramref name="length"/>-byte handshake message written at the output's end + ContentOffset as
        /// records of at most <see cref="SendLimit"/> bytes (RFC 8446 section 5.1, RFC 5246 section 6.2.1: a message may
        /// span records): the fragments are moved apart, last first, to make room for each record's header and trailer.
        /// </summary>
        private bool EmitHandshake(int length)
        {
            int limit = _sendLimit;
            int records = (length + limit - 1) / limit;
            int step = _write.ContentOffset + _write.Trailer;
            if (_out.Length - _outEnd < length + records * step)
            {
                Fail(TlsError.OutputFull, TlsAlert.InternalError);
                return false;
            }

            int start = _outEnd + _write.ContentOffset;
            for (int i = records - 1; i > 0; i--)
            {
                int from = start + i * limit;
                System.Array.Copy(_out, from, _out, from + i * step, length - i * limit < limit ? length - i * limit : limit);
            }

            for (int i = 0; i < records; i++)
            {
                FinishRecord(TlsContentType.Handshake, length - i * limit < limit ? length - i * limit : limit);
            }

            return true;
        }

        /// <summary>
        /// The most the client's flight takes in the output buffer: Certificate with the credential's chain (TLS 1.3's
        /// context and entry extensions counted), CertificateVerify, ClientKeyExchange, change_cipher_spec, Finished, and
        /// up to 30 bytes of record header, explicit nonce, type and tag per record, records being at least 256 bytes.
        /// </summary>
        private static int ClientFlightSize(ITlsClientCredential credential)
        {
            int chain = 0;
            int signature = 0;
            if (credential != null)
            {
                for (int i = 0; i < credential.CertificateCount; i++)
                {
                    byte[] buffer;
                    int offset;
                    int length;
                    credential.GetCertificate(i, out buffer, out offset, out length);
                    chain += 3 + length + 2;
                }

                signature = 8 + credential.MaximumSignatureLength;
            }

            int certificate = TlsHandshakeType.HeaderLength + 1 + 255 + 3 + chain;
            return certificate + signature + TlsHandshakeType.HeaderLength + 1 + 133 + 6 + TlsHandshakeType.HeaderLength + 32
                + 30 * (certificate / 256 + 6);
        }

        private static int LargestKeyShare(ITlsKeyExchange[] groups)
        {
            int largest = 0;
            for (int i = 0; i < groups.Length; i++)
            {
                if (groups[i].KeyShareLength > largest)
                {
                    largest = groups[i].KeyShareLength;
                }
            }

            return largest;
        }
    }
}
