namespace IoTStack.Net.Tcp
{
    /// <summary>
    /// Round-trip time of one connection and the retransmission timeout it gives (RFC 6298): the smoothed round trip
    /// and its variation from samples, Karn's rule for which segments give one, exponential back-off, and the least
    /// round trip seen (RFC 8985's RACK.min_RTT). Samples come from the one segment being timed or from echoed
    /// timestamps (RFC 7323 section 4); every change of the timing state goes through here.
    /// </summary>
    internal sealed class RttEstimator
    {
        private NetStackOptions _options;

        /// <summary>SRTT times 8, for integer precision (RFC 6298 section 2, as BSD keeps it).</summary>
        private int _smoothed8;

        /// <summary>RTTVAR times 4.</summary>
        private int _variance4;

        private uint _timedSequence;

        /// <summary>When the timed segment was sent; -1 while none is timed (a field fewer than a flag beside it: 12 bytes on nanoCLR).</summary>
        private long _timedAt;

        /// <summary>The retransmission timeout now, back-off included (milliseconds).</summary>
        internal int Rto;

        /// <summary>A sample has been taken since the connection began.</summary>
        internal bool Measured
        {
            get { return _smoothed8 != 0; }
        }

        /// <summary>The least round trip sampled (milliseconds; 0 until <see cref="Measured"/>).</summary>
        internal int Minimum;

        /// <summary>Starts over for a new connection: no samples, the initial timeout (RFC 6298 section 2.1).</summary>
        internal void Reset(NetStackOptions options)
        {
            _options = options;
            _smoothed8 = 0;
            _variance4 = 0;
            _timedAt = -1;
            Rto = options.TcpInitialRtoMs;
            Minimum = 0;
        }

        /// <summary>The smoothed round trip (milliseconds; 0 until <see cref="Measured"/>).</summary>
        internal int Smoothed
        {
            get { return _smoothed8 >> 3; }
        }

        /// <summary>Times the segment that begins at <paramref name="sequence"/> unless one is already timed (one sample per round trip).</summary>
        internal void Begin(uint sequence, long now)
        {
            if (_timedAt < 0)
            {
                _timedSequence = sequence;
                _timedAt = now;
            }
        }

        /// <summary>Karn's algorithm (RFC 6298 section 3): a retransmission makes the timed segment's sample ambiguous.</summary>
        internal void Cancel()
        {
            _timedAt = -1;
        }

        /// <summary>
        /// An acknowledgment of new data up to <paramref name="acknowledgment"/>. With timestamps the echoed value gives the
        /// sample for every such ACK (RFC 7323 section 4.1; <paramref name="echoed"/> is 0 without one); without, the timed
        /// segment does once it is acknowledged.
        /// </summary>
        internal void Acknowledged(uint acknowledgment, long now, bool timestamps, uint echoed)
        {
            if (timestamps && echoed != 0)
            {
                int rtt = (int)((uint)now - echoed);
                if (rtt >= 0)
                {
                    Sample(rtt); // an echo from our future is the peer's invention, not a round trip (Linux ignores it too)
                }

                _timedAt = -1;
            }
            else if (_timedAt >= 0 && Sequence.Gt(acknowledgment, _timedSequence))
            {
                Sample((int)(now - _timedAt));
                _timedAt = -1;
            }
        }

        /// <summary>One round-trip sample (RFC 6298 section 2.2 and 2.3, alpha 1/8, beta 1/4, K 4; G is the 1 ms clock).</summary>
        internal void Sample(int rtt)
        {
            if (rtt < 1)
            {
                rtt = 1;
            }

            if (!Measured)
            {
                _smoothed8 = rtt << 3;
                _variance4 = rtt << 1;
                Minimum = rtt;
            }
            else
            {
                int error = rtt - (_smoothed8 >> 3);
                _smoothed8 += error;
                if (error < 0)
                {
                    error = -error;
                }

                _variance4 += error - (_variance4 >> 2);
                if (rtt < Minimum)
                {
                    Minimum = rtt;
                }
            }

            Rto = Bound((_smoothed8 >> 3) + (_variance4 > 1 ? _variance4 : 1));
        }

        /// <summary>RFC 6298 section 5.5: the timer expired, so the next timeout is twice as long.</summary>
        internal void BackOff()
        {
            Rto = Bound(Rto * 2);
            _timedAt = -1;
        }

        private int Bound(int rto)
        {
            return rto < _options.TcpMinimumRtoMs ? _options.TcpMinimumRtoMs : rto > _options.TcpMaximumRtoMs ? _options.TcpMaximumRtoMs : rto;
        }
    }
}
