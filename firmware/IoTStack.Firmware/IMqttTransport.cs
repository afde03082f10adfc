using IoTStack.Boards;
using IoTStack.Net;
using IoTStack.Net.Sockets;

namespace IoTStack.Firmware
{
    /// <summary>
    /// The socket engine the MQTT client runs over when it is not the board's own: MQTT over TLS (IoTStack.Firmware.Tls),
    /// so that this assembly, and a board image without TLS, never references the TLS assemblies (DESIGN.md rule 7). The
    /// <see cref="MqttReporter"/> polls it in the board's loop, folds its <see cref="IPollable.PollDelay"/> into the
    /// board's, and puts its state in the status report.
    /// </summary>
    public interface IMqttTransport : IPollable
    {
        /// <summary>The engine the MQTT client opens its connection on.</summary>
        ISocketEngine Engine { get; }

        /// <summary>Appends the transport's state to the status JSON as more members (a leading comma each).</summary>
        void WriteStatus(AsciiWriter json);

        /// <summary>Appends a few words for the status line (", TLS 1.3 ..." or why the last handshake failed).</summary>
        void WriteSummary(AsciiWriter line);
    }

    /// <summary>Makes the <see cref="IMqttTransport"/> for a board's network once it is built (its engine, clock and settings).</summary>
    public interface IMqttTransportFactory
    {
        IMqttTransport Create(BoardNetwork network);
    }
}
