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
        private readonly INetInterface _net;
        private readonly IClock _clock;
        private readonly long _started;

        /// <summary>DHCP, DNS, mDNS and SNTP to report; null for none.</summary>
        internal NetServices Services;

        internal StatusPage(INetInterface net, NetStack stack, IClock clock, long started)
        {
            _net = net;
            _stack = stack;
            _clock = clock;
            _started = started;
        }

        /// <summary>
        /// Renders the next part of a page into <paramref name="w"/>: as many whole items (a socket, a counter) as fit,
        /// so a page of any length goes out through one buffer of a few KB, a chunk at a time. True once the page is
        /// complete. An item larger than the whole buffer is cut rather than never sent.
        /// </summary>
        internal bool Render(AsciiWriter w, PageCursor cursor)
        {
            while (!cursor.Done)
            {
                int mark = w.Length;
                cursor.Save();
                if (cursor.Json)
                {
                    JsonStep(w, cursor);
                }
                else
                {
                    HtmlStep(w, cursor);
                }

                if (!w.Fits && mark > 0)
                {
                    w.Truncate(mark);
                    cursor.Undo();
                    return false;
                }
            }

            return true;
        }

        private void HtmlStep(AsciiWriter w, PageCursor c)
        {
            switch (c.Part)
            {
                case 0:
                    HtmlHead(w, c);
                    c.Next(_stack == null ? 5 : 1);
                    return;
                case 1:
                    w.Text("<h2>Sockets</h2><table><tr><th>type</th><th>state</th><th>local</th><th>remote</th><th>rx</th><th>tx</th></tr>");
                    c.Next(2);
                    return;
                case 2:
                    if (c.Item < _stack.SocketCount)
                    {
                        SocketInfo info;
                        if (_stack.GetSocketInfo(c.Item, out info) == SocketResult.Success)
                        {
                            w.Text("<tr><td>").Text(TypeName(info.Type)).Text("</td><td>").Text(StateName(info.State)).Text("</td><td>");
                            Endpoint(w, info.Local);
                            w.Text("</td><td>");
                            Endpoint(w, info.Remote);
                            w.Text("</td><td>").Number(info.ReceiveQueued).Text("</td><td>").Number(info.TransmitQueued).Text("</td></tr>");
                        }

                        c.Advance();
                        return;
                    }

                    w.Text("</table><h2>Counters</h2><table>");
                    c.Next(3);
                    return;
                case 3:
                    if (c.Item < (int)Counter.Count)
                    {
                        Counter counter = (Counter)c.Item;
                        if (_stack.Counters[counter] != 0)
                        {
                            w.Text("<tr><td>").Text(NetCounters.NameOf(counter)).Text("</td><td>").Number(_stack.Counters[counter]).Text("</td></tr>");
                        }

                        c.Advance();
                        return;
                    }

                    w.Text("</table></body></html>\n");
                    c.Finish();
                    return;
                default:
                    w.Text("<p>TCP/IP runs in the chip.</p></body></html>\n");
                    c.Finish();
                    return;
            }
        }

        private void HtmlHead(AsciiWriter w, PageCursor c)
        {
            w.Text("<!doctype html><html><head><title>IoTStack</title></head><body><h1>IoTStack board</h1><p>Address ");
            w.Address(new IPv4Address(c.Address));
            w.Text(", up ").Number(Uptime()).Text(" s, ").Number(c.Requests).Text(" HTTP requests, ").Number(c.Sessions).Text(" sessions.</p>");
            if (Services == null)
            {
                return;
            }

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

        private void JsonStep(AsciiWriter w, PageCursor c)
        {
            switch (c.Part)
            {
                case 0:
                    JsonHead(w, c);
                    if (_stack == null)
                    {
                        w.Text("}\n");
                        c.Finish();
                        return;
                    }

                    w.Text(",\"counters\":{");
                    c.Next(1);
                    return;
                case 1:
                    if (c.Item < (int)Counter.Count)
                    {
                        Counter counter = (Counter)c.Item;
                        if (_stack.Counters[counter] != 0)
                        {
                            w.Text(c.First ? "\"" : ",\"").Text(NetCounters.NameOf(counter)).Text("\":").Number(_stack.Counters[counter]);
                            c.First = false;
                        }

                        c.Advance();
                        return;
                    }

                    w.Text("},\"drops\":{");
                    c.Next(2);
                    return;
                case 2:
                    if (c.Item < NetCounters.LayerCount * NetCounters.ReasonCount)
                    {
                        ProtocolLayer layer = (ProtocolLayer)(c.Item / NetCounters.ReasonCount);
                        WireError reason = (WireError)(c.Item % NetCounters.ReasonCount);
                        int dropped = reason == WireError.None ? 0 : _stack.Counters.Dropped(layer, reason);
                        if (dropped != 0)
                        {
                            w.Text(c.First ? "\"" : ",\"").Text(NetCounters.NameOf(layer)).Byte((byte)'.').Text(NetCounters.NameOf(reason)).Text("\":").Number(dropped);
                            c.First = false;
                        }

                        c.Advance();
                        return;
                    }

                    w.Text("},\"sockets\":[");
                    c.Next(3);
                    return;
                default:
                    if (c.Item < _stack.SocketCount)
                    {
                        SocketInfo info;
                        if (_stack.GetSocketInfo(c.Item, out info) == SocketResult.Success)
                        {
                            w.Text(c.First ? "{\"type\":\"" : ",{\"type\":\"").Text(TypeName(info.Type)).Text("\",\"state\":\"").Text(StateName(info.State)).Text("\",\"local\":\"");
                            Endpoint(w, info.Local);
                            w.Text("\",\"remote\":\"");
                            Endpoint(w, info.Remote);
                            w.Text("\",\"receiveQueued\":").Number(info.ReceiveQueued).Text(",\"transmitQueued\":").Number(info.TransmitQueued).Text("}");
                            c.First = false;
                        }

                        c.Advance();
                        return;
                    }

                    w.Text("]}\n");
                    c.Finish();
                    return;
            }
        }

        /// <summary>Address, MAC, uptime, requests, the firmware's sessions, the stack's budget and largest datagram, and the services.</summary>
        private void JsonHead(AsciiWriter w, PageCursor c)
        {
            w.Text("{\"address\":\"");
            w.Address(new IPv4Address(c.Address));
            w.Text("\",\"mac\":\"");
            Mac(w);
            w.Text("\",\"uptimeSeconds\":").Number(Uptime()).Text(",\"httpRequests\":").Number(c.Requests).Text(",\"sessions\":").Number(c.Sessions)
                .Text(",\"stalledHeadsClosed\":").Number(StalledHeadsClosed);
            if (_stack != null)
            {
                NetStackOptions o = _stack.Options;
                w.Text(",\"budget\":{\"tcpConnections\":").Number(o.TcpConnections).Text(",\"tcpListeners\":").Number(o.TcpListeners)
                    .Text(",\"udpSockets\":").Number(o.UdpSockets).Text(",\"rawSockets\":").Number(o.RawSockets)
                    .Text(",\"tcpReceiveBuffer\":").Number(o.ReceiveBufferSize).Text(",\"tcpTransmitBuffer\":").Number(o.TransmitBufferSize)
                    .Text(",\"datagramBuffer\":").Number(o.DatagramBufferSize).Text(",\"largestDatagram\":").Number(o.ReassemblySlots > 0 ? o.ReassemblyBufferSize : 1480)
                    .Text("}");
            }

            if (Services != null)
            {
                ServicesJson(w);
            }
            else if (_net != null)
            {
                w.Text(",\"time\":");
                JsonTime(w);
            }
        }

        private void Mac(AsciiWriter w)
        {
            MacAddress mac = _stack != null ? _stack.MacAddress : MacAddress;
            for (int i = 0; i < MacAddress.Length; i++)
            {
                int value = mac[i];
                if (i > 0)
                {
                    w.Byte((byte)':');
                }

                w.Byte(HexDigit(value >> 4)).Byte(HexDigit(value & 0xF));
            }
        }

        private static byte HexDigit(int value)
        {
            return (byte)(value < 10 ? '0' + value : 'a' + value - 10);
        }

        /// <summary>The board's MAC when the chip runs TCP/IP itself (no stack to ask).</summary>
        internal MacAddress MacAddress;

        /// <summary>The firmware's <see cref="Firmware.StalledHeadsClosed"/> when the page was asked for.</summary>
        internal int StalledHeadsClosed;

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
            if (JsonTime(w))
            {
                w.Text(",\"ntpServer\":\"").Address(Services.Sntp.Server).Text("\"");
            }
        }

        /// <summary>The wall clock as a JSON string (ISO 8601 UTC), or null when no one has set it; true when it was set.</summary>
        private bool JsonTime(AsciiWriter w)
        {
            if (_net == null || !_net.WallClockSet)
            {
                w.Text("null");
                return false;
            }

            w.Text("\"");
            w.UtcTime(_net.WallClockMilliseconds);
            w.Text("\"");
            return true;
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
            if (_net == null || !_net.WallClockSet)
            {
                w.Text("not set");
                return;
            }

            w.UtcTime(_net.WallClockMilliseconds);
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

        private static void Endpoint(AsciiWriter w, SocketEndpoint address)
        {
            w.Address(address.Address).Byte((byte)':').Number(address.Port);
        }

        private static string TypeName(SocketKind type)
        {
            switch (type)
            {
                case SocketKind.Stream: return "tcp";
                case SocketKind.Datagram: return "udp";
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
