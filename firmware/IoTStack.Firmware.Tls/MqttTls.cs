using IoTStack.Boards;
using IoTStack.Crypto;
using IoTStack.Net.Tls;

namespace IoTStack.Firmware.Tls
{
    /// <summary>
    /// MQTT over TLS for <see cref="FirmwareBoard"/> (issue 18 item 3): hand one to <c>FirmwareBoard.Create</c> and a board
    /// whose settings ask for it (<see cref="BoardSettings.MqttTls"/>) runs its MQTT client over a <see cref="TlsProfile"/> to
    /// the broker, with the same topics as plain MQTT. The board supplies what only it has: its entropy source (the
    /// ESP32's hardware generator, the desktop's cryptographic one; never the stack's PRNG) and, for a broker that asks
    /// for one, its client certificate and key.
    /// </summary>
    public sealed class MqttTls : IMqttTransportFactory
    {
        private readonly IEntropySource _entropy;
        private readonly ITlsClientCredential _credential;

        /// <param name="entropy">The board's cryptographic randomness, for key shares and the ClientHello random.</param>
        /// <param name="credential">The board's certificate and key, or null to answer a CertificateRequest with none.</param>
        public MqttTls(IEntropySource entropy, ITlsClientCredential credential)
        {
            if (entropy == null)
            {
                throw new System.ArgumentNullException("entropy");
            }

            _entropy = entropy;
            _credential = credential;
        }

        /// <summary>
        /// The largest TLS record either way: 4096 bytes, or 2048 on a board with small tables. Both are announced with
        /// max_fragment_length (RFC 6066 section 4), which Mosquitto's OpenSSL honours, and record_size_limit (RFC 8449).
        /// </summary>
        public static int RecordSizeFor(BoardSettings settings)
        {
            return settings.SmallTables ? 2048 : 4096;
        }

        public IMqttTransport Create(BoardNetwork network)
        {
            BoardSettings settings = network.Settings;
            if (settings.MqttClientCertificate != null && _credential == null)
            {
                throw new System.ArgumentException("BoardSettings.MqttClientCertificate needs the board's credential (an ITlsClientCredential from the certificate and key) given to MqttTls");
            }

            // The name checked against the certificate: the broker's DNS name when given by name, else its address, which
            // then must be one of the certificate's iPAddress entries (RFC 5280 section 4.2.1.6, RFC 9525 section 6.3).
            string hostName = settings.MqttBrokerName != null ? settings.MqttBrokerName : settings.MqttBroker.ToString();
            TlsProfile profile = TlsProfile.Create(network.Engine, network.Interface, network.Clock, _entropy, hostName,
                settings.MqttTrustAnchors, _credential, RecordSizeFor(settings));
            return new MqttTlsTransport(profile);
        }
    }
}
