using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>The TLS 1.3 handshake (RFC 8446 section 4, the client's state machine of appendix A.1) and the ServerHello both versions share.</summary>
    public sealed partial class TlsClient
    {
        private const int WaitServerHello = 1;
        private const int WaitEncryptedExtensions = 2;
        private const int WaitCertificateOrRequest = 3;
        private const int WaitCertificate = 4;
        private const int WaitCertificateVerify = 5;
        private const int WaitFinished = 6;
        private const int HandshakeDone = 7;
        private const int WaitServerCertificate12 = 8;
        private const int WaitServerKeyExchange12 = 9;
        private const int WaitCertificateRequestOrDone12 = 10;
        private const int WaitServerHelloDone12 = 11;
        private const int WaitChangeCipherSpec12 = 12;
        private const int WaitFinished12 = 13;

        private const int Tls12 = 0x0303;
        private const int Tls13 = 0x0304;

        // Section 4.1.3: ServerHello.random of a HelloRetryRequest, SHA-256("HelloRetryRequest").
        private static readonly byte[] HelloRetryRequestRandom =
        {
            0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
            0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C
        };

        // Section 4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates TLS 1.2 ("DOWNGRD" 01) or below (00).
        private static readonly byte[] DowngradeSentinel = { 0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44 };

        // Section 4.4.3: the context string of the server's CertificateVerify.
        private static readonly byte[] ServerCertificateVerifyContext =
        {
            (byte)'T', (byte)'L', (byte)'S', (byte)' ', (byte)'1', (byte)'.', (byte)'3', (byte)',', (byte)' ', (byte)'s',
            (byte)'e', (byte)'r', (byte)'v', (byte)'e', (byte)'r', (byte)' ', (byte)'C', (byte)'e', (byte)'r', (byte)'t',
            (byte)'i', (byte)'f', (byte)'i', (byte)'c', (byte)'a', (byte)'t', (byte)'e', (byte)'V', (byte)'e', (byte)'r',
            (byte)'i', (byte)'f', (byte)'y'
        };

        private readonly byte[] _hs;
        private int _hsCount;
        private int _handshakeState;
        private readonly byte[] _random = new byte[32];
        private readonly byte[] _sessionId = new byte[32];
        private readonly byte[] _shared;
        private readonly byte[] _hash = new byte[32];
        private readonly byte[] _finishedHash = new byte[32];
        private readonly byte[] _mac = new byte[32];
        private readonly byte[] _signedContent;
        private readonly byte[] _messageHash = new byte[TlsHandshakeType.HeaderLength + 32];
        private readonly byte[] _requestContext = new byte[255];
        private readonly int[] _certificateOffsets;
        private readonly int[] _certificateLengths;
        private int _requestContextLength;
        private bool _certificateRequested;
        private bool _retried;
        private bool _peerSentChangeCipherSpec;
        private bool _closeSent;
        private ITlsKeyExchange _group;
        private int _retrySuite;

        /// <summary>Adds a record's handshake bytes and handles every whole message (messages may span records, section 5.1).</summary>
        private void AppendHandshake(int offset, int length)
        {
            if (length == 0)
            {
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
                return;
            }

            if (length > _hs.Length - _hsCount)
            {
                Fail(TlsError.HandshakeTooLarge, TlsAlert.InternalError);
                return;
            }

            System.Array.Copy(_in, offset, _hs, _hsCount, length);
            _hsCount += length;
            int at = 0;
            while (_hsCount - at >= TlsHandshakeType.HeaderLength)
            {
                int bodyLength = (_hs[at + 1] << 16) | (_hs[at + 2] << 8) | _hs[at + 3];
                if (bodyLength > _hs.Length - TlsHandshakeType.HeaderLength)
                {
                    Fail(TlsError.HandshakeTooLarge, TlsAlert.InternalError);
                    return;
                }

                if (_hsCount - at < TlsHandshakeType.HeaderLength + bodyLength)
                {
                    break;
                }

                bool keyChange = HandleMessage(_hs[at], at, bodyLength);
                if (State == TlsClientState.Failed)
                {
                    return;
                }

                at += TlsHandshakeType.HeaderLength + bodyLength;
                if (keyChange && at < _hsCount)
                {
                    // Section 5.1: handshake messages must not span a key change.
                    Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
                    return;
                }
            }

            System.Array.Copy(_hs, at, _hs, 0, _hsCount - at);
            _hsCount -= at;
        }

        /// <summary>Handles one message; true when it changed the read key, after which no handshake bytes may remain.</summary>
        private bool HandleMessage(int type, int message, int bodyLength)
        {
            int body = message + TlsHandshakeType.HeaderLength;
            _reader.Attach(_hs, body, body + bodyLength);
            int state = _handshakeState;
            if (type == TlsHandshakeType.ServerHello && state == WaitServerHello)
            {
                return ServerHello(message, bodyLength);
            }

            if (_tls12)
            {
                return HandleMessage12(type, message, bodyLength);
            }

            if (type == TlsHandshakeType.EncryptedExtensions && state == WaitEncryptedExtensions)
            {
                EncryptedExtensions(message, bodyLength);
            }
            else if (type == TlsHandshakeType.CertificateRequest && state == WaitCertificateOrRequest)
            {
                CertificateRequest(message, bodyLength);
            }
            else if (type == TlsHandshakeType.Certificate && (state == WaitCertificateOrRequest || state == WaitCertificate))
            {
                Certificate(message, bodyLength);
            }
            else if (type == TlsHandshakeType.CertificateVerify && state == WaitCertificateVerify)
            {
                CertificateVerify(message, bodyLength);
            }
            else if (type == TlsHandshakeType.Finished && state == WaitFinished)
            {
                return Finished(message, bodyLength);
            }
            else if (type == TlsHandshakeType.NewSessionTicket && state == HandshakeDone)
            {
                NewSessionTicket();
            }
            else if (type == TlsHandshakeType.KeyUpdate && state == HandshakeDone)
            {
                return KeyUpdate();
            }
            else
            {
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
            }

            return false;
        }

        private bool ServerHello(int message, int bodyLength)
        {
            TlsReader r = _reader;
            int version = r.Uint16();
            int random = r.Position;
            r.Take(32);
            int sessionEnd = r.Vector(1);
            int sessionId = r.Position;
            r.Position = sessionEnd;
            int suite = r.Uint16();
            int compression = r.Uint8();
            int extensionsEnd = r.Vector(2);
            int extensions = r.Position;
            int selectedVersion = 0;
            int group = 0;
            int shareOffset = 0;
            int shareLength = -1;
            int cookieOffset = 0;
            int cookieLength = 0;
            bool unsupported = false;
            bool retry = !r.Failed && Equal(_hs, random, HelloRetryRequestRandom, 0, 32);
            int seen = 0;
            while (!r.Failed && r.Position < extensionsEnd)
            {
                int extension = r.Uint16();
                int end = r.Vector(2);
                int bit = extension == TlsExtensionType.SupportedVersions ? 1
                    : (extension == TlsExtensionType.KeyShare ? 2 : (extension == TlsExtensionType.Cookie ? 4 : 0));
                if ((seen & bit) != 0)
                {
                    Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter); // section 4.2: one extension of a type per block
                    return false;
                }

                seen |= bit;
                if (bit == 1)
                {
                    selectedVersion = r.Uint16();
                }
                else if (bit == 2)
                {
                    group = r.Uint16();
                    if (!retry)
                    {
                        int shareEnd = r.Vector(2);
                        shareOffset = r.Position;
                        shareLength = shareEnd - shareOffset;
                        r.Position = shareEnd;
                    }
                }
                else if (bit == 4 && retry)
                {
                    int cookieEnd = r.Vector(2);
                    cookieOffset = r.Position;
                    cookieLength = cookieEnd - cookieOffset;
                    r.Position = cookieEnd;
                }
                else
                {
                    unsupported = true;
                    r.Position = end;
                }

                if (r.Position != end)
                {
                    r.Failed = true;
                }
            }

            if (r.Failed || r.Position != r.End || sessionEnd - sessionId > 32)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return false;
            }

            if (selectedVersion == 0)
            {
                // Section 4.1.3: a TLS 1.3 server negotiating an older version marks its random; only a downgrade would, so
                // a client that offered TLS 1.3 refuses it. One that offered only 1.2 must not: such a server marks it too.
                bool sentinel = _offer13 && Equal(_hs, random + 24, DowngradeSentinel, 0, 7) && _hs[random + 31] <= 1;
                if (sentinel)
                {
                    Fail(TlsError.Downgrade, TlsAlert.IllegalParameter);
                }
                else if (version != Tls12 || !_offer12 || _retried)
                {
                    Fail(TlsError.ProtocolVersion, TlsAlert.ProtocolVersion); // section 4.2.1; RFC 5246 appendix E.1
                }
                else
                {
                    ServerHello12(message, bodyLength, random, sessionId, sessionEnd - sessionId, suite, compression, extensions);
                }

                return false;
            }

            // Section 4.2.1: supported_versions in a ServerHello selects TLS 1.3 (a server negotiating 1.2 must not send it).
            if (selectedVersion != Tls13 || version != Tls12 || !_offer13)
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter); // section 4.2.1: a version we did not offer
                return false;
            }

            if (unsupported)
            {
                Fail(TlsError.UnsupportedExtension, TlsAlert.UnsupportedExtension);
                return false;
            }

            // Section 4.1.3: the echo of our session id, a suite we offered, no compression; after a retry, the same suite.
            if (sessionEnd - sessionId != 32 || !Equal(_hs, sessionId, _sessionId, 0, 32) || compression != 0
                || Aead(suite, true) == null || (_retried && suite != _retrySuite))
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return false;
            }

            if (retry)
            {
                HelloRetryRequest(message, bodyLength, suite, group, (seen & 2) != 0, cookieOffset, cookieLength);
                return false;
            }

            if ((seen & 2) == 0)
            {
                Fail(TlsError.MissingExtension, TlsAlert.MissingExtension);
                return false;
            }

            if (group != _group.NamedGroup || shareLength != _group.KeyShareLength)
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return false;
            }

            if (!_group.ComputeSharedSecret(_hs, shareOffset, shareLength, _shared, 0))
            {
                Fail(TlsError.KeyExchangeFailed, TlsAlert.IllegalParameter);
                return false;
            }

            CipherSuite = suite;
            NamedGroup = group;
            Version = Tls13;
            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _transcript.Take(_hash, 0);
            _schedule.Start();
            _schedule.Handshake(_shared, 0, _group.SharedSecretLength, _hash);
            System.Array.Clear(_shared, 0, _shared.Length);
            _read.SetKey(Aead(suite, true), _schedule, _schedule.ServerSecret);
            _write.SetKey(Aead(suite, false), _schedule, _schedule.ClientSecret);
            _handshakeState = WaitEncryptedExtensions;
            return true;
        }

        /// <summary>Section 4.1.4: a second ClientHello with the requested group's share and the server's cookie.</summary>
        private void HelloRetryRequest(int message, int bodyLength, int suite, int group, bool hasGroup, int cookieOffset, int cookieLength)
        {
            if (_retried)
            {
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
                return;
            }

            ITlsKeyExchange requested = null;
            for (int i = 0; hasGroup && i < _groups.Length; i++)
            {
                if (_groups[i].NamedGroup == group)
                {
                    requested = _groups[i];
                }
            }

            // A group we offered, not the one we sent a share of, and a retry that changes something.
            if ((hasGroup && (requested == null || requested == _group)) || (!hasGroup && cookieLength == 0))
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return;
            }

            _retried = true;
            HelloRetried = true;
            _retrySuite = suite;
            if (requested != null)
            {
                _group = requested;
            }

            // Section 4.4.1: ClientHello1 is replaced by the synthetic message_hash holding its hash.
            _messageHash[0] = TlsHandshakeType.MessageHash;
            _messageHash[1] = 0;
            _messageHash[2] = 0;
            _messageHash[3] = (byte)_transcript.HashSize;
            _transcript.Take(_messageHash, TlsHandshakeType.HeaderLength);
            _transcript.Restart();
            _transcript.Update(_messageHash, 0, TlsHandshakeType.HeaderLength + _transcript.HashSize);
            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            WriteClientHello(_hs, cookieOffset, cookieLength, false);
        }

        private void EncryptedExtensions(int message, int bodyLength)
        {
            int error = ServerExtensions(_reader.Vector(2), false);
            if (error != 0)
            {
                Fail(ErrorOf(error), error);
                return;
            }

            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _handshakeState = WaitCertificateOrRequest;
        }

        /// <summary>
        /// The extensions of EncryptedExtensions (TLS 1.3) or of a TLS 1.2 ServerHello, each at most once (section 4.2),
        /// ending at the message's end; returns 0 or the alert to send. Sets <see cref="_serverExtensions"/>.
        /// </summary>
        private int ServerExtensions(int extensionsEnd, bool tls12)
        {
            TlsReader r = _reader;
            int seen = 0;
            int error = 0;
            while (!r.Failed && r.Position < extensionsEnd && error == 0)
            {
                int extension = r.Uint16();
                int end = r.Vector(2);
                int bit = 0;
                if (extension == TlsExtensionType.ServerName)
                {
                    bit = 1;
                    error = _hostName == null ? TlsAlert.UnsupportedExtension : (end != r.Position ? TlsAlert.DecodeError : 0);
                }
                else if (extension == TlsExtensionType.MaxFragmentLength)
                {
                    bit = 2;
                    int code = r.Uint8();
                    // RFC 6066 section 4: the server echoes the value we asked for.
                    error = _maxFragmentLength == 0 ? TlsAlert.UnsupportedExtension : (code != _maxFragmentLength ? TlsAlert.IllegalParameter : 0);
                    LowerSendLimit(256 << code);
                }
                else if (extension == TlsExtensionType.RecordSizeLimit)
                {
                    bit = 4;
                    int limit = r.Uint16();
                    // RFC 8449 section 4: at least 64; in TLS 1.3 it counts the content type byte, in TLS 1.2 the plaintext only.
                    error = limit < 64 ? TlsAlert.IllegalParameter : 0;
                    LowerSendLimit(tls12 ? limit : limit - 1);
                }
                else if (extension == TlsExtensionType.ApplicationLayerProtocolNegotiation)
                {
                    bit = 8;
                    error = _applicationProtocols == null ? TlsAlert.UnsupportedExtension : SelectedProtocol(end);
                }
                else if (extension == TlsExtensionType.SupportedGroups)
                {
                    bit = 16;
                    r.Position = end; // the server's preferences, for a later connection (section 4.2.7)
                }
                else if (tls12 && extension == TlsExtensionType.RenegotiationInfo)
                {
                    // RFC 5746 section 3.4: an initial handshake's renegotiated_connection is empty.
                    bit = 32;
                    int infoEnd = r.Vector(1);
                    error = infoEnd != r.Position ? TlsAlert.HandshakeFailure : 0;
                    r.Position = infoEnd;
                }
                else if (tls12 && extension == TlsExtensionType.ExtendedMasterSecret)
                {
                    bit = 64; // RFC 7627 section 5.1: empty extension_data
                }
                else if (tls12 && extension == TlsExtensionType.EcPointFormats)
                {
                    // RFC 8422 section 5.2: the server's list, which must hold uncompressed (0), the only format we send.
                    bit = 128;
                    int listEnd = r.Vector(1);
                    bool uncompressed = false;
                    error = listEnd == r.Position ? TlsAlert.DecodeError : 0;
                    while (!r.Failed && r.Position < listEnd)
                    {
                        uncompressed |= r.Uint8() == 0;
                    }

                    error = error == 0 && !uncompressed ? TlsAlert.IllegalParameter : error;
                }
                else
                {
                    // Section 4.2: an extension we understand but that has no place here, or one we never offered.
                    bool known = extension == TlsExtensionType.KeyShare || extension == TlsExtensionType.SupportedVersions
                        || extension == TlsExtensionType.SignatureAlgorithms || extension == TlsExtensionType.Cookie
                        || extension == TlsExtensionType.PreSharedKey || (_offer12 && (extension == TlsExtensionType.RenegotiationInfo
                        || extension == TlsExtensionType.ExtendedMasterSecret || extension == TlsExtensionType.EcPointFormats));
                    error = known ? TlsAlert.IllegalParameter : TlsAlert.UnsupportedExtension;
                }

                if ((seen & bit) != 0)
                {
                    error = TlsAlert.IllegalParameter;
                }

                seen |= bit;
                if (error == 0 && r.Position != end)
                {
                    error = TlsAlert.DecodeError;
                }
            }

            if (error == 0 && (r.Failed || r.Position != r.End))
            {
                error = TlsAlert.DecodeError;
            }

            _serverExtensions = seen;
            return error;
        }

        /// <summary>RFC 7301 section 3.1: exactly one name, one of those we offered; 0 or the alert to send.</summary>
        private int SelectedProtocol(int end)
        {
            TlsReader r = _reader;
            int listEnd = r.Vector(2);
            int nameEnd = r.Vector(1);
            int name = r.Position;
            if (r.Failed || listEnd != end || nameEnd != end || nameEnd == name)
            {
                return TlsAlert.DecodeError;
            }

            r.Position = end;
            string[] offered = _options.ApplicationProtocols;
            for (int i = 0; i < offered.Length; i++)
            {
                if (offered[i].Length == nameEnd - name && Matches(offered[i], name))
                {
                    ApplicationProtocol = offered[i];
                    return 0;
                }
            }

            return TlsAlert.IllegalParameter;
        }

        private bool Matches(string text, int offset)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (_hs[offset + i] != text[i])
                {
                    return false;
                }
            }

            return true;
        }

        private void LowerSendLimit(int limit)
        {
            if (limit < _sendLimit)
            {
                _sendLimit = limit;
            }
        }

        /// <summary>
        /// Section 4.3.2: the context is kept for the client's Certificate, which carries the credential when the server's
        /// signature_algorithms lists its scheme, else nothing (section 4.4.2: an empty certificate_list).
        /// </summary>
        private void CertificateRequest(int message, int bodyLength)
        {
            TlsReader r = _reader;
            int contextEnd = r.Vector(1);
            int context = r.Position;
            r.Position = contextEnd;
            int extensionsEnd = r.Vector(2);
            bool signatureAlgorithms = false;
            bool schemeAccepted = false;
            while (!r.Failed && r.Position < extensionsEnd)
            {
                int extension = r.Uint16();
                int end = r.Vector(2);
                if (extension == TlsExtensionType.SignatureAlgorithms)
                {
                    signatureAlgorithms = true;
                    schemeAccepted = SchemeListed(r.Vector(2));
                }

                r.Position = end;
            }

            if (r.Failed || r.Position != r.End)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            if (!signatureAlgorithms)
            {
                Fail(TlsError.MissingExtension, TlsAlert.MissingExtension);
                return;
            }

            _requestContextLength = contextEnd - context;
            System.Array.Copy(_hs, context, _requestContext, 0, _requestContextLength);
            _certificateRequested = true;
            _useCredential = schemeAccepted;
            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _handshakeState = WaitCertificate;
        }

        private void Certificate(int message, int bodyLength)
        {
            // RFC 5246 section 7.4.2: TLS 1.2's Certificate has no context and its entries no extensions.
            TlsReader r = _reader;
            int contextLength = _tls12 ? 0 : r.Uint8();
            int listEnd = r.Vector(3);
            int count = 0;
            bool tooLong = false;
            while (!r.Failed && r.Position < listEnd)
            {
                int dataEnd = r.Vector(3);
                int data = r.Position;
                if (dataEnd == data)
                {
                    r.Failed = true; // cert_data<1..2^24-1>
                }

                r.Position = dataEnd;
                if (!_tls12)
                {
                    r.Position = r.Vector(2);
                }

                if (count == _certificateOffsets.Length)
                {
                    tooLong = true;
                }
                else
                {
                    _certificateOffsets[count] = data;
                    _certificateLengths[count] = dataEnd - data;
                    count++;
                }
            }

            // Section 4.4.2: an empty context for server authentication; section 4.4.2.4: an empty list is a decode_error.
            if (r.Failed || r.Position != r.End || listEnd != r.End || count == 0)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            if (contextLength != 0)
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return;
            }

            int alert = tooLong ? TlsAlert.BadCertificate
                : _authenticator.CheckCertificateChain(_hs, _certificateOffsets, _certificateLengths, count, _options.HostName);
            if (alert != 0)
            {
                Fail(TlsError.CertificateRejected, alert);
                return;
            }

            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _handshakeState = _tls12 ? WaitServerKeyExchange12 : WaitCertificateVerify;
        }

        private void CertificateVerify(int message, int bodyLength)
        {
            TlsReader r = _reader;
            int scheme = r.Uint16();
            int signatureEnd = r.Vector(2);
            int signature = r.Position;
            if (r.Failed || signatureEnd != r.End)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            if (!TlsSignatureScheme.AllowedInCertificateVerify(scheme))
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return;
            }

            // Section 4.4.3: 64 spaces, the context string, a zero byte, then Transcript-Hash(ClientHello..Certificate).
            int at = SignedContent(ServerCertificateVerifyContext);
            if (!_authenticator.VerifySignature(scheme, _signedContent, 0, at, _hs, signature, signatureEnd - signature))
            {
                Fail(TlsError.DecryptError, TlsAlert.DecryptError);
                return;
            }

            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _handshakeState = WaitFinished;
        }

        /// <summary>
        /// Section 4.4.4: checks the server's Finished, then sends ours (after an empty Certificate when one was asked for)
        /// under the client handshake key and switches both directions to the application traffic keys (section 7.1).
        /// </summary>
        private bool Finished(int message, int bodyLength)
        {
            int hashSize = _transcript.HashSize;
            if (bodyLength != hashSize)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return false;
            }

            _transcript.Take(_hash, 0);
            _schedule.FinishedMac(_schedule.ServerSecret, _hash, _mac, 0);
            if (!ConstantTimeEqual(_hs, message + TlsHandshakeType.HeaderLength, _mac, hashSize))
            {
                Fail(TlsError.DecryptError, TlsAlert.DecryptError);
                return false;
            }

            _transcript.Update(_hs, message, TlsHandshakeType.HeaderLength + bodyLength);
            _transcript.Take(_hash, 0);
            if (OutputRoom() < _flightSize)
            {
                Fail(TlsError.OutputFull, TlsAlert.InternalError);
                return false;
            }

            if (_peerSentChangeCipherSpec)
            {
                // Appendix D.4: in middlebox compatibility mode a dummy change_cipher_spec precedes our encrypted flight.
                WritePlainHeader(_outEnd, TlsContentType.ChangeCipherSpec, 3, 1);
                _out[_outEnd + TlsContentType.HeaderLength] = 1;
                _outEnd += TlsContentType.HeaderLength + 1;
            }

            byte[] finishedHash = _hash;
            if (_certificateRequested)
            {
                // Section 4.4.2: certificate_request_context echoed, the credential's chain or an empty certificate_list;
                // section 4.4.3: CertificateVerify over the transcript up to it when a certificate went.
                if (!WriteClientCertificate() || (_useCredential && !WriteClientCertificateVerify13()))
                {
                    return false;
                }

                _transcript.Take(_finishedHash, 0);
                finishedHash = _finishedHash;
            }

            int finished = _outEnd + TlsContentType.HeaderLength;
            _out[finished] = TlsHandshakeType.Finished;
            _out[finished + 1] = 0;
            _out[finished + 2] = 0;
            _out[finished + 3] = (byte)hashSize;
            _schedule.FinishedMac(_schedule.ClientSecret, finishedHash, _out, finished + TlsHandshakeType.HeaderLength);
            FinishRecord(TlsContentType.Handshake, TlsHandshakeType.HeaderLength + hashSize);

            _schedule.Application(_hash);
            _read.SetKey(Aead(CipherSuite, true), _schedule, _schedule.ServerSecret);
            _write.SetKey(Aead(CipherSuite, false), _schedule, _schedule.ClientSecret);
            _handshakeState = HandshakeDone;
            State = TlsClientState.Connected;
            return true;
        }

        /// <summary>Section 4.6.1: checked for framing and dropped; resumption is not offered.</summary>
        private void NewSessionTicket()
        {
            TlsReader r = _reader;
            r.Take(8); // ticket_lifetime, ticket_age_add
            r.Position = r.Vector(1);
            int ticketEnd = r.Vector(2);
            bool empty = ticketEnd == r.Position;
            r.Position = ticketEnd;
            r.Position = r.Vector(2);
            if (r.Failed || empty || r.Position != r.End)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            TicketsIgnored++;
        }

        /// <summary>Section 4.6.3: the server's next traffic secret; when it asks, ours too, announced under the old key.</summary>
        private bool KeyUpdate()
        {
            TlsReader r = _reader;
            int request = r.Uint8();
            if (r.Failed || r.Position != r.End)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return false;
            }

            if (request > 1)
            {
                Fail(TlsError.IllegalParameter, TlsAlert.IllegalParameter);
                return false;
            }

            KeyUpdatesReceived++;
            _schedule.NextTrafficSecret(_schedule.ServerSecret);
            _read.SetKey(Aead(CipherSuite, true), _schedule, _schedule.ServerSecret);
            if (request == 1 && !_closeSent)
            {
                if (OutputRoom() < TlsContentType.HeaderLength + TlsHandshakeType.HeaderLength + 2 + _write.TagSize)
                {
                    Fail(TlsError.OutputFull, TlsAlert.InternalError);
                    return true;
                }

                int body = _outEnd + TlsContentType.HeaderLength;
                _out[body] = TlsHandshakeType.KeyUpdate;
                _out[body + 1] = 0;
                _out[body + 2] = 0;
                _out[body + 3] = 1;
                _out[body + 4] = 0; // update_not_requested
                FinishRecord(TlsContentType.Handshake, TlsHandshakeType.HeaderLength + 1);
                _schedule.NextTrafficSecret(_schedule.ClientSecret);
                _write.SetKey(Aead(CipherSuite, false), _schedule, _schedule.ClientSecret);
            }

            return true;
        }

        /// <summary>
        /// Section 4.1.2: queues the ClientHello as a plaintext record. The second one after a HelloRetryRequest is the
        /// first with the requested group's new share and the server's cookie (section 4.2.2).
        /// </summary>
        private void WriteClientHello(byte[] cookie, int cookieOffset, int cookieLength, bool initial)
        {
            TlsWriter w = _writer;
            int record = _outEnd;
            int message = record + TlsContentType.HeaderLength;
            w.Attach(_out, message, _out.Length);
            w.Uint8(TlsHandshakeType.ClientHello);
            int length = w.BeginVector(3);
            w.Uint16(Tls12); // legacy_version (RFC 8446 section 4.1.2; RFC 5246's client_version for TLS 1.2)
            w.Bytes(_random, 0, _random.Length);
            w.Uint8(_sessionIdLength);
            w.Bytes(_sessionId, 0, _sessionIdLength);
            int suites = w.BeginVector(2);
            if (_aesRead != null && _offer13)
            {
                w.Uint16(TlsCipherSuite.Aes128GcmSha256);
            }

            if (_chachaRead != null && _offer13)
            {
                w.Uint16(TlsCipherSuite.ChaCha20Poly1305Sha256);
            }

            if (_aesRead != null && _offer12)
            {
                w.Uint16(TlsCipherSuite.EcdheEcdsaAes128GcmSha256);
                w.Uint16(TlsCipherSuite.EcdheRsaAes128GcmSha256);
            }

            if (_chachaRead != null && _offer12)
            {
                w.Uint16(TlsCipherSuite.EcdheEcdsaChaCha20Poly1305Sha256);
                w.Uint16(TlsCipherSuite.EcdheRsaChaCha20Poly1305Sha256);
            }

            w.EndVector(suites, 2);
            w.Uint8(1); // legacy_compression_methods: null only
            w.Uint8(0);
            int extensions = w.BeginVector(2);
            if (_hostName != null)
            {
                // RFC 6066 section 3: ServerNameList with one host_name (0).
                w.Uint16(TlsExtensionType.ServerName);
                w.Uint16(_hostName.Length + 5);
                w.Uint16(_hostName.Length + 3);
                w.Uint8(0);
                w.Uint16(_hostName.Length);
                w.Bytes(_hostName, 0, _hostName.Length);
            }

            if (_maxFragmentLength != 0)
            {
                w.Uint16(TlsExtensionType.MaxFragmentLength);
                w.Uint16(1);
                w.Uint8(_maxFragmentLength);
            }

            w.Uint16(TlsExtensionType.SupportedGroups);
            w.Uint16(2 + 2 * _groups.Length);
            w.Uint16(2 * _groups.Length);
            for (int i = 0; i < _groups.Length; i++)
            {
                w.Uint16(_groups[i].NamedGroup);
            }

            int[] schemes = TlsSignatureScheme.Offered;
            w.Uint16(TlsExtensionType.SignatureAlgorithms);
            w.Uint16(2 + 2 * schemes.Length);
            w.Uint16(2 * schemes.Length);
            for (int i = 0; i < schemes.Length; i++)
            {
                w.Uint16(schemes[i]);
            }

            if (_applicationProtocols != null)
            {
                w.Uint16(TlsExtensionType.ApplicationLayerProtocolNegotiation);
                w.Uint16(_applicationProtocols.Length + 2);
                w.Uint16(_applicationProtocols.Length);
                w.Bytes(_applicationProtocols, 0, _applicationProtocols.Length);
            }

            // RFC 8449 section 4: the largest TLSInnerPlaintext we take, content type included (TLS 1.2: plaintext only).
            w.Uint16(TlsExtensionType.RecordSizeLimit);
            w.Uint16(2);
            w.Uint16(_recordSize + (_offer13 ? 1 : 0));
            if (_offer12)
            {
                // RFC 8422 section 5.1.2: uncompressed points only; RFC 7627 section 5.1: extended_master_secret, empty;
                // RFC 5746 section 3.4: renegotiation_info with an empty renegotiated_connection.
                w.Uint16(TlsExtensionType.EcPointFormats);
                w.Uint16(2);
                w.Uint8(1);
                w.Uint8(0);
                w.Uint16(TlsExtensionType.ExtendedMasterSecret);
                w.Uint16(0);
                w.Uint16(TlsExtensionType.RenegotiationInfo);
                w.Uint16(1);
                w.Uint8(0);
            }

            if (!_offer13)
            {
                w.EndVector(extensions, 2);
                w.EndVector(length, 3);
                FinishClientHello(record, message, initial);
                return;
            }

            // Section 4.2.1: the versions offered, newest first.
            w.Uint16(TlsExtensionType.SupportedVersions);
            w.Uint16(_offer12 ? 5 : 3);
            w.Uint8(_offer12 ? 4 : 2);
            w.Uint16(Tls13);
            if (_offer12)
            {
                w.Uint16(Tls12);
            }

            if (cookieLength > 0)
            {
                w.Uint16(TlsExtensionType.Cookie);
                w.Uint16(cookieLength + 2);
                w.Uint16(cookieLength);
                w.Bytes(cookie, cookieOffset, cookieLength);
            }

            // Section 4.2.8: one KeyShareEntry, of the group preferred (or the one a HelloRetryRequest asked for).
            int shareLength = _group.KeyShareLength;
            w.Uint16(TlsExtensionType.KeyShare);
            w.Uint16(shareLength + 6);
            w.Uint16(shareLength + 4);
            w.Uint16(_group.NamedGroup);
            w.Uint16(shareLength);
            int share = w.Reserve(shareLength);
            w.EndVector(extensions, 2);
            w.EndVector(length, 3);
            if (!w.Overflow)
            {
                _group.GenerateKeyShare(_entropy, _out, share);
            }

            FinishClientHello(record, message, initial);
        }

        private void FinishClientHello(int record, int message, bool initial)
        {
            TlsWriter w = _writer;
            if (w.Overflow)
            {
                Fail(TlsError.OutputFull, TlsAlert.InternalError);
                return;
            }

            int messageLength = w.Position - message;
            _transcript.Update(_out, message, messageLength);
            // Section 5.1: legacy_record_version 0x0301 for the initial ClientHello, for compatibility.
            WritePlainHeader(record, TlsContentType.Handshake, initial ? 1 : 3, messageLength);
            _outEnd = w.Position;
        }

        /// <summary>The AEAD of a suite offered in the version negotiated, null for any other.</summary>
        private IAead Aead(int suite, bool read)
        {
            bool aes = _tls12 ? suite == TlsCipherSuite.EcdheEcdsaAes128GcmSha256 || suite == TlsCipherSuite.EcdheRsaAes128GcmSha256
                : suite == TlsCipherSuite.Aes128GcmSha256;
            bool chacha = _tls12 ? suite == TlsCipherSuite.EcdheEcdsaChaCha20Poly1305Sha256 || suite == TlsCipherSuite.EcdheRsaChaCha20Poly1305Sha256
                : suite == TlsCipherSuite.ChaCha20Poly1305Sha256;
            if (aes)
            {
                return read ? _aesRead : _aesWrite;
            }

            return chacha ? (read ? _chachaRead : _chachaWrite) : null;
        }

        private static TlsError ErrorOf(int alert)
        {
            if (alert == TlsAlert.DecodeError)
            {
                return TlsError.DecodeError;
            }

            if (alert == TlsAlert.HandshakeFailure)
            {
                return TlsError.HandshakeFailure;
            }

            return alert == TlsAlert.UnsupportedExtension ? TlsError.UnsupportedExtension : TlsError.IllegalParameter;
        }

        private static bool Equal(byte[] a, int offset, byte[] b, int bOffset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (a[offset + i] != b[bOffset + i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Compares every byte whatever differs first, so the time taken says nothing of the expected MAC.</summary>
        private static bool ConstantTimeEqual(byte[] a, int offset, byte[] b, int count)
        {
            int difference = 0;
            for (int i = 0; i < count; i++)
            {
                difference |= a[offset + i] ^ b[i];
            }

            return difference == 0;
        }
    }
}
