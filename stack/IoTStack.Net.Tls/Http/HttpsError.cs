namespace IoTStack.Net.Tls.Http
{
    /// <summary>Why an <see cref="HttpsGet"/> failed (DESIGN.md rule 5: a bad response is data, never a throw).</summary>
    public enum HttpsError
    {
        None = 0,
        /// <summary>Start was given a host or path that is not printable ASCII, or a request larger than the buffer.</summary>
        InvalidRequest,
        /// <summary>TLS failed (handshake, certificate, alert, a stream cut without close_notify): see <see cref="HttpsGet.TlsError"/>.</summary>
        Tls,
        /// <summary>The socket failed (refused, reset, unreachable): see <see cref="HttpsGet.SocketResult"/>.</summary>
        Socket,
        /// <summary>The status line and header fields did not fit the buffer.</summary>
        HeadTooLarge,
        /// <summary>The status line is not HTTP/1.x with a three-digit code (RFC 9112 section 4).</summary>
        MalformedStatusLine,
        /// <summary>A header field line or a Content-Length value is not valid (RFC 9112 sections 5 and 6.3).</summary>
        MalformedHeader,
        /// <summary>The chunked framing is not valid (RFC 9112 section 7.1).</summary>
        MalformedChunk,
        /// <summary>The server closed (close_notify) before the body's declared end, or before any response.</summary>
        Truncated,
        /// <summary>Nothing arrived for <see cref="HttpsGet.ResponseTimeoutMs"/> after the handshake.</summary>
        Timeout
    }
}
