using IoTStack.Net.Link;
using IoTStack.Net.Wire;

namespace IoTStack.Net
{
    /// <summary>
    /// The Ethernet interface as the layers see it: its frame device and loopback device, its MAC address and its
    /// configured address, subnet mask and gateway (as <see cref="IPv4Address.Value"/> numbers), and the frame
    /// transmit every layer sends through. <see cref="NetStack"/> owns and configures it; ARP and IPv4 read it instead of
    /// reaching through the NetStack (issue 16 item 5). Fields, not properties: each read on a packet path is one ldfld.
    /// </summary>
    internal sealed class InterfaceState
    {
        internal readonly IFrameDevice Device;
        internal readonly LoopbackDevice Loopback;
        private readonly NetCounters _counters;

        /// <summary>Not readonly: members are called on the field itself, never on a copy (nanoCLR clones a struct load).</summary>
        internal MacAddress MacAddress;

        /// <summary>0 until configured (or while DHCP has none).</summary>
        internal uint Address;
        internal uint SubnetMask;

        /// <summary>0 for none: only the local subnet is reachable.</summary>
        internal uint Gateway;

        internal InterfaceState(IFrameDevice device, LoopbackDevice loopback, MacAddress macAddress, NetCounters counters)
        {
            Device = device;
            Loopback = loopback;
            MacAddress = macAddress;
            _counters = counters;
        }

        /// <summary>Writes the interface's MAC address at <paramref name="offset"/> (no MacAddress copied on the way).</summary>
        internal void WriteMacAddress(byte[] buffer, int offset)
        {
            MacAddress.Write(buffer, offset);
        }

        /// <summary>Whether the 6 bytes at <paramref name="offset"/> are the interface's MAC address.</summary>
        internal bool IsOwnMacAddress(byte[] buffer, int offset)
        {
            return MacAddress.Equals(buffer, offset);
        }

        /// <summary>Hands a whole frame to <paramref name="device"/> (the wire or loopback) and counts the result.</summary>
        internal bool TransmitFrame(IFrameDevice device, byte[] frame, int offset, int length)
        {
            if (device.Transmit(frame, offset, length))
            {
                _counters.Add(Counter.FramesSent);
                return true;
            }

            _counters.Add(Counter.FramesTransmitFailed);
            return false;
        }
    }
}
