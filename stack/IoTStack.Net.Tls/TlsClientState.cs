namespace IoTStack.Net.Tls
{
    /// <summary>Where a <see cref="TlsClient"/> is; the handshake's own steps (RFC 8446 appendix A.1) are kept inside it.</summary>
    public enum TlsClientState
    {
        /// <summary>Constructed, or <see cref="TlsClient.Start"/> not yet called.</summary>
        Idle = 0,
        /// <summary>ClientHello sent, the server's flight not yet verified.</summary>
        Handshaking,
        /// <summary>Both Finished exchanged: application data flows (until close_notify both ways).</summary>
        Connected,
        /// <summary>close_notify sent and received (RFC 8446 section 6.1).</summary>
        Closed,
        /// <summary>A fatal alert sent or received, or the transport lost: see <see cref="TlsClient.LastError"/>.</summary>
        Failed
    }
}
