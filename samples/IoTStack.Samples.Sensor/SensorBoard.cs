using IoTStack.Boards;
using IoTStack.Drivers;
using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Samples.Sensor
{
    /// <summary>
    /// Where a user starts: the sensor on a board's network. <see cref="Create"/> is the whole wiring (settings, network,
    /// application); <see cref="Poll"/> and <see cref="PollDelay"/> are what the board's loop calls. samples/README.md shows
    /// the loop for an ESP32 around it.
    /// </summary>
    public sealed class SensorBoard
    {
        private SensorBoard(BoardNetwork network, SensorApp sensor)
        {
            Network = network;
            Sensor = sensor;
        }

        public BoardNetwork Network { get; private set; }

        public SensorApp Sensor { get; private set; }

        /// <summary>
        /// The sensor on <paramref name="settings"/>' chip and MAC behind <paramref name="bus"/>, pushing to
        /// <paramref name="pushTo"/>:<paramref name="pushPort"/> every <paramref name="pushIntervalMs"/>; null when the chip
        /// does not answer. Started: the address (or DHCP) and the sensor's sockets.
        /// </summary>
        public static SensorBoard Create(ISpiBus bus, IClock clock, BoardSettings settings, IPv4Address pushTo, int pushPort, int pushIntervalMs)
        {
            settings.TcpListeners = SensorApp.TcpListeners;   // the sensor's own sockets: the stack is sized for them
            settings.UdpSockets = SensorApp.UdpSockets;
            BoardNetwork network = BoardNetwork.Create(settings.Chip, bus, settings.Mac, clock, settings);
            if (network == null || !network.Start())
            {
                return null;
            }

            SensorApp sensor = new SensorApp(network.Engine, clock, settings.Sessions, pushTo, pushPort, pushIntervalMs);
            return sensor.Start() ? new SensorBoard(network, sensor) : null;
        }

        /// <summary>Runs the network, then the sensor; true when either did anything (poll again at once).</summary>
        public bool Poll()
        {
            bool worked = Network.Poll();
            return Sensor.Poll() | worked;
        }

        /// <summary>How long the loop may sleep when a poll found nothing (the chip's INT line may wake it sooner).</summary>
        public int PollDelay()
        {
            int network = Network.PollDelay();
            int sensor = Sensor.PollDelay();
            return sensor < network ? sensor : network;
        }
    }
}
