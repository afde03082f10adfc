namespace IoTStack.Net.Tls
{
    /// <summary>
    /// Why a <see cref="TlsClient"/> stopped (DESIGN.md rule 5: bad input is data, never a throw). Every value but None,
    /// PeerClosed and PeerAlert also sent the peer the fatal alert in <see cref="TlsClient.AlertSent"/> (RFC 8446 section 6.2).
    /// </summary>
    public enum TlsError
    {
        None = 0,
        /// <summary>A length, vector or field does not fit the message or record it is in (decode_error).</summary>
        DecodeError,
        /// <summary>A record or handshake message not valid in this state (unexpected_message).</summary>
        UnexpectedMessage,
        /// <summary>A protected record failed authentication (bad_record_mac, RFC 8446 section 5.2).</summary>
        BadRecordMac,
        /// <summary>A record longer than the negotiated limit or than the receive buffer (record_overflow).</summary>
        RecordOverflow,
        /// <summary>A handshake message larger than the options' HandshakeBufferSize (internal_error sent).</summary>
        HandshakeTooLarge,
        /// <summary>A field with a value we did not offer or that the RFC forbids (illegal_parameter).</summary>
        IllegalParameter,
        /// <summary>The server picked a version other than TLS 1.3 (protocol_version, RFC 8446 section 4.2.1).</summary>
        ProtocolVersion,
        /// <summary>The server answered with an extension we did not offer (unsupported_extension, section 4.2).</summary>
        UnsupportedExtension,
        /// <summary>A required extension is missing (missing_extension, section 9.2).</summary>
        MissingExtension,
        /// <summary>The certificate chain was refused by the <see cref="ITlsServerAuthenticator"/> (its alert was sent).</summary>
        CertificateRejected,
        /// <summary>CertificateVerify's signature or the server's Finished did not verify (decrypt_error, section 4.4.3, 4.4.4).</summary>
        DecryptError,
        /// <summary>The key exchange failed on the server's share (illegal_parameter, section 4.2.8).</summary>
        KeyExchangeFailed,
        /// <summary>The server sent no protocol we offered in ALPN (no_application_protocol, RFC 7301 section 3.2).</summary>
        NoApplicationProtocol,
        /// <summary>Our output buffer had no room for a record the protocol requires (internal_error).</summary>
        OutputFull,
        /// <summary>The peer sent a fatal alert (its description is in <see cref="TlsClient.AlertReceived"/>).</summary>
        PeerAlert,
        /// <summary>The peer closed its side with close_notify (section 6.1).</summary>
        PeerClosed,
        /// <summary>The transport failed or closed without close_notify (TlsConnection).</summary>
        ConnectionLost,
        /// <summary>The TCP connection or the handshake took longer than the options allow (TlsConnection).</summary>
        Timeout,
        /// <summary>
        /// A TLS 1.2 server left out what this client requires (handshake_failure): renegotiation_info (RFC 5746 section 3.4),
        /// extended_master_secret (RFC 7627 section 5.2, unless the options allow it), a signature scheme for ServerKeyExchange.
        /// </summary>
        HandshakeFailure,
        /// <summary>
        /// The server picked TLS 1.2 although TLS 1.3 was offered, and its random carries RFC 8446 section 4.1.3's downgrade
        /// sentinel: someone in between removed TLS 1.3 from the ClientHello (illegal_parameter).
        /// </summary>
        Downgrade,
        /// <summary>The <see cref="ITlsClientCredential"/> could not sign the CertificateVerify digest (internal_error).</summary>
        SigningFailed
    }
}
