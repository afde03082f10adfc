using IoTStack.Net.Link;
using IoTStack.Net.Sockets;
using IoTStack.Net.Wire;

namespace IoTStack.Net.Ip
{
    /// <summary>
    /// The interface's multicast groups and the host side of IGMP: IGMPv3 (RFC 3376) with RFC 5790's lightweight rules
    /// (a group is joined as EXCLUDE {} and left as INCLUDE {}, no source filters), and IGMPv2 (RFC 2236) and IGMPv1
    /// while an older querier is present (RFC 3376 section 7.2.1). A group is held by UDP sockets (IP_ADD_MEMBERSHIP, a
    /// bit each) and by the stack itself (<see cref="NetStack.JoinGroup"/>); it is joined while anyone holds it.
    /// </summary>
    /// <remarks>
    /// All state is one uint array sized once (<see cref="NetStackOptions.MulticastGroups"/> = G; each array is a header
    /// of its own on the heap): the groups in [0, G), a state word for each in [G, 2G) (holders, state-change transmissions
    /// left, a query's answer pending, last reporter), a deadline for each in [2G, 3G) that serves a group's state-change
    /// retransmissions and its query answers alike, then the interface timers. Joined groups are kept first, in
    /// [0, <see cref="_members"/>), so the table itself is what the chip's filter is given and what delivery scans; a left
    /// group stays behind them while IGMPv3 repeats its INCLUDE {} record. All-hosts 224.0.0.1 is never in it: it is
    /// always joined and never reported (RFC 2236 section 6, RFC 3376 section 5). Times are the clock's milliseconds cut
    /// to 32 bits (0: none), compared by difference: right for 24 days either side of now, and none lies further off
    /// than an Older Version Querier Present Timeout (at most 7 x 31,744 s, RFC 3376 section 8.12); the querier timers
    /// are cleared as they expire so an old one never wraps back into the future.
    /// </remarks>
    internal sealed class IgmpLayer
    {
        /// <summary>UDP sockets that can hold groups: bit n of a holder set is the datagram pool's n-th socket.</summary>
        internal const int SocketHolders = 24;

        /// <summary>The holder bit of the stack itself (<see cref="NetStack.JoinGroup"/>, the services through INetInterface).</summary>
        internal const uint StackHolder = 1u << SocketHolders;

        private const uint Holders = (StackHolder << 1) - 1;
        private const int TransmissionsShift = SocketHolders + 1;
        private const uint Transmissions = 7u << TransmissionsShift;
        private const uint ResponsePending = 1u << (TransmissionsShift + 3);

        /// <summary>This host sent the last report heard for the group: IGMPv2 sends a Leave Group only then (RFC 2236 section 3).</summary>
        private const uint LastReporter = ResponsePending << 1;

        // The interface timers, after the three regions of G entries: the answer to the last IGMPv3 general query (the
        // "interface timer" of RFC 3376 section 5.2), and the Older Version Querier Present timers (section 7.2.1): the
        // host speaks IGMPv1 or v2 until they run out.
        private const int GeneralResponse = 0;
        private const int V1QuerierPresent = 1;
        private const int V2QuerierPresent = 2;

        private readonly Ipv4Layer _ip;
        private readonly PollTime _time;
        private readonly Prng _random;
        private readonly uint[] _table;

        /// <summary>G: entries in the table.</summary>
        private readonly int _size;
        private int _members;

        /// <summary>RFC 3376 section 8.1, 2 by default; the querier's QRV when its last query gave one (section 4.1.6).</summary>
        private int _robustness = 2;

        /// <summary>RFC 3376 section 8.2, 125 s by default; the querier's QQIC when its last query gave one (section 4.1.7).</summary>
        private int _queryIntervalMs = 125000;

        internal IgmpLayer(Ipv4Layer ip, PollTime time, Prng random, NetStackOptions options)
        {
            _ip = ip;
            _time = time;
            _random = random;
            _size = options.MulticastGroups;
            _table = new uint[3 * _size + 3];
            UpdateFilter(); // a chip starts with the empty list (IMulticastFilter: it may keep out all multicast)
        }

