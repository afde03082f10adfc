namespace IoTStack.Net.Tls.Http
{
    /// <summary>Where an <see cref="HttpsGet"/> is: Done and Failed are final until the next Start.</summary>
    public enum HttpsGetState
    {
        Idle = 0,
        /// <summary>TCP connect and TLS handshake.</summary>
        Connecting,
        /// <summary>The request is being protected and sent.</summary>
        Sending,
        /// <summary>Waiting for the status line and the header fields.</summary>
        ReadingHead,
        /// <summary>Handing the body to the receiver.</summary>
        ReadingBody,
        /// <summary>The whole response arrived (its end known from Content-Length, the last chunk or close_notify).</summary>
        Done,
        /// <summary>The request ended early: <see cref="HttpsGet.Error"/> says why.</summary>
        Failed
    }
}
