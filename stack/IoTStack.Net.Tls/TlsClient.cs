using IoTStack.Crypto;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// A TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246) client without I/O of its own: the caller hands it the bytes the transport received
    /// (<see cref="ReserveInput"/> and <see cref="InputReceived"/>, or <see cref="Feed"/>) and sends what it queues
    /// (<see cref="OutputBuffer"/>, <see cref="OutputOffset"/>, <see cref="OutputCount"/>, <see cref="OutputSent"/>), so it
    /// runs over any transport; <see cref="TlsConnection"/> runs it over an <see cref="Sockets.ISocketEngine"/>. Every
    /// buffer, secret and cipher is taken in the constructor from <see cref="TlsClientOptions"/>; a handshake and the
    /// records after it allocate nothing (DESIGN.md rule 2). Bad input from the peer ends the connection with a fatal alert
    /// queued for the peer and <see cref="LastError"/> set, never an exception (DESIGN.md rule 5).
    /// </summary>
    public sealed partial class TlsClient
    {
        // Room kept free behind application records for what the protocol itself must send: an alert or a KeyUpdate
        // (header, message, content type, tag).
        private const int ControlReserve = 64;
        private const int MaximumTagSize = 16;

        private readonly TlsClientOptions _options;
        private readonly IEntropySource _entropy;
        private readonly ITlsKeyExchange[] _groups;
        private readonly ITlsServerAuthenticator _authenticator;
        private readonly byte[] _hostName;
        private readonly byte[] _applicationProtocols;
        private readonly int _recordSize;
        private readonly int _maxFragmentLength;
        private readonly IAead _aesRead;
        private readonly IAead _aesWrite;
        private readonly IAead _chachaRead;
        private readonly IAead _chachaWrite;
        private readonly TlsRecordCipher _read = new TlsRecordCipher();
        private readonly TlsRecordCipher _write = new TlsRecordCipher();
        private readonly TlsKeySchedule _schedule;
        private readonly TlsTranscript _transcript;
        private readonly TlsReader _reader = new TlsReader();
        private readonly TlsWriter _writer = new TlsWriter();

        // Received bytes: records from _inStart to _inEnd; a decrypted application_data record's content waits at
        // _appOffset until read, and nothing behind it is handled before.
        private readonly byte[] _in;
        private int _inStart;
        private int _inEnd;
        private int _appOffset;
        private int _appCount;

        private readonly byte[] _out;
        private int _outStart;
        private int _outEnd;

        private int _sendLimit;

        /// <summary>
        /// Creates a client with every buffer it will use. <paramref name="keyExchanges"/> lists the groups offered, the
        /// first one's share sent in the ClientHello (a server preferring another asks for it with a HelloRetryRequest).
        /// </summary>
        public TlsClient(TlsClientOptions options, IEntropySource entropy, ITlsKeyExchange[] keyExchanges,
            ITlsServerAuthenticator authenticator)
        {
            if (options == null || entropy == null || keyExchanges == null || authenticator == null)
            {
                throw new System.ArgumentNullException(options == null ? "options"
                    : (entropy == null ? "entropy" : (keyExchanges == null ? "keyExchanges" : "authenticator")));
            }

            if (keyExchanges.Length == 0 || options.RecordSize < 64 || options.RecordSize > 16384 || options.HandshakeBufferSize < 256
                || options.MaximumChainLength < 1 || !(options.OfferAes128Gcm || options.OfferChaCha20Poly1305)
                || options.MinimumVersion < Tls12 || options.MaximumVersion > Tls13 || options.MinimumVersion > options.MaximumVersion)
            {
                throw new System.ArgumentOutOfRangeException("options");
            }

            _options = options;
            _entropy = entropy;
            _groups = keyExchanges;
            _authenticator = authenticator;
            _hostName = EncodeHostName(options.HostName);
            _applicationProtocols = EncodeProtocols(options.ApplicationProtocols);
            _recordSize = options.RecordSize;
            _offer13 = options.MaximumVersion == Tls13;
            _offer12 = options.MinimumVersion == Tls12;
            _credential = options.ClientCredential;
            int size = _recordSize;
            _maxFragmentLength = size == 512 ? 1 : (size == 1024 ? 2 : (size == 2048 ? 3 : (size == 4096 ? 4 : 0)));
            if (options.OfferAes128Gcm)
            {
                _aesRead = new AesGcmCipher(16);
                _aesWrite = new AesGcmCipher(16);
            }

            if (options.OfferChaCha20Poly1305)
            {
                _chachaRead = new ChaCha20Poly1305Cipher();
                _chachaWrite = new ChaCha20Poly1305Cipher();
            }

            // A client certificate in TLS 1.3 takes a sixth point: the client's Certificate for its CertificateVerify.
            IHash[] hashes = new IHash[TlsTranscript.Points + (_credential != null ? 1 : 0)];
            for (int i = 0; i < hashes.Length; i++)
            {
                hashes[i] = new Sha256();
            }

            _transcript = new TlsTranscript(hashes);
            _schedule = new TlsKeySchedule(new Hkdf(new Sha256()), hashes[0]);

            // RFC 8446 section 5.2: a protected record's body is at most the plaintext limit + 256.
            _in = new byte[TlsContentType.HeaderLength + _recordSize + 256];
            int helloSize = 512 + (_hostName == null ? 0 : _hostName.Length) + (_applicationProtocols == null ? 0 : _applicationProtocols.Length);
            int recordOut = TlsContentType.HeaderLength + _recordSize + 1 + MaximumTagSize + ControlReserve;
            _flightSize = ClientFlightSize(_credential);
            int flight = _flightSize + ControlReserve;
            recordOut = recordOut > flight ? recordOut : flight;
            _out = new byte[recordOut > helloSize ? recordOut : helloSize];
            _hs = new byte[options.HandshakeBufferSize];
            _certificateOffsets = new int[options.MaximumChainLength];
            _certificateLengths = new int[options.MaximumChainLength];
            int largestShare = 0;
            for (int i = 0; i < keyExchanges.Length; i++)
            {
                if (keyExchanges[i].SharedSecretLength > largestShare)
                {
                    largestShare = keyExchanges[i].SharedSecretLength;
                }
            }

            _shared = new byte[largestShare];
            int largestKeyShare = LargestKeyShare(keyExchanges);
            _clientShare = new byte[largestKeyShare];
            // CertificateVerify's content (RFC 8446 section 4.4.3) or ServerKeyExchange's (RFC 8422 section 5.4).
            _signedContent = new byte[64 + 33 + 1 + 32 > 64 + 4 + largestKeyShare ? 64 + 33 + 1 + 32 : 64 + 4 + largestKeyShare];
            if (_offer12)
            {
                _prf = new Tls12Prf(new Sha256());
                _masterSecret = new byte[48];
                _keyBlock = new byte[2 * 32 + 2 * 12];
                _seed = new byte[64];
                _serverRandom = new byte[32];
            }

            if (_credential != null)
            {
                _signatureHash = new Sha256();
            }
        }

        public TlsClientState State { get; private set; }

        /// <summary>The negotiated version: 0x0304 (TLS 1.3) or 0x0303 (TLS 1.2), 0 before ServerHello.</summary>
        public int Version { get; private set; }

        /// <summary>Whether a TLS 1.2 server negotiated the extended master secret (RFC 7627).</summary>
        public bool ExtendedMasterSecret { get; private set; }

        /// <summary>Whether the server asked for a certificate and the credential's chain was sent (not an empty one).</summary>
        public bool ClientCertificateSent { get; private set; }

        /// <summary>What ended the connection (None while it is up).</summary>
        public TlsError LastError { get; private set; }

        /// <summary>The fatal alert this client sent (RFC 8446 section 6.2), -1 when none.</summary>
        public int AlertSent { get; private set; }

        /// <summary>The fatal alert the peer sent, -1 when none.</summary>
        public int AlertReceived { get; private set; }

        /// <summary>The negotiated cipher suite (<see cref="TlsCipherSuite"/>), 0 before ServerHello.</summary>
        public int CipherSuite { get; private set; }

        /// <summary>The negotiated key exchange group (NamedGroup), 0 before ServerHello.</summary>
        public int NamedGroup { get; private set; }

        /// <summary>Whether the server asked for another key share (HelloRetryRequest, section 4.1.4).</summary>
        public bool HelloRetried { get; private set; }

        /// <summary>The ALPN protocol the server selected (one of the options' ApplicationProtocols), null for none.</summary>
        public string ApplicationProtocol { get; private set; }

        /// <summary>The largest plaintext this client puts in one record: its own RecordSize, lowered by the server's limits.</summary>
        public int SendLimit
        {
            get { return _sendLimit; }
        }

        /// <summary>Whether the peer sent close_notify: nothing more will be read.</summary>
        public bool PeerClosed { get; private set; }

        /// <summary>Records that failed authentication, KeyUpdates received, NewSessionTickets ignored.</summary>
        public int BadRecords;
        public int KeyUpdatesReceived;
        public int TicketsIgnored;

        /// <summary>TLS 1.2 HelloRequests answered with no_renegotiation (RFC 5246 section 7.2.2).</summary>
        public int RenegotiationsRefused;

        public byte[] OutputBuffer
        {
            get { return _out; }
        }

        /// <summary>Where the bytes to send start in <see cref="OutputBuffer"/>.</summary>
        public int OutputOffset
        {
            get { return _outStart; }
        }

        /// <summary>How many bytes wait to be sent.</summary>
        public int OutputCount
        {
            get { return _outEnd - _outStart; }
        }

        /// <summary>Application data bytes decrypted and waiting for <see cref="Read"/>.</summary>
        public int Available
        {
            get { return _appCount; }
        }

        /// <summary>Starts a handshake: queues the ClientHello. A client may be started again after it closed or failed.</summary>
        public void Start()
        {
            _inStart = 0;
            _inEnd = 0;
            _appCount = 0;
            _outStart = 0;
            _outEnd = 0;
            _hsCount = 0;
            _read.Clear();
            _write.Clear();
            _retried = false;
            _peerSentChangeCipherSpec = false;
            _certificateRequested = false;
            _useCredential = false;
            _tls12 = false;
            Version = 0;
            ExtendedMasterSecret = false;
            ClientCertificateSent = false;
            _closeSent = false;
            PeerClosed = false;
            HelloRetried = false;
            CipherSuite = 0;
            NamedGroup = 0;
            ApplicationProtocol = null;
            LastError = TlsError.None;
            AlertSent = -1;
            AlertReceived = -1;
            _sendLimit = _recordSize;
            _group = _groups[0];
            _transcript.Restart();
            _entropy.Fill(_random, 0, _random.Length);
            // Appendix D.4: a non-empty legacy_session_id makes the handshake look like a TLS 1.2 resumption to middleboxes.
            // A TLS 1.2-only client sends an empty one: it resumes nothing (RFC 5246 section 7.4.1.2).
            _entropy.Fill(_sessionId, 0, _sessionId.Length);
            _sessionIdLength = _offer13 ? _sessionId.Length : 0;
            State = TlsClientState.Handshaking;
            _handshakeState = WaitServerHello;
            WriteClientHello(null, 0, 0, true);
        }

        /// <summary>Marks <paramref name="count"/> bytes from <see cref="OutputOffset"/> as handed to the transport.</summary>
        public void OutputSent(int count)
        {
            if (count < 0 || count > _outEnd - _outStart)
            {
                throw new System.ArgumentOutOfRangeException("count");
            }

            _outStart += count;
            if (_outStart == _outEnd)
            {
                _outStart = 0;
                _outEnd = 0;
            }
        }

        /// <summary>Copies up to <paramref name="count"/> bytes to send into <paramref name="buffer"/> and returns how many.</summary>
        public int TakeOutput(byte[] buffer, int offset, int count)
        {
            int take = _outEnd - _outStart;
            if (take > count)
            {
                take = count;
            }

            System.Array.Copy(_out, _outStart, buffer, offset, take);
            OutputSent(take);
            return take;
        }

        /// <summary>
        /// Makes room for received bytes: returns how many fit and where (<see cref="InputBuffer"/>[<paramref name="offset"/>]).
        /// 0 while decrypted application data waits for <see cref="Read"/> and the buffer is full.
        /// </summary>
        public int ReserveInput(out int offset)
        {
            if (_appCount == 0 && _inStart > 0)
            {
                System.Array.Copy(_in, _inStart, _in, 0, _inEnd - _inStart);
                _inEnd -= _inStart;
                _inStart = 0;
            }

            offset = _inEnd;
            return _in.Length - _inEnd;
        }

        public byte[] InputBuffer
        {
            get { return _in; }
        }

        /// <summary>Takes <paramref name="count"/> bytes the transport wrote where <see cref="ReserveInput"/> said, and handles every whole record.</summary>
        public void InputReceived(int count)
        {
            if (count < 0 || count > _in.Length - _inEnd)
            {
                throw new System.ArgumentOutOfRangeException("count");
            }

            _inEnd += count;
            ProcessRecords();
        }

        /// <summary>Copies received bytes in (as many as there is room for) and handles them; returns how many were taken.</summary>
        public int Feed(byte[] data, int offset, int count)
        {
            int taken = 0;
            while (taken < count)
            {
                int at;
                int room = ReserveInput(out at);
                if (room == 0)
                {
                    break;
                }

                int chunk = count - taken < room ? count - taken : room;
                System.Array.Copy(data, offset + taken, _in, at, chunk);
                taken += chunk;
                InputReceived(chunk);
            }

            return taken;
        }

        /// <summary>Copies up to <paramref name="count"/> bytes of received application data; 0 when none waits.</summary>
        public int Read(byte[] buffer, int offset, int count)
        {
            int take = _appCount < count ? _appCount : count;
            if (take <= 0)
            {
                return 0;
            }

            System.Array.Copy(_in, _appOffset, buffer, offset, take);
            _appOffset += take;
            _appCount -= take;
            if (_appCount == 0)
            {
                ProcessRecords();
            }

            return take;
        }

        /// <summary>
        /// Protects up to <paramref name="count"/> bytes of application data into records queued for sending (each at most
        /// <see cref="SendLimit"/>); returns how many were taken, fewer when the output buffer is full. 0 unless connected.
        /// </summary>
        public int Write(byte[] data, int offset, int count)
        {
            if (State != TlsClientState.Connected || _closeSent)
            {
                return 0;
            }

            int written = 0;
            while (written < count)
            {
                int room = OutputRoom() - _write.ContentOffset - _write.Trailer - ControlReserve;
                if (room <= 0)
                {
                    break;
                }

                int chunk = count - written;
                if (chunk > _sendLimit)
                {
                    chunk = _sendLimit;
                }

                if (chunk > room)
                {
                    chunk = room;
                }

                System.Array.Copy(data, offset + written, _out, _outEnd + _write.ContentOffset, chunk);
                _outEnd += _write.Seal(_out, _outEnd, TlsContentType.ApplicationData, chunk);
                written += chunk;
            }

            return written;
        }

        /// <summary>Queues close_notify (section 6.1): nothing more is written; reading goes on until the peer's close_notify.</summary>
        public void Close()
        {
            if (State == TlsClientState.Idle || State == TlsClientState.Failed || _closeSent)
            {
                return;
            }

            _closeSent = true;
            WriteAlert(TlsAlert.Warning, TlsAlert.CloseNotify);
            if (PeerClosed || State == TlsClientState.Handshaking)
            {
                State = TlsClientState.Closed;
            }
        }

        /// <summary>Ends the connection without a word to the peer: the transport failed or timed out.</summary>
        public void Abort(TlsError error)
        {
            if (State != TlsClientState.Failed)
            {
                LastError = error;
                State = TlsClientState.Failed;
            }
        }

        /// <summary>Bytes free at the end of the output buffer, compacted first.</summary>
        private int OutputRoom()
        {
            if (_outStart > 0)
            {
                System.Array.Copy(_out, _outStart, _out, 0, _outEnd - _outStart);
                _outEnd -= _outStart;
                _outStart = 0;
            }

            return _out.Length - _outEnd;
        }

        /// <summary>Handles whole records in arrival order until one holds application data not yet read, or none is whole.</summary>
        private void ProcessRecords()
        {
            while (_appCount == 0 && (State == TlsClientState.Handshaking || State == TlsClientState.Connected)
                && !PeerClosed && _inEnd - _inStart >= TlsContentType.HeaderLength)
            {
                int record = _inStart;
                int type = _in[record];
                int length = (_in[record + 3] << 8) | _in[record + 4];
                if (length > _in.Length - TlsContentType.HeaderLength)
                {
                    Fail(TlsError.RecordOverflow, TlsAlert.RecordOverflow);
                    return;
                }

                if (_inEnd - record < TlsContentType.HeaderLength + length)
                {
                    return;
                }

                _inStart = record + TlsContentType.HeaderLength + length;
                HandleRecord(type, record, length);
            }

            if (_appCount == 0 && _inStart == _inEnd)
            {
                _inStart = 0;
                _inEnd = 0;
            }
        }

        private void HandleRecord(int type, int record, int length)
        {
            int body = record + TlsContentType.HeaderLength;
            if (type == TlsContentType.ChangeCipherSpec && _tls12)
            {
                ChangeCipherSpec12(body, length);
                return;
            }

            if (type == TlsContentType.ChangeCipherSpec)
            {
                // Section 5: a single 0x01 before the server's Finished is dropped (middlebox compatibility); anything else is an error.
                if (length == 1 && _in[body] == 1 && State == TlsClientState.Handshaking)
                {
                    _peerSentChangeCipherSpec = true;
                    return;
                }

                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
                return;
            }

            if (!_read.Active)
            {
                if (length == 0 || length > 16384)
                {
                    // Section 5.1: no zero-length handshake or alert fragments; TLSPlaintext at most 2^14.
                    Fail(length == 0 ? TlsError.UnexpectedMessage : TlsError.RecordOverflow,
                        length == 0 ? TlsAlert.UnexpectedMessage : TlsAlert.RecordOverflow);
                    return;
                }

                HandleContent(type, body, length);
                return;
            }

            if (type != TlsContentType.ApplicationData && !_tls12)
            {
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
                return;
            }

            int plain = _read.Open(_in, record, length);
            if (plain < 0)
            {
                BadRecords++;
                Fail(TlsError.BadRecordMac, TlsAlert.BadRecordMac);
                return;
            }

            if (_tls12)
            {
                // RFC 8449 section 4: in TLS 1.2 the limit counts the plaintext alone, as announced.
                if (plain > _recordSize + (_offer13 ? 1 : 0))
                {
                    Fail(TlsError.RecordOverflow, TlsAlert.RecordOverflow);
                    return;
                }

                HandleContent(type, record + _read.ContentOffset, plain);
                return;
            }

            // TLSInnerPlaintext (section 5.2): the content, its real type, then zero padding; strip from the end.
            int end = body + plain - 1;
            while (end >= body && _in[end] == 0)
            {
                end--;
            }

            if (end < body)
            {
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
                return;
            }

            int contentLength = end - body;
            if (contentLength > _recordSize)
            {
                Fail(TlsError.RecordOverflow, TlsAlert.RecordOverflow);
                return;
            }

            HandleContent(_in[end], body, contentLength);
        }

        private void HandleContent(int type, int offset, int length)
        {
            if (type == TlsContentType.Handshake)
            {
                AppendHandshake(offset, length);
            }
            else if (type == TlsContentType.Alert)
            {
                HandleAlert(offset, length);
            }
            else if (type == TlsContentType.ApplicationData && State == TlsClientState.Connected)
            {
                _appOffset = offset;
                _appCount = length;
            }
            else
            {
                Fail(TlsError.UnexpectedMessage, TlsAlert.UnexpectedMessage);
            }
        }

        private void HandleAlert(int offset, int length)
        {
            // Section 5.1: an alert is never fragmented nor coalesced: exactly level and description.
            if (length != 2)
            {
                Fail(TlsError.DecodeError, TlsAlert.DecodeError);
                return;
            }

            int description = _in[offset + 1];
            if (description == TlsAlert.UserCanceled)
            {
                return; // section 6.1: a close_notify follows
            }

            if (description == TlsAlert.CloseNotify && State == TlsClientState.Connected)
            {
                PeerClosed = true;
                if (_closeSent)
                {
                    State = TlsClientState.Closed;
                }

                return;
            }

            // Section 6.2: every other alert is fatal whatever its level; a close_notify before the handshake ends too.
            AlertReceived = description;
            LastError = description == TlsAlert.CloseNotify ? TlsError.PeerClosed : TlsError.PeerAlert;
            State = TlsClientState.Failed;
        }

        /// <summary>Ends the connection on bad input: the fatal alert is queued (protected once keys are in place) and the error kept.</summary>
        private void Fail(TlsError error, int alert)
        {
            if (State == TlsClientState.Failed)
            {
                return;
            }

            LastError = error;
            AlertSent = alert;
            WriteAlert(TlsAlert.Fatal, alert);
            State = TlsClientState.Failed;
            _appCount = 0;
        }

        private void WriteAlert(int level, int description)
        {
            if (OutputRoom() < _write.ContentOffset + 2 + _write.Trailer)
            {
                return; // the transport stopped taking bytes: the alert cannot be queued, the connection ends anyway
            }

            int body = _outEnd + _write.ContentOffset;
            _out[body] = (byte)level;
            _out[body + 1] = (byte)description;
            FinishRecord(TlsContentType.Alert, 2);
        }

        /// <summary>Closes the record whose <paramref name="length"/> content bytes sit at the output's end + the cipher's ContentOffset.</summary>
        private void FinishRecord(int type, int length)
        {
            int record = _outEnd;
            if (_write.Active)
            {
                _outEnd += _write.Seal(_out, record, type, length);
                return;
            }

            WritePlainHeader(record, type, 3, length);
            _outEnd += TlsContentType.HeaderLength + length;
        }

        private void WritePlainHeader(int record, int type, int minorVersion, int length)
        {
            _out[record] = (byte)type;
            _out[record + 1] = 3;
            _out[record + 2] = (byte)minorVersion;
            _out[record + 3] = (byte)(length >> 8);
            _out[record + 4] = (byte)length;
        }

        private static byte[] EncodeHostName(string hostName)
        {
            if (hostName == null || hostName.Length == 0 || hostName.Length > 255)
            {
                return null;
            }

            // RFC 6066 section 3: no IP address literals in server_name; a host name is ASCII (A-labels).
            bool literal = true;
            byte[] bytes = new byte[hostName.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                char c = hostName[i];
                bytes[i] = (byte)c;
                if (c != '.' && (c < '0' || c > '9'))
                {
                    literal = false;
                }
            }

            return literal ? null : bytes;
        }

        /// <summary>The ProtocolNameList body (RFC 7301 section 3.1): each name with its one-byte length.</summary>
        private static byte[] EncodeProtocols(string[] protocols)
        {
            if (protocols == null || protocols.Length == 0)
            {
                return null;
            }

            int length = 0;
            for (int i = 0; i < protocols.Length; i++)
            {
                if (protocols[i] == null || protocols[i].Length == 0 || protocols[i].Length > 255)
                {
                    throw new System.ArgumentOutOfRangeException("protocols");
                }

                length += 1 + protocols[i].Length;
            }

            byte[] list = new byte[length];
            int at = 0;
            for (int i = 0; i < protocols.Length; i++)
            {
                string name = protocols[i];
                list[at++] = (byte)name.Length;
                for (int j = 0; j < name.Length; j++)
                {
                    list[at++] = (byte)name[j];
                }
            }

            return list;
        }
    }
}