        /// <summary>Whether <paramref name="group"/> is joined (224.0.0.1, always joined, is the caller's).</summary>
        internal bool IsMember(uint group)
        {
            for (int i = 0; i < _members; i++)
            {
                if (_table[i] == group)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// <paramref name="holder"/> joins <paramref name="group"/>: AddressInUse when it holds it already (Linux's EADDRINUSE),
        /// NoBufferSpaceAvailable when the table is full (ENOBUFS). A group new to the interface is reported at once.
        /// </summary>
        internal SocketResult Join(uint group, uint holder)
        {
            if (group == IgmpMessage.AllSystems)
            {
                return SocketResult.Success;
            }

            int i = Find(group);
            if (i >= 0 && i < _members)
            {
                if ((_table[_size + i] & holder) != 0)
                {
                    return SocketResult.AddressInUse;
                }

                _table[_size + i] |= holder;
                return SocketResult.Success;
            }

            if (_members == _size)
            {
                return SocketResult.NoBufferSpaceAvailable;
            }

            // The group's own entry if it is still repeating its leave, else the first behind the joined ones (free, or
            // another left group's: its first INCLUDE {} record went out, the repeats are what is lost).
            Swap(i < 0 ? _members : i, _members);
            i = _members++;
            _table[i] = group;
            _table[_size + i] = holder;
            Announce(i);
            UpdateFilter();
            return SocketResult.Success;
        }

        /// <summary><paramref name="holder"/> leaves <paramref name="group"/>: AddressNotAvailable when it did not hold it (EADDRNOTAVAIL).</summary>
        internal SocketResult Leave(uint group, uint holder)
        {
            if (group == IgmpMessage.AllSystems)
            {
                return SocketResult.Success;
            }

            int i = Find(group);
            if (i < 0 || i >= _members || (_table[_size + i] & holder) == 0)
            {
                return SocketResult.AddressNotAvailable;
            }

            Release(i, holder);
            return SocketResult.Success;
        }

        /// <summary>A socket closed: every group it held is left (as Linux's ip_mc_drop_socket).</summary>
        internal void LeaveAll(uint holder)
        {
            for (int i = _members - 1; i >= 0; i--)
            {
                if ((_table[_size + i] & holder) != 0)
                {
                    Release(i, holder);
                }
            }
        }

        /// <summary>
        /// The interface got a new address or its link came back: every joined group is reported again as if just joined
        /// (the network may never have heard of it), and what was pending for the old state is dropped.
        /// </summary>
        internal void Restart()
        {
            _table[3 * _size + GeneralResponse] = 0;
            for (int i = 0; i < _size; i++)
            {
                if (i < _members)
                {
                    Announce(i);
                }
                else
                {
                    Free(i);
                }
            }
        }

        internal void Input(Ipv4Packet ip)
        {
            byte[] buffer = ip.Buffer;
            int at = ip.PayloadOffset;
            int length = ip.PayloadLength;
            if (IgmpMessage.Validate(buffer, at, length) != WireError.None)
            {
                _ip.Counters.Add(Counter.IgmpMalformed);
                return;
            }

            byte type = buffer[at];
            uint group = IgmpMessage.Group(buffer, at);
            if (type == IgmpMessage.TypeMembershipQuery)
            {
                Query(buffer, at, length, group);
            }
            else if ((type == IgmpMessage.TypeV2Report || type == IgmpMessage.TypeV1Report) && Version() != 3)
            {
                // RFC 2236 section 3: another member answered, so ours is not sent and that member is the last reporter.
                int i = Find(group);
                if (i >= 0 && i < _members)
                {
                    _table[_size + i] &= Holders;
                    _table[2 * _size + i] = 0;
                }
            }

            // Leaves and IGMPv3 reports are for routers; unknown types are ignored (RFC 3376 section 4).
        }

        /// <summary>
        /// Fires what is due: a group's report, the general answer, and an expired querier timer is cleared (before its
        /// 32-bit time could come round again). One pass over the times, each read once: a poll with nothing due pays a
        /// few IL instructions an entry. Nothing is reported without an address: Restart reports all once it has one.
        /// </summary>
        internal void Timers(long now)
        {
            uint clock = (uint)now;
            int timers = 3 * _size;
            for (int t = 2 * _size; t < _table.Length; t++)
            {
                uint at = _table[t];
                if (at == 0 || (int)(at - clock) > 0)
                {
                    continue;
                }

                if (t > timers)
                {
                    _table[t] = 0;
                }
                else if (_ip.Interface.Address != 0)
                {
                    if (t < timers)
                    {
                        Fire(t - 2 * _size);
                    }
                    else
                    {
                        _table[t] = 0;
                        ReportAll();
                    }
                }
            }
        }

        /// <summary>The earliest of <paramref name="earliest"/> and the deadlines here (the querier timers too: they clear when they pass).</summary>
        internal long NextDeadline(long earliest)
        {
            long now = _time.Now;
            bool reporting = _ip.Interface.Address != 0;
            for (int t = 2 * _size; t < _table.Length; t++)
            {
                uint at = _table[t];
                if (at != 0 && (reporting || t > 3 * _size))
                {
                    earliest = Deadlines.Earlier(earliest, now + (int)(at - (uint)now));
                }
            }

            return earliest;
        }

        /// <summary>Hands the chip the joined groups, when the device filters multicast (<see cref="IMulticastFilter"/>).</summary>
        private void UpdateFilter()
        {
            IMulticastFilter filter = _ip.Interface.Device as IMulticastFilter;
            if (filter != null)
            {
                filter.SetMulticastGroups(_table, _members);
            }
        }

        /// <summary>
        /// The version the host speaks: 1 while an IGMPv1 querier is present, else 2 while an IGMPv2 one is, else 3
        /// (Host Compatibility Mode, RFC 3376 section 7.2.1).
        /// </summary>
        private int Version()
        {
            int timers = 3 * _size;
            return Running(_table[timers + V1QuerierPresent]) ? 1 : Running(_table[timers + V2QuerierPresent]) ? 2 : 3;
        }

        /// <summary>
        /// RFC 3376 section 5.2 (IGMPv3) and RFC 2236 section 3 (IGMPv1/v2): an answer is scheduled at a random delay up
        /// to the query's Max Response Time. Sources of a group-and-source query are not kept: a group joined as EXCLUDE {}
        /// excludes none of them, so it is answered as a group query, with IS_EX {}, as Linux does (igmp_xmarksources);
        /// section 5.2's own record would be IS_IN of the queried sources, and both keep every source flowing.
        /// </summary>
        private void Query(byte[] buffer, int at, int length, uint group)
        {
            _ip.Counters.Add(Counter.IgmpQueriesReceived);
            if (group != 0 && !IPv4Address.IsMulticastValue(group))
            {
                return;
            }

            int maxResponse = IgmpMessage.MaxResponseTimeMs(buffer, at, length);
            int timers = 3 * _size;
            if (length == IgmpMessage.HeaderLength)
            {
                // An older querier: Older Version Querier Present Timeout = Robustness x Query Interval + Query Response
                // Interval (section 8.12). Leaving IGMPv3 cancels its pending answers and retransmissions (section 7.2.1).
                bool wasV3 = Version() == 3;
                _table[timers + (buffer[at + 1] == 0 ? V1QuerierPresent : V2QuerierPresent)] = At(_robustness * _queryIntervalMs + maxResponse);
                if (wasV3)
                {
                    CancelAll();
                }
            }
            else
            {
                int robustness = IgmpMessage.QuerierRobustness(buffer, at);
                int interval = IgmpMessage.QueryIntervalSeconds(buffer, at);
                _robustness = robustness != 0 ? robustness : _robustness;
                _queryIntervalMs = interval != 0 ? interval * 1000 : _queryIntervalMs;
            }

            uint answerAt = At(Delay(maxResponse));
            uint general = _table[timers + GeneralResponse];
            bool v3 = Version() == 3;
            if (v3 && general != 0 && (int)(general - answerAt) <= 0)
            {
                return; // section 5.2 rule 1: the general answer due first covers this query too
            }

            if (v3 && group == 0)
            {
                _table[timers + GeneralResponse] = answerAt; // rule 2
                return;
            }

            for (int i = 0; i < _members; i++)
            {
                if (group != 0 && _table[i] != group)
                {
                    continue;
                }

                // IGMPv3 (rules 3 to 5): the earlier of a pending timer and the new delay. IGMPv2: a running timer is
                // replaced only when the query asks for less than it has left.
                uint pending = _table[2 * _size + i];
                if (pending == 0 || (v3 ? (int)(answerAt - pending) < 0 : (int)(pending - (uint)_time.Now) > maxResponse))
                {
                    _table[2 * _size + i] = answerAt;
                }

                _table[_size + i] |= ResponsePending;
            }
        }

        /// <summary>Entering IGMPv1/v2 compatibility: no IGMPv3 answer or retransmission is sent any more (RFC 3376 section 7.2.1).</summary>
        private void CancelAll()
        {
            _table[3 * _size + GeneralResponse] = 0;
            for (int i = 0; i < _size; i++)
            {
                if (i < _members)
                {
                    _table[_size + i] &= Holders | LastReporter;
                    _table[2 * _size + i] = 0;
                }
                else
                {
                    Free(i);
                }
            }
        }

        /// <summary>
        /// A state change (a join, or a left group behind the joined ones): its report now and [Robustness Variable] - 1
        /// more at random intervals (RFC 3376 section 5.1; RFC 2236 section 3 repeats an IGMPv2 join's report too).
        /// </summary>
        private void Announce(int i)
        {
            _table[_size + i] = (_table[_size + i] & Holders) | ((uint)_robustness << TransmissionsShift);
            _table[2 * _size + i] = 0;
            if (_ip.Interface.Address != 0)
            {
                Fire(i);
            }
        }

        /// <summary>An entry's deadline came: its query answer if one is pending, else its next state-change report.</summary>
        private void Fire(int i)
        {
            uint state = _table[_size + i];
            bool joined = i < _members;
            int version = Version();
            uint left = (state & Transmissions) >> TransmissionsShift;
            if ((state & ResponsePending) != 0)
            {
                Report(version, _table[i], IgmpMessage.ModeIsExclude);
            }
            else if (left > 0)
            {
                Report(version, _table[i], joined ? IgmpMessage.ChangeToExcludeMode : IgmpMessage.ChangeToIncludeMode);
                left--;
            }

            _table[_size + i] = (state & Holders) | LastReporter | (left << TransmissionsShift);
            // Unsolicited Report Interval: 1 s in IGMPv3 (RFC 3376 section 8.11), 10 s in IGMPv2 (RFC 2236 section 8.10).
            _table[2 * _size + i] = left == 0 ? 0 : At(Delay(version == 3 ? 1000 : 10000));
            if (!joined && left == 0)
            {
                Free(i);
            }
        }

        /// <summary>The last holder left entry <paramref name="i"/>: it moves behind the joined ones and the leave is told.</summary>
        private void Release(int i, uint holder)
        {
            uint state = _table[_size + i] & ~holder;
            _table[_size + i] = state;
            if ((state & Holders) != 0)
            {
                return;
            }

            int last = --_members;
            Swap(i, last);
            int version = Version();
            bool addressed = _ip.Interface.Address != 0;
            if (addressed && version == 2 && (state & LastReporter) != 0)
            {
                Send(IgmpMessage.AllRouters, IgmpMessage.Write(_ip.OutgoingFrame, Ipv4Layer.AlertedTransportOffset, IgmpMessage.TypeLeaveGroup, 0, _table[last]), Counter.IgmpLeavesSent);
            }

            // IGMPv3: TO_IN {} now and repeated (RFC 3376 section 5.1). IGMPv1 has no leave message at all.
            if (addressed && version == 3)
            {
                Announce(last);
            }
            else
            {
                Free(last);
            }

            UpdateFilter();
        }

        /// <summary>One report about one group: IGMPv3 to 224.0.0.22 with one record, or an IGMPv2/v1 report to the group itself.</summary>
        private void Report(int version, uint group, byte recordType)
        {
            byte[] frame = _ip.OutgoingFrame;
            const int at = Ipv4Layer.AlertedTransportOffset;
            if (version != 3)
            {
                Send(group, IgmpMessage.Write(frame, at, version == 2 ? IgmpMessage.TypeV2Report : IgmpMessage.TypeV1Report, 0, group), Counter.IgmpReportsSent);
                return;
            }

            IgmpMessage.WriteV3ReportHeader(frame, at, 1);
            IgmpMessage.WriteGroupRecord(frame, at + IgmpMessage.HeaderLength, recordType, group);
            IgmpMessage.FillChecksum(frame, at, IgmpMessage.HeaderLength + IgmpMessage.GroupRecordLength);
            Send(IgmpMessage.AllV3Routers, IgmpMessage.HeaderLength + IgmpMessage.GroupRecordLength,
                recordType == IgmpMessage.ChangeToIncludeMode ? Counter.IgmpLeavesSent : Counter.IgmpReportsSent);
        }

        /// <summary>The answer to an IGMPv3 general query: one report with an IS_EX {} record for every joined group (RFC 3376 section 5.2).</summary>
        private void ReportAll()
        {
            if (_members == 0)
            {
                return;
            }

            byte[] frame = _ip.OutgoingFrame;
            const int at = Ipv4Layer.AlertedTransportOffset;
            int length = IgmpMessage.WriteV3ReportHeader(frame, at, _members);
            for (int i = 0; i < _members; i++)
            {
                length += IgmpMessage.WriteGroupRecord(frame, at + length, IgmpMessage.ModeIsExclude, _table[i]);
            }

            IgmpMessage.FillChecksum(frame, at, length);
            Send(IgmpMessage.AllV3Routers, length, Counter.IgmpReportsSent);
        }

        private void Send(uint destination, int length, Counter counter)
        {
            if (_ip.SendAlerted(destination, length) == SocketResult.Success)
            {
                _ip.Counters.Add(counter);
            }
        }

        /// <summary>A random delay in (0, <paramref name="maximumMs"/>], from the stack's generator (1 ms when the maximum is 0).</summary>
        private int Delay(int maximumMs)
        {
            return maximumMs <= 0 ? 1 : 1 + (int)(_random.Next() % (uint)maximumMs);
        }

        /// <summary><paramref name="delayMs"/> from now as a table time (never 0, which means none).</summary>
        private uint At(int delayMs)
        {
            uint at = (uint)(_time.Now + delayMs);
            return at == 0 ? 1 : at;
        }

        private bool Running(uint until)
        {
            return until != 0 && (int)(until - (uint)_time.Now) > 0;
        }

        private int Find(uint group)
        {
            for (int i = 0; i < _size; i++)
            {
                if (_table[i] == group)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Exchanges entries <paramref name="i"/> and <paramref name="j"/> in all three regions.</summary>
        private void Swap(int i, int j)
        {
            for (int k = i, l = j; k < 3 * _size; k += _size, l += _size)
            {
                uint value = _table[k];
                _table[k] = _table[l];
                _table[l] = value;
            }
        }

        private void Free(int i)
        {
            _table[i] = 0;
            _table[_size + i] = 0;
            _table[2 * _size + i] = 0;
        }
    }
}
