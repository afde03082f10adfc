using IoTStack.Crypto;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Net.Tls
{
    /// <summary>
    /// A board's TLS client to one server, built in one call from what an application has at hand: the socket engine
    /// under it, the board's wall clock and entropy, the server's name and the trust anchors as PEM text. It makes the
    /// <see cref="TlsSocketEngine"/> (so a client written against the socket calls, the MQTT client, runs over TLS
    /// unchanged) with X25519 then secp256r1 offered (RFC 8446 section 9.1), both suites, the chain checked by a
    /// <see cref="CertificateValidator"/> against the anchors and the wall clock SNTP sets (<see cref="CertificateAuthenticator"/>),
    /// and no ALPN unless asked. Everything is taken here, once (DESIGN.md rule 2).
    /// </summary>
    public sealed class TlsProfile
    {
        /// <summary>The most trust anchors a profile installs.</summary>
        public const int MaximumTrustAnchors = 4;

        /// <summary>The most certificates a server's chain may hold (leaf included).</summary>
        public const int MaximumChain = 4;

        private TlsProfile(TlsSocketEngine engine, CertificateAuthenticator authenticator, int anchors, IClock clock)
        {
            Clock = clock;
            Engine = engine;
            Authenticator = authenticator;
            TrustAnchorCount = anchors;
        }

        /// <summary>The TLS engine: hand it to the client instead of <c>inner</c>, and Poll it in the board's loop (its inner engine is polled by its owner).</summary>
        public TlsSocketEngine Engine { get; private set; }

        /// <summary>The TLS client inside <see cref="Engine"/>: state, negotiated suite and group, the last error and alerts.</summary>
        public TlsClient Client
        {
            get { return Engine.Client; }
        }

        /// <summary>Why the last certificate chain was refused (<see cref="CertificateAuthenticator.LastError"/>).</summary>
        public CertificateAuthenticator Authenticator { get; private set; }

        public int TrustAnchorCount { get; private set; }

        /// <summary>The board's clock the engine's timeouts run on.</summary>
        public IClock Clock { get; private set; }

        /// <summary>
        /// Builds the client. <paramref name="hostName"/> is the server's DNS name (sent as server_name, matched against the
        /// certificate's dNSName entries) or its dotted-decimal IPv4 address (no server_name, RFC 6066 section 3; matched
        /// against the iPAddress entries, RFC 5280 section 4.2.1.6). <paramref name="trustAnchorsPem"/> holds one or more
        /// "CERTIFICATE" blocks (RFC 7468). <paramref name="recordSize"/> is the largest record either way (announced with
        /// record_size_limit and max_fragment_length: 512, 1024, 2048 or 4096 for servers that know only the latter, as
        /// OpenSSL). <paramref name="credential"/> answers a server that asks for a client certificate; null sends none.
        /// Throws ArgumentException for anchors that are missing or cannot be read.
        /// </summary>
        public static TlsProfile Create(ISocketEngine inner, INetInterface wallClock, IClock clock, IEntropySource entropy, string hostName,
            byte[] trustAnchorsPem, ITlsClientCredential credential, int recordSize)
        {
            if (inner == null || wallClock == null || clock == null || entropy == null || hostName == null || trustAnchorsPem == null)
            {
                throw new System.ArgumentNullException(inner == null ? "inner" : wallClock == null ? "wallClock" : clock == null ? "clock"
                    : entropy == null ? "entropy" : hostName == null ? "hostName" : "trustAnchorsPem");
            }

            SignatureVerifier verifier = new SignatureVerifier();
            CertificateValidator validator = new CertificateValidator(verifier, MaximumChain, MaximumTrustAnchors);
            int anchors = AddTrustAnchors(validator, trustAnchorsPem);
            TlsClientOptions options = new TlsClientOptions();
            options.HostName = hostName;
            options.RecordSize = recordSize;
            options.MaximumChainLength = MaximumChain;
            options.ClientCredential = credential;
            CertificateAuthenticator authenticator = new CertificateAuthenticator(validator, verifier, wallClock);
            ITlsKeyExchange[] groups = new ITlsKeyExchange[] { new X25519KeyExchange(), new P256KeyExchange() };
            TlsClient client = new TlsClient(options, entropy, groups, authenticator);
            return new TlsProfile(new TlsSocketEngine(inner, clock, client), authenticator, anchors, clock);
        }

        /// <summary>Each PEM certificate block decoded into one array the validator keeps; the count installed.</summary>
        private static int AddTrustAnchors(CertificateValidator validator, byte[] pem)
        {
            byte[] der = new byte[pem.Length * 3 / 4]; // base64 is 4 characters for 3 bytes; the rest of the text only shrinks it
            int position = 0;
            int written = 0;
            int count = 0;
            while (true)
            {
                int next;
                int length = Pem.DecodeCertificate(pem, position, pem.Length, der, written, out next);
                if (length == 0)
                {
                    break;
                }

                if (length < 0)
                {
                    throw new System.ArgumentException("a trust anchor's PEM block cannot be read (RFC 7468)");
                }

                CertificateError error = validator.AddTrustAnchor(der, written, length);
                if (error != CertificateError.None)
                {
                    throw new System.ArgumentException(error == CertificateError.TooManyTrustAnchors
                        ? "more than " + MaximumTrustAnchors.ToString() + " trust anchors"
                        : "a trust anchor is not a certificate this client reads (" + TlsNames.NameOf(error) + ")");
                }

                written += length;
                position = next;
                count++;
            }

            if (count == 0)
            {
                throw new System.ArgumentException("no trust anchor: the PEM text holds no -----BEGIN CERTIFICATE----- block");
            }

            return count;
        }
    }
}
