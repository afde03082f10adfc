namespace IoTStack.Net.Tls
{
    /// <summary>
    /// What a <see cref="TlsClient"/> offers and every size it takes at construction (DESIGN.md rule 2). The defaults
    /// fit a board: 4 KB records both ways (announced with record_size_limit, RFC 8449, and max_fragment_length, RFC 6066,
    /// so the server sends none larger) and an 8 KB handshake buffer for the server's Certificate message.
    /// </summary>
    public sealed class TlsClientOptions
    {
        /// <summary>
        /// The server's DNS name: sent as server_name (RFC 6066 section 3; not for an IPv4 literal, which the RFC forbids)
        /// and handed to the <see cref="ITlsServerAuthenticator"/>. Null sends none.
        /// </summary>
        public string HostName;

        /// <summary>ALPN protocol names to offer, most preferred first (RFC 7301), e.g. "mqtt"; null offers none.</summary>
        public string[] ApplicationProtocols;

        /// <summary>
        /// The largest record plaintext received or sent (64 .. 16384). Announced to the server as record_size_limit
        /// (RecordSize + 1, RFC 8449 section 4) and, when it is 512, 1024, 2048 or 4096, as max_fragment_length too
        /// (RFC 6066 section 4), for servers without RFC 8449 (OpenSSL). A server that honours neither may send records
        /// up to 16384 bytes: those are refused with record_overflow unless RecordSize is 16384.
        /// </summary>
        public int RecordSize = 4096;

        /// <summary>The largest handshake message received (the server's Certificate chain is the large one).</summary>
        public int HandshakeBufferSize = 8192;

        /// <summary>The most certificates in the server's chain handed to the authenticator; longer chains are refused.</summary>
        public int MaximumChainLength = 6;

        /// <summary>Offer TLS_AES_128_GCM_SHA256 (RFC 8446 section 9.1: MUST implement).</summary>
        public bool OfferAes128Gcm = true;

        /// <summary>Offer TLS_CHACHA20_POLY1305_SHA256 (RFC 8446 section 9.1: SHOULD implement), after AES-GCM.</summary>
        public bool OfferChaCha20Poly1305 = true;

        /// <summary>
        /// The oldest version accepted: 0x0303 (TLS 1.2, RFC 5246, for servers with nothing newer) or 0x0304 (TLS 1.3 only).
        /// A TLS 1.3 client that is answered with 1.2 checks the downgrade sentinel (RFC 8446 section 4.1.3).
        /// </summary>
        public int MinimumVersion = 0x0303;

        /// <summary>The newest version offered: 0x0304 (TLS 1.3) or 0x0303 (TLS 1.2 only).</summary>
        public int MaximumVersion = 0x0304;

        /// <summary>
        /// Refuse a TLS 1.2 server that does not negotiate the extended master secret (RFC 7627 section 5.2: without it a
        /// man in the middle can synchronise two sessions' master secrets, the triple handshake attack); handshake_failure.
        /// </summary>
        public bool RequireExtendedMasterSecret = true;

        /// <summary>The board's certificate and key for servers that ask for one (mutual TLS); null answers with none.</summary>
        public ITlsClientCredential ClientCredential;
    }
}
