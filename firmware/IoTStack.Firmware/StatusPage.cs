using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Services;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Firmware
{
    /// <summary>The board's state as an HTML page and as JSON: address, uptime, requests, counters, socket table.</summary>
    public sealed class StatusPage
    {
        private readonly NetStack _stack;
        private readonly IClock _clock;
        private readonly long _started;

        /// <summary>DHCP, DNS, mDNS and SNTP to report; null for none.</summary>
        internal NetServices Services;

        internal StatusPage(NetStack stack, IClock clock, long started)
        {
            _stack = stack;
            _clock = clock;
            _started = started;
        }

        internal void WriteHtml(AsciiWriter w, long requests, IPv4Address address)
        {
            w.Text("<!doctype html><html><head><title>IoTStack</title></head><body><h1>IoTStack board</h1><p>Address ");
            w.Address(address);
            w.Text(", up ").Number(Uptime()).Text(" s, ").Number(requests).Text(" HTTP requests.</p>");
            if (Services != null && _stack != null)
            {
                w.Text("<h2>Services</h2><p>");
                if (Services.Mdns != null)
                {
                    w.Text("Name ");
                    HostName(w);
                    w.Text(". ");
                }

                DhcpClient dhcp = Services.Dhcp;
                if (dhcp != null)
                {
                    w.Text("DHCP ").Text(DhcpStateName(dhcp.State)).Text(" from ").Address(dhcp.Server).Text(", lease ").Number(dhcp.LeaseSeconds)
                        .Text(" s, ").Number(dhcp.LeaseRemainingMs / 1000).Text(" s left, renewed ").Number(dhcp.Renewals).Text(" times. ");
                }

                w.Text("DNS");
                for (int i = 0; i < Services.Dns.ServerCount; i++)
                {
                    w.Byte((byte)' ').Address(Services.Dns.Server(i));
                }

                w.Text(". Time ");
                Time(w);
                w.Text(".</p>");
            }

            if (_stack == null)
            {
                w.Text("<p>TCP/IP runs in the chip.</p></body></html>\n");
                return;
            }

            w.Text("<h2>Sockets</h2><table><tr><th>type</th><th>state</th><th>local</th><th>remote</th><th>rx</th><th>tx</th></tr>");
            for (int i = 0; i < _stack.SocketCount; i++)
            {
                SocketInfo info;
                if (_stack.GetSocketInfo(i, out info) == SocketError.Success)
                {
                    w.Text("<tr><td>").Text(TypeName(info.Type)).Text("</td><td>").Text(StateName(info.State)).Text("</td><td>");
                    Endpoint(w, info.Local);
                    w.Text("</td><td>");
                    Endpoint(w, info.Remote);
                    w.Text("</td><td>").Number(info.ReceiveQueued).Text("</td><td>").Number(info.TransmitQueued).Text("</td></tr>");
                }
            }

            w.Text("</table><h2>Counters</h2><table>");
            for (Counter c = 0; c < Counter.Count; c++)
            {
                if (_stack.Counters[c] != 0)
                {
                    w.Text("<tr><td>").Text(NetCounters.NameOf(c)).Text("</td><td>").Number(_stack.Counters[c]).Text("</td></tr>");
                }
            }

            w.Text("</table></body></html>\n");
        }

        internal void WriteJson(AsciiWriter w, long requests, IPv4Address address)
        {
            w.Text("{\"address\":\"");
            w.Address(address);
            w.Text("\",\"uptimeSeconds\":").Number(Uptime()).Text(",\"httpRequests\":").Number(requests);
            if (Services != null && _stack != null)
            {
                ServicesJson(w);
            }

            if (_stack != null)
            {
                w.Text(",\"counters\":{");
                bool first = true;
                for (Counter c = 0; c < Counter.Count; c++)
                {
                    if (_stack.Counters[c] != 0)
                    {
                        w.Text(first ? "\"" : ",\"").Text(NetCounters.NameOf(c)).Text("\":").Number(_stack.Counters[c]);
                        first = false;
                    }
                }

                w.Text("},\"drops\":{");
                first = true;
                for (int layer = 0; layer < NetCounters.LayerCount; layer++)
                {
                    for (int reason = 1; reason < NetCounters.ReasonCount; reason++)
                    {
                        int dropped = _stack.Counters.Dropped((ProtocolLayer)layer, (WireError)reason);
                        if (dropped != 0)
                        {
                            w.Text(first ? "\"" : ",\"").Text(NetCounters.NameOf((ProtocolLayer)layer)).Byte((byte)'.').Text(NetCounters.NameOf((WireError)reason)).Text("\":").Number(dropped);
                            first = false;
                        }
                    }
                }

                w.Text("},\"sockets\":[");
                first = true;
                for (int i = 0; i < _stack.SocketCount; i++)
                {
                    SocketInfo info;
                    if (_stack.GetSocketInfo(i, out info) == SocketError.Success)
                    {
                        w.Text(first ? "{\"type\":\"" : ",{\"type\":\"").Text(TypeName(info.Type)).Text("\",\"state\":\"").Text(StateName(info.State)).Text("\",\"local\":\"");
                        Endpoint(w, info.Local);
                        w.Text("\",\"remote\":\"");
                        Endpoint(w, info.Remote);
                        w.Text("\",\"receiveQueued\":").Number(info.ReceiveQueued).Text(",\"transmitQueued\":").Number(info.TransmitQueued).Text("}");
                        first = false;
                    }
                }

                w.Text("]");
            }

            w.Text("}\n");
        }

        /// <summary>"hostname", "dhcp" (state, server, lease, renewals), "dns" servers and "time" (the wall clock, ISO 8601 UTC).</summary>
        private void ServicesJson(AsciiWriter w)
        {
            if (Services.Mdns != null)
            {
                w.Text(",\"hostname\":\"");
                HostName(w);
                w.Text("\"");
            }

            DhcpClient dhcp = Services.Dhcp;
            if (dhcp != null)
            {
                w.Text(",\"dhcp\":{\"state\":\"").Text(DhcpStateName(dhcp.State)).Text("\",\"server\":\"").Address(dhcp.Server)
                    .Text("\",\"leaseSeconds\":").Number(dhcp.LeaseSeconds).Text(",\"leaseRemainingSeconds\":").Number(dhcp.LeaseRemainingMs / 1000)
                    .Text(",\"renewals\":").Number(dhcp.Renewals).Text(",\"discovers\":").Number(dhcp.Discovers).Text("}");
            }

            w.Text(",\"dns\":[");
            for (int i = 0; i < Services.Dns.ServerCount; i++)
            {
                w.Text(i == 0 ? "\"" : ",\"").Address(Services.Dns.Server(i)).Text("\"");
            }

            w.Text("],\"time\":");
            if (_stack.WallClockSet)
            {
                w.Text("\"");
                Time(w);
                w.Text("\",\"ntpServer\":\"").Address(Services.Sntp.Server).Text("\"");
            }
            else
            {
                w.Text("null");
            }
        }

        private void HostName(AsciiWriter w)
        {
            // The name is written straight into the page: the writer's buffer, past what it holds.
            int length = Services.Mdns.WriteHostName(_name, 0);
            for (int i = 0; i < length; i++)
            {
                w.Byte(_name[i]);
            }
        }

        private readonly byte[] _name = new byte[80];

        private void Time(AsciiWriter w)
        {
            if (!_stack.WallClockSet)
            {
                w.Text("not set");
                return;
            }

            w.UtcTime(_stack.WallClockMilliseconds);
        }

        public static string DhcpStateName(DhcpState state)
        {
            switch (state)
            {
                case DhcpState.Selecting: return "SELECTING";
                case DhcpState.Requesting: return "REQUESTING";
                case DhcpState.Probing: return "PROBING";
                case DhcpState.Bound: return "BOUND";
                case DhcpState.Renewing: return "RENEWING";
                case DhcpState.Rebinding: return "REBINDING";
                case DhcpState.Rebooting: return "REBOOTING";
                case DhcpState.Declined: return "DECLINED";
                default: return "STOPPED";
            }
        }

        internal static string LookupName(DnsStatus status)
        {
            switch (status)
            {
                case DnsStatus.Resolved: return "resolved";
                case DnsStatus.NameError: return "NXDOMAIN";
                case DnsStatus.NoAddress: return "no address";
                case DnsStatus.TimedOut: return "timed out";
                case DnsStatus.Truncated: return "truncated";
                case DnsStatus.ServerFailure: return "server failure";
                case DnsStatus.Malformed: return "malformed answer";
                case DnsStatus.NoServer: return "no DNS server";
                default: return "pending";
            }
        }

        private long Uptime()
        {
            return (_clock.NowMilliseconds - _started) / 1000;
        }

        private static void Endpoint(AsciiWriter w, SocketAddress address)
        {
            w.Address(address.Address).Byte((byte)':').Number(address.Port);
        }

        private static string TypeName(SocketType type)
        {
            switch (type)
            {
                case SocketType.Stream: return "tcp";
                case SocketType.Datagram: return "udp";
                default: return "raw";
            }
        }

        private static string StateName(SocketState state)
        {
            switch (state)
            {
                case SocketState.Open: return "open";
                case SocketState.Bound: return "bound";
                case SocketState.Connected: return "connected";
                case SocketState.Listen: return "LISTEN";
                case SocketState.SynSent: return "SYN-SENT";
                case SocketState.SynReceived: return "SYN-RECEIVED";
                case SocketState.Established: return "ESTABLISHED";
                case SocketState.FinWait1: return "FIN-WAIT-1";
                case SocketState.FinWait2: return "FIN-WAIT-2";
                case SocketState.CloseWait: return "CLOSE-WAIT";
                case SocketState.Closing: return "CLOSING";
                case SocketState.LastAck: return "LAST-ACK";
                case SocketState.TimeWait: return "TIME-WAIT";
                case SocketState.Closed: return "CLOSED";
                default: return "free";
            }
        }
    }
}
