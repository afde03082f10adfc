using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// The TLS 1.2 handshake (RFC 5246 section 7.3) with ECDHE (RFC 8422) and AEAD suites, the extended master secret
    /// (RFC 7627) and secure renegotiation's empty renegotiation_info (RFC 5746); no resumption and no renegotiation.
    /// </summary>
    public sealed partial class TlsClient
    {
        // RFC 5246 section 8.1, RFC 7627 section 4, RFC 5246 sections 6.3 and 7.4.9: the PRF labels.
        private static readonly byte[] MasterSecretLabel = Ascii("master secret");
        private static readonly byte[] ExtendedMasterSecretLabel = Ascii("extended master secret");
        private static readonly byte[] KeyExpansionLabel = Ascii("key expansion");
        private static readonly byte[] ClientFinishedLabel = Ascii("client finished");
        private static readonly byte[] ServerFinishedLabel = Ascii("server finished");

        private const int VerifyDataLength = 12;

        private readonly bool _offer13;
        private readonly bool _offer12;
        private readonly Tls12Prf _prf;
        private readonly byte[] _masterSecret;
        private readonly byte[] _keyBlock;
        private readonly byte[] _seed;
        private readonly byte[] _serverRandom;
        private readonly byte[] _clientShare;
        private bool _tls12;
        private int _sessionIdLength;
        private int _serverExtensions;

        /// <summary>
        /// RFC 5246 section 7.4.1.3 with RFC 8446 section 4.1.3's rules for a client that also offered 1.3: a suite we
        /// offered, no compression, no resumption (we asked for none), renegotiation_info and (unless the options allow
        /// otherwise) extended_master_secret.
        /// </summary>
        private void ServerHello12(int message, int bodyLength, int random, int sessionId, int sessionIdLength, int suite, int compression,
            int extensions)
        {
            _tls12 = true;
            if (compression != 0 || Aead(suite, true) == null
                || (sessionIdLength != 0 && sessionIdLength == _sessionIdLength && Equal(_hs, sessionId, _sessionId, 0, sessionIdLength)))
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return;
            }

            _reader.Position = extensions;
            int error = ServerExtensions(_reader.End, true);
            if (error == 0 && ((_serverExtensions & 32) == 0 || ((_serverExtensions & 64) == 0 && _options.RequireExtendedMasterSecret)))
            {
                // RFC 5746 section 3.4 (a client requiring secure renegotiation), RFC 7627 section 5.2.
                error = TlsAlert.HandshakeFailure;
            }

            if (error != 0)
            {
                Fail(ErrorOf(error), error);
                return;
            }

            ExtendedMasterSecret = (_serverExtensions & 64) != 0;
            CipherSuite = suite;
            Version = Tls12;
            System.Array.Copy(_hs, random, _serverRandom, 0, 32);
            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _handshakeState = WaitServerCertificate12;
        }

        /// <summary>RFC 5246 section 7.3: Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone, then Finished.</summary>
        private bool HandleMessage12(int type, int message, int bodyLength)
        {
            int state = _handshakeState;
            if (type == TlsHandshakeType.HelloRequest)
            {
                HelloRequest(bodyLength);
            }
            else if (type == TlsHandshakeType.Certificate && state == WaitServerCertificate12)
            {
                Certificate(message, bodyLength);
            }
            else if (type == TlsHandshakeType.ServerKeyExchange && state == WaitServerKeyExchange12)
            {
                ServerKeyExchange(message, bodyLength);
            }
            else if (type == TlsHandshakeType.CertificateRequest && state == WaitCertificateRequestOrDone12)
            {
                CertificateRequest12(message, bodyLength);
            }
            else if (type == TlsHandshakeType.ServerHelloDone && (state == WaitCertificateRequestOrDone12 || state == WaitServerHelloDone12))
            {
                return ServerHelloDone(message, bodyLength);
            }
            else if (type == TlsHandshakeType.Finished && state == WaitFinished12)
            {
                Finished12(message, bodyLength);
            }
            else
            {
                // A ServerHello after Finished (renegotiation without our ClientHello) lands here too.
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
            }

            return false;
        }

        /// <summary>
        /// RFC 5246 section 7.4.1.1: ignored while negotiating, never part of the transcript; once connected, refused with a
        /// warning no_renegotiation (section 7.2.2), since this client never renegotiates.
        /// </summary>
        private void HelloRequest(int bodyLength)
        {
            if (bodyLength != 0)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            if (_handshakeState == HandshakeDone && !_closeSent)
            {
                RenegotiationsRefused++;
                WriteAlert(TlsAlert.Warning, TlsAlert.NoRenegotiation);
            }
        }

        /// <summary>
        /// RFC 8422 section 5.4: ECParameters (named_curve, one of ours), the server's point, then its signature over
        /// client_random + server_random + ServerECDHParams, with a scheme that fits the suite. Our own share is made here
        /// so a bad point is refused now.
        /// </summary>
        private void ServerKeyExchange(int message, int bodyLength)
        {
            TlsReader r = _reader;
            int parameters = r.Position;
            int curveType = r.Uint8();
            int namedCurve = r.Uint16();
            int pointEnd = r.Vector(1);
            int point = r.Position;
            r.Position = pointEnd;
            int parametersEnd = r.Position;
            int scheme = r.Uint16();
            int signatureEnd = r.Vector(2);
            int signature = r.Position;
            if (r.Failed || signatureEnd != r.End || pointEnd == point)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            ITlsKeyExchange group = null;
            for (int i = 0; i < _groups.Length; i++)
            {
                if (_groups[i].NamedGroup == namedCurve)
                {
                    group = _groups[i];
                }
            }

            int suite = CipherSuite;
            bool ecdsa = suite == TlsCipherSuite.EcdheEcdsaAes128GcmSha256 || suite == TlsCipherSuite.EcdheEcdsaChaCha20Poly1305Sha256;
            if (curveType != 3 || group == null || pointEnd - point != group.KeyShareLength
                || !TlsSignatureScheme.AllowedInServerKeyExchange(scheme, ecdsa))
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return;
            }

            byte[] content = _signedContent;
            System.Array.Copy(_random, 0, content, 0, 32);
            System.Array.Copy(_serverRandom, 0, content, 32, 32);
            System.Array.Copy(_hs, parameters, content, 64, parametersEnd - parameters);
            if (!_authenticator.VerifySignature(scheme, content, 0, 64 + parametersEnd - parameters, _hs, signature, signatureEnd - signature))
            {
                Fail(TlsError.DecryptError, TlsAlert.DecryptError);
                return;
            }

            _group = group;
            group.GenerateKeyShare(_entropy, _clientShare, 0);
            if (!group.ComputeSharedSecret(_hs, point, pointEnd - point, _shared, 0))
            {
                Fail(TlsError.KeyExchangeFailed, TlsAlert.IllegalParameter);
                return;
            }

            NamedGroup = namedCurve;
            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _handshakeState = WaitCertificateRequestOrDone12;
        }

        /// <summary>
        /// RFC 5246 section 7.4.4: the credential goes when the server takes its key type (ecdsa_sign 64, rsa_sign 1) and
        /// lists its scheme; otherwise an empty Certificate answers (section 7.4.6). certificate_authorities is not used.
        /// </summary>
        private void CertificateRequest12(int message, int bodyLength)
        {
            TlsReader r = _reader;
            int typesEnd = r.Vector(1);
            bool noTypes = typesEnd == r.Position;
            int wanted = _credential != null && (_credential.SignatureScheme & 0xFF) == 3 ? 64 : 1;
            bool typeAccepted = false;
            while (!r.Failed && r.Position < typesEnd)
            {
                typeAccepted |= r.Uint8() == wanted;
            }

            bool schemeAccepted = SchemeListed(r.Vector(2));
            r.Position = r.Vector(2);
            if (r.Failed || r.Position != r.End || noTypes)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            _certificateRequested = true;
            _useCredential = typeAccepted && schemeAccepted;
            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _handshakeState = WaitServerHelloDone12;
        }

        /// <summary>
        /// RFC 5246 section 7.4.5 and 7.3: our flight, [Certificate], ClientKeyExchange, [CertificateVerify],
        /// change_cipher_spec, Finished, with the master secret and keys between. The server's verify_data is computed
        /// here too, so the secrets are wiped before its Finished arrives.
        /// </summary>
        private bool ServerHelloDone(int message, int bodyLength)
        {
            if (bodyLength != 0)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return false;
            }

            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength);
            if (OutputRoom() < _flightSize)
            {
                Fail(TlsError.OutputFull, TlsAlert.InternalError);
                return false;
            }

            if (_certificateRequested && !WriteClientCertificate())
            {
                return false;
            }

            // RFC 8422 section 5.7: ClientECDiffieHellmanPublic, our point in a one-byte vector.
            int shareLength = _group.KeyShareLength;
            int body = _outEnd + TlsContentType.HeaderLength;
            _out[body] = TlsHandshakeType.ClientKeyExchange;
            _out[body + 1] = 0;
            _out[body + 2] = 0;
            _out[body + 3] = (byte)(shareLength + 1);
            _out[body + 4] = (byte)shareLength;
            System.Array.Copy(_clientShare, 0, _out, body + 5, shareLength);
            _transcript.Update(_out, body, 5 + shareLength);
            if (!EmitHandshake(5 + shareLength))
            {
                return false;
            }

            // RFC 7627 section 3: session_hash covers the messages through ClientKeyExchange, as CertificateVerify's
            // handshake_messages do (RFC 5246 section 7.4.8), so one hash serves both.
            _transcript.Take(_hash, 0);
            DeriveKeys();
            if (_useCredential && !WriteCertificateVerify(_hash))
            {
                return false;
            }

            _transcript.Take(_finishedHash, 0);
            WritePlainHeader(_outEnd, TlsContentType.ChangeCipherSpec, 3, 1);
            _out[_outEnd + TlsContentType.HeaderLength] = 1;
            _outEnd += TlsContentType.HeaderLength + 1;
            int keyLength = _aesWrite != null && Aead(CipherSuite, false) == _aesWrite ? 16 : 32;
            int ivLength = keyLength == 16 ? 4 : 12;
            _write.SetKey12(Aead(CipherSuite, false), _keyBlock, 0, 2 * keyLength, ivLength);

            // Section 7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11].
            int finished = _outEnd + _write.ContentOffset;
            _out[finished] = TlsHandshakeType.Finished;
            _out[finished + 1] = 0;
            _out[finished + 2] = 0;
            _out[finished + 3] = VerifyDataLength;
            _prf.Derive(_masterSecret, 0, 48, ClientFinishedLabel, 0, ClientFinishedLabel.Length, _finishedHash, 0, 32,
                _out, finished + TlsHandshakeType.HeaderLength, VerifyDataLength);
            _transcript.Update(_out, finished, TlsHandshakeType.HeaderLength + VerifyDataLength);
            FinishRecord(TlsContentType.Handshake, TlsHandshakeType.HeaderLength + VerifyDataLength);
            _transcript.Take(_hash, 0);
            _prf.Derive(_masterSecret, 0, 48, ServerFinishedLabel, 0, ServerFinishedLabel.Length, _hash, 0, 32, _mac, 0, VerifyDataLength);
            System.Array.Clear(_masterSecret, 0, _masterSecret.Length);
            _handshakeState = WaitChangeCipherSpec12;
            return true;
        }

        /// <summary>
        /// The master secret (RFC 7627 section 4 with the session hash in <see cref="_hash"/>, else RFC 5246 section 8.1)
        /// and the key block (section 6.3): client key, server key, client IV, server IV.
        /// </summary>
        private void DeriveKeys()
        {
            int sharedLength = _group.SharedSecretLength;
            if (ExtendedMasterSecret)
            {
                _prf.Derive(_shared, 0, sharedLength, ExtendedMasterSecretLabel, 0, ExtendedMasterSecretLabel.Length, _hash, 0, 32,
                    _masterSecret, 0, 48);
            }
            else
            {
                System.Array.Copy(_random, 0, _seed, 0, 32);
                System.Array.Copy(_serverRandom, 0, _seed, 32, 32);
                _prf.Derive(_shared, 0, sharedLength, MasterSecretLabel, 0, MasterSecretLabel.Length, _seed, 0, 64, _masterSecret, 0, 48);
            }

            System.Array.Clear(_shared, 0, _shared.Length);
            System.Array.Copy(_serverRandom, 0, _seed, 0, 32);
            System.Array.Copy(_random, 0, _seed, 32, 32);
            _prf.Derive(_masterSecret, 0, 48, KeyExpansionLabel, 0, KeyExpansionLabel.Length, _seed, 0, 64, _keyBlock, 0, _keyBlock.Length);
        }

        /// <summary>
        /// RFC 5246 section 7.1: the server's change_cipher_spec, a single 1, turns its keys on; only after our Finished
        /// and never in the middle of a handshake message.
        /// </summary>
        private void ChangeCipherSpec12(int body, int length)
        {
            if (length != 1 || _in[body] != 1 || _handshakeState != WaitChangeCipherSpec12 || _hsCount != 0)
            {
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
                return;
            }

            int keyLength = _aesRead != null && Aead(CipherSuite, true) == _aesRead ? 16 : 32;
            int ivLength = keyLength == 16 ? 4 : 12;
            _read.SetKey12(Aead(CipherSuite, true), _keyBlock, keyLength, 2 * keyLength + ivLength, ivLength);
            System.Array.Clear(_keyBlock, 0, _keyBlock.Length);
            _handshakeState = WaitFinished12;
        }

        /// <summary>Section 7.4.9: the server's verify_data, computed when ours was, compared in constant time.</summary>
        private void Finished12(int message, int bodyLength)
        {
            if (bodyLength != VerifyDataLength)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            if (!ConstantTimeEqual(_hs, message + TlsHandshakeType.HeaderLength, _mac, VerifyDataLength))
            {
                Fail(TlsError.DecryptError, TlsAlert.DecryptError);
                return;
            }

            _handshakeState = HandshakeDone;
            State = TlsClientState.Connected;
        }

        private static byte[] Ascii(string text)
        {
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)text[i];
            }

            return bytes;
        }
    }
}
