using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>Where a datagram goes: the device, the next hop, and its MAC address when no resolution is needed.</summary>
    internal struct Route
    {
        internal IFrameDevice Device;
        internal IPv4Address NextHop;
        internal IPv4Address Source;
        internal MacAddress Mac;
        internal bool MacKnown;
    }
}
