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
    /// The table is three arrays by entry, sized once (<see cref="NetStackOptions.MulticastGroups"/>): the group, a state
    /// word (holders, state-change transmissions left, a query's answer pending, last reporter) and one deadline that
    /// serves a group's state-change retransmissions and its query answers alike. Joined groups are kept first, in
    /// [0, <see cref="_members"/>), so the table itself is what the chip's filter is given and what delivery scans; a left
    /// group stays behind them while IGMPv3 repeats its INCLUDE {} record. All-hosts 224.0.0.1 is never in it: it is
    /// always joined and never reported (RFC 2236 section 6, RFC 3376 section 5).
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

        private readonly InterfaceState _interface;
        private readonly Ipv4Layer _ip;
        private readonly NetCounters _counters;
        private readonly PollTime _time;
        private readonly Prng _random;
        private readonly uint[] _groups;
        private readonly uint[] _state;
        private readonly long[] _deadlines;
        private int _members;

        /// <summary>RFC 3376 section 8.1, 2 by default; the querier's QRV when its last query gave one (section 4.1.6).</summary>
        private int _robustness = 2;

        /// <summary>RFC 3376 section 8.2, 125 s by default; the querier's QQIC when its last query gave one (section 4.1.7).</summary>
        private int _queryIntervalMs = 125000;

        /// <summary>The interface timer: when the answer to the last IGMPv3 general query is due (0: none).</summary>
        private long _generalResponseAt;

        // Older Version Querier Present timers (RFC 3376 section 7.2.1): the host speaks IGMPv1 or v2 until they run out.
        private long _v1QuerierUntil;
        private long _v2QuerierUntil;

        internal IgmpLayer(InterfaceState networkInterface, Ipv4Layer ip, NetCounters counters, PollTime time, Prng random, NetStackOptions options)
        {
            _interface = networkInterface;
            _ip = ip;
            _counters = counters;
            _time = time;
            _random = random;
            _groups = new uint[options.MulticastGroups];
            _state = new uint[options.MulticastGroups];
            _deadlines = new long[options.MulticastGroups];
            UpdateFilter(); // a chip starts with the empty list (IMulticastFilter: it may keep out all multicast)
        }

        /// <summary>Whether <paramref name="group"/> is joined (224.0.0.1, always joined, is the caller's).</summary>
        internal bool IsMember(uint group)
        {
            for (int i = 0; i < _members; i++)
            {
                if (_groups[i] == group)
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
                if ((_state[i] & holder) != 0)
                {
                    return SocketResult.AddressInUse;
                }

                _state[i] |= holder;
                return SocketResult.Success;
            }

            if (_members == _groups.Length)
            {
                return SocketResult.NoBufferSpaceAvailable;
            }

            // The group's own entry if it is still repeating its leave, else the first behind the joined ones (free, or
            // another left group's: its first INCLUDE {} record went out, the repeats are what is lost).
            Swap(i < 0 ? _members : i, _members);
            i = _members++;
            _groups[i] = group;
            _state[i] = holder;
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
            if (i < 0 || i >= _members || (_state[i] & holder) == 0)
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
                if ((_state[i] & holder) != 0)
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
            _generalResponseAt = 0;
            for (int i = 0; i < _groups.Length; i++)
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
                _counters.Add(Counter.IgmpMalformed);
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
                    _state[i] &= Holders;
                    _deadlines[i] = 0;
                }
            }

            // Leaves and IGMPv3 reports are for routers; unknown types are ignored (RFC 3376 section 4).
        }

        internal void Timers(long now)
        {
            if (_interface.Address == 0)
            {
                return; // nothing is reported without an address: Restart reports all once it has one
            }

            if (_generalResponseAt != 0 && _generalResponseAt <= now)
            {
                _generalResponseAt = 0;
                ReportAll();
            }

            for (int i = 0; i < _deadlines.Length; i++)
            {
                if (_deadlines[i] != 0 && _deadlines[i] <= now)
                {
                    Fire(i);
                }
            }
        }

        internal long NextDeadline(long earliest)
        {
            if (_interface.Address == 0)
            {
                return earliest;
            }

            earliest = Deadlines.Earlier(earliest, _generalResponseAt);
            for (int i = 0; i < _deadlines.Length; i++)
            {
                earliest = Deadlines.Earlier(earliest, _deadlines[i]);
            }

            return earliest;
        }

        /// <summary>Hands the chip the joined groups, when the device filters multicast (<see cref="IMulticastFilter"/>).</summary>
        private void UpdateFilter()
        {
            IMulticastFilter filter = _interface.Device as IMulticastFilter;
            if (filter != null)
            {
                filter.SetMulticastGroups(_groups, _members);
            }
        }

        /// <summary>
        /// The version the host speaks: 1 while an IGMPv1 querier is present, else 2 while an IGMPv2 one is, else 3
        /// (Host Compatibility Mode, RFC 3376 section 7.2.1).
        /// </summary>
        private int Version()
        {
            long now = _time.Now;
            return _v1QuerierUntil > now ? 1 : _v2QuerierUntil > now ? 2 : 3;
        }

        /// <summary>
        /// RFC 3376 section 5.2 (IGMPv3) and RFC 2236 section 3 (IGMPv1/v2): an answer is scheduled at a random delay up
        /// to the query's Max Response Time. Sources of a group-and-source query are not kept: a group joined as EXCLUDE {}
        /// excludes none of them, so it is answered as a group query, with IS_EX {} (as Linux answers, RFC 5790 section 4).
        /// </summary>
        private void Query(byte[] buffer, int at, int length, uint group)
        {
            _counters.Add(Counter.IgmpQueriesReceived);
            if (group != 0 && !IPv4Address.IsMulticastValue(group))
            {
                return;
            }

            long now = _time.Now;
            int maxResponse = IgmpMessage.MaxResponseTimeMs(buffer, at, length);
            if (length == IgmpMessage.HeaderLength)
            {
                // An older querier: Older Version Querier Present Timeout = Robustness x Query Interval + Query Response
                // Interval (section 8.12). Leaving IGMPv3 cancels its pending answers and retransmissions (section 7.2.1).
                bool wasV3 = Version() == 3;
                long until = now + _robustness * (long)_queryIntervalMs + maxResponse;
                if (buffer[at + 1] == 0)
                {
                    _v1QuerierUntil = until;
                }
                else
                {
                    _v2QuerierUntil = until;
                }

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

            long answerAt = now + Delay(maxResponse);
            bool v3 = Version() == 3;
            if (v3 && _generalResponseAt != 0 && _generalResponseAt <= answerAt)
            {
                return; // section 5.2 rule 1: the general answer due first covers this query too
            }

            if (v3 && group == 0)
            {
                _generalResponseAt = answerAt; // rule 2
                return;
            }

            for (int i = 0; i < _members; i++)
            {
                if (group != 0 && _groups[i] != group)
                {
                    continue;
                }

                // IGMPv3 (rules 3 to 5): the earlier of a pending timer and the new delay. IGMPv2: a running timer is
                // replaced only when the query asks for less than it has left.
                long pending = _deadlines[i];
                if (pending == 0 || (v3 ? answerAt < pending : pending - now > maxResponse))
                {
                    _deadlines[i] = answerAt;
                }

                _state[i] |= ResponsePending;
            }
        }

        /// <summary>Entering IGMPv1/v2 compatibility: no IGMPv3 answer or retransmission is sent any more (RFC 3376 section 7.2.1).</summary>
        private void CancelAll()
        {
            _generalResponseAt = 0;
            for (int i = 0; i < _groups.Length; i++)
            {
                if (i < _members)
                {
                    _state[i] &= Holders | LastReporter;
                    _deadlines[i] = 0;
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
            _state[i] = (_state[i] & Holders) | ((uint)_robustness << TransmissionsShift);
            _deadlines[i] = 0;
            if (_interface.Address != 0)
            {
                Fire(i);
            }
        }

        /// <summary>An entry's deadline came: its query answer if one is pending, else its next state-change report.</summary>
        private void Fire(int i)
        {
            uint state = _state[i];
            bool joined = i < _members;
            int version = Version();
            uint left = (state & Transmissions) >> TransmissionsShift;
            if ((state & ResponsePending) != 0)
            {
                Report(version, _groups[i], IgmpMessage.ModeIsExclude);
            }
            else if (left > 0)
            {
                Report(version, _groups[i], joined ? IgmpMessage.ChangeToExcludeMode : IgmpMessage.ChangeToIncludeMode);
                left--;
            }

            _state[i] = (state & Holders) | LastReporter | (left << TransmissionsShift);
            // Unsolicited Report Interval: 1 s in IGMPv3 (RFC 3376 section 8.11), 10 s in IGMPv2 (RFC 2236 section 8.10).
            _deadlines[i] = left == 0 ? 0 : _time.Now + Delay(version == 3 ? 1000 : 10000);
            if (!joined && left == 0)
            {
                Free(i);
            }
        }

        /// <summary>The last holder left entry <paramref name="i"/>: it moves behind the joined ones and the leave is told.</summary>
        private void Release(int i, uint holder)
        {
            uint state = _state[i] & ~holder;
            _state[i] = state;
            if ((state & Holders) != 0)
            {
                return;
            }

            int last = --_members;
            Swap(i, last);
            int version = Version();
            if (_interface.Address != 0 && version == 2 && (state & LastReporter) != 0)
            {
                byte[] frame = _ip.OutgoingFrame;
                Send(IgmpMessage.AllRouters, IgmpMessage.Write(frame, Ipv4Layer.AlertedTransportOffset, IgmpMessage.TypeLeaveGroup, 0, _groups[last]), Counter.IgmpLeavesSent);
            }

            // IGMPv3: TO_IN {} now and repeated (RFC 3376 section 5.1). IGMPv1 has no leave message at all.
            if (_interface.Address != 0 && version == 3)
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
                length += IgmpMessage.WriteGroupRecord(frame, at + length, IgmpMessage.ModeIsExclude, _groups[i]);
            }

            IgmpMessage.FillChecksum(frame, at, length);
            Send(IgmpMessage.AllV3Routers, length, Counter.IgmpReportsSent);
        }

        private void Send(uint destination, int length, Counter counter)
        {
            if (_ip.SendAlerted(destination, length) == SocketResult.Success)
            {
                _counters.Add(counter);
            }
        }

        /// <summary>A random delay in (0, <paramref name="maximumMs"/>], from the stack's generator (1 ms when the maximum is 0).</summary>
        private int Delay(int maximumMs)
        {
            return maximumMs <= 0 ? 1 : 1 + (int)(_random.Next() % (uint)maximumMs);
        }

        private int Find(uint group)
        {
            for (int i = 0; i < _groups.Length; i++)
            {
                if (_groups[i] == group)
                {
                    return i;
                }
            }

            return -1;
        }

        private void Swap(int i, int j)
        {
            uint group = _groups[i];
            _groups[i] = _groups[j];
            _groups[j] = group;
            uint state = _state[i];
            _state[i] = _state[j];
            _state[j] = state;
            long deadline = _deadlines[i];
            _deadlines[i] = _deadlines[j];
            _deadlines[j] = deadline;
        }

        private void Free(int i)
        {
            _groups[i] = 0;
            _state[i] = 0;
            _deadlines[i] = 0;
        }
    }
}
