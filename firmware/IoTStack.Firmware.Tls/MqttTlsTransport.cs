using IoTStack.Net.Sockets;
using IoTStack.Net.Tls;
using IoTStack.Net.Tls.X509;

namespace IoTStack.Firmware.Tls
{
    /// <summary>
    /// The MQTT client's engine when it talks TLS: a <see cref="TlsProfile"/>'s <see cref="TlsSocketEngine"/>, polled in the
    /// board's loop, and what its handshakes did for the status report. A refused certificate never reaches the broker,
    /// so the status (the board's log line; the MQTT status once a connection works) keeps the last failure's reason:
    /// the TLS error, the certificate error behind it, the alerts each way.
    /// </summary>
    public sealed class MqttTlsTransport : IMqttTransport
    {
        private readonly TlsProfile _profile;
        private readonly TlsClient _client;
        private TlsClientState _seen;
        private long _handshakeStart;

        public MqttTlsTransport(TlsProfile profile)
        {
            if (profile == null)
            {
                throw new System.ArgumentNullException("profile");
            }

            _profile = profile;
            _client = profile.Client;
            _seen = TlsClientState.Idle;
            LastError = TlsError.None;
            LastCertificateError = CertificateError.None;
            LastAlertSent = -1;
            LastAlertReceived = -1;
        }

        public ISocketEngine Engine
        {
            get { return _profile.Engine; }
        }

        public TlsProfile Profile
        {
            get { return _profile; }
        }

        /// <summary>Handshakes completed, and handshakes that ended in a failure (refused, timed out, connection lost).</summary>
        public int Handshakes;
        public int HandshakesFailed;

        /// <summary>The last completed handshake's time in milliseconds of the board's clock, from ClientHello to Finished (TCP connect excluded).</summary>
        public long LastHandshakeMs;

        /// <summary>Why the last failed connection failed (kept after the client restarts for the next attempt).</summary>
        public TlsError LastError { get; private set; }

        public CertificateError LastCertificateError { get; private set; }

        public int LastAlertSent { get; private set; }

        public int LastAlertReceived { get; private set; }

        public bool Poll()
        {
            bool worked = _profile.Engine.Poll();
            Observe();
            return worked;
        }

        public int PollDelay()
        {
            return _profile.Engine.PollDelay();
        }

        public void WriteStatus(AsciiWriter json)
        {
            Observe();
            json.Text(",\"tls\":\"").Text(StateName(_client.State)).Text("\"");
            json.Text(",\"tls_version\":\"").Text(TlsNames.VersionOf(_client.CipherSuite)).Text("\"");
            json.Text(",\"tls_suite\":").Number(_client.CipherSuite);
            json.Text(",\"tls_group\":").Number(_client.NamedGroup);
            json.Text(",\"tls_handshakes\":").Number(Handshakes);
            json.Text(",\"tls_handshake_ms\":").Number(LastHandshakeMs);
            json.Text(",\"tls_failures\":").Number(HandshakesFailed);
            json.Text(",\"tls_error\":\"").Text(TlsNames.NameOf(LastError)).Text("\"");
            json.Text(",\"tls_certificate_error\":\"").Text(TlsNames.NameOf(LastCertificateError)).Text("\"");
            json.Text(",\"tls_alert_sent\":").Number(LastAlertSent);
            json.Text(",\"tls_alert_received\":").Number(LastAlertReceived);
        }

        public void WriteSummary(AsciiWriter line)
        {
            Observe();
            if (_client.State == TlsClientState.Connected)
            {
                line.Text(", TLS ").Text(TlsNames.VersionOf(_client.CipherSuite)).Text(" suite 0x").Hex(_client.CipherSuite)
                    .Text(" group 0x").Hex(_client.NamedGroup).Text(" in ").Number(LastHandshakeMs).Text(" ms");
                return;
            }

            line.Text(", TLS ").Text(StateName(_client.State));
            if (HandshakesFailed > 0)
            {
                line.Text(", last failure ").Text(TlsNames.NameOf(LastError)).Text(" certificate ").Text(TlsNames.NameOf(LastCertificateError))
                    .Text(" alert sent ").Number(LastAlertSent).Text(" received ").Number(LastAlertReceived);
            }
        }

        /// <summary>Notes a handshake's start, its end, or its failure, once each, as the client's state moves.</summary>
        private void Observe()
        {
            TlsClientState state = _client.State;
            if (state == _seen)
            {
                return;
            }

            long now = _profile.Clock.NowMilliseconds;
            if (state == TlsClientState.Handshaking)
            {
                _handshakeStart = now;
            }
            else if (state == TlsClientState.Connected)
            {
                Handshakes++;
                LastHandshakeMs = _seen == TlsClientState.Handshaking ? now - _handshakeStart : 0;
            }
            else if (state == TlsClientState.Failed)
            {
                HandshakesFailed++;
                LastError = _client.LastError;
                LastCertificateError = _client.LastError == TlsError.CertificateRejected ? _profile.Authenticator.LastError : CertificateError.None;
                LastAlertSent = _client.AlertSent;
                LastAlertReceived = _client.AlertReceived;
            }

            _seen = state;
        }

        private static string StateName(TlsClientState state)
        {
            switch (state)
            {
                case TlsClientState.Handshaking:
                    return "handshaking";
                case TlsClientState.Connected:
                    return "connected";
                case TlsClientState.Closed:
                    return "closed";
                case TlsClientState.Failed:
                    return "failed";
                default:
                    return "idle";
            }
        }
    }
}
