using IoTStack.Net;
using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Firmware
{
    /// <summary>The board's state as an HTML page and as JSON: address, uptime, requests, counters, socket table.</summary>
    internal sealed class StatusPage
    {
        private readonly NetStack _stack;
        private readonly IClock _clock;
        private readonly long _started;

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
